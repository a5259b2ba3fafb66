"""Every kind against a table of good and bad values; each bad value with the reason expected."""

from __future__ import annotations

from datetime import date

import pytest

from cityhub.registry.codes import credit_code_check, id_number_check
from cityhub.registry.credit_code import organisation_code_check, validate_credit_code
from cityhub.registry.id_card import validate_id_card
from cityhub.registry.validators import KINDS, Verdict, validate

TODAY = date(2026, 5, 1)


def id_card(value: str) -> Verdict:
    return validate_id_card(value, today=TODAY)


# (value, normalised)
GOOD_ID_CARDS = [
    ("11010519491231002X", "11010519491231002X"),  # the example of GB 11643-1999
    ("11010519491231002x", "11010519491231002X"),  # lower-case x
    ("１１０１０５１９４９１２３１００２Ｘ", "11010519491231002X"),  # full-width
    ("\u3000 11010519491231002X\t", "11010519491231002X"),  # ideographic space, tab
    ("37150219800101123X", "37150219800101123X"),  # 东昌府区
    ("372524197506150424", "372524197506150424"),  # 茌平县 of 聊城地区, code retired in 1997
    ("371523199002280315", "371523199002280315"),  # 茌平县, retired in 2019 (now 371503)
    ("371202198505050164", "371202198505050164"),  # 莱芜市莱城区, retired in 2019
    ("371503202002290088", "371503202002290088"),  # 29 February of a leap year
]

# (value, reason in English, normalised)
BAD_ID_CARDS = [
    ("", "empty value", None),
    ("1101051949123100", "length is 16, expected 18", None),
    ("11010519491231002X1", "length is 19, expected 18", None),
    ("1101051949123100AX", "character at position 17 is 'A', expected a digit", None),
    ("11010519491231002Y", "character at position 18 (check) is 'Y', expected a digit or X", None),
    ("11010519491231002-", "character at position 18 (check) is '-', expected a digit or X", None),
    ("11010519491231002Ｘ1", "length is 19, expected 18", None),
    ("110105194912310025", "check character expected X got 5", "110105194912310025"),
    ("11010519491231003X", "check character expected 8 got X", "11010519491231003X"),
    ("990105194912310026", "unknown region code 990105 (GB/T 2260)", "990105194912310026"),
    ("371599198001011237", "unknown region code 371599 (GB/T 2260)", "371599198001011237"),
    ("110105194913310020", "birth date 19491331 is not a calendar date", "110105194913310020"),
    ("371503202102290086", "birth date 20210229 is not a calendar date", "371503202102290086"),
    ("110105189912310023", "birth date 18991231 is before 1900", "110105189912310023"),
    ("110105202701010028", "birth date 20270101 is in the future", "110105202701010028"),
]


@pytest.mark.parametrize(("value", "normalised"), GOOD_ID_CARDS)
def test_good_id_card(value: str, normalised: str) -> None:
    verdict = id_card(value)
    assert verdict == Verdict(True, normalised, None, None, verdict.details)
    assert (
        verdict.details["birth_date"]
        == f"{normalised[6:10]}-{normalised[10:12]}-{normalised[12:14]}"
    )


@pytest.mark.parametrize(("value", "reason", "normalised"), BAD_ID_CARDS)
def test_bad_id_card(value: str, reason: str, normalised: str | None) -> None:
    verdict = id_card(value)
    assert (verdict.valid, verdict.reason_en, verdict.normalised) == (False, reason, normalised)
    assert verdict.reason_zh


def test_id_card_details_name_the_place_and_the_person() -> None:
    assert id_card("372524197506150424").details == {
        "region": "372524",
        "region_name": "茌平县",
        "region_current": "false",
        "birth_date": "1975-06-15",
        "sex": "female",  # the 17th digit, 2, is even
    }
    assert id_card("37150219800101123X").details["sex"] == "male"


def test_the_reasons_are_in_chinese_too() -> None:
    verdict = id_card("110105194912310025")
    assert verdict.reason_zh == "校验码应为 X，实为 5"


def test_fifteen_digits_are_upgraded_but_not_valid() -> None:
    verdict = id_card("110105491231002")
    assert not verdict.valid
    assert verdict.normalised == "11010519491231002X"
    assert verdict.reason_en == (
        "15-digit first-generation number; the 18-digit form is 11010519491231002X"
    )
    assert verdict.details["region_name"] == "朝阳区"


def test_fifteen_digits_with_a_bad_date_give_no_upgrade() -> None:
    verdict = id_card("110105491331002")
    assert verdict.normalised is None
    assert verdict.reason_en == (
        "15-digit first-generation number; upgraded to 18 digits: "
        "birth date 19491331 is not a calendar date"
    )


def test_birth_date_today_is_accepted() -> None:
    body = "371502" + f"{TODAY:%Y%m%d}" + "001"
    assert id_card(body + id_number_check(body)).valid


