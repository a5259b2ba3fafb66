"""The NumPy checks agree with the validators: ``valid_mask`` gives ``validate(kind, x).valid``.

Generated valid values, mutations that stay in normal form (so the vectorised path decides:
one character changed within 0-9 A-Z, neighbours swapped, random dates and codes) and mutations
that leave it (full-width, lower case, spaces, other lengths, garbage: the Python path decides),
nulls, sliced arrays and large strings.
"""

from __future__ import annotations

import pyarrow as pa
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.registry import arrow
from cityhub.registry.arrow import valid_mask
from tests.registry.test_agreement import CODES, GENERATORS, TODAY, inputs, python_valid

PLAIN = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"
CHECKS = settings(max_examples=80, deadline=None)


@st.composite
def plain_mutated(draw: st.DrawFn, values: st.SearchStrategy[str]) -> str:
    """A value changed without leaving the fast path's alphabet and length."""
    value = draw(values)
    how = draw(st.integers(0, 4))
    i = draw(st.integers(0, len(value) - 1))
    if how == 0:
        return value
    if how == 1:
        return value[:i] + draw(st.sampled_from(PLAIN)) + value[i + 1 :]
    if how == 2 and i < len(value) - 1:
        return value[:i] + value[i + 1] + value[i] + value[i + 2 :]
    if how == 3:  # another date or region part: calendar, leap years, future, before 1900
        digits = draw(st.text(alphabet="0123456789", min_size=8, max_size=8))
        return value[:6] + digits + value[14:] if len(value) == 18 else digits[:6]
    return "".join(draw(st.lists(st.sampled_from(PLAIN), min_size=len(value), max_size=len(value))))


@st.composite
def id_dates(draw: st.DrawFn) -> str:
    """ID numbers with any date of 1890-2100 (invalid ones included), correct check character."""
    from cityhub.registry.codes import id_number_check

    region = draw(st.sampled_from(CODES))
    year, month, day = (
        draw(st.integers(1890, 2100)),
        draw(st.integers(0, 13)),
        draw(st.integers(0, 32)),
    )
    body = f"{region}{year:04d}{month:02d}{day:02d}{draw(st.integers(0, 999)):03d}"
    return body + id_number_check(body)


def columns(kind: str) -> st.SearchStrategy[list[str | None]]:
    valid = GENERATORS[kind]()
    if kind == "id_card":
        valid = valid | id_dates()
    anything = st.one_of(valid, plain_mutated(valid), st.none(), inputs(valid).map(lambda v: v[0]))
    return st.lists(anything, min_size=0, max_size=80)


def _agree(kind: str, values: list[str | None], array: pa.Array) -> None:
    got = valid_mask(kind, array, today=TODAY).to_pylist()
    expected = [None if v is None else python_valid(kind, v) for v in values]
    disagreements = [(v, e, g) for v, e, g in zip(values, expected, got, strict=True) if e != g]
    assert not disagreements, disagreements


@pytest.mark.parametrize("kind", arrow.KINDS)
def test_numpy_and_python_agree(kind: str) -> None:
    @CHECKS
    @given(columns(kind), st.integers(0, 3), st.booleans())
    def check(values: list[str | None], cut: int, large: bool) -> None:
        typed = pa.large_string() if large else pa.string()
        array = pa.array(["x"] * cut + values, type=typed).slice(cut)  # an offset into buffers
        _agree(kind, values, array)

    check()


@pytest.mark.parametrize("kind", ["id_card", "credit_code"])
def test_batches_and_the_fixed_width_path(kind: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(arrow, "_BATCH", 7)  # several batches, some all of one width

    @CHECKS
    @given(
        st.lists(GENERATORS[kind]() | plain_mutated(GENERATORS[kind]()), max_size=40),
        st.integers(-1, 39),
        st.none() | st.text(max_size=3),
    )
    def check(values: list[str], position: int, odd: str | None) -> None:
        mixed: list[str | None] = list(values)
        if 0 <= position < len(values):  # one null or odd value among the fixed-width ones
            mixed[position] = odd
        _agree(kind, mixed, pa.array(mixed, type=pa.string()))
        _agree(kind, mixed, pa.chunked_array([pa.array(mixed, type=pa.string())]))

    check()


def test_nulls_empty_and_unsupported() -> None:
    assert valid_mask("id_card", pa.array([None, "", None], type=pa.string())).to_pylist() == [
        None,
        False,
        None,
    ]
    assert valid_mask("region_code", pa.array([], type=pa.string())).to_pylist() == []
    with pytest.raises(ValueError, match="no vectorised check"):
        valid_mask("phone", pa.array(["13800000000"]))
    with pytest.raises(ValueError, match="needs strings"):
        valid_mask("region_code", pa.array([371502]))


def test_birth_dates_at_the_edges() -> None:
    from cityhub.registry.codes import id_number_check

    births = ["19000229", "20000229", "20240229", "20230229", "19000101", "18991231"]
    births += ["20260430", "20260501", "20260502", "20261231", "20260431", "20261301", "20260100"]
    values: list[str | None] = []
    for birth in births:
        body = f"371502{birth}123"
        values.append(body + id_number_check(body))
    _agree("id_card", values, pa.array(values, type=pa.string()))
    assert valid_mask("id_card", pa.array(values), today=TODAY).to_pylist()[:4] == [
        False,
        True,
        True,
        False,
    ]
