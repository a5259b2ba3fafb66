"""The audit trail page for admins, with filters and paging."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse

from cityhub import audit
from cityhub.errors import InvalidInput
from cityhub.web.deps import DatabaseDep, PageActor
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)

# Dates typed on the page are days in China Standard Time.
CITY_TIME = ZoneInfo("Asia/Shanghai")


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{field} must be a date like 2026-11-27", details={"field": field, "value": value}
        ) from None


def _outcome(value: str) -> audit.Outcome | None:
    if not value:
        return None
    try:
        return audit.Outcome(value)
    except ValueError:
        choices = ", ".join(o.value for o in audit.Outcome)
        raise InvalidInput(
            f"outcome must be one of {choices}", details={"field": "outcome", "value": value}
        ) from None


def _day_start(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), CITY_TIME) if day else None


@router.get("/audit", response_class=HTMLResponse)
def audit_page(
    request: Request,
    db: DatabaseDep,
    actor: PageActor,
    actor_name: str = "",
    action: str = "",
    outcome: str = "",
    since: str = "",
    until: str = "",
    before_id: int | None = None,
) -> HTMLResponse:
    """Audit events, newest first; ``until`` includes the whole day."""
    first, last = _day(since, "since"), _day(until, "until")
    where = audit.AuditFilter(
        actor=actor_name.strip() or None,
        action=action.strip() or None,
        outcome=_outcome(outcome),
        since=_day_start(first),
        until=_day_start(last + timedelta(days=1)) if last else None,
        before_id=before_id,
        limit=50,
    )
    page = audit.list_events(db, actor, where)
    filters = {
        "actor_name": actor_name,
        "action": action,
        "outcome": outcome,
        "since": since,
        "until": until,
    }
    return render(
        request,
        "audit.html",
        {"page": page, "filters": filters, "outcomes": list(audit.Outcome), "city_time": CITY_TIME},
    )