def credit(prefix: str, region: str, organisation: str) -> str:
    body = prefix + region + organisation + organisation_code_check(organisation)
    return body + credit_code_check(body)


GOOD_CREDIT_CODES = [
    ("91350100M000100Y43", "91350100M000100Y43"),  # the example in GB 32100's documentation
    ("９１３５０１００Ｍ０００１００Ｙ４３", "91350100M000100Y43"),
    (" 91350100m000100y43 ", "91350100M000100Y43"),
    (credit("91", "371502", "MA3C8K1R"), "91371502MA3C8K1R9Y"),  # 企业, 东昌府区
    (credit("92", "371521", "MA3D0001"), "92371521MA3D00012K"),  # 个体工商户, 阳谷县
    (credit("93", "371522", "MA3E2B7W"), "93371522MA3E2B7W24"),  # 农民专业合作社, 莘县
    (credit("12", "371500", "00438865"), "12371500004388655Y"),  # 事业单位, 聊城市
    (credit("51", "100000", "50000001"), "51100000500000015P"),  # 社会团体, national
    (credit("Y1", "371500", "MA3F0000"), "Y1371500MA3F000064"),
    (credit("N2", "371526", "MA3G1111"), "N2371526MA3G1111XE"),  # 村级集体经济组织, X check
]

BAD_CREDIT_CODES = [
    ("", "empty value", None),
    ("91350100M000100Y4", "length is 17, expected 18", None),
    (
        "91350100M000100I43",
        "character at position 16 is 'I', not one of 0-9 and A-Y without I O S V Z",
        None,
    ),
    (
        "91350100M000100Y4Z",
        "character at position 18 is 'Z', not one of 0-9 and A-Y without I O S V Z",
        None,
    ),
    ("91350100M000100Y44", "check character expected 3 got 4", "91350100M000100Y44"),
    (
        "B1350100M000100Y43",
        "registration authority code 'B' (position 1) is not defined (1-9, A, N, Y)",
        "B1350100M000100Y43",
    ),
    (
        "94350100M000100Y43",
        "organisation type '4' (position 2) is not defined for registration authority 9 工商 "
        "(allowed: 1 2 3)",
        "94350100M000100Y43",
    ),
    (
        "Y2350100M000100Y43",
        "organisation type '2' (position 2) is not defined for registration authority Y 其他 "
        "(allowed: 1)",
        "Y2350100M000100Y43",
    ),
    ("91990100M000100Y43", "unknown region code 990100 (positions 3-8)", "91990100M000100Y43"),
    (
        "91350100M000100Y53",
        "organisation code M000100Y-5: check character (position 17) expected 4 got 5",
        "91350100M000100Y53",
    ),
    (
        "91350100M000100YA3",
        "character at position 17 (organisation code check) is 'A', expected a digit or X",
        "91350100M000100YA3",
    ),
]


@pytest.mark.parametrize(("value", "normalised"), GOOD_CREDIT_CODES)
def test_good_credit_code(value: str, normalised: str) -> None:
    verdict = validate_credit_code(value)
    assert (verdict.valid, verdict.normalised, verdict.reason_en) == (True, normalised, None)


@pytest.mark.parametrize(("value", "reason", "normalised"), BAD_CREDIT_CODES)
def test_bad_credit_code(value: str, reason: str, normalised: str | None) -> None:
    verdict = validate_credit_code(value)
    assert (verdict.valid, verdict.reason_en, verdict.normalised) == (False, reason, normalised)
    assert verdict.reason_zh


def test_credit_code_details_read_every_part() -> None:
    assert validate_credit_code("91350100M000100Y43").details == {
        "registration_authority": "9 工商",
        "organisation_type": "1 企业",
        "region": "350100",
        "region_name": "福州市",
        "organisation_code": "M000100Y-4",
    }
    assert validate_credit_code("51100000500000015P").details["region_name"] == (
        "中央（国家级登记管理机关）"
    )


def test_the_standard_example_computes() -> None:
    assert organisation_code_check("M000100Y") == "4"
    assert credit_code_check("91350100M000100Y4") == "3"


@pytest.mark.parametrize(
    ("body", "check"), [("D2143569", "X"), ("00000000", "0"), ("12345678", "8"), ("MA3C8K1R", "9")]
)
def test_organisation_code_check(body: str, check: str) -> None:
    # 11 - (sum mod 11), 10 → X, 11 → 0; D2143569-X is GB 11714's own example
    assert organisation_code_check(body) == check


