"""Who is asking: the ``Actor`` every service function receives, and the permission check."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from cityhub.errors import NotAuthenticated, PermissionDenied


class Role(StrEnum):
    """The roles a user can hold; ``public`` is the anonymous caller."""

    ADMIN = "admin"  # Big Data Bureau operators: run the platform
    STEWARD = "steward"  # publish and manage one department's data
    ANALYST = "analyst"  # read what is shared with the department
    STATION = "station"  # a monitoring station or gateway: sends its department's observations
    RECORDER = "recorder"  # a farm, processor, carrier or shop: records its own trace events
    PUBLIC = "public"  # anyone, not logged in: open data only


class Permission(StrEnum):
    """What a role may do; each service function asks for one of these."""

    DEPARTMENTS_READ = "departments.read"
    USERS_READ_OWN_DEPARTMENT = "users.read-own-department"
    USERS_READ_ALL = "users.read-all"
    USERS_MANAGE = "users.manage"
    TOKENS_OWN = "tokens.own"
    TOKENS_MANAGE_ALL = "tokens.manage-all"
    AUDIT_READ = "audit.read"
    DATASETS_PUBLISH = "datasets.publish"  # create datasets and upload versions (own department)
    GRANTS_MANAGE = "grants.manage"  # grant 有条件共享 datasets to departments
    SHARING_REQUEST = "sharing.request"  # ask for a 有条件共享 dataset for the department
    SHARING_DECIDE = "sharing.decide"  # approve or refuse requests (own department's datasets)
    SHARING_OVERSEE = "sharing.oversee"  # every request, overdue ones, every department's figures
    SENSING_WRITE = "sensing.write"  # create and change SensorThings entities (own department)
    ALARMS_HANDLE = "alarms.handle"  # alarm rules, acknowledge, clear, silence (own department)
    TRACE_READ = "trace.read"  # batch histories, evidence, recall graphs (everyone)
    TRACE_RECORD = "trace.record"  # record signed events and key statements for one's own actor
    TRACE_MANAGE = "trace.manage"  # register traceability actors, link accounts, revoke keys
    PROGRAMME_READ = (
        "programme.read"  # tasks, targets, registries (masked), reports, warnings, cockpit
    )
    PROGRAMME_REPORT = (
        "programme.report"  # own department: progress reports, figures, registrations
    )
    PROGRAMME_MANAGE = "programme.manage"  # edit tasks, milestones, targets; screen; score parks
    INCENTIVES_CHECK = "incentives.check"  # which public incentive rules apply to given facts
    INCENTIVES_SCREEN = (
        "incentives.screen"  # 免申即享: every enterprise of the base database that qualifies
    )


ROLE_PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.PUBLIC: frozenset(
        {Permission.DEPARTMENTS_READ, Permission.TRACE_READ, Permission.INCENTIVES_CHECK}
    ),
    Role.ANALYST: frozenset(
        {
            Permission.DEPARTMENTS_READ,
            Permission.TOKENS_OWN,
            Permission.SHARING_REQUEST,
            Permission.TRACE_READ,
            Permission.PROGRAMME_READ,
            Permission.INCENTIVES_CHECK,
            Permission.INCENTIVES_SCREEN,
        }
    ),
    Role.STATION: frozenset({Permission.DEPARTMENTS_READ, Permission.SENSING_WRITE}),
    Role.RECORDER: frozenset(
        {
            Permission.DEPARTMENTS_READ,
            Permission.TOKENS_OWN,
            Permission.TRACE_READ,
            Permission.TRACE_RECORD,
        }
    ),
    Role.STEWARD: frozenset(
        {
            Permission.SENSING_WRITE,
            Permission.ALARMS_HANDLE,
            Permission.DEPARTMENTS_READ,
            Permission.TOKENS_OWN,
            Permission.USERS_READ_OWN_DEPARTMENT,
            Permission.DATASETS_PUBLISH,
            Permission.SHARING_REQUEST,
            Permission.SHARING_DECIDE,
            Permission.TRACE_READ,
            Permission.TRACE_MANAGE,
            Permission.PROGRAMME_READ,
            Permission.PROGRAMME_REPORT,
            Permission.INCENTIVES_CHECK,
            Permission.INCENTIVES_SCREEN,
        }
    ),
    Role.ADMIN: frozenset(Permission),
}


@dataclass(frozen=True)
class Actor:
    """The caller of a service function, and where the call came from.

    >>> Actor.public(client_address="10.0.0.1").role
    <Role.PUBLIC: 'public'>
    """

    user_id: int | None
    username: str
    role: Role
    department_code: str | None
    client_address: str | None = None

    @classmethod
    def public(cls, client_address: str | None = None) -> Actor:
        """The anonymous caller."""
        return cls(None, "public", Role.PUBLIC, None, client_address)

    @classmethod
    def system(cls) -> Actor:
        """The platform itself (migrations, bootstrap, demo seeding, CLI run by the operator)."""
        return cls(None, "system", Role.ADMIN, None, "local")

    @property
    def is_authenticated(self) -> bool:
        """True for a logged-in user or the system, False for the public."""
        return self.role is not Role.PUBLIC

    def can(self, permission: Permission) -> bool:
        """Whether this actor's role grants ``permission``."""
        return permission in ROLE_PERMISSIONS[self.role]

    def require(self, permission: Permission) -> None:
        """Raise unless the role grants ``permission``: 401 for the public, 403 for users."""
        if self.can(permission):
            return
        if not self.is_authenticated:
            raise NotAuthenticated("log in to do this", details={"permission": permission.value})
        raise PermissionDenied(
            f"role {self.role.value!r} may not do {permission.value!r}",
            details={"permission": permission.value},
        )
