"""The arithmetic of rules, free of the database: measure a sample, then decide the severity.

``measure`` folds one observation into a source's ``SourceState`` and returns the value each
tier compares (the same value for thresholds; each tier's own window sum; the rate of change),
or None when there is nothing new to judge (a duplicate, or an observation older than the
state's last one for rules that need order). ``decide`` keeps the sustain streaks and returns the
severity the alarm should have — raising only what is sustained, clearing a tier only by its
own clear condition (hysteresis), and letting an alarm down to the highest lower tier that has
not cleared yet.

Times are seconds since the epoch (floats): cheaper than datetimes on the ingest path.
"""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

from cityhub.sensing.alarms.spec import Tier, tiers_from_json
from cityhub.sensing.alarms.vocab import RuleKind, Severity

DAY = 86400
LOCAL_UTC_OFFSET = 8 * 3600  # Beijing time, the clock of SL 651 and of the rainfall day
DAY_WINDOW = -1  # a tier window meaning "since the start of the rainfall day"
SUM_DIGITS = 6  # 0.1 mm added 500 times must still reach 50 mm


@dataclass(frozen=True)
class CompiledRule:
    """A stored rule ready for evaluation (tiers by rising severity)."""

    id: int
    name: str
    kind: RuleKind
    tiers: tuple[Tier, ...]
    windows: tuple[int, ...]  # per tier: seconds, or DAY_WINDOW
    day_anchor: int | None  # seconds after 00:00 UTC at which the rainfall day starts
    for_samples: int
    for_seconds: int
    offline_seconds: int | None
    cumulative: bool
    rate_per_seconds: int
    retention: int  # how far back samples are kept (window and rate rules)
    action_url: str | None
    department_id: int | None
    datastream_id: int | None
    observed_property: str | None
    station_class: str | None
    created_ts: float  # offline rules count a never-heard station's silence from here
    tier_index: dict[Severity, int] = field(compare=False)


def compile_rule(row: Any) -> CompiledRule:
    """``row`` (an ``AlarmRule``) as a ``CompiledRule``; the row was checked when stored."""
    kind = RuleKind(row.kind)
    tiers = tuple(sorted(tiers_from_json(row.tiers), key=lambda t: t.severity.rank))
    anchor = None
    if row.day_start:
        hours, minutes = (int(part) for part in row.day_start.split(":"))
        anchor = (hours * 3600 + minutes * 60 - LOCAL_UTC_OFFSET) % DAY
    default = DAY_WINDOW if anchor is not None else (row.window_seconds or 0)
    windows = tuple(t.window_seconds or default for t in tiers)
    retention = max((DAY if w == DAY_WINDOW else w) for w in windows) if windows else 0
    if kind is RuleKind.RATE:
        retention = row.window_seconds or 0
    options = row.options or {}
    return CompiledRule(
        id=row.id,
        name=row.name,
        kind=kind,
        tiers=tiers,
        windows=windows,
        day_anchor=anchor,
        for_samples=row.for_samples,
        for_seconds=row.for_seconds,
        offline_seconds=row.offline_seconds,
        cumulative=options.get("accumulation") == "cumulative",
        rate_per_seconds=int(options.get("rate_per_seconds", 3600)),
        retention=retention,
        action_url=row.action_url,
        department_id=row.department_id,
        datastream_id=row.datastream_id,
        observed_property=row.observed_property,
        station_class=row.station_class,
        created_ts=row.created_at.timestamp(),
        tier_index={t.severity: i for i, t in enumerate(tiers)},
    )


@dataclass(slots=True)
class SourceState:
    """What a rule remembers about one source; ``dirty`` marks a change worth persisting."""

    last: float | None = None
    streaks: dict[str, list[float]] = field(default_factory=dict)  # severity → [count, since]
    times: list[float] = field(default_factory=list)
    values: list[float] = field(default_factory=list)
    counter: float | None = None
    dirty: bool = False

    def to_json(self) -> dict[str, Any]:
        """The state as stored in ``alarm_state.data``."""
        data: dict[str, Any] = {"last": self.last, "streaks": self.streaks}
        if self.times:
            data["t"], data["v"] = self.times, self.values
        if self.counter is not None:
            data["counter"] = self.counter
        return data

    @classmethod
    def from_json(cls, data: dict[str, Any]) -> SourceState:
        """The state stored by ``to_json``."""
        return cls(
            last=data.get("last"),
            streaks={k: list(v) for k, v in data.get("streaks", {}).items()},
            times=list(data.get("t", [])),
            values=list(data.get("v", [])),
            counter=data.get("counter"),
        )


Metrics = Sequence[float | None]


def measure(rule: CompiledRule, state: SourceState, t: float, x: float) -> Metrics | None:
    """Fold the sample (time ``t``, value ``x``) into ``state``; the value per tier to judge,
    or None when the sample brings nothing new."""
    if rule.kind is RuleKind.THRESHOLD:
        if state.last is not None and t <= state.last:
            return None
        state.last = t
        return (x,) * len(rule.tiers)
    if rule.kind is RuleKind.WINDOW_SUM:
        return _measure_sum(rule, state, t, x)
    if rule.kind is RuleKind.RATE:
        return _measure_rate(rule, state, t, x)
    return None


