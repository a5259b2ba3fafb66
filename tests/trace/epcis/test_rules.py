"""Pesticide safety interval (flagged) and event time (refused), at their boundaries."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from cityhub.trace.epcis import EpcisError, Step, check_event_time, check_safety_interval
from tests.trace.epcis.events import HARVEST, PESTICIDE, event

# PESTICIDE: applied 2025-06-01..2025-06-02, interval 7 days → first harvest day 2025-06-09.


def _harvest(time: str, offset: str = "+08:00") -> dict[str, Any]:
    return event(HARVEST, eventTime=time, eventTimeZoneOffset=offset)


def _spray(**agri: Any) -> dict[str, Any]:
    return event(PESTICIDE, **{"cityhub:agriInput": {**PESTICIDE["cityhub:agriInput"], **agri}})


@pytest.mark.parametrize(
    ("harvest", "flagged"),
    [
        (_harvest("2025-06-08T23:59:59+08:00"), True),
        (_harvest("2025-06-09T00:00:00+08:00"), False),
        (_harvest("2025-06-08T16:00:00Z"), False),  # 00:00 on the 9th at the farm (+08:00)
        (_harvest("2025-06-08T15:59:59Z"), True),
        (_harvest("2025-06-02T12:00:00+08:00"), True),
        (_harvest("2025-07-01T08:00:00+08:00"), False),
    ],
)
def test_date_boundaries(harvest: dict[str, Any], flagged: bool) -> None:
    findings = check_safety_interval([PESTICIDE], harvest)
    assert bool(findings) is flagged
    for finding in findings:
        assert (finding.rule, finding.severity, finding.path) == (
            "harvest_within_safety_interval",
            "warning",
            "$.eventTime",
        )
        assert "吡虫啉" in finding.message_zh and "PD20080001" in finding.message_zh
        assert "2025-06-09" in finding.message_en


@pytest.mark.parametrize(
    ("agri", "harvest_time", "flagged"),
    [
        ({"endDate": "2025-06-02T18:00:00+08:00"}, "2025-06-09T17:59:59+08:00", True),
        ({"endDate": "2025-06-02T18:00:00+08:00"}, "2025-06-09T18:00:00+08:00", False),
        ({"safetyIntervalDays": 0}, "2025-06-02T07:00:00+08:00", False),
        ({"safetyIntervalDays": 0, "endDate": "2025-06-03"}, "2025-06-02T07:00:00+08:00", True),
        ({"safetyIntervalDays": 14}, "2025-06-15T08:00:00+08:00", True),
        ({"safetyIntervalDays": 14}, "2025-06-16T08:00:00+08:00", False),
    ],
)
def test_interval_variants(agri: dict[str, Any], harvest_time: str, flagged: bool) -> None:
    assert bool(check_safety_interval([_spray(**agri)], _harvest(harvest_time))) is flagged


def test_start_date_counts_when_there_is_no_end_date() -> None:
    spray = _spray()
    del spray["cityhub:agriInput"]["endDate"]
    assert check_safety_interval([spray], _harvest("2025-06-08T08:00:00+08:00")) == []
    assert check_safety_interval([spray], _harvest("2025-06-07T08:00:00+08:00"))


def test_each_unfinished_interval_is_reported() -> None:
    early_long = _spray(
        name="阿维菌素",
        registrationNumber="PD20070001",
        startDate="2025-05-20",
        endDate="2025-05-20",
        safetyIntervalDays=30,
    )
    late_short = _spray(safetyIntervalDays=3)
    harvest = _harvest("2025-06-10T08:00:00+08:00")
    findings = check_safety_interval([early_long, late_short], harvest)
    assert len(findings) == 1 and "阿维菌素" in findings[0].message_zh  # the older, longer one
    assert (
        len(check_safety_interval([early_long, _spray()], _harvest("2025-06-05T08:00:00+08:00")))
        == 2
    )


def test_only_pesticide_applications_before_the_harvest_count() -> None:
    fertiliser = event(_spray(), bizStep=Step.FERTILISING.uri)
    after = event(_spray(), eventTime="2025-06-20T08:00:00+08:00")
    no_agri = event(PESTICIDE, **{"cityhub:agriInput": ...})
    harvest = _harvest("2025-06-05T08:00:00+08:00")
    assert check_safety_interval([fertiliser, after, no_agri, HARVEST], harvest) == []
    as_word = event(
        _spray(), bizStep="https://liaocheng.cityhub.example/voc/BizStep-pesticide_applying"
    )
    assert check_safety_interval([as_word], harvest)


NOW = datetime(2025, 6, 10, tzinfo=UTC)
MINUTE = timedelta(minutes=1)


def _check(time: datetime, earliest: datetime | None = None) -> None:
    stamp = time.isoformat(timespec="milliseconds")
    check_event_time(
        event(HARVEST, eventTime=stamp, eventTimeZoneOffset="+00:00"),
        NOW,
        future_tolerance=5 * MINUTE,
        earliest=earliest,
        order_tolerance=60 * MINUTE,
    )


def test_future_boundary() -> None:
    _check(NOW + 5 * MINUTE)
    with pytest.raises(EpcisError) as caught:
        _check(NOW + 5 * MINUTE + timedelta(milliseconds=1))
    assert str(caught.value) == "event_time_in_future"
    assert caught.value.details["path"] == "$.eventTime"


def test_order_boundary() -> None:
    latest = NOW - 10 * MINUTE
    _check(latest - 60 * MINUTE, earliest=latest)
    _check(NOW - timedelta(days=400))  # a first event may be old
    with pytest.raises(EpcisError) as caught:
        _check(latest - 60 * MINUTE - timedelta(milliseconds=1), earliest=latest)
    assert caught.value.details["rule"] == "event_time_out_of_order"
    assert caught.value.details["path"] == "$.eventTime"


def test_offsets_are_honoured() -> None:
    local = event(HARVEST, eventTime="2025-06-10T08:04:00+08:00")  # 00:04 UTC
    check_event_time(local, NOW, future_tolerance=5 * MINUTE, earliest=None, order_tolerance=MINUTE)
    with pytest.raises(EpcisError):
        check_event_time(local, NOW, future_tolerance=MINUTE, earliest=None, order_tolerance=MINUTE)


def test_unreadable_event_time() -> None:
    with pytest.raises(EpcisError) as caught:
        check_event_time(
            event(HARVEST, eventTime="soon"),
            NOW,
            future_tolerance=MINUTE,
            earliest=None,
            order_tolerance=MINUTE,
        )
    assert caught.value.details["path"] == "$.eventTime"
