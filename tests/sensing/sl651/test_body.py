"""Bodies of function codes 2F, 30–35: groups, special identifiers, errors."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from cityhub.sensing.sl651 import (
    FrameError,
    Report,
    UnsupportedFunction,
    build_frame,
    decode_frame,
    parse_frame,
)
from tests.sensing.sl651.samples import OBSERVED, SENT, five_minutes

HEAD = "0034" + "240718080016"  # serial 52, send time 2024-07-18 08:00:16
RIVER = "F1F1" + "0011223344" + "48"  # station group + classification H (river)
AT_8 = "F0F0" + "2407180800"


def decode(body_hex: str, function_code: int = 0x32, *, downlink: bool = False) -> Report:
    raw = build_frame(
        center=5,
        station="0011223344",
        password=0x03E8,
        function_code=function_code,
        body=bytes.fromhex(body_hex),
        end=0x04 if downlink else 0x03,
        downlink=downlink,
    )
    return decode_frame(parse_frame(raw))


def test_hourly_report_expands_drp_and_drz_to_five_minute_readings() -> None:
    drp = "00 05 0A FF 00 00 19 00 00 00 FF 01".replace(" ", "")
    drz = "0100 0102 FFFF 0104 0105 0106 0107 0108 0109 010A 010B FFFF".replace(" ", "")
    report = decode(
        HEAD + RIVER + AT_8 + "F460" + drp + "2619000120" + "F5C0" + drz + "38121250", 0x34
    )
    times = five_minutes(OBSERVED)
    rain = [r for r in report.readings if r.tag == "DRP"]
    assert [r.observed_at for r in rain] == times
    assert [r.value for r in rain] == [
        Decimal("0"), Decimal("0.5"), Decimal("1.0"), None, Decimal("0"), Decimal("0"),
        Decimal("2.5"), Decimal("0"), Decimal("0"), Decimal("0"), None, Decimal("0.1"),
    ]  # fmt: skip
    assert {r.unit for r in rain} == {"mm"}
    level = [r for r in report.readings if r.tag == "DRZ1"]
    assert [r.observed_at for r in level] == times
    assert [r.value for r in level][:4] == [Decimal("2.56"), Decimal("2.58"), None, Decimal("2.60")]
    assert level[-1].value is None
    assert [(r.tag, r.value) for r in report.readings if not r.tag.startswith("DR")] == [
        ("PT", Decimal("12.0")),
        ("VT", Decimal("12.50")),
    ]
    assert len(report.readings) == 26


@pytest.mark.parametrize(
    ("step_hex", "step"),
    [
        ("000100", timedelta(hours=1)),
        ("000005", timedelta(minutes=5)),
        ("010000", timedelta(days=1)),
    ],
)
def test_uniform_interval_report(step_hex: str, step: timedelta) -> None:
    body = HEAD + RIVER + AT_8 + "0418" + step_hex + "3923" + "00010490" + "FFFFFFFF" + "00010500"
    report = decode(body, 0x31)
    assert report.time_step == step
    assert [(r.tag, r.observed_at, r.value) for r in report.readings] == [
        ("Z", OBSERVED, Decimal("10.490")),
        ("Z", OBSERVED + step, None),
        ("Z", OBSERVED + 2 * step, Decimal("10.500")),
    ]


def test_uniform_rows_must_fill_the_body() -> None:
    with pytest.raises(FrameError) as caught:
        decode(HEAD + RIVER + AT_8 + "0418000100" + "3923" + "00010490" + "0001", 0x31)
    assert caught.value.details["field"] == "uniform_data"


def test_zero_time_step_announces_hour_groups() -> None:
    report = decode(HEAD + RIVER + AT_8 + "0418000000" + "F460" + "01" * 12, 0x31)
    assert report.time_step is None
    assert [r.value for r in report.readings] == [Decimal("0.1")] * 12


@pytest.mark.parametrize(
    ("zt", "flags"),
    [
        ("00000080", set()),  # door closed, all well
        ("00000000", {"cabinet_door_open"}),
        ("00000085", {"ac_power_off", "water_level_alarm"}),
        ("00000E82", {"battery_low", "ic_card_enabled", "pump_stopped",
                      "remaining_water_over_limit"}),
        ("FFFFF07F", {"ac_power_off", "battery_low", "water_level_alarm", "flow_alarm",
                      "water_quality_alarm", "flow_meter_fault", "water_level_gauge_fault",
                      "cabinet_door_open"}),
    ],
)  # fmt: skip
def test_status_bits(zt: str, flags: set[str]) -> None:
    (reading,) = decode(HEAD + RIVER + AT_8 + "4520" + zt).readings
    assert reading.tag == "ZT"
    assert reading.value == int(zt, 16)
    assert reading.flags == flags


def test_negative_numbers_and_missing_values() -> None:
    report = decode(HEAD + RIVER + AT_8 + "0219FF0052" + "0211" + "0123" + "3923FFFFFFFF")
    assert [(r.tag, r.value) for r in report.readings] == [
        ("AI", Decimal("-5.2")),
        ("AI", Decimal("12.3")),
        ("Z", None),
    ]
    assert report.readings[2].number is None


def test_unknown_identifiers_are_kept_generically() -> None:
    report = decode(HEAD + RIVER + AT_8 + "8012" + "1234" + "9110" + "ABCD" + "FF1208" + "07")
    assert [(r.tag, r.lead, r.value) for r in report.readings] == [
        ("80", 0x80, Decimal("12.34")),
        ("91", 0x91, None),  # not BCD: vendor data, kept raw
        ("FF12", 0xFF12, Decimal("7")),
    ]
    assert report.readings[1].raw == bytes.fromhex("ABCD")


def test_known_element_with_bad_bcd_fails_with_position() -> None:
    with pytest.raises(FrameError) as caught:
        decode(HEAD + RIVER + AT_8 + "39230001A490")
    assert caught.value.details == {"field": "Z", "position": 25, "bytes": "0001A490"}


def test_multi_station_report_and_several_observation_times() -> None:
    second = "F1F1" + "0011223355" + "50" + "F0F0" + "2407180900" + "2019000120"
    report = decode(
        HEAD + RIVER + AT_8 + "3923" + "00010490" + "F0F02407180805" + "3812" + "1250" + second
    )
    assert report.station == "0011223344"
    assert report.classification == 0x48
    assert [(r.station, r.tag, r.observed_at.strftime("%H:%M")) for r in report.readings] == [
        ("0011223344", "Z", "08:00"),
        ("0011223344", "VT", "08:05"),
        ("0011223355", "PJ", "09:00"),
    ]


def test_elements_without_observation_time_use_the_send_time() -> None:
    (reading,) = decode(HEAD + RIVER + "3812" + "1250").readings
    assert reading.observed_at == SENT


def test_manual_input_keeps_its_data() -> None:
    report = decode(HEAD + "F2F2" + "48656C6C6F20535433", 0x35)
    assert report.attachments == (("RGZS", b"Hello ST3"),)
    assert report.readings == ()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ("0034", "send_time"),  # body ends after the serial
        (HEAD[:-2] + "61", "send_time"),  # second 61
        (HEAD + RIVER + AT_8 + "3923" + "0001", "Z"),  # element cut short
        (HEAD + "F1F1" + "00112233", "station"),
        (HEAD + RIVER + "F0F0" + "24071808", "observation_time"),
        (HEAD + RIVER + AT_8 + "39", "identifier"),
        (HEAD + RIVER + AT_8 + "F458" + "00" * 11, "DRP"),  # 11 five-minute values
        (HEAD + RIVER + AT_8 + "0418" + "0001", "time_step"),
        (HEAD + RIVER + AT_8 + "0418000100" + "F460" + "00" * 12, "uniform_element"),
    ],
)
def test_malformed_bodies_name_the_field(body: str, field: str) -> None:
    with pytest.raises(FrameError) as caught:
        decode(body)
    assert caught.value.details["field"] == field


@pytest.mark.parametrize("function_code", [0x36, 0x37, 0x46, 0xE0, 0x00])
def test_unknown_function_codes_are_reported_as_unsupported(function_code: int) -> None:
    with pytest.raises(UnsupportedFunction) as caught:
        decode(HEAD, function_code)
    assert caught.value.details["function_code"] == f"{function_code:02X}"


def test_downlink_frames_are_not_reports() -> None:
    with pytest.raises(FrameError):
        decode(HEAD, downlink=True)
