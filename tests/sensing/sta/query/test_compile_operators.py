"""Comparison, logical and arithmetic operators and typed ``result`` on a real database.

The world is described in ``conftest.py``; each case names the entities the filter selects.
"""

from __future__ import annotations

import pytest

from tests.sensing.sta.query.conftest import World

ALL_OBSERVATIONS = ["O1", "O2", "O3", "O4", "O5", "O6"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("name eq 'T1'", ["T1"]),
        ("name ne 'T1'", ["T2", "T3", "T4"]),
        ("name gt 'T2'", ["T3", "T4"]),
        ("name ge 'T2'", ["T2", "T3", "T4"]),
        ("name lt 'T2'", ["T1"]),
        ("name le 'T2'", ["T1", "T2"]),
        ("name eq 'T1' or name eq 'T3'", ["T1", "T3"]),
        ("name eq 'T1' and description eq 'T1 station'", ["T1"]),
        ("name eq 'T1' and description eq 'T2 station'", []),
        ("not (name eq 'T1')", ["T2", "T3", "T4"]),
        ("not (name eq 'T1' or name eq 'T2')", ["T3", "T4"]),
        ("name eq 'T1' eq true", ["T1"]),
        ("(name eq 'T1') eq false", ["T2", "T3", "T4"]),
        ("true", ["T1", "T2", "T3", "T4"]),
        ("false", []),
        ("null eq null", ["T1", "T2", "T3", "T4"]),
        ("name eq null", []),
        ("name ne null", ["T1", "T2", "T3", "T4"]),
        ("name gt null", []),
        ("name eq 'WATER'", []),
        ("name eq 'it''s'", []),
        ("'it''s' eq 'it''s'", ["T1", "T2", "T3", "T4"]),
        ("id eq 2", ["T2"]),
        ("id ge 2 and id le 3", ["T2", "T3"]),
        ("name eq 'T1' or name eq 'T2' and description eq 'nothing'", ["T1"]),  # and first
        ("(name eq 'T1' or name eq 'T2') and description eq 'T2 station'", ["T2"]),
    ],
)
def test_comparison_and_logic(world: World, text: str, expected: list[str]) -> None:
    assert world.matching("Things", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("result gt 10", ["O1", "O2"]),
        ("result eq 12", ["O2"]),
        ("result eq 12.0", ["O2"]),
        ("result lt 0", ["O6"]),
        ("result eq 'heavy'", ["O3"]),
        ("result ne 'heavy'", []),  # only string results compare with a string
        ("result eq true", ["O4"]),
        ("result eq false", []),
        ("result eq null", ["O5"]),
        ("result ne null", ["O1", "O2", "O3", "O4", "O6"]),
        ("null eq result", ["O5"]),
        ("10 lt result", ["O1", "O2"]),
        ("result gt 10 and result lt 11", ["O1"]),
        ("result gt 10 or result eq 'heavy'", ["O1", "O2", "O3"]),
        ("result add 1.5 eq 12", ["O1"]),
        ("result sub 2 eq 10", ["O2"]),
        ("result mul 2 eq 21", ["O1"]),
        ("result div 4 eq 3", ["O2"]),
        ("result div 4 eq 2.625", ["O1"]),
        ("result mod 5 eq 2", ["O2"]),
        ("result mod 5 eq 0.5", ["O1"]),
        ("result mod 5 eq -3", ["O6"]),
        ("-result eq 3", ["O6"]),
        ("result div 0 eq null", ALL_OBSERVATIONS),
        ("2 add 3 mul 4 eq 14", ALL_OBSERVATIONS),
        ("(2 add 3) mul 4 eq 20", ALL_OBSERVATIONS),
        ("7 div 2 eq 3", ALL_OBSERVATIONS),
        ("-7 div 2 eq -3", ALL_OBSERVATIONS),
        ("7.0 div 2 eq 3.5", ALL_OBSERVATIONS),
        ("-7 mod 3 eq -1", ALL_OBSERVATIONS),
        ("7 mod -3 eq 1", ALL_OBSERVATIONS),
        ("7.5 mod 2 eq 1.5", ALL_OBSERVATIONS),
        ("1 sub -1 eq 2", ALL_OBSERVATIONS),
        ("9223372036854775807 add 1 gt 0", ALL_OBSERVATIONS),  # no bigint overflow error
        ("100000000000000000000 gt 1", ALL_OBSERVATIONS),  # beyond int64: compared as float
        ("id mul 2 eq 4", ["O2"]),
        ("id div 2 eq 1", ["O2", "O3"]),
    ],
)
def test_results_and_arithmetic(world: World, text: str, expected: list[str]) -> None:
    assert world.matching("Observations", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("phenomenonTime ge 2024-06-01T08:00:00Z", ["O1", "O2", "O3", "O5", "O6"]),
        ("phenomenonTime gt 2024-06-01T08:00:00Z", ["O1", "O2", "O3", "O6"]),
        ("phenomenonTime eq 2024-06-01T16:00:00+08:00", ["O5"]),
        ("phenomenonTime eq 2024-06-01T08:00:00", ["O5"]),  # no offset: UTC
        ("phenomenonTime eq 2024-06-01T08:00:00.250Z", ["O1"]),
        ("phenomenonTime eq 2024-06-01T08:00:00.25000+00:00", ["O1"]),
        ("phenomenonTime lt 2024-06-01", ["O4"]),  # a date is its first instant in UTC
        ("2024-06-01 gt phenomenonTime", ["O4"]),
        ("resultTime eq null", ["O2", "O3", "O4", "O5", "O6"]),
        ("resultTime eq 2024-06-01T08:00:01Z", ["O1"]),
        ("resultTime gt phenomenonTime", ["O1"]),
        # An interval is compared at its start.
        ("phenomenonTime ge 2024-06-02 and phenomenonTime lt 2024-06-02T03:00:00Z", ["O3"]),
        ("validTime eq null", ALL_OBSERVATIONS),
        ("phenomenonTime gt now()", []),
        ("phenomenonTime lt now()", ALL_OBSERVATIONS),
        ("phenomenonTime gt now() sub duration'P36500D'", ALL_OBSERVATIONS),
        ("phenomenonTime add duration'PT4H' le 2024-06-01T12:00:00Z", ["O4", "O5"]),
        ("duration'PT4H' add phenomenonTime le 2024-06-01T12:00:00Z", ["O4", "O5"]),
        ("phenomenonTime sub duration'P1D' ge 2024-06-02T00:00:00Z", ["O6"]),
        ("phenomenonTime add duration'-P1DT0.5S' eq 2024-06-02T11:59:59.500Z", ["O6"]),
        ("2024-06-01T00:00:00Z add duration'P1D' eq 2024-06-02", ALL_OBSERVATIONS),
        ("2024-06-02 sub duration'PT1H' eq 2024-06-01T23:00:00Z", ALL_OBSERVATIONS),
        ("2024-06-02T00:00:00Z sub 2024-06-01T00:00:00Z eq duration'P1D'", ALL_OBSERVATIONS),
        ("duration'PT1H' add duration'PT30M' eq duration'PT1H30M'", ALL_OBSERVATIONS),
        ("duration'PT1H' gt duration'PT59M'", ALL_OBSERVATIONS),
        ("mindatetime() lt phenomenonTime and phenomenonTime lt maxdatetime()", ALL_OBSERVATIONS),
    ],
)
def test_dates_and_durations(world: World, text: str, expected: list[str]) -> None:
    assert world.matching("Observations", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("phenomenonTime eq 2024-06-01T00:00:00Z", ["D1"]),  # the interval's start
        ("phenomenonTime eq null", ["D2", "D3"]),
        ("resultTime eq null", ["D1", "D2", "D3"]),
        ("unitOfMeasurement/symbol eq 'm'", ["D1", "D2", "D3"]),
        ("observedArea eq null", ["D1", "D2", "D3"]),
        ("observationType eq 'x'", []),
    ],
)
def test_datastream_properties(world: World, text: str, expected: list[str]) -> None:
    assert world.matching("Datastreams", text) == expected


def test_a_thousand_alternatives_compile_and_run(world: World) -> None:
    text = " or ".join(f"id eq {i}" for i in range(2, 1002))
    assert world.matching("Things", text) == ["T2", "T3", "T4"]
