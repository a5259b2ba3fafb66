"""jcs.js agrees byte for byte with the rfc8785 package on arbitrary JSON values."""

from __future__ import annotations

from typing import Any

import pytest
import rfc8785
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

pytestmark = pytest.mark.browser

CANONICALIZE = """async (value) => {
    const { canonicalize } = await import("/static/trace/jcs.js");
    return canonicalize(value);
}"""

SAFE = 2**53 - 1
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=12)  # no lone surrogates
scalars = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-SAFE, max_value=SAFE)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
values = st.recursive(
    scalars,
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(text, inner, max_size=4),
    max_leaves=12,
)


@pytest.mark.parametrize(
    "value",
    [
        {"b": [1, 1e21, -0.0, 0.1, '\u2028é\u0001"\\'], "a": {"é": 1, "10": True, "2": None}},
        {"\U0001f600": "astral sorts by UTF-16 units", "\uffff": "after it in code points"},
        [1e-7, 123456789012345680000.0, 5e-324, 1.7976931348623157e308, 0.000001],
    ],
    ids=["mixed", "utf16-order", "numbers"],
)
def test_known_values(tab: Any, value: Any) -> None:
    assert tab.evaluate(CANONICALIZE, value) == rfc8785.dumps(value).decode()


@settings(
    max_examples=80, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(value=values)
def test_arbitrary_values(tab: Any, value: Any) -> None:
    assert tab.evaluate(CANONICALIZE, value) == rfc8785.dumps(value).decode()
