"""GS1 identifiers: check digits, LGTIN/SSCC URIs, conversions both ways, strict checks."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.epcis import (
    EpcisError,
    gtin_valid,
    lgtin_uri,
    normalise_id,
    parse_lgtin,
    sscc_uri,
)
from cityhub.trace.epcis.gs1 import check_digit
from tests.trace.epcis.reference import reference_normaliser
from tests.trace.epcis.strategies import gtin14, lgtin_dl, lgtin_urn, sgtin_urn, sscc_dl, sscc_urn


@pytest.mark.parametrize(
    ("gtin", "valid"),
    [
        ("09506000134352", True),  # GS1's example GTIN
        ("06901234000016", True),
        ("06901234000017", False),  # wrong check digit
        ("4006381333931", True),  # GTIN-13
        ("036000291452", True),  # GTIN-12 (UPC-A)
        ("96385074", True),  # GTIN-8
        ("9638507", False),  # no such length
        ("", False),
        ("0950600013435X", False),
        ("０９５０６０００１３４３５２", False),  # full-width digits are not GS1 digits
        ("109506000134352", False),
    ],
)
def test_gtin_valid(gtin: str, valid: bool) -> None:
    assert gtin_valid(gtin) is valid


@given(body=st.text("0123456789", min_size=7, max_size=13), wrong=st.integers(1, 9))
def test_a_wrong_check_digit_is_always_caught(body: str, wrong: int) -> None:
    good = check_digit(body)
    bad = str((int(good) + wrong) % 10)
    assert gtin_valid(body + good) is (len(body) + 1 in (8, 12, 13, 14))
    assert not gtin_valid(body + bad)


@pytest.mark.parametrize(
    ("gtin", "lot", "expected"),
    [
        ("06901234000016", "L1", "https://id.gs1.org/01/06901234000016/10/L1"),
        ("6901234000016", "L1", "https://id.gs1.org/01/06901234000016/10/L1"),
        ("96385074", "2025-06", "https://id.gs1.org/01/00000096385074/10/2025-06"),
        ("09506000134352", "A/B", "https://id.gs1.org/01/09506000134352/10/A%2FB"),
        ("09506000134352", "L(1)!", "https://id.gs1.org/01/09506000134352/10/L%281%29%21"),
        ("09506000134352", "O'K;a=b", "https://id.gs1.org/01/09506000134352/10/O'K;a=b"),
        ("09506000134352", '"%&<>?', "https://id.gs1.org/01/09506000134352/10/%22%25%26%3C%3E%3F"),
    ],
)
def test_lgtin_uri(gtin: str, lot: str, expected: str) -> None:
    assert lgtin_uri(gtin, lot) == expected
    assert parse_lgtin(expected) == (gtin.zfill(14), lot)


@pytest.mark.parametrize(
    ("gtin", "lot"),
    [
        ("06901234000017", "L1"),  # check digit
        ("06901234000016", ""),  # empty lot
        ("06901234000016", "L" * 21),  # longer than AI (10) allows
        ("06901234000016", "批次1"),  # not in character set 82
        ("06901234000016", "L 1"),
    ],
)
def test_lgtin_uri_refuses(gtin: str, lot: str) -> None:
    with pytest.raises(EpcisError) as caught:
        lgtin_uri(gtin, lot)
    assert caught.value.details["rule"] == "identifier_not_gs1"
    assert caught.value.code == "epcis_invalid"


def test_sscc_uri() -> None:
    assert sscc_uri("106141412345678908") == "https://id.gs1.org/00/106141412345678908"
    for bad in ("106141412345678907", "10614141234567890", "1061414123456789080", "abc"):
        with pytest.raises(EpcisError):
            sscc_uri(bad)


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        ("urn:epc:class:lgtin:6901234.000001.L1", "https://id.gs1.org/01/06901234000016/10/L1"),
        (
            "urn:epc:class:lgtin:6901234.000001.A%2fB",
            "https://id.gs1.org/01/06901234000016/10/A%2FB",
        ),
        ("urn:epc:id:sscc:0614141.1234567890", "https://id.gs1.org/00/106141412345678908"),
        ("urn:epc:id:sgtin:0614141.112345.400", "https://id.gs1.org/01/10614141123459/21/400"),
        (
            "https://liaocheng.cityhub.example/01/06901234000016/10/L1",
            "https://id.gs1.org/01/06901234000016/10/L1",
        ),
        (
            "https://r.example/x/gtin/6901234000016/lot/L1?exp=251231",
            "https://id.gs1.org/01/06901234000016/10/L1",
        ),
        (
            "https://id.gs1.org/01/06901234000016/10/A%2fB",
            "https://id.gs1.org/01/06901234000016/10/A%2FB",
        ),
        (
            "https://id.gs1.org/01/06901234000016/10/L1/21/S9",
            "https://id.gs1.org/01/06901234000016/21/S9",
        ),
        (
            "https://id.gs1.org/01/06901234000016/22/V1/10/L1",
            "https://id.gs1.org/01/06901234000016/10/L1",
        ),
        ("https://id.gs1.org/01/06901234000016", "https://id.gs1.org/01/06901234000016"),
        ("https://example.com/00/106141412345678908", "https://id.gs1.org/00/106141412345678908"),
        ("urn:epc:id:sgln:4012345.00011.987", "https://id.gs1.org/414/4012345000115/254/987"),
    ],
)
def test_normalise_id(value: str, expected: str) -> None:
    assert normalise_id(value) == expected
    assert normalise_id(expected) == expected  # canonical form is a fixed point


@pytest.mark.parametrize(
    "value",
    [
        "https://id.gs1.org/01/06901234000017/10/L1",  # GTIN check digit
        "https://id.gs1.org/00/106141412345678907",  # SSCC check digit
        "https://id.gs1.org/414/4012345000116",  # GLN check digit
        "https://id.gs1.org/01/06901234000016/10",  # incomplete path
        "https://id.gs1.org/01/06901234000016/10/" + "L" * 21,
        "urn:epc:id:sscc:0614141.123456789",  # one digit short
        "urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66",
        "https://example.com/products/1",
        "L1",
        "",
    ],
)
def test_normalise_id_refuses(value: str) -> None:
    with pytest.raises(EpcisError) as caught:
        normalise_id(value)
    assert caught.value.details["rule"] == "identifier_not_gs1"


def test_parse_lgtin_refuses_other_identifiers() -> None:
    with pytest.raises(EpcisError):
        parse_lgtin("https://id.gs1.org/00/106141412345678908")


_LOT82 = st.text(
    st.sampled_from(list("!\"%&'()*+,-./0123456789:;<=>?ABCDEFGHIJKLMNOPQRSTUVWXYZ_abcxyz")),
    min_size=1,
    max_size=20,
)


@given(gtin=gtin14(), lot=_LOT82)
def test_lgtin_round_trip(gtin: str, lot: str) -> None:
    uri = lgtin_uri(gtin, lot)
    assert parse_lgtin(uri) == (gtin, lot)
    assert normalise_id(uri) == uri


@settings(max_examples=300)
@given(value=st.one_of(lgtin_urn(), sgtin_urn(), sscc_urn(), lgtin_dl(), sscc_dl()))
def test_normalise_id_agrees_with_the_reference(value: str) -> None:
    """Same canonical string as the event hash's normaliser, so leaf lots match event ids."""
    assert normalise_id(value) == reference_normaliser(value)
