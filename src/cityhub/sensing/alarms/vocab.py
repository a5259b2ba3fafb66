"""The words of the alarm engine: rule kinds, severities, statuses, history events, comparisons."""

from __future__ import annotations

import operator
from collections.abc import Callable
from enum import StrEnum


class RuleKind(StrEnum):
    """What a rule watches."""

    THRESHOLD = "threshold"  # each value against the tiers (water level, gas %LEL)
    WINDOW_SUM = "window_sum"  # the sum over a rolling window or the rainfall day (rain)
    RATE = "rate"  # change per unit of time over a window (rise in m/h, pressure drop)
    OFFLINE = "offline"  # no data from a station for offline_seconds


class Severity(StrEnum):
    """The four colours of the Chinese warning signals, lowest first."""

    BLUE = "blue"
    YELLOW = "yellow"
    ORANGE = "orange"
    RED = "red"

    @property
    def rank(self) -> int:
        """0 for blue … 3 for red: a higher rank is more severe."""
        return _RANK[self]

    @property
    def label_zh(self) -> str:
        """The signal's Chinese name, e.g. 黄色预警."""
        return _ZH[self]


_RANK = {Severity.BLUE: 0, Severity.YELLOW: 1, Severity.ORANGE: 2, Severity.RED: 3}
_ZH = {
    Severity.BLUE: "蓝色预警",
    Severity.YELLOW: "黄色预警",
    Severity.ORANGE: "橙色预警",
    Severity.RED: "红色预警",
}


class AlarmStatus(StrEnum):
    """The lifecycle: active → acknowledged → cleared (clearing needs no acknowledgement)."""

    ACTIVE = "active"
    ACKNOWLEDGED = "acknowledged"
    CLEARED = "cleared"


class EventKind(StrEnum):
    """One line of an alarm's history (``alarm_events.kind``)."""

    RAISED = "raised"
    ESCALATED = "escalated"
    DEESCALATED = "de-escalated"
    ACKNOWLEDGED = "acknowledged"
    CLEARED = "cleared"
    NOTIFIED = "notified"
    NOTIFY_FAILED = "notify_failed"


# Lifecycle events that are sent to a rule's webhook (acknowledging changes nothing outside).
NOTIFIED_KINDS = frozenset(
    {EventKind.RAISED, EventKind.ESCALATED, EventKind.DEESCALATED, EventKind.CLEARED}
)

AUDIT_ACTIONS = {
    EventKind.RAISED: "alarm.raise",
    EventKind.ESCALATED: "alarm.escalate",
    EventKind.DEESCALATED: "alarm.deescalate",
    EventKind.ACKNOWLEDGED: "alarm.ack",
    EventKind.CLEARED: "alarm.clear",
}


class NotificationStatus(StrEnum):
    """A webhook delivery in the outbox."""

    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"  # gave up after the last attempt


COMPARISONS: dict[str, Callable[[float, float], bool]] = {
    ">": operator.gt,
    ">=": operator.ge,
    "<": operator.lt,
    "<=": operator.le,
}
UPWARD = frozenset({">", ">="})  # the value must rise to meet the condition
