"""What the registries share: the city's counties, field checks that name the field and value,
department codes, and the check that a caller registers for its own department."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub.auth.actor import Actor, Permission
from cityhub.auth.models import Department
from cityhub.errors import InvalidInput, PermissionDenied
from cityhub.registry.credit_code import validate_credit_code

CITY_TIME = ZoneInfo("Asia/Shanghai")

# The eight counties of 聊城市 (GB/T 2260): code → (Chinese, English).
COUNTIES: dict[str, tuple[str, str]] = {
    "371502": ("东昌府区", "Dongchangfu District"),
    "371503": ("茌平区", "Chiping District"),
    "371521": ("阳谷县", "Yanggu County"),
    "371522": ("莘县", "Shen County"),
    "371524": ("东阿县", "Dong'e County"),
    "371525": ("冠县", "Guan County"),
    "371526": ("高唐县", "Gaotang County"),
    "371581": ("临清市", "Linqing City"),
}


def city_today() -> date:
    """Today in Liaocheng."""
    return datetime.now(CITY_TIME).date()


def credit_code(value: str, field: str) -> str:
    """The normalised 统一社会信用代码, or InvalidInput naming the field, value and reason."""
    verdict = validate_credit_code(value)
    if not verdict.valid or verdict.normalised is None:
        raise InvalidInput(
            f"{field}: {value!r} is not a valid 统一社会信用代码 ({verdict.reason_en})",
            details={"field": field, "value": value, "reason_zh": verdict.reason_zh},
        )
    return verdict.normalised


def county(value: str, field: str = "county") -> str:
    """One of the city's eight county codes."""
    code = value.strip()
    if code not in COUNTIES:
        raise InvalidInput(
            f"{field}: {value!r} is not one of the city's counties {sorted(COUNTIES)}",
            details={"field": field, "value": value},
        )
    return code


def choice(value: str, allowed: tuple[str, ...], field: str) -> str:
    """``value`` when it is one of ``allowed``."""
    if value not in allowed:
        raise InvalidInput(
            f"{field}: {value!r} is not one of {list(allowed)}",
            details={"field": field, "value": value},
        )
    return value


def text(value: str, field: str, limit: int = 200) -> str:
    """A trimmed, non-empty text of at most ``limit`` characters."""
    cleaned = value.strip()
    if not cleaned or len(cleaned) > limit:
        raise InvalidInput(
            f"{field}: needs 1–{limit} characters, got {len(cleaned)}",
            details={"field": field, "value": value},
        )
    return cleaned


def not_negative(value: float, field: str) -> float:
    """A finite number ≥ 0."""
    if not value >= 0 or value == float("inf"):
        raise InvalidInput(
            f"{field}: {value!r} must be ≥ 0", details={"field": field, "value": value}
        )
    return float(value)


class Departments:
    """Department id ↔ code for one session (the table is small)."""

    def __init__(self, session: Session) -> None:
        self.codes = {d.id: d.code for d in session.scalars(select(Department))}
        self.ids = {code: id_ for id_, code in self.codes.items()}

    def id_of(self, code: str, field: str = "department") -> int:
        if code not in self.ids:
            raise InvalidInput(
                f"{field}: no department with code {code!r}",
                details={"field": field, "value": code},
            )
        return self.ids[code]


def registering_department(actor: Actor, department: str | None) -> str:
    """The department a registration is for: the steward's own, or any one an admin names.

    Needs PROGRAMME_REPORT; a steward naming another department is refused.
    """
    actor.require(Permission.PROGRAMME_REPORT)
    if actor.can(Permission.PROGRAMME_MANAGE):
        chosen = department or actor.department_code
        if chosen is None:
            raise InvalidInput(
                "say which department registers this", details={"field": "department"}
            )
        return chosen
    own = actor.department_code
    if own is None or (department is not None and department != own):
        raise PermissionDenied(
            "stewards register for their own department only",
            details={"department": department, "own": own},
        )
    return own


def may_see_personal(actor: Actor, organiser: str) -> bool:
    """Admins and the organiser department's users see attendees' personal data unmasked."""
    return actor.can(Permission.PROGRAMME_MANAGE) or actor.department_code == organiser
