"""The sensing API of the pages and of other systems: ``/api/sensing/...``.

Stations with their state, a Datastream's series, the alarm console (list, history, acknowledge,
clear), silences, alarm rules, and ``/events``: the live feed as Server-Sent Events. Reads take a
bearer token or, for the platform's own pages (``EventSource`` cannot send headers), the session
cookie; changes take a bearer token only — the pages change things through forms with CSRF.
"""

from __future__ import annotations

import json
import time
from collections.abc import AsyncIterator
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import StreamingResponse
from pydantic import BaseModel, ConfigDict, Field
from starlette.datastructures import State

from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.sensing import alarms, console, dashboard
from cityhub.sensing.alarms import AlarmChange, RuleKind, RuleSpec, SilenceSpec
from cityhub.sensing.live import Event, LiveFeed, LiveScope
from cityhub.web.deps import ApiActor, DatabaseDep, Id, api_actor, get_db, page_actor
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/sensing", tags=["sensing"], responses=ERROR_RESPONSES)

HEARTBEAT_SECONDS = 15.0  # a comment line keeps proxies from closing a quiet stream
STREAM_SECONDS = 300.0  # then the browser reconnects, and the caller's rights are read again
RESCOPE_SECONDS = 60.0  # how stale the list of visible stations may grow
MISS_RESCOPE_SECONDS = 5.0  # an event of an unknown station re-reads it at most this often
RETRY_MILLISECONDS = 3000


def reader(request: Request, db: Annotated[Database, Depends(get_db)]) -> Actor:
    """The holder of the bearer token if one is sent, else the user of the session cookie."""
    if request.headers.get("authorization"):
        return api_actor(request, db)
    return page_actor(request, db)


def feed_of(state: State) -> LiveFeed:
    """The app's live feed (``cityhub.sensing.runtime.Sensing.live``)."""
    feed: LiveFeed = state.sensing.live
    return feed


def live_feed(request: Request) -> LiveFeed:
    """Dependency: the app's live feed."""
    return feed_of(request.app.state)


Reader = Annotated[Actor, Depends(reader)]
FeedDep = Annotated[LiveFeed, Depends(live_feed)]


class AlarmNote(BaseModel):
    """An optional note kept in the alarm's history."""

    note: str | None = Field(default=None, max_length=1000)


class AlarmEventPublic(BaseModel):
    """One line of an alarm's history."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    kind: str
    severity: str | None
    previous_severity: str | None
    value: float | None
    actor: str
    at: datetime
    details: dict[str, Any]


class SilenceCreate(BaseModel):
    """A maintenance window over a rule, a Thing or a Datastream (several narrow it)."""

    ends_at: datetime = Field(description="With its time zone; at most 90 days after the start.")
    reason: str
    rule_id: int | None = None
    thing_id: int | None = None
    datastream_id: int | None = None
    starts_at: datetime | None = Field(default=None, description="Empty: now.")


class SilencePublic(BaseModel):
    """A silence as stored."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    rule_id: int | None
    thing_id: int | None
    datastream_id: int | None
    starts_at: datetime
    ends_at: datetime
    reason: str
    created_by: str


class RuleCreate(BaseModel):
    """An alarm rule (docs/alarms.md): tiers as ``[{"severity", "create", "clear"?}]``."""

    name: str
    kind: RuleKind
    tiers: list[Any] = Field(description='e.g. [{"severity": "yellow", "create": {...}}]')
    datastream_id: int | None = None
    observed_property: str | None = None
    station_class: str | None = None
    department: str | None = Field(default=None, description="A department code (admins).")
    window_seconds: int | None = None
    day_start: str | None = Field(default=None, description="HH:MM, e.g. 08:00 for rain.")
    for_samples: int = 1
    for_seconds: int = 0
    offline_seconds: int | None = None
    accumulation: str = "increment"
    rate_per_seconds: int = 3600
    action_url: str | None = None
    enabled: bool = True

    def spec(self) -> RuleSpec:
        """The rule as the alarm engine takes it (tier positions checked there)."""
        fields = self.model_dump(exclude={"tiers"})
        return RuleSpec(**fields, tiers=alarms.tiers_from_json(self.tiers))


