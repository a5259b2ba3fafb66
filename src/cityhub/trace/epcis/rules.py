"""Our domain rules over events: pesticide safety intervals (flagged) and event time (refused)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from cityhub.trace.epcis.agri_input import AGRI_INPUT, as_date, parse_date_or_time
from cityhub.trace.epcis.errors import EpcisError
from cityhub.trace.epcis.hash_values import parse_timestamp
from cityhub.trace.epcis.vocab import step_word


@dataclass(frozen=True)
class Finding:
    """Something a rule flags about an event; recorded and shown, not a reason to refuse it.

    >>> Finding("harvest_within_safety_interval", "warning", "…", "…", "$.eventTime").severity
    'warning'
    """

    rule: str
    severity: str  # "error" | "warning"
    message_zh: str
    message_en: str
    path: str


def _event_time(event: Mapping[str, Any]) -> datetime:
    moment = parse_timestamp(str(event.get("eventTime", "")))
    if moment is None:
        raise EpcisError(
            "eventTime is not an RFC 3339 timestamp with offset",
            rule="schema",
            path="$.eventTime",
            reason_zh="eventTime 须为带时区的 RFC 3339 时间",
            reason_en="eventTime must be an RFC 3339 timestamp with offset",
        )
    return moment


def _local_time(event: Mapping[str, Any]) -> datetime:
    """eventTime at the place of the event (its eventTimeZoneOffset), for calendar days."""
    moment = _event_time(event)
    offset = parse_timestamp(f"2000-01-01T00:00:00{event.get('eventTimeZoneOffset', '')}")
    return moment.astimezone(offset.tzinfo) if offset is not None else moment


def _last_application(agri: Mapping[str, Any]) -> date | datetime | None:
    return parse_date_or_time(agri.get("endDate", agri.get("startDate")))


def _earliest_harvest(end: date | datetime, days: int) -> date | datetime:
    return end + timedelta(days=days)


def _too_early(harvest: datetime, earliest: date | datetime) -> bool:
    if isinstance(earliest, datetime):
        return harvest < earliest
    # A date-only end: the interval counts calendar days at the farm, so compare the
    # harvest's date where it happened with the first allowed day.
    return harvest.date() < earliest


def check_safety_interval(
    history: Sequence[Mapping[str, Any]], harvest: Mapping[str, Any]
) -> list[Finding]:
    """Flag a harvest before last pesticide application + safety interval (安全间隔期).

    ``history``: earlier events of the plot or lot; pesticide applications among them that
    started before the harvest count. One finding per application whose interval is not over.
    """
    harvest_time = _local_time(harvest)
    findings = []
    for event in history:
        agri = event.get(AGRI_INPUT)
        if step_word(str(event.get("bizStep", ""))) != "pesticide_applying":
            continue
        if not isinstance(agri, Mapping) or not isinstance(agri.get("safetyIntervalDays"), int):
            continue
        if _event_time(event) > harvest_time:
            continue  # applied after this harvest: not this harvest's concern
        end = _last_application(agri)
        if end is None:
            continue
        earliest = _earliest_harvest(end, agri["safetyIntervalDays"])
        if _too_early(harvest_time, earliest):
            name = agri.get("name", "?")
            number = agri.get("registrationNumber", "?")
            days = agri["safetyIntervalDays"]
            first_day = as_date(earliest).isoformat()
            findings.append(
                Finding(
                    rule="harvest_within_safety_interval",
                    severity="warning",
                    message_zh=(
                        f"采收时间早于安全间隔期结束：{name}（登记证号 {number}）"
                        f"末次施药 {end.isoformat()}，安全间隔期 {days} 天，最早可采收 {first_day}"
                    ),
                    message_en=(
                        f"harvest before the safety interval of {name} ({number}) ended: "
                        f"last applied {end.isoformat()}, {days} days, earliest harvest {first_day}"
                    ),
                    path="$.eventTime",
                )
            )
    return findings


def check_event_time(
    event: Mapping[str, Any],
    now: datetime,
    *,
    future_tolerance: timedelta,
    earliest: datetime | None,
    order_tolerance: timedelta,
) -> None:
    """Refuse an event from the future or older than the lot's latest event allows.

    ``earliest``: eventTime of the latest event already recorded for the event's lots (None
    for a first event); ``order_tolerance`` allows clocks and late entries that far behind.
    """
    moment = _event_time(event)
    if moment > now + future_tolerance:
        raise EpcisError(
            "event_time_in_future",
            path="$.eventTime",
            reason_zh=f"事件时间晚于当前时间（容差 {future_tolerance}）",
            reason_en=f"eventTime is later than now + {future_tolerance}",
        )
    if earliest is not None and moment < earliest - order_tolerance:
        raise EpcisError(
            "event_time_out_of_order",
            path="$.eventTime",
            reason_zh=f"事件时间早于该批次已记录的最新事件（容差 {order_tolerance}）",
            reason_en=f"eventTime is before the lot's latest event minus {order_tolerance}",
        )
