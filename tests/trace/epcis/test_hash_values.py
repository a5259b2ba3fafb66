"""Value normalisation of the event hash: timestamps, numbers, vocabulary URNs, GS1 keys."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from cityhub.trace.epcis.hash_values import canonize, fix_time, numeric, parse_timestamp


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2020-03-04T11:00:30.000+01:00", "2020-03-04T10:00:30.000Z"),
        ("2020-03-04T11:00:30+01:00", "2020-03-04T10:00:30.000Z"),
        ("2023-02-02T11:04:03.1415Z", "2023-02-02T11:04:03.142Z"),
        ("2023-02-02T11:04:03.1414Z", "2023-02-02T11:04:03.141Z"),
        ("2023-01-18T11:04:03.0025Z", "2023-01-18T11:04:03.003Z"),  # half up, rule 9
        ("2023-12-31T23:59:59.9996+00:00", "2024-01-01T00:00:00.000Z"),  # carries
        ("2025-06-01T00:30:00.5+08:00", "2025-05-31T16:30:00.500Z"),
        ("2025-06-01t00:30:00z", "2025-06-01T00:30:00.000Z"),
        ("2025-06-01T00:30:00-0530", "2025-06-01T06:00:00.000Z"),
        ("2025-06-01", "2025-06-01"),  # not a timestamp: unchanged
        ("2025-13-01T00:00:00Z", "2025-13-01T00:00:00Z"),
    ],
)
def test_fix_time(given: str, expected: str) -> None:
    assert fix_time(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("1", "1"),
        ("1.0", "1"),
        ("1.50", "1.5"),
        ("+3", "3"),
        ("007", "7"),
        ("-0", "0"),
        ("1e3", "1000"),
        ("0.3434", "0.3434"),
        ("1.5e-7", "1.5e-07"),
        ("1e30", "1000000000000000019884624838656"),
        ("Infinity", "Infinity"),
        ("nan", "nan"),
        ("L1", "L1"),
        ("2019-10-21", "2019-10-21"),
    ],
)
def test_numeric(given: str, expected: str) -> None:
    assert numeric(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("urn:epcglobal:cbv:bizstep:receiving", "https://ref.gs1.org/cbv/BizStep-receiving"),
        ("urn:epcglobal:cbv:disp:in_transit", "https://ref.gs1.org/cbv/Disp-in_transit"),
        ("urn:epc:id:sscc:4012345.0000000111", "https://id.gs1.org/00/040123450000001112"),
        (
            "https://example.com/gtin/9506000134352/lot/A1?x=1",
            "https://id.gs1.org/01/09506000134352/10/A1",
        ),
        ("urn:epcglobal:cbv:bt:4012345123456:RE1099", "urn:epcglobal:cbv:bt:4012345123456:RE1099"),
        ("geo:50.94,6.92", "geo:50.94,6.92"),
    ],
)
def test_canonize(given: str, expected: str) -> None:
    assert canonize(given) == expected


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        ("2025-06-01T08:00:00+08:00", datetime(2025, 6, 1, 8, tzinfo=timezone(timedelta(hours=8)))),
        ("2025-06-01T00:00:00.1234567Z", datetime(2025, 6, 1, 0, 0, 0, 123456, tzinfo=UTC)),
        ("2025-06-01T00:00:00", None),  # no offset
        ("2025-02-30T00:00:00Z", None),
        ("yesterday", None),
    ],
)
def test_parse_timestamp(given: str, expected: datetime | None) -> None:
    assert parse_timestamp(given) == expected