class RuleEnabled(BaseModel):
    """Switch a rule on or off; off clears its open alarms."""

    enabled: bool


class RulePublic(BaseModel):
    """A stored alarm rule."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    name: str
    kind: str
    datastream_id: int | None
    observed_property: str | None
    station_class: str | None
    department_id: int | None
    tiers: list[dict[str, Any]]
    window_seconds: int | None
    day_start: str | None
    for_samples: int
    for_seconds: int
    offline_seconds: int | None
    options: dict[str, Any]
    action_url: str | None
    enabled: bool
    created_by: str
    created_at: datetime


@router.get("/stations")
def read_stations(db: DatabaseDep, actor: Reader) -> list[dashboard.Station]:
    """The stations the caller sees, with coordinates, latest values, open alarms and state."""
    return dashboard.stations(db, actor)


@router.get("/stations/{thing_id}")
def read_station(thing_id: Id, db: DatabaseDep, actor: Reader) -> dashboard.Station:
    """One station."""
    return dashboard.station(db, actor, thing_id)


@router.get("/datastreams/{datastream_id}/series")
def read_series(
    datastream_id: Id,
    db: DatabaseDep,
    actor: Reader,
    start: datetime | None = None,
    end: datetime | None = None,
) -> dashboard.Series:
    """A Datastream's values in ``[start, end]`` (default: the last 24 h) with the thresholds
    of the alarm rules that apply to it."""
    return dashboard.series(db, actor, datastream_id, start, end)


@router.get("/alarms")
def read_alarms(
    db: DatabaseDep,
    actor: Reader,
    status: str | None = None,
    severity: str | None = None,
    thing_id: int | None = None,
    since: datetime | None = None,
    until: datetime | None = None,
    before_id: int | None = None,
    limit: int = 100,
) -> list[console.AlarmRow]:
    """Alarms of the stations the caller sees, newest first; status open|active|acknowledged|
    cleared, severity blue|yellow|orange|red, raised in [since, until)."""
    wanted = console.AlarmFilter(status, severity, thing_id, since, until, before_id, limit)
    return console.alarm_rows(db, actor, wanted)


@router.get("/alarms/{alarm_id}/events")
def read_alarm_events(alarm_id: Id, db: DatabaseDep, actor: Reader) -> list[AlarmEventPublic]:
    """An alarm's history, oldest first."""
    return [AlarmEventPublic.model_validate(e) for e in alarms.alarm_history(db, actor, alarm_id)]


@router.post("/alarms/{alarm_id}/acknowledge")
def acknowledge_alarm(
    alarm_id: Id, db: DatabaseDep, actor: ApiActor, feed: FeedDep, body: AlarmNote | None = None
) -> AlarmChange:
    """Acknowledge an active alarm (stewards of the station's department, admins)."""
    change = alarms.acknowledge(db, actor, alarm_id, note=body.note if body else None)
    feed.alarm_changed([change])
    return change


@router.post("/alarms/{alarm_id}/clear")
def clear_alarm(
    alarm_id: Id, db: DatabaseDep, actor: ApiActor, feed: FeedDep, body: AlarmNote | None = None
) -> AlarmChange:
    """Clear an open alarm by hand (stewards of the station's department, admins)."""
    change = alarms.clear(db, actor, alarm_id, note=body.note if body else None)
    feed.alarm_changed([change])
    return change


@router.get("/silences")
def read_silences(db: DatabaseDep, actor: ApiActor, current: bool = True) -> list[SilencePublic]:
    """The department's silences (admins: all); ``current``: those not yet over."""
    actor.require(Permission.ALARMS_HANDLE)
    found = alarms.list_silences(db, actor, current_only=current)
    return [SilencePublic.model_validate(s) for s in found]


@router.post("/silences", status_code=201)
def create_silence(body: SilenceCreate, db: DatabaseDep, actor: ApiActor) -> SilencePublic:
    """Silence a rule, a station or a Datastream for maintenance."""
    silence = alarms.create_silence(db, actor, SilenceSpec(**body.model_dump()))
    return SilencePublic.model_validate(silence)


