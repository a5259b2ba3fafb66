"""The two verified frames of the reference decode field by field and re-encode exactly."""

from __future__ import annotations

from datetime import datetime
from decimal import Decimal

from cityhub.sensing.sl651 import CHINA_TIME, decode_frame, encode_report, parse_frame
from cityhub.sensing.sl651.frames import ETX, STX
from tests.sensing.sl651.samples import KEEPALIVE, TIMED


def test_keepalive_frame() -> None:
    frame = parse_frame(KEEPALIVE)
    assert len(KEEPALIVE) == 25 == frame.header.length + 17
    assert (frame.header.center, frame.header.station) == (0x01, "0012345678")
    assert (frame.header.password, frame.header.function_code) == (0x1234, 0x2F)
    assert (frame.header.downlink, frame.header.length) == (False, 8)
    assert (frame.start, frame.end, frame.packet) == (STX, ETX, None)
    report = decode_frame(frame)
    assert report.center == 1
    assert report.station == "0012345678"
    assert report.password == 0x1234
    assert report.function_code == 0x2F
    assert report.serial == 3
    assert report.sent_at == datetime(2059, 10, 11, 15, 51, 11, tzinfo=CHINA_TIME)
    assert report.classification is None
    assert report.readings == ()
    assert report.raw == KEEPALIVE
    assert encode_report(report) == KEEPALIVE


def test_timed_report_frame() -> None:
    frame = parse_frame(TIMED)
    assert len(TIMED) == 60
    assert (frame.header.center, frame.header.station) == (0x05, "0011223344")
    assert (frame.header.password, frame.header.function_code) == (0x03E8, 0x32)
    assert (frame.header.downlink, frame.header.length) == (False, 43)
    report = decode_frame(frame)
    assert report.serial == 52
    assert report.sent_at == datetime(2017, 7, 18, 11, 0, 16, tzinfo=CHINA_TIME)
    assert report.classification == 0x48
    assert report.classification_name == "river"
    assert report.key == ("0011223344", 0x32, 52, report.sent_at)
    observed = datetime(2017, 7, 18, 11, 0, tzinfo=CHINA_TIME)
    assert [
        (r.tag, r.lead, r.station, r.observed_at, r.value, r.unit) for r in report.readings
    ] == [
        ("PJ", 0x20, "0011223344", observed, Decimal("4.0"), "mm"),
        ("PT", 0x26, "0011223344", observed, Decimal("4.0"), "mm"),
        ("Z", 0x39, "0011223344", observed, Decimal("10.490"), "m"),
        ("VT", 0x38, "0011223344", observed, Decimal("10.99"), "V"),
    ]
    assert [r.raw.hex() for r in report.readings] == ["000040", "000040", "00010490", "1099"]
    assert report.readings[2].number == 10.49
    assert encode_report(report) == TIMED


def test_times_are_china_standard_time() -> None:
    sent = decode_frame(parse_frame(TIMED)).sent_at
    assert sent.utcoffset() is not None
    assert sent.isoformat() == "2017-07-18T11:00:16+08:00"
    assert sent.astimezone(CHINA_TIME).hour == 11
