"""What the alarm engine keeps in memory, and how it is rebuilt from the database.

Rules compiled and indexed by Datastream (their own) and by class; per Datastream, the facts
rule matching needs and the rules bound to it; per (rule, source), the state and the open
alarm; the current silences; the Things each offline rule watches and when each was last heard
of. ``reload`` rebuilds all but the states (which are the newest truth, kept as they are) and
the last-heard times (merged with the stored latest Observations).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub.db import Database
from cityhub.sensing.alarms import store
from cityhub.sensing.alarms.evaluate import CompiledRule, SourceState, compile_rule
from cityhub.sensing.alarms.models import AlarmRule
from cityhub.sensing.alarms.store import Key, OpenAlarm, SilenceWindow
from cityhub.sensing.alarms.targets import StreamFacts, matches, stream_facts, watched_things
from cityhub.sensing.alarms.vocab import RuleKind

NEVER = -math.inf


class Memory:
    """The engine's caches (not thread-safe: the engine holds its lock)."""

    def __init__(self, db: Database) -> None:
        self.db = db
        self.rules: dict[int, CompiledRule] = {}
        self.direct: dict[int, list[CompiledRule]] = {}  # Datastream id → its own rules
        self.classes: list[CompiledRule] = []  # rules on classes of stations
        self.bindings: dict[int, tuple[CompiledRule, ...]] = {}
        self.facts: dict[int, StreamFacts | None] = {}
        self.states: dict[Key, SourceState] = {}
        self.open: dict[Key, OpenAlarm] = {}
        self.silences: list[SilenceWindow] = []
        self.watched: dict[int, dict[int, int | None]] = {}  # rule → Thing → department
        self.last_seen: dict[int, float] = {}  # Thing → newest phenomenon time heard of

    def reload(self, session: Session, now: datetime) -> None:
        """Rebuild from the database (rules, open alarms, silences, watched Things)."""
        rows = session.scalars(select(AlarmRule).where(AlarmRule.enabled.is_(True)))
        self.rules = {row.id: compile_rule(row) for row in rows}
        self.states = {k: v for k, v in self.states.items() if k[0] in self.rules}
        self.direct, self.classes = {}, []
        for rule in self.rules.values():
            if rule.kind is RuleKind.OFFLINE:
                continue
            if rule.datastream_id is None:
                self.classes.append(rule)
            else:
                self.direct.setdefault(rule.datastream_id, []).append(rule)
        self.bindings, self.facts = {}, {}
        self.open = store.open_alarms(session)
        self.silences = store.current_silences(session, now)
        offline = [r for r in self.rules.values() if r.kind is RuleKind.OFFLINE]
        watched = watched_things(session, offline)
        self.watched = watched.things
        for thing_id, seen in watched.last_seen.items():
            self.heard(thing_id, seen, now.timestamp())

    def heard(self, thing_id: int, moment: float, latest: float) -> None:
        """Note data of ``thing_id`` taken at ``moment`` (a future time counts as ``latest``)."""
        moment = min(moment, latest)
        if moment > self.last_seen.get(thing_id, NEVER):
            self.last_seen[thing_id] = moment

    def rules_for(self, datastream_id: int) -> tuple[CompiledRule, ...]:
        """The value rules bound to a Datastream whose facts are known (``learn``)."""
        bound = self.bindings.get(datastream_id)
        if bound is None:
            facts = self.facts.get(datastream_id)
            bound = ()
            if facts is not None:
                own = self.direct.get(datastream_id, [])
                bound = (*own, *(r for r in self.classes if matches(r, facts)))
            self.bindings[datastream_id] = bound
        return bound

    def learn(self, datastream_ids: Sequence[int]) -> None:
        """Load the facts of the Datastreams not seen yet (one query)."""
        unknown = [d for d in datastream_ids if d not in self.facts]
        if not unknown:
            return
        with self.db.reading() as session:
            found = stream_facts(session, unknown)
        for datastream_id in unknown:
            self.facts[datastream_id] = found.get(datastream_id)

    def ensure_states(self, keys: Sequence[Key]) -> None:
        """Load the states of the (rule, source) keys not in memory yet (one query)."""
        missing = [k for k in keys if k not in self.states]
        if missing:
            with self.db.reading() as session:
                self.states.update(store.load_states(session, missing))

    def quiet(self, rule: CompiledRule, thing: int, stream: int | None, now: datetime) -> bool:
        """Whether a silence covers ``rule`` on that source at ``now``."""
        return any(s.covers(rule.id, thing, stream, now) for s in self.silences)

    def kind_of(self, rule_id: int) -> RuleKind | None:
        """The kind of an enabled rule, None for others."""
        rule = self.rules.get(rule_id)
        return rule.kind if rule else None