OTHER_KINDS = [
    # (kind, value, valid, normalised, reason in English)
    ("region_code", "371502", True, "371502", None),
    ("region_code", " ３７１５２６ ", True, "371526", None),
    ("region_code", "372500", True, "372500", None),
    ("region_code", "37150", False, None, "a region code is 6 digits"),
    ("region_code", "3715O2", False, None, "a region code is 6 digits"),
    ("region_code", "371599", False, "371599", "unknown region code 371599 (GB/T 2260)"),
    ("phone", "13812345678", True, "13812345678", None),
    ("phone", "+86 138-1234-5678", True, "13812345678", None),
    ("phone", "0086 13812345678", True, "13812345678", None),
    ("phone", "８６１３８１２３４５６７８", True, "13812345678", None),
    ("phone", "0635-8888888", True, "0635-8888888", None),
    ("phone", "(0635)8888888", True, "0635-8888888", None),
    ("phone", "（０６３５）８８８８８８８", True, "0635-8888888", None),
    ("phone", "06358888888", True, "0635-8888888", None),
    ("phone", "010-62345678", True, "010-62345678", None),
    ("phone", "0635-8888888 转 123", True, "0635-8888888-123", None),
    ("phone", "0635-8888888-123", True, "0635-8888888-123", None),
    ("phone", "0635 8888888 ext. 9", True, "0635-8888888-9", None),
    ("phone", "1381234567", False, None, "a mobile number has 11 digits, this has 10"),
    ("phone", "+86 138123456789", False, None, "a mobile number has 11 digits, this has 12"),
    ("phone", "12812345678", False, None, "no mobile numbers begin with 12 (13-19 do)"),
    (
        "phone",
        "0635-1888888",
        False,
        None,
        "not a fixed-line number (area code 0xx or 0xxx, then 7-8 digits not starting with 0 or 1)",
    ),
    (
        "phone",
        "88888888",
        False,
        None,
        "not a mobile number (11 digits starting 1) or a fixed-line number (area code + 7-8 "
        "digits)",
    ),
    ("phone", "", False, None, "empty value"),
    ("postal_code", "252000", True, "252000", None),
    ("postal_code", "２５２０００", True, "252000", None),
    ("postal_code", "25200", False, None, "a postal code is 6 digits"),
    ("postal_code", "252 000", False, None, "a postal code is 6 digits"),
    ("date", "2020年4月7日", True, "2020-04-07", None),
    ("date", "2020年4月7号", True, "2020-04-07", None),
    ("date", "2020-4-7", True, "2020-04-07", None),
    ("date", "2020/04/07", True, "2020-04-07", None),
    ("date", "2020.4.7", True, "2020-04-07", None),
    ("date", "20200407", True, "2020-04-07", None),
    ("date", "２０２０年４月７日", True, "2020-04-07", None),
    ("date", "二〇二〇年四月七日", True, "2020-04-07", None),
    ("date", "二〇二〇年十二月三十一日", True, "2020-12-31", None),
    ("date", "一九九八年十月二十日", True, "1998-10-20", None),
    ("date", " 2020-04-07 ", True, "2020-04-07", None),
    ("date", "2000-2-29", True, "2000-02-29", None),
    ("date", "1900-2-29", False, None, "1900-02-29 is not a calendar date"),
    ("date", "2021年2月29日", False, None, "2021-02-29 is not a calendar date"),
    ("date", "2020-13-01", False, None, "2020-13-01 is not a calendar date"),
    ("date", "0999-01-01", False, None, "0999-01-01 is not a calendar date"),
    (
        "date",
        "2020-4/7",
        False,
        None,
        "not a date in a recognised form (such as 2020年4月7日, 2020-04-07, 2020/4/7, 20200407)",
    ),
    (
        "date",
        "7/4/2020",
        False,
        None,
        "not a date in a recognised form (such as 2020年4月7日, 2020-04-07, 2020/4/7, 20200407)",
    ),
]


@pytest.mark.parametrize(("kind", "value", "valid", "normalised", "reason"), OTHER_KINDS)
def test_other_kinds(
    kind: str, value: str, valid: bool, normalised: str | None, reason: str | None
) -> None:
    verdict = validate(kind, value)
    assert (verdict.valid, verdict.normalised, verdict.reason_en) == (valid, normalised, reason)
    assert (verdict.reason_zh is None) == valid


def test_region_code_details() -> None:
    assert validate("region_code", "371502").details == {
        "name": "东昌府区",
        "level": "county",
        "parent": "371500",
        "parent_name": "聊城市",
        "current": "true",
    }


def test_phone_details() -> None:
    assert validate("phone", "0635-8888888").details == {"type": "fixed", "area_code": "0635"}
    assert validate("phone", "13812345678").details == {"type": "mobile"}


def test_every_kind_has_a_validator() -> None:
    for kind in KINDS:
        assert isinstance(validate(kind, "x"), Verdict)


def test_unknown_kind() -> None:
    with pytest.raises(ValueError, match="unknown kind 'iban'"):
        validate("iban", "DE44500105175407324931")
