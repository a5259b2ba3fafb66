"""Python and DuckDB agree: ``validate(kind, x).valid == valid_sql(kind, x)`` for generated x.

The inputs are valid values built with correct check characters, then mutated (one character
changed, two swapped, full-width, lower-case, cut, lengthened, wrapped in whitespace, garbage
inserted), plus arbitrary Unicode text. Each example is a batch of values checked by one prepared
DuckDB statement, so the costly planning of the expression happens once per kind.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date
from itertools import count

import duckdb
import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityhub.registry import normalise
from cityhub.registry.codes import CREDIT_ALPHABET, credit_code_check, id_number_check
from cityhub.registry.credit_code import AUTHORITIES, organisation_code_check
from cityhub.registry.id_card import validate_id_card
from cityhub.registry.regions import NATIONAL_CODE, table
from cityhub.registry.sql import normalise_sql, valid_sql
from cityhub.registry.validators import KINDS, validate

TODAY = date(2026, 5, 1)
CODES = sorted(table())
FULLWIDTH = str.maketrans(normalise.HALFWIDTH, normalise.FULLWIDTH)
# Characters that the validators treat specially, so that random text hits them often.
INTERESTING = (
    "0123456789Xx -/.+()#年月日号十〇○零一二三四五六七八九转分机EXText"
    + normalise.WHITESPACE
    + "０１９ＸｘＡ（）－　"
    + "IOSVZaiıß"
)
_names = count()


class Checker:
    """Runs one kind's SQL expression (prepared once) over batches of strings."""

    def __init__(self, connection: duckdb.DuckDBPyConnection, expression: str) -> None:
        self.connection = connection
        self.name = f"q{next(_names)}"
        connection.execute(f"PREPARE {self.name} AS SELECT i, {expression} FROM batch ORDER BY i")

    def __call__(self, values: list[str | None]) -> list[object]:
        self.connection.execute("DELETE FROM batch")
        rows = pa.table({"i": list(range(len(values))), "v": values})
        self.connection.register("incoming", rows)
        self.connection.execute("INSERT INTO batch SELECT i, v FROM incoming")
        self.connection.unregister("incoming")
        return [r[1] for r in self.connection.execute(f"EXECUTE {self.name}").fetchall()]


@pytest.fixture(scope="module")
def connection() -> Iterator[duckdb.DuckDBPyConnection]:
    con = duckdb.connect()
    con.execute("CREATE TABLE batch (i INTEGER, v VARCHAR)")
    yield con
    con.close()


@pytest.fixture(scope="module")
def checkers(connection: duckdb.DuckDBPyConnection) -> dict[str, Checker]:
    found = {kind: Checker(connection, valid_sql(kind, "v", today=TODAY)) for kind in KINDS}
    for step in normalise.STEPS:
        found[f"step:{step}"] = Checker(connection, normalise_sql(step, "v"))
    return found


def python_valid(kind: str, value: str) -> bool:
    if kind == "id_card":
        return validate_id_card(value, today=TODAY).valid
    return validate(kind, value).valid


# --- valid values --------------------------------------------------------------------------

births = st.dates(min_value=date(1900, 1, 1), max_value=TODAY)


@st.composite
def id_cards(draw: st.DrawFn) -> str:
    region = draw(st.sampled_from(CODES))
    body = f"{region}{draw(births):%Y%m%d}{draw(st.integers(0, 999)):03d}"
    return body + id_number_check(body)


@st.composite
def credit_codes(draw: st.DrawFn) -> str:
    authority = draw(st.sampled_from(sorted(AUTHORITIES)))
    kind = draw(st.sampled_from(sorted(AUTHORITIES[authority][1])))
    region = draw(st.sampled_from([*CODES, NATIONAL_CODE]))
    organisation = "".join(draw(st.lists(st.sampled_from(CREDIT_ALPHABET), min_size=8, max_size=8)))
    body = authority + kind + region + organisation + organisation_code_check(organisation)
    return body + credit_code_check(body)


@st.composite
def phones(draw: st.DrawFn) -> str:
    separator = draw(st.sampled_from(["", " ", "-"]))
    if draw(st.booleans()):
        prefix = draw(st.sampled_from(["", "+86", "0086", "86", "+86 "]))
        number = f"1{draw(st.integers(3, 9))}{draw(st.integers(0, 10**9 - 1)):09d}"
        return prefix + number[:3] + separator + number[3:7] + separator + number[7:]
    area = draw(st.sampled_from(["010", "021", "0635", "0531", "0999"]))
    digits = draw(st.sampled_from([7, 8]))
    subscriber = f"{draw(st.integers(2, 9))}{draw(st.integers(0, 10 ** (digits - 1) - 1))}"
    written = draw(st.sampled_from([f"{area}{separator}", f"({area})"])) + subscriber
    extension = draw(st.sampled_from(["", " 12", "-345", "转6", " 分机 78", "ext.9", "x1", "#2"]))
    return written + extension


@st.composite
def dates(draw: st.DrawFn) -> str:
    year = draw(st.integers(990, 2100))
    month, day = draw(st.integers(0, 13)), draw(st.integers(0, 32))
    form = draw(st.integers(0, 5))
    if form == 0:
        return f"{year}年{month}月{day}{draw(st.sampled_from('日号'))}"
    if form == 1:
        separator = draw(st.sampled_from("-/."))
        return f"{year}{separator}{month:0{draw(st.integers(1, 2))}d}{separator}{day}"
    if form == 2:
        return f"{year:04d}{month:02d}{day:02d}"
    if form == 3:
        return f"{_chinese_digits(year)}年{_chinese_number(month)}月{_chinese_number(day)}日"
    if form == 4:
        return f"{year}年{_chinese_number(month)}月{_chinese_number(day)}日"
    return f"{year}-{month}/{day}"