def window_sums(rule: CompiledRule, state: SourceState, end: float) -> tuple[float, ...]:
    """Each tier's sum over ``(end − window, end]`` (or the rainfall day that ``end`` is in)."""
    sums = []
    for window in rule.windows:
        if window == DAY_WINDOW:
            start = day_start_before(end, rule.day_anchor or 0)
        else:
            start = end - window
        first = bisect_right(state.times, start)
        sums.append(round(sum(state.values[first:]), SUM_DIGITS))
    return tuple(sums)


def day_start_before(end: float, anchor: int) -> float:
    """The start of the rainfall day that a reading at ``end`` belongs to: a reading at 08:00
    closes the day that began at 08:00 the day before (it covers the hour up to 08:00)."""
    into_day = (end - anchor) % DAY
    return end - (into_day if into_day > 0 else DAY)


def _measure_sum(rule: CompiledRule, state: SourceState, t: float, x: float) -> Metrics | None:
    late = state.last is not None and t <= state.last
    if rule.cumulative:
        if late:
            return None  # differences of a running total need order
        amount = 0.0 if state.counter is None else (x - state.counter if x >= state.counter else x)
        if state.counter != x:
            state.counter, state.dirty = x, True
    else:
        amount = x
    end = state.last if late and state.last is not None else t
    if t <= end - rule.retention:
        return None  # older than anything a window still covers
    before = window_sums(rule, state, end) if late else None
    _put_sample(state, t, amount)
    if not late:
        state.last = t
        _prune(state, t - rule.retention, keep_anchor=False)
    sums = window_sums(rule, state, end)
    return None if late and sums == before else sums


def _put_sample(state: SourceState, t: float, amount: float) -> None:
    """Insert (or replace: a retransmission or correction of the same time) one sample; zero
    rain is not kept, it adds nothing."""
    index = bisect_left(state.times, t)
    exists = index < len(state.times) and state.times[index] == t
    if exists:
        if amount == 0:
            del state.times[index], state.values[index]
            state.dirty = True
        elif state.values[index] != amount:
            state.values[index], state.dirty = amount, True
    elif amount != 0:
        state.times.insert(index, t)
        state.values.insert(index, amount)
        state.dirty = True


def _prune(state: SourceState, horizon: float, *, keep_anchor: bool) -> None:
    """Drop samples at or before ``horizon``; ``keep_anchor`` keeps the newest of them."""
    cut = bisect_right(state.times, horizon)
    if keep_anchor:
        cut -= 1
    if cut > 0:
        del state.times[:cut], state.values[:cut]
        state.dirty = True


def _measure_rate(rule: CompiledRule, state: SourceState, t: float, x: float) -> Metrics | None:
    """Change per ``rate_per_seconds`` from the newest sample at or before the window's start
    (the anchor) to now: no rate until the history spans the whole window."""
    if state.last is not None and t <= state.last:
        return None
    state.last = t
    state.times.append(t)
    state.values.append(x)
    state.dirty = True
    _prune(state, t - rule.retention, keep_anchor=True)
    if len(state.times) < 2 or state.times[0] > t - rule.retention:
        return (None,) * len(rule.tiers)
    rate = (x - state.values[0]) / (t - state.times[0]) * rule.rate_per_seconds
    return (round(rate, SUM_DIGITS),) * len(rule.tiers)


@dataclass(frozen=True)
class Decision:
    """The severity the alarm should have (None: no alarm) and the value behind it;
    ``repeat``: the open alarm's own condition held again."""

    target: Severity | None
    value: float | None
    repeat: bool


def decide(
    rule: CompiledRule,
    state: SourceState,
    metrics: Metrics,
    t: float,
    current: Severity | None,
    *,
    lower_only: bool = False,
) -> Decision:
    """Update the sustain streaks with this sample and decide. ``lower_only`` (time passing
    without a sample) may de-escalate or clear but neither counts a sample nor raises."""
    sustained: int | None = None
    for index, tier in enumerate(rule.tiers):
        metric = metrics[index]
        holds = metric is not None and tier.create is not None and tier.create.holds(metric)
        key = tier.severity.value
        streak = state.streaks.get(key)
        if not holds:
            if streak is not None:
                del state.streaks[key]
                state.dirty = True
            continue
        if lower_only:
            continue
        if streak is None:
            streak = state.streaks[key] = [1, t]
            state.dirty = True
        elif streak[0] < rule.for_samples:
            streak[0] += 1
            state.dirty = True
        if streak[0] >= rule.for_samples and t - streak[1] >= rule.for_seconds:
            sustained = index
    return _target(rule, metrics, current, sustained)


def _target(
    rule: CompiledRule, metrics: Metrics, current: Severity | None, sustained: int | None
) -> Decision:
    if current is None:
        if sustained is None:
            return Decision(None, None, False)
        return Decision(rule.tiers[sustained].severity, metrics[sustained], False)
    now = rule.tier_index.get(current)
    if sustained is not None and (now is None or sustained > now):
        return Decision(rule.tiers[sustained].severity, metrics[sustained], False)
    if now is not None and not rule.tiers[now].cleared_by(metrics[now]):
        create = rule.tiers[now].create
        metric = metrics[now]
        repeat = create is not None and metric is not None and create.holds(metric)
        return Decision(current, metric, repeat)
    below = now if now is not None else len(rule.tiers)
    for index in range(below - 1, -1, -1):
        if not rule.tiers[index].cleared_by(metrics[index]):
            return Decision(rule.tiers[index].severity, metrics[index], False)
    value = metrics[now] if now is not None else None
    return Decision(None, value, False)
