"""EPC URN → GS1 Digital Link: the reference's patterns, known conversions, generated URNs."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.epcis.epc_urn import PATTERNS, urn_to_dl
from tests.trace.epcis.reference import reference_normaliser, reference_patterns


def test_patterns_are_the_reference_patterns() -> None:
    assert list(PATTERNS) == reference_patterns("^urn:epc:")


@pytest.mark.parametrize(
    ("urn", "expected"),
    [
        ("urn:epc:id:sgtin:4012345.011111.9876", "https://id.gs1.org/01/04012345111118/21/9876"),
        ("urn:epc:id:sgtin:4012345.011111.98%22", "https://id.gs1.org/01/04012345111118/21/98%22"),
        ("urn:epc:id:sscc:4012345.0000000333", "https://id.gs1.org/00/040123450000003338"),
        ("urn:epc:id:sgln:4012345.00011.987", "https://id.gs1.org/414/4012345000115/254/987"),
        ("urn:epc:id:sgln:4012345.00005.0", "https://id.gs1.org/414/4012345000054"),
        (
            "urn:epc:class:lgtin:4012345.012345.998877",
            "https://id.gs1.org/01/04012345123456/10/998877",
        ),
        (
            "urn:epc:class:lgtin:6901234.000001.L(1)",
            "https://id.gs1.org/01/06901234000016/10/L%281%29",
        ),
        ("urn:epc:idpat:sgtin:4012345.012345.*", "https://id.gs1.org/01/04012345123456"),
        ("urn:epc:id:grai:4012345.00022.1334455", "https://id.gs1.org/8003/040123450002211334455"),
        ("urn:epc:id:giai:4000001.111", "https://id.gs1.org/8004/4000001111"),
        ("urn:epc:id:gsrn:4012345.0000006765", "https://id.gs1.org/8018/401234500000067657"),
        ("urn:epc:id:pgln:4000001.00000", "https://id.gs1.org/417/4000001000005"),
        (
            "urn:epc:id:itip:4012345.011111.01.02.987",
            "https://id.gs1.org/8006/040123451111180102/21/987",
        ),
        ("urn:epc:id:sscc:4012345.000000033", None),  # one digit short
        ("urn:epc:id:sgtin:401234.011111.9876", None),  # prefix + reference not 13 digits
        ("urn:epc:id:unknown:4012345.1", None),
        ("urn:uuid:6e8bc430-9c3a-11d9-9669-0800200c9a66", None),
    ],
)
def test_known_conversions(urn: str, expected: str | None) -> None:
    assert urn_to_dl(urn) == expected
    assert reference_normaliser(urn) == expected


# Digits of company prefix + reference per scheme (None: a free-text reference).
_TOTAL: dict[str, int | None] = {
    "sgtin": 13,
    "itip": 13,
    "upui": 13,
    "sscc": 17,
    "sgln": 12,
    "grai": 12,
    "gdti": 12,
}
_TOTAL |= {"sgcn": 12, "pgln": 12, "gsrn": 17, "gsrnp": 17, "gsin": 16, "giai": None}
_TOTAL |= {"ginc": None, "cpi": None}
_SER = st.sampled_from([*"AZaz09-._!()*+,:;='", "%2F", "%22", "%25", "%2f", "%20", "%"])
_DIGITS = "0123456789"


@st.composite
def urns(draw: st.DrawFn) -> str:
    """Mostly well-formed URNs of every scheme, some a character or digit off."""
    kind = draw(st.sampled_from(["id", "id", "idpat", "class"]))
    scheme = "lgtin" if kind == "class" else draw(st.sampled_from(sorted(_TOTAL)))
    total = 13 if scheme == "lgtin" else _TOTAL[scheme]
    cp_len = draw(st.integers(5, 13))
    cp = draw(st.text(_DIGITS, min_size=cp_len, max_size=cp_len))
    if total is None:
        ref = "".join(draw(st.lists(_SER, min_size=1, max_size=30 - cp_len)))
    else:
        n = max(0, total - cp_len + draw(st.sampled_from([0, 0, 0, 0, 1, -1])))
        ref = draw(st.text(_DIGITS, min_size=n, max_size=n))
    serial = "".join(draw(st.lists(_SER, min_size=0, max_size=22)))
    two = draw(st.text(_DIGITS, min_size=2, max_size=2))
    tail = draw(st.sampled_from(["", ".*", f".{serial}", f".{two}.{two}.{serial}", serial]))
    return f"urn:epc:{kind}:{scheme}:{cp}.{ref}{tail}"


@settings(max_examples=2000, deadline=None)
@given(urn=urns())
def test_generated_urns_convert_as_the_reference(urn: str) -> None:
    assert urn_to_dl(urn) == reference_normaliser(urn)