def _chinese_digits(number: int) -> str:
    return "".join("〇一二三四五六七八九"[int(d)] for d in str(number))


def _chinese_number(number: int) -> str:
    tens, ones = divmod(number, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else _chinese_digits(tens) + "十")
    return head + ("" if ones == 0 and tens else _chinese_digits(ones))


# --- mutations -----------------------------------------------------------------------------


@st.composite
def mutated(draw: st.DrawFn, values: st.SearchStrategy[str]) -> str:
    value = draw(values)
    how = draw(st.integers(0, 9))
    if not value or how == 0:
        return value
    i = draw(st.integers(0, len(value) - 1))
    if how == 1:  # one character changed
        return value[:i] + draw(st.sampled_from(INTERESTING)) + value[i + 1 :]
    if how == 2 and len(value) > 1:  # two neighbours swapped
        i = min(i, len(value) - 2)
        return value[:i] + value[i + 1] + value[i] + value[i + 2 :]
    if how == 3:  # full-width, all or from i on
        return value[:i] + value[i:].translate(FULLWIDTH)
    if how == 4:
        return value.lower()
    if how == 5:  # cut
        return value[:i]
    if how == 6:  # lengthened
        return value + draw(st.text(alphabet=INTERESTING, min_size=1, max_size=3))
    if how == 7:  # whitespace around
        spaces = st.text(alphabet=normalise.WHITESPACE, max_size=3)
        return draw(spaces) + value + draw(spaces)
    if how == 8:  # garbage inserted
        return value[:i] + draw(st.text(min_size=1, max_size=2)) + value[i:]
    return draw(st.text(max_size=20))


def inputs(values: st.SearchStrategy[str]) -> st.SearchStrategy[list[str]]:
    anything = st.one_of(
        mutated(values),
        st.text(alphabet=INTERESTING, max_size=20),
        st.text(max_size=20),
    )
    return st.lists(anything, min_size=1, max_size=60)


GENERATORS: dict[str, Callable[[], st.SearchStrategy[str]]] = {
    "id_card": id_cards,
    "credit_code": credit_codes,
    "region_code": lambda: st.sampled_from(CODES) | st.from_regex(r"\A[0-9]{6}\Z"),
    "phone": phones,
    "postal_code": lambda: st.from_regex(r"\A[0-9]{6}\Z"),
    "date": dates,
}
AGREEMENT = settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)


def _agree(checkers: dict[str, Checker], kind: str, values: list[str]) -> None:
    expected = [python_valid(kind, value) for value in values]
    got = checkers[kind](list(values))
    disagreements = [(v, e, g) for v, e, g in zip(values, expected, got, strict=True) if e != g]
    assert not disagreements, disagreements


@pytest.mark.parametrize("kind", KINDS)
def test_python_and_sql_agree(checkers: dict[str, Checker], kind: str) -> None:
    @AGREEMENT
    @given(inputs(GENERATORS[kind]()))
    def check(values: list[str]) -> None:
        _agree(checkers, kind, values)

    check()


@pytest.mark.parametrize("kind", ["id_card", "credit_code"])  # the others generate bad ones too
def test_generated_valid_values_are_valid(checkers: dict[str, Checker], kind: str) -> None:
    @AGREEMENT
    @given(st.lists(GENERATORS[kind](), min_size=1, max_size=60))
    def check(values: list[str]) -> None:
        assert all(checkers[kind](list(values)))
        assert all(python_valid(kind, v) for v in values)

    check()


@pytest.mark.parametrize("step", normalise.STEPS)
def test_normalising_steps_agree(checkers: dict[str, Checker], step: str) -> None:
    texts = st.one_of(
        st.text(alphabet=INTERESTING, max_size=20), st.text(max_size=20), dates(), mutated(dates())
    )

    @AGREEMENT
    @given(st.lists(texts, min_size=1, max_size=60))
    def check(values: list[str]) -> None:
        got = checkers[f"step:{step}"](list(values))
        assert got == [normalise.apply_step(v, step) for v in values]

    check()


def test_null_gives_null(checkers: dict[str, Checker]) -> None:
    for kind in KINDS:
        assert checkers[kind]([None, "x"]) == [None, False]
    for step in normalise.STEPS:
        assert checkers[f"step:{step}"]([None]) == [None]


def test_non_text_columns_are_read_as_text(connection: duckdb.DuckDBPyConnection) -> None:
    a_date = "DATE '2020-04-07'"
    row = connection.execute(
        f"SELECT {valid_sql('postal_code', '252000')}, {valid_sql('date', a_date)}, "
        f"{valid_sql('region_code', '371502')}"
    ).fetchone()
    assert row == (True, True, True)


def test_steps_nest_without_blowing_up() -> None:
    expression = "v"
    for step in (*normalise.STEPS, *normalise.STEPS):
        expression = normalise_sql(step, expression)
    assert len(expression) < 20_000


def test_unknown_kind_and_step() -> None:
    with pytest.raises(ValueError, match="unknown kind"):
        valid_sql("iban", "v")
    with pytest.raises(ValueError, match="unknown normalising step"):
        normalise_sql("lower", "v")
