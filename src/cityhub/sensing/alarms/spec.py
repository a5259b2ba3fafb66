"""What a rule says, checked: tiers of create/clear conditions, windows, sustain, target.

A rule is a ``RuleSpec``; ``checked`` refuses anything the engine could not evaluate sensibly
(``InvalidInput`` naming the field, e.g. ``tiers[1].clear``). Its tiers are stored as JSON
(``tiers_to_json``/``tiers_from_json``) in ``alarm_rules.tiers``. A tier's clear condition must
not overlap its create condition: a value may not both raise and clear, or the alarm would flap.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

from cityhub.errors import InvalidInput
from cityhub.sensing.alarms.vocab import COMPARISONS, UPWARD, RuleKind, Severity

DAY_START = re.compile(r"([01]\d|2[0-3]):([0-5]\d)")
MAX_WINDOW_SECONDS = 7 * 86400  # bounds the samples a window rule keeps per Datastream
ACCUMULATIONS = ("increment", "cumulative")  # SL 651 PJ-style increments, or PT-style totals


@dataclass(frozen=True)
class Condition:
    """``value <op> threshold``, e.g. ``Condition(">=", 30.5)``."""

    op: str
    value: float
    test: Callable[[float, float], bool] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "test", COMPARISONS.get(self.op, _never))

    def holds(self, value: float) -> bool:
        """Whether ``value`` meets the condition."""
        return self.test(value, self.value)

    def to_json(self) -> dict[str, Any]:
        """The condition as stored: ``{"op": ">=", "value": 30.5}``."""
        return {"op": self.op, "value": self.value}


def _never(_value: float, _threshold: float) -> bool:
    return False


@dataclass(frozen=True)
class Tier:
    """One severity of a rule: when it is raised, and when it lets go (hysteresis).

    ``clear`` None means "as soon as ``create`` no longer holds". ``window_seconds`` (window-sum
    rules only) overrides the rule's window, so one rainstorm rule has 12 h blue … 3 h red.
    Offline rules have one tier without conditions: the severity of the offline alarm.
    """

    severity: Severity
    create: Condition | None = None
    clear: Condition | None = None
    window_seconds: int | None = None

    def cleared_by(self, value: float | None) -> bool:
        """Whether ``value`` lets this tier go (no value at all does)."""
        if value is None:
            return True
        if self.clear is not None:
            return self.clear.holds(value)
        return self.create is None or not self.create.holds(value)


@dataclass(frozen=True)
class RuleSpec:
    """A rule as given by its author. Target: ``datastream_id``, or a class of stations —
    ``observed_property`` (an ObservedProperty ``definition``) and/or ``station_class`` (the
    Thing property), within ``department`` (a department code; stewards: their own)."""

    name: str
    kind: RuleKind
    tiers: tuple[Tier, ...]
    datastream_id: int | None = None
    observed_property: str | None = None
    station_class: str | None = None
    department: str | None = None
    window_seconds: int | None = None
    day_start: str | None = None
    for_samples: int = 1
    for_seconds: int = 0
    offline_seconds: int | None = None
    accumulation: str = "increment"
    rate_per_seconds: int = 3600
    action_url: str | None = None
    enabled: bool = True

    def options(self) -> dict[str, Any]:
        """The kind-specific settings kept in ``alarm_rules.options``."""
        if self.kind is RuleKind.WINDOW_SUM:
            return {"accumulation": self.accumulation}
        if self.kind is RuleKind.RATE:
            return {"rate_per_seconds": self.rate_per_seconds}
        return {}


def _invalid(message: str, field_name: str) -> InvalidInput:
    return InvalidInput(message, details={"field": field_name})


def _disjoint(create: Condition, clear: Condition) -> bool:
    """No value meets both conditions (they point in opposite directions and do not cross)."""
    if (create.op in UPWARD) == (clear.op in UPWARD):
        return False
    if create.value == clear.value:
        both_inclusive = create.op in (">=", "<=") and clear.op in (">=", "<=")
        return not both_inclusive
    if create.op in UPWARD:
        return clear.value < create.value
    return clear.value > create.value


def _check_condition(condition: Condition | None, where: str) -> None:
    if condition is None:
        raise _invalid("the tier needs a create condition", where)
    if condition.op not in COMPARISONS:
        raise _invalid(f"op must be one of {', '.join(COMPARISONS)}", f"{where}.op")
    if not math.isfinite(condition.value):
        raise _invalid("the threshold must be a finite number", f"{where}.value")


def _check_seconds(value: int | None, where: str, *, required: bool) -> None:
    if value is None:
        if required:
            raise _invalid("give a number of seconds", where)
        return
    if not 1 <= value <= MAX_WINDOW_SECONDS:
        raise _invalid(f"must be between 1 and {MAX_WINDOW_SECONDS} seconds", where)


def _check_tiers(spec: RuleSpec) -> tuple[Tier, ...]:
    if not spec.tiers:
        raise _invalid("a rule needs at least one tier", "tiers")
    seen: set[Severity] = set()
    for index, tier in enumerate(spec.tiers):
        where = f"tiers[{index}]"
        if tier.severity in seen:
            raise _invalid(f"severity {tier.severity.value} appears twice", f"{where}.severity")
        seen.add(tier.severity)
        if spec.kind is RuleKind.OFFLINE:
            if tier.create or tier.clear or tier.window_seconds:
                raise _invalid("an offline rule's tier has a severity only", where)
            continue
        _check_condition(tier.create, f"{where}.create")
        if tier.clear is not None:
            _check_condition(tier.clear, f"{where}.clear")
            assert tier.create is not None
            if not _disjoint(tier.create, tier.clear):
                raise _invalid(
                    "the clear condition overlaps the create condition: a value would raise "
                    "and clear at once",
                    f"{where}.clear",
                )
        if tier.window_seconds is not None and spec.kind is not RuleKind.WINDOW_SUM:
            raise _invalid("only window-sum tiers have a window", f"{where}.window_seconds")
        _check_seconds(tier.window_seconds, f"{where}.window_seconds", required=False)
    if spec.kind is RuleKind.OFFLINE and len(spec.tiers) != 1:
        raise _invalid("an offline rule has exactly one tier (its severity)", "tiers")
    return tuple(sorted(spec.tiers, key=lambda t: t.severity.rank))


def _check_target(spec: RuleSpec) -> None:
    if spec.datastream_id is None and not (spec.observed_property or spec.station_class):
        raise _invalid(
            "name a Datastream, or a class of stations (observed_property, station_class)",
            "datastream_id",
        )
    if spec.datastream_id is not None and (spec.observed_property or spec.station_class):
        raise _invalid("a rule targets a Datastream or a class of stations, not both", "target")
    if (
        spec.kind is not RuleKind.OFFLINE
        and spec.datastream_id is None
        and not spec.observed_property
    ):
        raise _invalid(
            "a rule on a class of stations needs the observed_property it compares",
            "observed_property",
        )


def _check_kind_settings(spec: RuleSpec, tiers: tuple[Tier, ...]) -> None:
    if spec.kind is RuleKind.OFFLINE:
        _check_seconds(spec.offline_seconds, "offline_seconds", required=True)
    elif spec.offline_seconds is not None:
        raise _invalid("only offline rules have offline_seconds", "offline_seconds")
    if spec.kind is RuleKind.RATE:
        _check_seconds(spec.window_seconds, "window_seconds", required=True)
        if spec.rate_per_seconds < 1:
            raise _invalid("must be at least 1 second", "rate_per_seconds")
    if spec.day_start is not None:
        if spec.kind is not RuleKind.WINDOW_SUM:
            raise _invalid("only window-sum rules have a rainfall day", "day_start")
        if not DAY_START.fullmatch(spec.day_start):
            raise _invalid("write the day start as HH:MM, e.g. 08:00", "day_start")
    if spec.kind is RuleKind.WINDOW_SUM:
        _check_seconds(spec.window_seconds, "window_seconds", required=False)
        if spec.accumulation not in ACCUMULATIONS:
            raise _invalid(f"must be one of {', '.join(ACCUMULATIONS)}", "accumulation")
        has_window = spec.window_seconds is not None or spec.day_start is not None
        if not has_window and any(t.window_seconds is None for t in tiers):
            raise _invalid(
                "give window_seconds or day_start (or a window on every tier)", "window_seconds"
            )


def checked(spec: RuleSpec) -> RuleSpec:
    """``spec`` cleaned (names stripped, tiers by rising severity), or InvalidInput naming the
    field at fault."""
    name = spec.name.strip()
    if not 1 <= len(name) <= 200:
        raise _invalid("a rule needs a name of 1-200 characters", "name")
    _check_target(spec)
    tiers = _check_tiers(spec)
    _check_kind_settings(spec, tiers)
    if spec.for_samples < 1:
        raise _invalid("must be at least 1", "for_samples")
    if not 0 <= spec.for_seconds <= MAX_WINDOW_SECONDS:
        raise _invalid(f"must be between 0 and {MAX_WINDOW_SECONDS}", "for_seconds")
    url = spec.action_url.strip() if spec.action_url else None
    if url is not None and (not url.startswith(("http://", "https://")) or len(url) > 500):
        raise _invalid("the action must be an http(s) URL of at most 500 characters", "action_url")
    return replace(spec, name=name, tiers=tiers, action_url=url or None)


def tiers_to_json(tiers: tuple[Tier, ...]) -> list[dict[str, Any]]:
    """The tiers as stored in ``alarm_rules.tiers``."""
    stored = []
    for tier in tiers:
        item: dict[str, Any] = {"severity": tier.severity.value}
        if tier.create is not None:
            item["create"] = tier.create.to_json()
        if tier.clear is not None:
            item["clear"] = tier.clear.to_json()
        if tier.window_seconds is not None:
            item["window_seconds"] = tier.window_seconds
        stored.append(item)
    return stored


def _condition_from_json(raw: Any, where: str) -> Condition | None:
    if raw is None:
        return None
    if not isinstance(raw, dict) or set(raw) != {"op", "value"}:
        raise _invalid('a condition is {"op": ">=", "value": 30.5}', where)
    value = raw["value"]
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _invalid("the threshold must be a number", f"{where}.value")
    if raw["op"] not in COMPARISONS:
        raise _invalid(f"op must be one of {', '.join(COMPARISONS)}", f"{where}.op")
    return Condition(raw["op"], float(value))


def tiers_from_json(raw: Any, field_name: str = "tiers") -> tuple[Tier, ...]:
    """Tiers from their JSON form (an API body or the stored column); InvalidInput naming the
    position, e.g. ``tiers[2].create.op``."""
    if not isinstance(raw, list):
        raise _invalid("tiers must be a list", field_name)
    tiers = []
    allowed = {"severity", "create", "clear", "window_seconds"}
    for index, item in enumerate(raw):
        where = f"{field_name}[{index}]"
        if not isinstance(item, dict) or not set(item) <= allowed:
            raise _invalid(f"a tier has the keys {', '.join(sorted(allowed))}", where)
        try:
            severity = Severity(str(item.get("severity")))
        except ValueError:
            raise _invalid(
                f"severity must be one of {', '.join(s.value for s in Severity)}",
                f"{where}.severity",
            ) from None
        window = item.get("window_seconds")
        if window is not None and (isinstance(window, bool) or not isinstance(window, int)):
            raise _invalid("window_seconds must be a whole number", f"{where}.window_seconds")
        tiers.append(
            Tier(
                severity,
                _condition_from_json(item.get("create"), f"{where}.create"),
                _condition_from_json(item.get("clear"), f"{where}.clear"),
                window,
            )
        )
    return tuple(tiers)
