"""String, date and math functions on a real database (world in ``conftest.py``)."""

from __future__ import annotations

import pytest

from tests.sensing.sta.query.conftest import World

ALL_STREAMS = ["D1", "D2", "D3"]
ALL_OBSERVATIONS = ["O1", "O2", "O3", "O4", "O5", "O6"]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        # Datastream names: D1 "water level", D2 "rainfall", D3 "Water Level".
        ("substringof('level', name)", ["D1"]),
        ("substringof('Level', name)", ["D3"]),
        ("substringof('%', name)", []),  # no LIKE wildcards
        ("startswith(name, 'water')", ["D1"]),
        ("startswith(name, '_')", []),
        ("startswith(name, '')", ALL_STREAMS),
        ("endswith(name, 'fall')", ["D2"]),
        ("endswith(name, 'xrainfall')", []),
        ("endswith(name, '')", ALL_STREAMS),
        ("length(name) eq 8", ["D2"]),
        ("length(name) gt 8", ["D1", "D3"]),
        ("indexof(name, 'level') eq 6", ["D1"]),
        ("indexof(name, 'zzz') eq -1", ALL_STREAMS),
        ("substring(name, 6) eq 'level'", ["D1"]),
        ("substring(name, 0, 4) eq 'rain'", ["D2"]),
        ("substring(name, 1 add 1, 2) eq 'in'", ["D2"]),
        ("tolower(name) eq 'water level'", ["D1", "D3"]),
        ("toupper(name) eq 'RAINFALL'", ["D2"]),
        ("trim(concat('  ', name)) eq 'rainfall'", ["D2"]),
        ("concat(concat(name, '/'), description) eq 'rainfall/rainfall of T1'", ["D2"]),
        ("startswith(Thing/name, 'T2')", ["D3"]),
        ("startswith(name, 'water') eq false", ["D2", "D3"]),
        ("not startswith(name, 'water')", ["D2", "D3"]),
        ("length('abc') eq 3 and tolower('AbC') eq 'abc' and toupper('a') eq 'A'", ALL_STREAMS),
        ("substring('abcdef', 2, 3) eq 'cde' and substring('abc', 1) eq 'bc'", ALL_STREAMS),
        (
            "indexof('abc', 'c') eq 2 and concat('a', 'b') eq 'ab' and trim(' a ') eq 'a'",
            ALL_STREAMS,
        ),
        (
            "substringof('b', 'abc') and startswith('abc', 'a') and endswith('abc', 'c')",
            ALL_STREAMS,
        ),
        ("length(null) eq null", ALL_STREAMS),
    ],
)
def test_string_functions(world: World, text: str, expected: list[str]) -> None:
    assert world.matching("Datastreams", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("year(phenomenonTime) eq 2023", ["O4"]),
        ("year(phenomenonTime) eq 2024", ["O1", "O2", "O3", "O5", "O6"]),
        ("month(phenomenonTime) eq 12", ["O4"]),
        ("day(phenomenonTime) eq 2", ["O3"]),
        ("hour(phenomenonTime) eq 9", ["O2"]),
        ("minute(phenomenonTime) eq 30", ["O2"]),
        ("second(phenomenonTime) eq 15", ["O2"]),
        ("second(phenomenonTime) eq 59", ["O4"]),
        ("fractionalseconds(phenomenonTime) eq 0.25", ["O1"]),
        ("fractionalseconds(phenomenonTime) gt 0", ["O1"]),
        ("date(phenomenonTime) eq 2024-06-01", ["O1", "O2", "O5"]),
        ("date(phenomenonTime) gt 2024-06-01", ["O3", "O6"]),
        ("date(phenomenonTime) eq date(2024-06-01T23:00:00-05:00)", ["O1", "O2", "O5"]),
        ("time(phenomenonTime) eq 08:00:00", ["O5"]),
        ("time(phenomenonTime) eq 08:00:00.25", ["O1"]),
        ("time(phenomenonTime) ge 08:00 and time(phenomenonTime) le 09:30:15", ["O1", "O2", "O5"]),
        ("time(phenomenonTime) eq time(2024-01-01T12:00:00Z)", ["O6"]),
        ("totaloffsetminutes(phenomenonTime) eq 0", ALL_OBSERVATIONS),
        ("totaloffsetminutes(2024-06-01T08:00:00+08:00) eq 480", ALL_OBSERVATIONS),
        ("totaloffsetminutes(2024-06-01T08:00:00-03:30) eq -210", ALL_OBSERVATIONS),
        (
            "year(2024-06-01) eq 2024 and month(2024-06-01) eq 6 and day(2024-06-01) eq 1",
            ALL_OBSERVATIONS,
        ),
        ("hour(2024-06-01T08:00:00+08:00) eq 8", ALL_OBSERVATIONS),  # as written, not UTC
        ("fractionalseconds(2024-06-01T08:00:00.5Z) eq 0.5", ALL_OBSERVATIONS),
        ("year(now()) ge 2024", ALL_OBSERVATIONS),
        ("resultTime eq null or hour(resultTime) eq 8", ALL_OBSERVATIONS),
        ("hour(resultTime) eq null", ["O2", "O3", "O4", "O5", "O6"]),
        ("year(Datastream/phenomenonTime) eq 2024", ["O1", "O2"]),
    ],
)
def test_date_functions(world: World, text: str, expected: list[str]) -> None:
    assert world.matching("Observations", text) == expected


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("round(result) eq 11", ["O1"]),  # 10.5: halves away from zero
        ("round(result) eq -3", ["O6"]),
        ("floor(result) eq 10", ["O1"]),
        ("floor(result) eq -3", ["O6"]),
        ("ceiling(result) eq 11", ["O1"]),
        ("ceiling(result) eq 12", ["O2"]),
        ("round(-2.5) eq -3 and round(2.5) eq 3 and round(2.4) eq 2", ALL_OBSERVATIONS),
        ("floor(-3.5) eq -4 and ceiling(-3.5) eq -3 and floor(3) eq 3", ALL_OBSERVATIONS),
        ("floor(id) eq id", ALL_OBSERVATIONS),
        ("round(result mul -1) eq -11", ["O1"]),
        ("floor(result div 4) eq 2", ["O1"]),
    ],
)
def test_math_functions(world: World, text: str, expected: list[str]) -> None:
    assert world.matching("Observations", text) == expected
