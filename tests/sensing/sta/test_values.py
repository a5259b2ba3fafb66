"""ISO 8601 times, GeoJSON and results: parsing, formatting and their round trips."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.errors import InvalidInput
from cityhub.sensing.sta import values

UTC8 = timezone(timedelta(hours=8))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-01T08:00:00Z", datetime(2024, 6, 1, 8, tzinfo=UTC)),
        ("2024-06-01T16:00:00+08:00", datetime(2024, 6, 1, 8, tzinfo=UTC)),
        ("2010-12-23T10:20:00-0700", datetime(2010, 12, 23, 17, 20, tzinfo=UTC)),
        ("2024-06-01T08:00:00.5Z", datetime(2024, 6, 1, 8, 0, 0, 500000, tzinfo=UTC)),
        ("2024-06-01T08:00:00.123456789Z", datetime(2024, 6, 1, 8, 0, 0, 123456, tzinfo=UTC)),
        ("2024-06-01T08:00:00", datetime(2024, 6, 1, 8, tzinfo=UTC)),  # no offset: UTC
        (" 2024-06-01T08:00Z ", datetime(2024, 6, 1, 8, tzinfo=UTC)),
    ],
)
def test_parse_instant(text: str, expected: datetime) -> None:
    parsed = values.parse_instant(text, "resultTime")
    assert parsed == expected and parsed.tzinfo == UTC


@pytest.mark.parametrize(
    "text",
    [
        "",
        "   ",
        "yesterday",
        "2024-13-01T00:00:00Z",
        "2024-06-01T25:00:00Z",
        20240601,
        None,
        ["2024-06-01"],
        "0001-01-01T00:00:00+01:00",
    ],
)
def test_bad_instants_name_the_field(text: Any) -> None:
    with pytest.raises(InvalidInput) as raised:
        values.parse_instant(text, "Observations[3].resultTime")
    assert raised.value.details["path"] == "Observations[3].resultTime"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-06-01T08:00:00Z", (datetime(2024, 6, 1, 8, tzinfo=UTC), None)),
        (
            "2024-06-01T08:00:00Z/2024-06-01T09:00:00+01:00",
            (datetime(2024, 6, 1, 8, tzinfo=UTC), datetime(2024, 6, 1, 8, tzinfo=UTC)),
        ),
    ],
)
def test_parse_time(text: str, expected: tuple[datetime, datetime | None]) -> None:
    assert values.parse_time(text, "phenomenonTime") == expected


@pytest.mark.parametrize(
    "text",
    [
        "2024-06-01T09:00:00Z/2024-06-01T08:00:00Z",
        "2024-06-01T08:00:00Z/",
        "/",
        "2024-06-01T08:00:00Z/PT1H",
        "a/b/c",
    ],
)
def test_bad_intervals(text: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        values.parse_time(text, "phenomenonTime")
    assert raised.value.details["path"] == "phenomenonTime"


@pytest.mark.parametrize(
    ("moment", "text"),
    [
        (datetime(2024, 6, 1, 8, tzinfo=UTC), "2024-06-01T08:00:00Z"),
        (datetime(2024, 6, 1, 16, tzinfo=UTC8), "2024-06-01T08:00:00Z"),
        (datetime(2024, 6, 1, 8, 0, 0, 120000, tzinfo=UTC), "2024-06-01T08:00:00.120Z"),
        (datetime(2024, 6, 1, 8, 0, 0, 123456, tzinfo=UTC), "2024-06-01T08:00:00.123456Z"),
        (datetime(5, 1, 1, tzinfo=UTC), "0005-01-01T00:00:00Z"),
    ],
)
def test_format_instant(moment: datetime, text: str) -> None:
    assert values.format_instant(moment) == text


def test_format_time() -> None:
    start = datetime(2024, 6, 1, 8, tzinfo=UTC)
    assert values.format_time(start, None) == "2024-06-01T08:00:00Z"
    assert values.format_time(start, start + timedelta(hours=1)) == (
        "2024-06-01T08:00:00Z/2024-06-01T09:00:00Z"
    )


instants = st.datetimes(
    min_value=datetime(1, 1, 2),
    max_value=datetime(9999, 12, 30),
    timezones=st.sampled_from([UTC, UTC8, timezone(timedelta(hours=-7, minutes=-30))]),
)


@given(instants)
def test_instants_round_trip(moment: datetime) -> None:
    text = values.format_instant(moment)
    assert values.parse_instant(text, "t") == moment
    assert values.format_instant(values.parse_instant(text, "t")) == text


@given(instants, st.timedeltas(min_value=timedelta(0), max_value=timedelta(days=3650)))
def test_intervals_round_trip(start: datetime, length: timedelta) -> None:
    try:
        end = start + length
    except OverflowError:
        return
    if end.astimezone(UTC).year > 9999:
        return
    text = values.format_time(start, end)
    assert values.parse_time(text, "t") == (start, end)


@pytest.mark.parametrize(
    ("geojson", "expected"),
    [
        ({"type": "Point", "coordinates": [116.9, 36.6]}, (116.9, 36.6)),
        ({"type": "Point", "coordinates": [116, 36, 20]}, (116.0, 36.0)),
        ({"type": "Feature", "geometry": {"type": "Point", "coordinates": [1, 2]}}, (1.0, 2.0)),
        ({"type": "LineString", "coordinates": [[1, 2], [3, 4]]}, None),
        ({"type": "Point", "coordinates": ["1", 2]}, None),
        ({"type": "Feature", "geometry": None}, None),
        ("POINT(1 2)", None),
    ],
)
def test_point_of(geojson: Any, expected: tuple[float, float] | None) -> None:
    assert values.point_of(geojson) == expected


@pytest.mark.parametrize(
    "geojson",
    [
        {"type": "MultiPoint", "coordinates": [[1, 2]]},
        {"type": "MultiLineString", "coordinates": [[[1, 2], [3, 4]]]},
        {"type": "MultiPolygon", "coordinates": [[[[0, 0], [1, 0], [1, 1], [0, 0]]]]},
        {"type": "GeometryCollection", "geometries": [{"type": "Point", "coordinates": [0, 0]}]},
        {
            "type": "FeatureCollection",
            "features": [{"type": "Feature", "geometry": {"type": "Point", "coordinates": [0, 0]}}],
        },
    ],
)
def test_good_geometries(geojson: dict[str, Any]) -> None:
    values.check_geometry(geojson, "location")


@pytest.mark.parametrize(
    ("geojson", "path"),
    [
        ([1, 2], "location"),
        ({"type": "Point"}, "location.coordinates"),
        ({"type": "Point", "coordinates": [1, 2, 3, 4]}, "location.coordinates"),
        ({"type": "Point", "coordinates": [float("inf"), 2]}, "location.coordinates"),
        ({"type": "Point", "coordinates": [True, 2]}, "location.coordinates"),
        ({"type": "LineString", "coordinates": [[1, 2]]}, "location.coordinates"),
        ({"type": "MultiPolygon", "coordinates": []}, "location.coordinates"),
        (
            {"type": "GeometryCollection", "geometries": [{"type": "Point"}]},
            "location.geometries[0].coordinates",
        ),
        ({"type": "FeatureCollection", "features": [{"type": "Point"}]}, "location.features[0]"),
        (
            {
                "type": "Feature",
                "geometry": {"type": "Point", "coordinates": [0, 0]},
                "properties": 5,
            },
            "location.properties",
        ),
    ],
)
def test_bad_geometries_name_the_place(geojson: Any, path: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        values.check_geometry(geojson, "location")
    assert raised.value.details["path"] == path


@given(st.floats(allow_nan=False, allow_infinity=False), st.floats(-90, 90))
def test_points_survive_check_and_extraction(x: float, y: float) -> None:
    point = {"type": "Point", "coordinates": [x, y]}
    values.check_geometry(point, "location")
    assert values.point_of(point) == (x, y)
