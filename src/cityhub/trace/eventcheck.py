"""Checking a group of signed event envelopes before anything is appended.

Each envelope is checked in order, against the database and against the envelopes before it in
the same group: shape and payload type, a known and active signing key of an actor the caller
records for, the signature, canonical JSON, the EPCIS schema and our rules, the event hash ID,
duplicates, that every lot used exists (earlier, or created earlier in the group) and every lot
created does not, and the event time. Errors name the envelope (``details["event"]``), the part
(``envelope`` or ``payload``) and the JSON path. Safety-interval findings are warnings: they are
kept with the event, not refused.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from cityhub.auth import Actor
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import CityhubError, Conflict, InvalidInput
from cityhub.trace.actors import require_act_for
from cityhub.trace.epcis import (
    EventLots,
    Finding,
    biz_step_uri,
    check_event_time,
    check_safety_interval,
)
from cityhub.trace.epcis.vocab import step_word
from cityhub.trace.eventparts import chunks, fail, path_of, payload_of
from cityhub.trace.eventpool import prepare_all
from cityhub.trace.eventprep import Prepared, prepare
from cityhub.trace.keys import future_tolerance, signing_key
from cityhub.trace.models import TraceActor, TraceBatch, TraceEvent, TraceEventLot, TraceKey
from cityhub.trace.statements import parse_vkey

DEFAULT_ORDER_TOLERANCE = 3600
HARVEST_STEPS = {"harvesting", "commissioning"}
PESTICIDE = biz_step_uri("pesticide_applying")


@dataclass
class Checked:
    """An envelope that passed every check, with what recording it needs."""

    position: int
    envelope: dict[str, Any]
    event: dict[str, Any]
    event_hash: str
    key: TraceKey
    actor: TraceActor
    lots: EventLots
    roles: dict[str, set[str]]
    event_time: datetime
    biz_step: str | None
    biz_location: str | None
    findings: list[Finding]
    depends_on: set[int] = field(default_factory=set)  # earlier positions sharing a lot
    fresh: set[str] = field(default_factory=set)  # lots this event creates (must be new)
    envelope_digest: str = ""  # base64 SHA-256 of the envelope's JCS bytes


@dataclass
class _LotState:
    exists: bool
    last_time: datetime | None
    last_position: int | None  # latest event of the group that refers to the lot


class GroupChecker:
    """Checks envelopes one after the other, keeping what earlier ones of the group changed."""

    def __init__(
        self,
        db: Database,
        session: Session,
        caller: Actor,
        settings: Settings | None,
        now: datetime,
    ) -> None:
        self.db, self.session, self.caller, self.now = db, session, caller, now
        self.future = future_tolerance(settings)
        self.order = timedelta(
            seconds=getattr(settings, "trace_order_tolerance_seconds", DEFAULT_ORDER_TOLERANCE)
        )
        self.lots: dict[str, _LotState] = {}
        self.hashes: dict[str, int] = {}
        self.checked: list[Checked] = []
        self.keys: dict[str, tuple[TraceKey, TraceActor, bytes]] = {}
        self.found: dict[str, tuple[TraceKey, TraceActor] | None] = {}  # signing_key reads
        self.recorded: set[str] = set()  # hashes already in the database, of those asked
        self.asked: set[str] = set()
        self.sprays: dict[int, dict[str, Any]] = {}  # pesticide events: id → payload
        self.sprayed_lots: dict[str, set[int]] = {}
        self.sprayed_places: dict[str, set[int]] = {}
        self.sprayed_asked: tuple[set[str], set[str]] = (set(), set())
        # lot (or "place <id>") → positions of this group's pesticide events there
        self.group_sprays: dict[str, list[int]] = {}

    def check_all(self, envelopes: Sequence[Any]) -> list[Checked]:
        """Pure checks for the whole group first (in worker processes if it is large), then the
        database checks envelope by envelope; errors come in the same order either way."""
        prepared = prepare_all(envelopes, self._public_keys(envelopes))
        self._prefetch(prepared)
        for position, (envelope, item) in enumerate(zip(envelopes, prepared, strict=True)):
            self.checked.append(self.check(position, envelope, item))
        return self.checked

    def check(self, position: int, envelope: Any, item: Prepared | None = None) -> Checked:
        if item is None:
            item = prepare(envelope, {})
        if item.stage == "open":
            raise fail(_error(item), position, "envelope")
        try:
            key, actor, public_key = self._key(str(item.key_id))
        except CityhubError as exc:
            raise fail(exc, position, "envelope") from None
        if item.stage == "key":  # the key was not known when the group was prepared
            item = prepare(envelope, {str(item.key_id): public_key})
        if item.stage in ("verify", "payload"):
            raise fail(_error(item), position, "envelope" if item.stage == "verify" else "payload")
        try:
            self._duplicates(item.event_hash)
        except CityhubError as exc:
            raise fail(exc, position, "payload") from None
        if item.stage == "lots":
            raise fail(_error(item), position, "payload")
        assert item.event is not None and item.lots is not None and item.event_time is not None
        checked = Checked(
            position,
            dict(envelope),
            item.event,
            item.event_hash,
            key,
            actor,
            item.lots,
            item.roles,
            item.event_time,
            item.biz_step,
            item.biz_location,
            [],
            envelope_digest=item.envelope_digest,
        )
        try:
            self._lots(checked)
            checked.findings = self._findings(checked)
        except CityhubError as exc:
            raise fail(exc, position, "payload") from None
        self._advance(checked)
        return checked

    def _public_keys(self, envelopes: Sequence[Any]) -> dict[str, bytes]:
        """Raw public keys of the usable keys the envelopes name, for the pure checks. Only a
        read: whether the caller may use a key is decided, and audited, envelope by envelope."""
        out: dict[str, bytes] = {}
        for key_id in sorted({k for e in envelopes if (k := _peek_key_id(e))}):
            found = self._signing_key(key_id)
            if found is None or found[0].revoked_index is not None:
                continue
            try:
                out[key_id] = parse_vkey(found[0].vkey, "$.signatures[0].keyid").public_key
            except CityhubError:
                continue
        return out

    def _signing_key(self, key_id: str) -> tuple[TraceKey, TraceActor] | None:
        if key_id not in self.found:
            self.found[key_id] = signing_key(self.session, key_id)
        return self.found[key_id]

    def _key(self, key_id: str) -> tuple[TraceKey, TraceActor, bytes]:
        if key_id in self.keys:  # a group is usually signed by one or two keys
            return self.keys[key_id]
        found = self._signing_key(key_id)
        if found is None:
            raise InvalidInput(
                f"unknown signing key {key_id}", details={"path": "$.signatures[0].keyid"}
            )
        key, actor = found
        if key.revoked_index is not None:
            raise InvalidInput(
                f"signing key {key_id} was revoked at log index {key.revoked_index}",
                details={"path": "$.signatures[0].keyid", "rule": "key_revoked"},
            )
        require_act_for(self.db, self.session, self.caller, actor, "trace.event.record")
        self.keys[key_id] = (key, actor, parse_vkey(key.vkey, "$.signatures[0].keyid").public_key)
        return self.keys[key_id]

    def _duplicates(self, computed: str) -> None:
        if computed in self.hashes:
            raise Conflict(
                f"duplicate event: same hash as event {self.hashes[computed]} of this group",
                details={"path": "$.eventID", "duplicate_of": self.hashes[computed]},
            )
        if computed in self.recorded or (
            computed not in self.asked
            and self.session.scalar(select(TraceEvent.id).where(TraceEvent.event_hash == computed))
            is not None
        ):
            raise Conflict("duplicate event: recorded already", details={"path": "$.eventID"})
        self.hashes[computed] = len(self.checked)

    def _state(self, lot: str) -> _LotState:
        if lot not in self.lots:
            row = self.session.get(TraceBatch, lot)
            self.lots[lot] = _LotState(row is not None, row.last_event_time if row else None, None)
        return self.lots[lot]

    def _lots(self, checked: Checked) -> None:
        event, lots = checked.event, checked.lots
        reusable = set(lots.parents) if event.get("type") == "AggregationEvent" else set()
        for lot in lots.referenced:
            state = self._state(lot)
            if lot in lots.created and lot not in reusable:
                checked.fresh.add(lot)
            if lot in checked.fresh and state.exists:
                raise Conflict(
                    f"batch {lot} exists already",
                    details={"path": path_of(event, lot), "batch": lot},
                )
            if lot not in lots.created and not state.exists:
                raise InvalidInput(
                    f"unknown batch {lot}", details={"path": path_of(event, lot), "batch": lot}
                )
            if state.last_position is not None:
                checked.depends_on.add(state.last_position)
        times = [s.last_time for lot in lots.referenced if (s := self._state(lot)).last_time]
        check_event_time(
            event,
            self.now,
            future_tolerance=self.future,
            earliest=max(times) if times else None,
            order_tolerance=self.order,
        )

    def _findings(self, checked: Checked) -> list[Finding]:
        if step_word(str(checked.event.get("bizStep", ""))) not in HARVEST_STEPS:
            return []
        sources = set(checked.lots.inputs) | set(checked.lots.used)
        # The sprays on the lots harvested decide; the place is the fallback for a harvest that
        # names no source lot (a farm's GLN covers all its plots, not the one harvested).
        places = {checked.biz_location} if checked.biz_location and not sources else set()
        if not sources and not places:
            return []
        keys = sources | {f"place {place}" for place in places}
        earlier = {p for key in keys for p in self.group_sprays.get(key, ())}
        history = [self.checked[p].event for p in sorted(earlier)]
        if not (sources <= self.sprayed_asked[0] and places <= self.sprayed_asked[1]):
            self._fetch_sprays(sources, places)  # not foreseen by the prefetch
        found = {i for lot in sources for i in self.sprayed_lots.get(lot, ())}
        found |= {i for place in places for i in self.sprayed_places.get(place, ())}
        history += [self.sprays[i] for i in sorted(found)]
        return check_safety_interval(history, checked.event)

    def _prefetch(self, prepared: Sequence[Prepared]) -> None:
        """Read, for the whole group at once, what the checks will ask the database: recorded
        hashes, batch states and pesticide history (of the envelopes that passed the pure
        checks; a failing one stops the group before its turn)."""
        hashes: set[str] = set()
        lots: set[str] = set()
        sources: set[str] = set()
        places: set[str] = set()
        for item in prepared:
            if item.event_hash:
                hashes.add(item.event_hash)
            if item.lots is None or item.event is None:
                continue
            lots.update(item.lots.referenced)
            if step_word(str(item.event.get("bizStep", ""))) in HARVEST_STEPS:
                sources.update(item.lots.inputs, item.lots.used)
                if item.biz_location:
                    places.add(item.biz_location)
        for chunk in chunks(hashes):
            query = select(TraceEvent.event_hash).where(TraceEvent.event_hash.in_(chunk))
            self.recorded.update(self.session.scalars(query))
        self.asked |= hashes
        for chunk in chunks(lots):
            states = select(TraceBatch.lot, TraceBatch.last_event_time).where(
                TraceBatch.lot.in_(chunk)
            )
            for lot, moment in self.session.execute(states):
                self.lots[lot] = _LotState(True, moment, None)
        self.lots.update({lot: _LotState(False, None, None) for lot in lots - set(self.lots)})
        if sources or places:
            self._fetch_sprays(sources, places)

    def _fetch_sprays(self, lots: set[str], places: set[str]) -> None:
        by_lot = select(TraceEventLot.event_id).where(TraceEventLot.lot.in_(sorted(lots)))
        query = (
            select(TraceEvent.id, TraceEvent.biz_location, TraceEvent.envelope, TraceEventLot.lot)
            .join(TraceEventLot, TraceEventLot.event_id == TraceEvent.id)
            .where(TraceEvent.biz_step == PESTICIDE)
            .where(
                or_(
                    TraceEvent.id.in_(by_lot),
                    TraceEvent.biz_location.in_(sorted(places)) if places else false(),
                )
            )
        )
        for event_id, place, envelope, lot in self.session.execute(query):
            self.sprays.setdefault(event_id, payload_of(envelope))
            self.sprayed_lots.setdefault(lot, set()).add(event_id)
            if place:
                self.sprayed_places.setdefault(place, set()).add(event_id)
        self.sprayed_asked = (self.sprayed_asked[0] | lots, self.sprayed_asked[1] | places)

    def _advance(self, checked: Checked) -> None:
        if checked.biz_step == PESTICIDE:
            keys = set(checked.roles) | (
                {f"place {checked.biz_location}"} if checked.biz_location else set()
            )
            for key in keys:
                self.group_sprays.setdefault(key, []).append(checked.position)
        for lot in checked.lots.referenced:
            state = self._state(lot)
            state.exists = True
            state.last_position = checked.position
            if state.last_time is None or checked.event_time > state.last_time:
                state.last_time = checked.event_time


def _error(item: Prepared) -> CityhubError:
    assert item.error is not None  # every stage but key and done carries its error
    return item.error


def _peek_key_id(envelope: Any) -> str | None:
    """The key ID an envelope not yet checked names, if it has one where expected."""
    try:
        key_id = envelope["signatures"][0]["keyid"]
    except (TypeError, KeyError, IndexError):
        return None
    return key_id if isinstance(key_id, str) and len(key_id) == 8 else None