@router.post("/silences/{silence_id}/end")
def end_silence(silence_id: Id, db: DatabaseDep, actor: ApiActor) -> SilencePublic:
    """End a silence now."""
    return SilencePublic.model_validate(alarms.end_silence(db, actor, silence_id))


@router.get("/rules")
def read_rules(db: DatabaseDep, actor: ApiActor) -> list[RulePublic]:
    """The rules the caller manages (the department's; admins: all)."""
    actor.require(Permission.ALARMS_HANDLE)
    return [RulePublic.model_validate(r) for r in alarms.list_rules(db, actor)]


@router.post("/rules", status_code=201)
def create_rule(body: RuleCreate, db: DatabaseDep, actor: ApiActor) -> RulePublic:
    """Create an alarm rule on a Datastream or on a class of stations."""
    return RulePublic.model_validate(alarms.create_rule(db, actor, body.spec()))


@router.put("/rules/{rule_id}/enabled")
def enable_rule(rule_id: Id, body: RuleEnabled, db: DatabaseDep, actor: ApiActor) -> RulePublic:
    """Switch a rule on or off."""
    return RulePublic.model_validate(alarms.set_rule_enabled(db, actor, rule_id, body.enabled))


@router.delete("/rules/{rule_id}", status_code=204)
def delete_rule(rule_id: Id, db: DatabaseDep, actor: ApiActor) -> Response:
    """Delete a rule that never raised an alarm (409 otherwise: switch it off instead)."""
    alarms.delete_rule(db, actor, rule_id)
    return Response(status_code=204)


def _message(event: Event) -> str:
    return f"data: {json.dumps(event, ensure_ascii=False, default=str)}\n\n"


async def event_stream(
    db: Database,
    actor: Actor,
    feed: LiveFeed,
    *,
    heartbeat: float = HEARTBEAT_SECONDS,
    lifetime: float = STREAM_SECONDS,
) -> AsyncIterator[str]:
    """The SSE text of the events ``actor`` may see: first ``hello`` (the client is subscribed),
    then the events, a comment every ``heartbeat`` seconds of quiet, and ``resync`` after the
    client fell behind and lost events; it ends after ``lifetime`` seconds."""
    scope: LiveScope = await run_in_threadpool(dashboard.live_scope, db, actor)
    scoped_at = started = time.monotonic()
    with feed.subscribe() as subscription:
        yield f"retry: {RETRY_MILLISECONDS}\n" + _message({"type": "hello"})
        dropped = 0
        while not subscription.closed:
            left = started + lifetime - time.monotonic()
            if left <= 0:
                break
            event = await subscription.next_event(timeout=min(heartbeat, left))
            if event is None:
                if not subscription.closed:
                    yield ": keep-alive\n\n"
                continue
            stale = time.monotonic() - scoped_at
            if stale > RESCOPE_SECONDS or (
                stale > MISS_RESCOPE_SECONDS and not scope.allows(event)
            ):
                scope = await run_in_threadpool(dashboard.live_scope, db, actor)
                scoped_at = time.monotonic()
            if subscription.dropped > dropped:
                dropped = subscription.dropped
                yield _message({"type": "resync"})
            if scope.allows(event):
                yield _message(event)


@router.get(
    "/events",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/event-stream": {}}, "description": "Server-Sent Events"}},
)
async def read_events(db: DatabaseDep, actor: Reader, feed: FeedDep) -> StreamingResponse:
    """The live feed as Server-Sent Events: ``{"type": "observation", "datastream_id",
    "thing_id", "time", "value"}`` and ``{"type": "alarm", "alarm_id", "thing_id",
    "datastream_id", "severity", "status"}``, for what the caller may see."""
    return StreamingResponse(
        event_stream(db, actor, feed),
        media_type="text/event-stream",
        headers={"Cache-Control": "no-cache", "X-Accel-Buffering": "no"},
    )
