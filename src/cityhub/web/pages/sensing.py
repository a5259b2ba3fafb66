"""Sensing pages: the live map of stations, a station's charts, the alarm console.

The pages render what the actor may see; ``sensing.js`` then keeps them live from
``/api/sensing/events`` and draws the charts from ``/api/sensing/...`` (the session cookie
authenticates those reads). Acknowledging and clearing are forms with the CSRF token.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date, datetime, time, timedelta
from typing import Annotated, Any
from urllib.parse import parse_qsl, urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput
from cityhub.sensing import alarms, console, dashboard
from cityhub.sensing.alarms import AlarmChange, Severity
from cityhub.sensing.dashboard import StationState
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import DatabaseDep, Id, PageActor
from cityhub.web.errors import status_of
from cityhub.web.i18n import Translator, language_of
from cityhub.web.pages.render import render
from cityhub.web.routes.sensing import FeedDep

router = APIRouter(include_in_schema=False)

# Times are shown, and dates typed, in China Standard Time.
CITY_TIME = ZoneInfo("Asia/Shanghai")
STATES = [s.value for s in StationState]
SEVERITIES = [s.value for s in Severity]
FIXABLE = (InvalidInput, Conflict)  # shown on the console, not as an error page
RANGES = (6, 24, 72, 168, 720)  # the station page's range buttons, in hours


def _labels(t: Translator) -> dict[str, Any]:
    """The words ``sensing.js`` shows, in the page's language."""
    return {
        "states": {state: t(f"sensing.state.{state}") for state in STATES},
        "severities": {s: t(f"sensing.severity.{s}") for s in SEVERITIES},
        "statuses": {s: t(f"sensing.status.{s}") for s in ("active", "acknowledged", "cleared")},
        "live": {s: t(f"sensing.live_{s}") for s in ("connecting", "open", "lost")},
        "longitude": t("sensing.longitude"),
        "latitude": t("sensing.latitude"),
        "no_values": t("sensing.no_values"),
        "no_alarms": t("sensing.no_alarms"),
        "truncated": t("sensing.truncated"),
        "threshold": t("sensing.threshold"),
    }


def _station_json(station: dashboard.Station) -> dict[str, Any]:
    """What the map script needs of a station (times as ISO text)."""
    return {
        "id": station.id,
        "name": station.name,
        "x": station.x,
        "y": station.y,
        "state": station.state.value,
        "alarms": [
            {"id": a.id, "severity": a.severity, "offline": a.offline} for a in station.alarms
        ],
        "streams": [
            {"id": s.id, "name": s.name, "unit": s.unit, "value": s.value} for s in station.streams
        ],
    }


def _base(request: Request) -> dict[str, Any]:
    language = language_of(request)
    return {"city_time": CITY_TIME, "labels": _labels(Translator(language)), "language": language}


