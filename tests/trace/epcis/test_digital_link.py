"""GS1 Digital Link → constrained canonical form, compared with the reference normaliser."""

from __future__ import annotations

import re

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.epcis import digital_link
from cityhub.trace.epcis.digital_link import canonical_gs1, dl_to_canonical
from tests.trace.epcis.reference import reference_normaliser, reference_patterns


def test_patterns_are_thereference_patterns() -> None:
    ours = {v.pattern for v in vars(digital_link).values() if isinstance(v, re.Pattern)}
    for value in vars(digital_link).values():
        if isinstance(value, tuple):
            ours |= {p.pattern for p in value if isinstance(p, re.Pattern)}
            ours |= {
                p[0].pattern for p in value if isinstance(p, tuple) and isinstance(p[0], re.Pattern)
            }
    reference = set(reference_patterns("^http")) | set(reference_patterns("http"))
    assert reference <= ours


@pytest.mark.parametrize(
    ("uri", "expected"),
    [
        (
            "https://id.gs1.org/01/09506000134352/10/L1",
            "https://id.gs1.org/01/09506000134352/10/L1",
        ),
        (
            "https://liaocheng.cityhub.example/01/06901234000016/10/L1",
            "https://id.gs1.org/01/06901234000016/10/L1",
        ),
        (
            "http://example.com/a/b/gtin/9506000134352/lot/L1?17=250101",
            "https://id.gs1.org/01/09506000134352/10/L1",
        ),
        ("https://id.gs1.org/01/950600013435/21/S1", "https://id.gs1.org/01/00950600013435/21/S1"),
        (
            "https://id.gs1.org/01/09506000134352/22/V2/10/L1",
            "https://id.gs1.org/01/09506000134352/10/L1",
        ),
        (
            "https://id.gs1.org/01/09506000134352/10/L1/21/S1",
            "https://id.gs1.org/01/09506000134352/21/S1",
        ),
        ("https://example.com/sscc/106141412345678908", "https://id.gs1.org/00/106141412345678908"),
        (
            "https://example.com/414/4012345000115/254/987",
            "https://id.gs1.org/414/4012345000115/254/987",
        ),
        ("https://id.gs1.org/01/09506000134352/10/A%2FB", None),  # the reference allows no escapes
        ("https://id.gs1.org/01/09506000134352#frag", None),
        ("https://example.com/products/123", None),
        ("ftp://id.gs1.org/01/09506000134352", None),
    ],
)
def test_known_conversions(uri: str, expected: str | None) -> None:
    assert canonical_gs1(uri) == expected
    assert reference_normaliser(uri) == expected


_SAFE = list("AZaz09-._'\";<=>?")
_CHARS = st.sampled_from(_SAFE * 4 + list("!()*+,:%/#") + [""])
# Primary keys and the digit counts that make them well formed (or a text key).
_KEYS = {"01": [8, 12, 13, 14], "gtin": [14], "00": [18], "sscc": [18], "414": [13], "gln": [13]}
_KEYS |= {"417": [13], "party": [13], "8006": [18], "itip": [18], "8017": [18], "8018": [18]}
_KEYS |= {"gsrn": [18], "402": [17], "253": [13, 17], "255": [13, 20], "8003": [14, 20]}
_KEYS |= {"8004": [6, 20], "401": [7, 20], "8010": [6, 25]}
_QUALIFIERS = ["10", "10", "21", "21", "lot", "ser", "22", "235", "254", "8011", "cpv", "17"]


@st.composite
def digital_links(draw: st.DrawFn) -> str:
    """Mostly well-formed links on various hosts, some malformed."""
    host = draw(st.sampled_from(["https://id.gs1.org", "http://x.example", "https://a.b/c/d", ""]))
    key = draw(st.sampled_from(sorted(_KEYS)))
    n = draw(st.sampled_from(_KEYS[key])) + draw(st.sampled_from([0, 0, 0, 1, -1]))
    path = f"{host}/{key}/{draw(st.text('0123456789', min_size=n, max_size=n))}"
    for _ in range(draw(st.sampled_from([0, 0, 1, 1, 2, 3]))):
        text = "".join(draw(st.lists(_CHARS, min_size=1, max_size=22)))
        path += f"/{draw(st.sampled_from(_QUALIFIERS))}/{text}"
    return path + draw(st.sampled_from(["", "", "", "/", "?x=1", "?a=b?c", "#f"]))


@settings(max_examples=2000, deadline=None)
@given(uri=digital_links())
def test_generated_links_convert_as_the_reference(uri: str) -> None:
    assert canonical_gs1(uri) == reference_normaliser(uri)
    if uri.startswith("http"):
        assert dl_to_canonical(uri) == canonical_gs1(uri)
