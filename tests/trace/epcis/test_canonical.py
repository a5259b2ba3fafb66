"""RFC 8785 (JCS) known answers: numbers, strings, member order, refusals."""

from __future__ import annotations

import json
import struct
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.epcis import EpcisError, canonical_json


def test_rfc8785_section_3_2_2_example() -> None:
    given = json.loads(
        '{"numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],'
        ' "string": "\\u20ac$\\u000F\\u000aA\'\\u0042\\u0022\\u005c\\\\\\"\\/",'
        ' "literals": [null, true, false]}'
    )
    expected = (
        '{"literals":[null,true,false],"numbers":[333333333.3333333,1e+30,4.5,0.002,1e-27],'
        '"string":"€$\\u000f\\nA\'B\\"\\\\\\\\\\"/"}'
    )
    assert canonical_json(given) == expected.encode("utf-8")


def test_rfc8785_section_3_2_3_sorting() -> None:
    given = {
        "\u20ac": "Euro Sign",
        "\r": "Carriage Return",
        "\ufb33": "Hebrew Letter Dalet With Dagesh",
        "1": "One",
        "\U0001f600": "Emoji: Grinning Face",
        "\u0080": "Control",
        "\u00f6": "Latin Small Letter O With Diaeresis",
    }
    order = [json.loads(b"{" + part + b"}") for part in canonical_json(given)[1:-1].split(b",")]
    # Keys sort by UTF-16 code units: the emoji (a surrogate pair) before U+FB33.
    assert [next(iter(o)) for o in order] == [
        "\r",
        "1",
        "\u0080",
        "\u00f6",
        "\u20ac",
        "\U0001f600",
        "\ufb33",
    ]


@pytest.mark.parametrize(
    ("bits", "expected"),
    [
        ("0000000000000000", "0"),
        ("8000000000000000", "0"),  # -0
        ("0000000000000001", "5e-324"),
        ("8000000000000001", "-5e-324"),
        ("7fefffffffffffff", "1.7976931348623157e+308"),
        ("ffefffffffffffff", "-1.7976931348623157e+308"),
        ("4340000000000000", "9007199254740992"),
        ("c340000000000000", "-9007199254740992"),
        ("4430000000000000", "295147905179352830000"),
        ("44b52d02c7e14af5", "9.999999999999997e+22"),
        ("44b52d02c7e14af6", "1e+23"),
        ("44b52d02c7e14af7", "1.0000000000000001e+23"),
        ("444b1ae4d6e2ef4e", "999999999999999700000"),
        ("444b1ae4d6e2ef4f", "999999999999999900000"),
        ("444b1ae4d6e2ef50", "1e+21"),
        ("3eb0c6f7a0b5ed8c", "9.999999999999997e-7"),
        ("3eb0c6f7a0b5ed8d", "0.000001"),
        ("3eb0c6f7a0b5ed8e", "0.0000010000000000000002"),
        ("41b3de4355555553", "333333333.3333332"),
        ("41b3de4355555557", "333333333.33333343"),
        ("becbf647612f3696", "-0.0000033333333333333333"),
        ("43143ff3c1cb0959", "1424953923781206.2"),
    ],
)
def test_rfc8785_appendix_b_numbers(bits: str, expected: str) -> None:
    (number,) = struct.unpack(">d", bytes.fromhex(bits))
    assert canonical_json(number) == expected.encode()


@pytest.mark.parametrize(
    ("given", "expected"),
    [
        (4.50, b"4.5"),
        (1e30, b"1e+30"),
        (100.0, b"100"),
        (-0.0, b"0"),
        ("鸭梨\u2028", '"鸭梨\u2028"'.encode()),  # no escaping beyond the required ones
        ("\u001f\t", b'"\\u001f\\t"'),
        ({"b": [], "a": {}}, b'{"a":{},"b":[]}'),
    ],
)
def test_small_values(given: Any, expected: bytes) -> None:
    assert canonical_json(given) == expected


@pytest.mark.parametrize("given", [float("nan"), float("inf"), 2**53, {1: "x"}, "\ud800", object()])
def test_refuses_what_jcs_cannot_represent(given: Any) -> None:
    with pytest.raises((EpcisError, TypeError)) as caught:
        canonical_json(given)
    if isinstance(caught.value, EpcisError):
        assert caught.value.details["rule"] == "not_canonical_json"


_json_values = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**60), max_value=2**60)
    | st.floats(allow_nan=False, allow_infinity=False)
    | st.text(),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(), inner, max_size=4),
    max_leaves=20,
)


@settings(max_examples=300, deadline=None)
@given(_json_values)
def test_the_fast_path_equals_the_rfc8785_reference(value: Any) -> None:
    """The C encoder is used only where it provably agrees with RFC 8785; check it does."""
    import rfc8785

    try:
        expected: bytes | None = rfc8785.dumps(value)
    except Exception:
        expected = None
    try:
        ours: bytes | None = canonical_json(value)
    except EpcisError:
        ours = None
    assert ours == expected