@router.get("/sensing", response_class=HTMLResponse)
def map_page(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """Every station the actor sees on a map, coloured by its alarm state, kept live."""
    found = dashboard.stations(db, actor)
    context = _base(request) | {
        "stations": found,
        "placed": sum(1 for s in found if s.x is not None),
        "states": STATES,
    }
    context["map_data"] = {
        "stations": [_station_json(s) for s in found],
        "labels": context["labels"],
    }
    return render(request, "sensing_map.html", context)


@router.get("/sensing/stations/{thing_id}", response_class=HTMLResponse)
def station_page(request: Request, thing_id: Id, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """One station: a chart per Datastream with its thresholds, latest values, open alarms."""
    found = dashboard.station(db, actor, thing_id)
    context = _base(request) | {"station": found, "ranges": RANGES}
    context["station_data"] = {
        "station": _station_json(found),
        "labels": context["labels"],
        "hours": 24,
    }
    return render(request, "sensing_station.html", context)


def _day(value: str, field: str) -> date | None:
    if not value:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            f"{field} must be a date like 2024-07-10", details={"field": field, "value": value}
        ) from None


def _number(value: str, field: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise InvalidInput(f"{field} must be a number", details={"field": field, "value": value})
    return int(value)


def _city_midnight(day: date | None) -> datetime | None:
    return datetime.combine(day, time(), CITY_TIME) if day else None


def _console(
    request: Request,
    db: Database,
    actor: Actor,
    filters: dict[str, str],
    *,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    rows: list[console.AlarmRow] = []
    try:
        first, last = _day(filters["since"], "since"), _day(filters["until"], "until")
        wanted = console.AlarmFilter(
            status=filters["status"] or None,
            severity=filters["severity"] or None,
            thing_id=_number(filters["thing"], "thing"),
            since=_city_midnight(first),
            until=_city_midnight(last + timedelta(days=1)) if last else None,
            before_id=_number(filters["before_id"], "before_id"),
            limit=50,
        )
        rows = console.alarm_rows(db, actor, wanted)
    except InvalidInput as exc:
        error, status = exc.message, status_of(exc)
    shown = {k: v for k, v in filters.items() if k != "before_id"}
    context = _base(request) | {
        "alarms": rows,
        "filters": filters,
        "query": urlencode(shown),
        "older": urlencode(shown | {"before_id": rows[-1].id}) if len(rows) == 50 else None,
        "stations": [(s.id, s.name) for s in dashboard.stations(db, actor)],
        "severities": SEVERITIES,
        "statuses": ("open", "active", "acknowledged", "cleared"),
        "error": error,
        "done": done,
    }
    context["console_data"] = {"labels": context["labels"]}
    return render(request, "sensing_alarms.html", context, status=status)


def console_filters(
    status: str = "open",
    severity: str = "",
    thing: str = "",
    since: str = "",
    until: str = "",
    before_id: str = "",
) -> dict[str, str]:
    """The console's filters as typed (empty: any); ``status`` "" means every status."""
    return {
        "status": status,
        "severity": severity,
        "thing": thing,
        "since": since,
        "until": until,
        "before_id": before_id,
    }


Filters = Annotated[dict[str, str], Depends(console_filters)]


@router.get("/sensing/alarms", response_class=HTMLResponse)
def alarms_page(
    request: Request, db: DatabaseDep, actor: PageActor, filters: Filters, done: str = ""
) -> HTMLResponse:
    """The alarm console: filters, the alarms, acknowledge and clear buttons, history."""
    return _console(request, db, actor, filters, done=done or None)


@router.get("/sensing/alarms/{alarm_id}/history", response_class=HTMLResponse)
def history_fragment(
    request: Request, alarm_id: Id, db: DatabaseDep, actor: PageActor
) -> HTMLResponse:
    """An alarm's events, oldest first (loaded into the console by htmx)."""
    events = alarms.alarm_history(db, actor, alarm_id)
    context = {"events": events, "city_time": CITY_TIME, "alarm_id": alarm_id}
    return render(request, "sensing_history.html", context)


def _act(
    request: Request,
    db: Database,
    actor: Actor,
    feed: FeedDep,
    work: Callable[[], AlarmChange],
    done: str,
    back: str,
) -> Response:
    filters = console_filters()
    try:
        change = work()
    except FIXABLE as exc:
        return _console(request, db, actor, filters, error=exc.message, status=status_of(exc))
    feed.alarm_changed([change])
    # Back to the filters the form was sent from (only the console's own, so never elsewhere).
    kept = [(k, v) for k, v in parse_qsl(back) if k in filters and k != "before_id"]
    return RedirectResponse(f"/sensing/alarms?{urlencode([*kept, ('done', done)])}", 303)


@router.post(
    "/sensing/alarms/{alarm_id}/acknowledge",
    dependencies=[Depends(verify_csrf)],
    response_model=None,
)
def acknowledge_form(
    request: Request,
    alarm_id: Id,
    db: DatabaseDep,
    actor: PageActor,
    feed: FeedDep,
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """确认: someone is on it."""

    def work() -> AlarmChange:
        return alarms.acknowledge(db, actor, alarm_id, note=note.strip() or None)

    return _act(request, db, actor, feed, work, "acknowledged", back)


@router.post(
    "/sensing/alarms/{alarm_id}/clear",
    dependencies=[Depends(verify_csrf)],
    response_model=None,
)
def clear_form(
    request: Request,
    alarm_id: Id,
    db: DatabaseDep,
    actor: PageActor,
    feed: FeedDep,
    note: Annotated[str, Form()] = "",
    back: Annotated[str, Form()] = "",
) -> Response:
    """解除: the alarm is over (the engine raises a new one if the condition still holds)."""

    def work() -> AlarmChange:
        return alarms.clear(db, actor, alarm_id, note=note.strip() or None)

    return _act(request, db, actor, feed, work, "cleared", back)
