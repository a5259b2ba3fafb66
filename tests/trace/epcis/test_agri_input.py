"""``cityhub:agriInput``: dose, unit, dates, safety interval, registration number, lot."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from typing import Any

import pytest

from cityhub.trace.epcis import EpcisError
from cityhub.trace.epcis.agri_input import as_date, check_agri_input, parse_date_or_time
from tests.trace.epcis.events import PESTICIDE

GOOD: dict[str, Any] = PESTICIDE["cityhub:agriInput"]
PATH = '$["cityhub:agriInput"]'


def _with(**changes: Any) -> dict[str, Any]:
    out = dict(GOOD)
    for key, value in changes.items():
        if value is ...:
            out.pop(key, None)
        else:
            out[key] = value
    return out


@pytest.mark.parametrize(
    "agri",
    [
        GOOD,
        _with(registrationNumber="LS20130001"),
        _with(registrationNumber="WP20080001", lot=..., source=..., method=..., endDate=...),
        _with(endDate="2025-06-02T18:00:00+08:00"),
        _with(startDate="2025-06-01T07:00:00+08:00", endDate="2025-06-01T09:30:00+08:00"),
        _with(dose=3, safetyIntervalDays=0),
    ],
)
def test_good_inputs(agri: dict[str, Any]) -> None:
    check_agri_input(agri, PATH, pesticide=True)


@pytest.mark.parametrize(
    ("agri", "field"),
    [
        (_with(dose=0), "dose"),
        (_with(dose=-1.5), "dose"),
        (_with(dose="2"), "dose"),
        (_with(dose=True), "dose"),
        (_with(dose=float("nan")), "dose"),
        (_with(dose=...), "dose"),
        (_with(uom="kg"), "uom"),
        (_with(uom="毫升"), "uom"),
        (_with(startDate="2025/06/01"), "startDate"),
        (_with(startDate="2025-02-30"), "startDate"),
        (_with(startDate="2025-06-01T08:00:00"), "startDate"),  # a time needs its offset
        (_with(startDate=...), "startDate"),
        (_with(endDate="2025-05-31"), "endDate"),
        (_with(endDate="June"), "endDate"),
        (_with(safetyIntervalDays=-1), "safetyIntervalDays"),
        (_with(safetyIntervalDays=1.5), "safetyIntervalDays"),
        (_with(safetyIntervalDays=True), "safetyIntervalDays"),
        (_with(safetyIntervalDays=...), "safetyIntervalDays"),
        (_with(registrationNumber="PD2008001"), "registrationNumber"),
        (_with(registrationNumber="XX20080001"), "registrationNumber"),
        (_with(registrationNumber=...), "registrationNumber"),
        (_with(name=""), "name"),
        (_with(name=...), "name"),
        (_with(name="x" * 201), "name"),
        (_with(source=5), "source"),
        (_with(lot="L1"), "lot"),
        (_with(lot="https://id.gs1.org/00/106141412345678908"), "lot"),
        (_with(dosage=2), "dosage"),
    ],
)
def test_bad_inputs_name_the_field(agri: dict[str, Any], field: str) -> None:
    with pytest.raises(EpcisError) as caught:
        check_agri_input(agri, PATH, pesticide=True)
    details = caught.value.details
    assert (details["rule"], details["path"]) == ("agri_input_invalid", f"{PATH}.{field}")
    assert details["reason_zh"]


def test_fertiliser_needs_no_pesticide_number_or_interval() -> None:
    fertiliser = _with(
        registrationNumber="鲁农肥(2020)准字0001号", safetyIntervalDays=..., name="复合肥"
    )
    check_agri_input(fertiliser, PATH, pesticide=False)
    with pytest.raises(EpcisError):
        check_agri_input(fertiliser, PATH, pesticide=True)


def test_not_an_object() -> None:
    with pytest.raises(EpcisError) as caught:
        check_agri_input(["吡虫啉"], PATH, pesticide=False)
    assert caught.value.details["path"] == PATH


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("2025-06-01", date(2025, 6, 1)),
        (
            "2025-06-01T23:30:00-05:00",
            datetime(2025, 6, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5))),
        ),
        ("20250601", None),
        ("2025-W22-7", None),
        (20250601, None),
    ],
)
def test_parse_date_or_time(value: Any, expected: date | datetime | None) -> None:
    assert parse_date_or_time(value) == expected


def test_as_date_keeps_the_local_day() -> None:
    late = datetime(2025, 6, 1, 23, 30, tzinfo=timezone(timedelta(hours=-5)))
    assert as_date(late) == date(2025, 6, 1)
    assert as_date(date(2025, 6, 1)) == date(2025, 6, 1)
