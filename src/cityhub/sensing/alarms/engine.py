"""The alarm engine: evaluates every rule bound to the Datastreams of each stored batch.

``observe`` runs on the ingest path (a bus listener), so its per-observation work is a few
dictionary lookups and comparisons: rules are cached per Datastream, each (rule, source) state
lives in memory, and the database is touched once per call — one transaction writing the changed
states, the alarm changes with their history, audit and outbox rows — and only when something
changed. ``sweep`` runs periodically: offline detection, and letting window-sum alarms down when
time passes without rain reports.

The memory is rebuilt from the database when this process changes rules, silences or alarms
(``signals``), when the periodic signature check sees another process's change, and after any
failed call, so it never drifts from what is stored.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime
from itertools import pairwise

from cityhub.db import Database, utcnow
from cityhub.sensing.alarms import signals, store
from cityhub.sensing.alarms.evaluate import (
    CompiledRule,
    SourceState,
    decide,
    measure,
    window_sums,
)
from cityhub.sensing.alarms.lifecycle import AlarmChange, Step, apply_steps
from cityhub.sensing.alarms.memory import NEVER, Memory
from cityhub.sensing.alarms.store import Key, OpenAlarm
from cityhub.sensing.alarms.targets import StreamFacts
from cityhub.sensing.alarms.vocab import AlarmStatus, RuleKind, Severity
from cityhub.sensing.observations import StoredObservation


@dataclass
class _Plan:
    """What one call will write."""

    steps: list[Step] = field(default_factory=list)
    states: dict[Key, SourceState] = field(default_factory=dict)
    repeats: dict[Key, tuple[int, float, datetime]] = field(default_factory=dict)

    def __bool__(self) -> bool:
        return bool(self.steps or self.states or self.repeats)


def _rises(target: Severity | None, current: Severity | None) -> bool:
    return target is not None and (current is None or target.rank > current.rank)


def _number(item: StoredObservation) -> float | None:
    if item.result_number is not None:
        return item.result_number
    if isinstance(item.result, bool):  # water ingress and similar switches: 1 when true
        return float(item.result)
    return None


class AlarmEngine:
    """Evaluate alarm rules as Observations arrive; one per process.

    >>> engine = AlarmEngine(db)
    >>> bus.subscribe(engine.listen)   # observe every stored batch
    >>> engine.sweep()                 # periodically: offline stations, decaying rain sums
    """

    def __init__(
        self,
        db: Database,
        clock: Callable[[], datetime] = utcnow,
        *,
        refresh_seconds: float = 5.0,
    ) -> None:
        self.db, self.clock, self.refresh_seconds = db, clock, refresh_seconds
        self._lock = threading.Lock()
        self._reset()

    def _reset(self) -> None:
        self._loaded = False
        self._signature: tuple[object, ...] | None = None
        self._generation = -1
        self._checked_at = NEVER
        self._memory = Memory(self.db)

    def invalidate(self) -> None:
        """Forget every cache (e.g. after a Thing's ``station_class`` changed)."""
        with self._lock:
            self._reset()

    def listen(self, stored: list[StoredObservation]) -> None:
        """``observe`` for the bus, which expects no return value."""
        self.observe(stored)

    def observe(self, stored: Sequence[StoredObservation]) -> list[AlarmChange]:
        """Evaluate the rules bound to ``stored``'s Datastreams; the alarm changes, in order."""
        if not stored:
            return []
        with self._lock:
            now = self.clock()
            try:
                self._refresh(now)
                plan = _Plan()
                offline = self._note_seen(stored, now, plan)
                self._evaluate(stored, now, offline, plan)
                return self._commit(plan, now)
            except Exception:
                self._reset()
                raise

    def sweep(self, now: datetime | None = None) -> list[AlarmChange]:
        """Raise offline alarms for stations silent too long, clear those heard from again,
        and let window-sum alarms down as their windows slide past the rain."""
        with self._lock:
            now = now or self.clock()
            try:
                self._refresh(now)
                plan = _Plan()
                self._sweep_offline(now, plan)
                self._decay_windows(now, plan)
                return self._commit(plan, now)
            except Exception:
                self._reset()
                raise

    # -- memory ---------------------------------------------------------------------------

    def _refresh(self, now: datetime) -> None:
        current = signals.generation()
        clock = time.monotonic()
        fresh = current == self._generation and clock - self._checked_at < self.refresh_seconds
        if self._loaded and fresh:
            return
        with self.db.reading() as session:
            found = store.signature(session)
            self._checked_at = clock
            if self._loaded and found == self._signature and current == self._generation:
                return
            self._memory.reload(session, now)
        self._signature, self._generation, self._loaded = found, current, True

    # -- evaluation -----------------------------------------------------------------------

    def _note_seen(
        self, stored: Sequence[StoredObservation], now: datetime, plan: _Plan
    ) -> set[int]:
        """Record when each Thing was last heard of; clear the offline alarms of Things whose
        new data is recent (stored readings uploaded late are not). The Things still offline."""
        memory, latest = self._memory, now.timestamp()
        heard: set[int] = set()
        for item in stored:
            memory.heard(item.thing_id, item.phenomenon_time.timestamp(), latest)
            heard.add(item.thing_id)
        offline: set[int] = set()
        for rule_id, thing_id in memory.open:
            rule = memory.rules.get(rule_id)
            if rule is None or rule.kind is not RuleKind.OFFLINE:
                continue
            silent_for = latest - memory.last_seen.get(thing_id, NEVER)
            if thing_id in heard and silent_for < (rule.offline_seconds or 0):
                department = memory.watched.get(rule_id, {}).get(thing_id)
                plan.steps.append(
                    self._offline_step(rule, thing_id, department, None, silent_for, now)
                )
            else:
                offline.add(thing_id)
        return offline

    def _evaluate(
        self, stored: Sequence[StoredObservation], now: datetime, offline: set[int], plan: _Plan
    ) -> None:
        memory = self._memory
        groups: dict[int, list[int]] = {}
        for index, item in enumerate(stored):
            groups.setdefault(item.datastream_id, []).append(index)
        memory.learn(list(groups))
        work = [(d, rules) for d in groups if (rules := memory.rules_for(d))]
        memory.ensure_states([(r.id, d) for d, rules in work for r in rules])
        times = [item.phenomenon_time.timestamp() for item in stored]
        for datastream_id, rules in work:
            indices = groups[datastream_id]
            if any(times[a] > times[b] for a, b in pairwise(indices)):
                indices = sorted(indices, key=times.__getitem__)
            facts = memory.facts[datastream_id]
            assert facts is not None
            for rule in rules:
                self._run(rule, facts, stored, times, indices, now, offline, plan)

    def _run(
        self,
        rule: CompiledRule,
        facts: StreamFacts,
        stored: Sequence[StoredObservation],
        times: list[float],
        indices: list[int],
        now: datetime,
        offline: set[int],
        plan: _Plan,
    ) -> None:
        """One rule over one Datastream's observations of this call, oldest first."""
        key = (rule.id, facts.datastream_id)
        state = self._memory.states[key]
        known = self._memory.open.get(key)
        current = known.severity if known else None
        quiet = facts.thing_id in offline or self._memory.quiet(
            rule, facts.thing_id, facts.datastream_id, now
        )
        for index in indices:
            value = _number(stored[index])
            if value is None:
                continue
            metrics = measure(rule, state, times[index], value)
            if metrics is None:
                continue
            decision = decide(rule, state, metrics, times[index], current)
            if decision.target == current:
                if decision.repeat and decision.value is not None:
                    count = plan.repeats.get(key, (0, 0.0, now))[0]
                    moment = stored[index].phenomenon_time
                    plan.repeats[key] = (count + 1, decision.value, moment)
                continue
            if quiet and _rises(decision.target, current):
                continue  # offline or silenced: no alarm is raised (its streak is kept)
            plan.steps.append(
                _stream_step(
                    rule,
                    facts,
                    decision.target,
                    decision.value,
                    stored[index].phenomenon_time,
                    notify=not quiet,
                )
            )
            current = decision.target
        if state.dirty:
            plan.states[key] = state

    def _offline_step(
        self,
        rule: CompiledRule,
        thing_id: int,
        department: int | None,
        target: Severity | None,
        silent_for: float,
        now: datetime,
    ) -> Step:
        return Step(
            rule=rule,
            source_id=thing_id,
            thing_id=thing_id,
            datastream_id=None,
            department_id=department,
            target=target,
            value=silent_for,
            observed_at=now,
            notify=not self._memory.quiet(rule, thing_id, None, now),
            reason="back online" if target is None else None,
        )

    def _sweep_offline(self, now: datetime, plan: _Plan) -> None:
        memory, latest = self._memory, now.timestamp()
        for rule_id, things in memory.watched.items():
            rule = memory.rules[rule_id]
            limit = rule.offline_seconds or 0
            for thing_id, department in things.items():
                seen = max(memory.last_seen.get(thing_id, NEVER), rule.created_ts)
                silent_for = latest - seen
                is_open = (rule_id, thing_id) in memory.open
                if silent_for >= limit and not is_open:
                    if not memory.quiet(rule, thing_id, None, now):
                        target = rule.tiers[0].severity
                        plan.steps.append(
                            self._offline_step(rule, thing_id, department, target, silent_for, now)
                        )
                elif silent_for < limit and is_open:
                    plan.steps.append(
                        self._offline_step(rule, thing_id, department, None, silent_for, now)
                    )

    def _decay_windows(self, now: datetime, plan: _Plan) -> None:
        memory = self._memory
        keys = [k for k in memory.open if memory.kind_of(k[0]) is RuleKind.WINDOW_SUM]
        if not keys:
            return
        memory.learn([source for _, source in keys])
        memory.ensure_states(keys)
        latest = now.timestamp()
        for key in keys:
            rule, state, facts = memory.rules[key[0]], memory.states[key], memory.facts[key[1]]
            if facts is None or state.last is None or latest <= state.last:
                continue
            current = memory.open[key].severity
            sums = window_sums(rule, state, latest)
            decision = decide(rule, state, sums, latest, current, lower_only=True)
            if state.dirty:
                plan.states[key] = state
            if decision.target != current:
                quiet = memory.quiet(rule, facts.thing_id, facts.datastream_id, now)
                step = _stream_step(
                    rule, facts, decision.target, decision.value, now, notify=not quiet
                )
                plan.steps.append(replace(step, reason="window passed"))

    # -- writing --------------------------------------------------------------------------

    def _commit(self, plan: _Plan, now: datetime) -> list[AlarmChange]:
        if not plan:
            return []
        with self.db.transaction(immediate=True) as session:  # reads, then writes
            store.save_states(session, plan.states, now)
            changes, missed = apply_steps(session, plan.steps, now)
            opened = dict(self._memory.open)
            for change in changes:
                key = (change.rule_id, change.source_id)
                if change.status is AlarmStatus.CLEARED:
                    opened.pop(key, None)
                else:
                    opened[key] = OpenAlarm(change.alarm_id, change.severity)
            store.record_repeats(
                session,
                {opened[key].id: repeat for key, repeat in plan.repeats.items() if key in opened},
            )
        for state in plan.states.values():
            state.dirty = False
        self._memory.open = opened
        if missed:
            self._loaded = False  # the database was ahead of our memory: reload it
        return changes


def _stream_step(
    rule: CompiledRule,
    facts: StreamFacts,
    target: Severity | None,
    value: float | None,
    observed_at: datetime,
    *,
    notify: bool,
) -> Step:
    return Step(
        rule=rule,
        source_id=facts.datastream_id,
        thing_id=facts.thing_id,
        datastream_id=facts.datastream_id,
        department_id=facts.department_id,
        target=target,
        value=value,
        observed_at=observed_at,
        notify=notify,
    )
