"""The oracle of the permission matrix: the sharing rules, written from the policy, not the code.

The rules (MISSION R2, docs/sharing.md, 国发〔2016〕51号 for the share types):

- Everyone signed in sees the whole catalogue; the public sees entries 无条件开放 or 有条件开放.
- The owner department reads its data; other departments read 无条件共享 data, and 有条件共享
  data while they hold a grant, never 不予共享 data; anyone, the public included, reads
  无条件开放 data. An admin is not an owner: it reads by the same rules as any department.
- Personal columns are masked for everyone outside the owner department, admins included.
- The owner department's stewards and the admins manage a dataset (metadata, uploads, rules,
  quality runs, quarantine); only admins grant directly (others ask through the sharing workflow).

Each operation has a policy; ``expected`` turns (policy, role, class) into the outcome that the
caller must get, and ``STATUS`` gives its HTTP status for each kind of API.
"""

from __future__ import annotations

from enum import StrEnum

from cityhub import auth
from cityhub.catalog import OpenType, ShareType
from tests.security.world import GRANTED, OWNER, DataClass, Role


class Policy(StrEnum):
    """What an operation needs of its caller."""

    SEE = "see"  # the catalogue entry
    READ = "read"  # the rows
    MANAGE = "manage"  # change the dataset
    GRANT = "grant"  # admins only
    LIST = "list"  # a listing that must hold the dataset exactly when the caller may see it


class Outcome(StrEnum):
    """What the caller gets."""

    OK = "ok"
    SIGN_IN = "sign in"  # anonymous and not allowed
    FORBIDDEN = "forbidden"  # signed in and not allowed
    HIDDEN = "hidden"  # may not even know the dataset exists
    LISTED = "listed"
    UNLISTED = "unlisted"


def sees(role: Role, data: DataClass) -> bool:
    return role.username is not None or data.open in (OpenType.OPEN, OpenType.CONDITIONAL)


def reads(role: Role, data: DataClass) -> bool:
    if data.open is OpenType.OPEN or role.department == OWNER:
        return True
    if role.username is None:
        return False
    if data.share is ShareType.UNCONDITIONAL:
        return True
    return data.share is ShareType.CONDITIONAL and role.department == GRANTED


def manages(role: Role) -> bool:
    return role.role is auth.Role.ADMIN or (
        role.role is auth.Role.STEWARD and role.department == OWNER
    )


def masked(role: Role) -> bool:
    """Whether personal columns are masked for the role (the owner department only sees them)."""
    return role.department != OWNER


def _refusal(role: Role, data: DataClass) -> Outcome:
    if not sees(role, data):
        return Outcome.HIDDEN
    return Outcome.SIGN_IN if role.username is None else Outcome.FORBIDDEN


def expected(policy: Policy, role: Role, data: DataClass) -> Outcome:
    """The outcome the rules give ``role`` calling an operation of ``policy`` on ``data``."""
    if policy is Policy.LIST:
        return Outcome.LISTED if sees(role, data) else Outcome.UNLISTED
    if policy is Policy.SEE:
        return Outcome.OK if sees(role, data) else Outcome.HIDDEN
    if policy is Policy.READ:
        return Outcome.OK if reads(role, data) else _refusal(role, data)
    if role.username is None:
        return Outcome.SIGN_IN  # a write asks to sign in first, whatever it names
    allowed = manages(role) if policy is Policy.MANAGE else role.role is auth.Role.ADMIN
    return Outcome.OK if allowed else Outcome.FORBIDDEN
