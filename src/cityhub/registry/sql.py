"""The validators and normalisers as DuckDB SQL expressions: vectorised, no Python UDF, no table.

``valid_sql(kind, column_sql)`` is TRUE when the value is valid, FALSE when not, NULL for NULL.
It takes the raw value (any type: it is cast to VARCHAR) and normalises it inside exactly as the
Python validator does (half-width, trim, a-z → A-Z), so for every input string
``valid_sql(kind, x)`` and ``validate(kind, x).valid`` agree; ``tests/registry/test_agreement.py``
checks that with generated inputs. ``normalise_sql(step, column_sql)`` is one step of
``normalise.STEPS`` and gives the same string as ``normalise.apply_step``.

How it stays fast (measurements in docs/registry.md and ``benchmarks/validators.py``):

- A value that already has the shape of its kind (the usual case) is checked as it is; only the
  others are normalised first. That is exact because a value with the shape is ASCII, upper-case
  and trimmed, so normalising would not change it.
- The normalising steps run only on values that need them (a cheap ``regexp_matches`` first):
  DuckDB's ``translate`` with the 95 full-width characters costs about 20 µs a value.
- Digits are read from integers (``TRY_CAST`` of a fixed-width slice, then ``//`` and ``%``,
  weighted sums from 1,000-entry lists of 3-digit groups); values used many times are bound once
  with a one-element lambda (``list_transform([…], lambda p: …)[1]``): DuckDB does not share
  common subexpressions inside ``CASE``, and the unbound form measured 3× slower.
- The region table is three short constant lists (see ``region_known_sql``), so a code costs two
  list subscripts, a ``bit_count`` and a bit test. ``code IN (…6,742 literals…)`` is linear per
  row (95 s for 10M rows), a list of them as well (124 s); long lists are copied per vector.

Birth dates after today are invalid, and "today" is written into the expression as a literal when
it is built (the date in China by default); an expression kept for days should be rebuilt.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from datetime import date
from functools import cache

from cityhub.registry import normalise
from cityhub.registry.codes import CREDIT_ALPHABET, CREDIT_WEIGHTS, ID_CHECK, ID_WEIGHTS
from cityhub.registry.credit_code import ORG_CODE_VALUES, ORG_CODE_WEIGHTS, PREFIX_PATTERN
from cityhub.registry.id_card import MIN_BIRTH_YEAR, china_today
from cityhub.registry.id_card import SHAPE as ID_SHAPE
from cityhub.registry.phone import FIXED_PATTERN, MOBILE_PATTERN, SEPARATORS
from cityhub.registry.regions import NATIONAL_CODE, known_codes
from cityhub.registry.validators import KINDS, SIX_DIGITS

CREDIT_CLASS = "[0-9A-HJ-NP-RTUW-Y]"
CREDIT_SHAPE = f"(?:{PREFIX_PATTERN})[0-9]{{6}}{CREDIT_CLASS}{{8}}[0-9X]{CREDIT_CLASS}"
FULLWIDTH_CLASS = "[\\x{FF01}-\\x{FF5E}\\x{3000}]"
EDGE_WHITESPACE = f"^{normalise.WHITESPACE_CLASS}|{normalise.WHITESPACE_CLASS}$"
CHINESE_NUMERALS_CLASS = f"[{normalise.CHINESE_DIGITS}十]"


def literal(text: str) -> str:
    """``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"


def _characters(text: str) -> str:
    """``text`` as SQL, with invisible characters written as ``chr(n)`` (no raw tabs in SQL)."""
    parts = [literal(c) if c.isprintable() and not c.isspace() else f"chr({ord(c)})" for c in text]
    return "(" + " || ".join(parts) + ")"


def _bind(value_sql: str, body: str, name: str = "p") -> str:
    """``body`` with ``name`` bound to ``value_sql``: evaluated once per row, however often used."""
    return f"list_transform([{value_sql}], lambda {name}: {body})[1]"


# A column name, quoted or not, or a lambda variable, possibly cast to VARCHAR: cheap to repeat.
_SIMPLE = re.compile(r'(?:CAST\()?(?:"(?:[^"]|"")+"|[A-Za-z_][A-Za-z0-9_]*)(?: AS VARCHAR\))?')


def _once(x: str, build: Callable[[str], str], name: str) -> str:
    """``build(x)``, with ``x`` bound to ``name`` first unless it is a plain column.

    Steps nest (``normalise_sql`` of ``normalise_sql`` …) and each uses its input several times;
    binding keeps the SQL linear in the number of steps instead of exponential.
    """
    return build(x) if _SIMPLE.fullmatch(x) else _bind(x, build(name), name)


def _if_matches(x: str, pattern: str, then: Callable[[str], str], name: str) -> str:
    """``then(x)`` where ``x`` contains a match of ``pattern``, else ``x`` unchanged."""
    return _once(
        x,
        lambda y: f"CASE WHEN regexp_matches({y}, {literal(pattern)}) THEN {then(y)} ELSE {y} END",
        name,
    )


def halfwidth_sql(x: str) -> str:
    """DuckDB: full-width forms and the ideographic space as ASCII."""
    table = f"{literal(normalise.FULLWIDTH)}, {literal(normalise.HALFWIDTH)}"
    return _if_matches(x, FULLWIDTH_CLASS, lambda y: f"translate({y}, {table})", "hw")


def trim_sql(x: str) -> str:
    """DuckDB: without leading and trailing ``normalise.WHITESPACE``."""
    spaces = _characters(normalise.WHITESPACE)
    return _if_matches(x, EDGE_WHITESPACE, lambda y: f"trim({y}, {spaces})", "tw")


def upper_sql(x: str) -> str:
    """DuckDB: a-z as A-Z, nothing else (``upper()`` also maps ı to I; Python does not)."""
    table = f"{literal(normalise.LOWER)}, {literal(normalise.UPPER)}"
    return _if_matches(x, "[a-z]", lambda y: f"translate({y}, {table})", "uw")


def collapse_sql(x: str) -> str:
    """DuckDB: each run of ``normalise.WHITESPACE`` as one space."""
    return f"regexp_replace({x}, {literal(normalise.WHITESPACE_CLASS + '+')}, ' ', 'g')"


def _normalised(x: str, *, upper: bool) -> str:
    """DuckDB: half-width, trimmed and (``upper``) upper-cased."""
    cleaned = trim_sql(halfwidth_sql(x))
    return upper_sql(cleaned) if upper else cleaned


def _full_match(x: str, pattern: str) -> str:
    return f"regexp_full_match({x}, {literal(pattern)})"


def _calendar_sql(y: str, m: str, d: str) -> str:
    """DuckDB: the integers y, m, d form a date of years 1000-9999 (as ``is_calendar_date``)."""
    leap = f"({y} % 4 = 0 AND ({y} % 100 <> 0 OR {y} % 400 = 0))"
    days = f"([31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][{m}] + ({m} = 2 AND {leap})::INT)"
    return (
        f"({y} BETWEEN {normalise.MIN_YEAR} AND 9999 AND {m} BETWEEN 1 AND 12 "
        f"AND {d} BETWEEN 1 AND coalesce({days}, 0))"
    )


# Prefecture numbers (digits 3-4) run 00-53, and 90 for 省直辖县级行政区划; as bit positions of a
# province's mask, 90 becomes 54 and every other number above 53 a bit that is never set.
_PREFECTURE_BIT = "CASE WHEN {q} <= 53 THEN {q} WHEN {q} = 90 THEN 54 ELSE 60 END"


@cache
def _region_lists() -> tuple[str, str, str]:
    """The region table as three short constant lists (SQL): see ``region_known_sql``."""
    prefixes = sorted({int(code[:4]) for code in known_codes()})
    block_of = {prefix: number for number, prefix in enumerate(prefixes)}
    province_masks = [0] * 100
    for prefix in prefixes:
        prefecture = prefix % 100
        province_masks[prefix // 100] |= 1 << (54 if prefecture == 90 else prefecture)
    first_blocks = [0] * 100
    for prefix in reversed(prefixes):
        first_blocks[prefix // 100] = block_of[prefix]
    code_masks = [0] * (2 * len(prefixes))
    for code in known_codes():
        last = int(code[4:])
        code_masks[2 * block_of[int(code[:4])] + last // 50] |= 1 << (last % 50)
    return (
        f"([{','.join(map(str, province_masks))}]::BIGINT[])",
        f"[{','.join(map(str, first_blocks))}]",
        f"([{','.join(map(str, code_masks))}]::BIGINT[])",
    )


def region_known_sql(code_int: str) -> str:
    """DuckDB: the integer ``code_int`` is a known 6-digit GB/T 2260 code (current or not).

    Three short lists instead of the 6,700 codes: per province, a 64-bit mask of the prefectures
    (digits 3-4) that have codes and the number of its first 4-digit block; per block, two 50-bit
    masks of the last two digits. A block's number is the province's first block plus the count
    of mask bits below the prefecture's (``bit_count``).
    """
    province_masks, first_blocks, code_masks = _region_lists()
    position = f"{{'p': r // 10000 + 1, 'q': {_PREFECTURE_BIT.format(q='(r // 100 % 100)')}}}"
    block = f"({first_blocks}[k.p] + bit_count(m & ((1::BIGINT << k.q) - 1)))"
    found = (
        f"(m >> k.q) & 1 = 1 "
        f"AND ({code_masks}[{block} * 2 + r % 100 // 50 + 1] >> (r % 50)) & 1 = 1"
    )
    lookup = _bind(position, _bind(f"{province_masks}[k.p]", found, "m"), "k")
    return f"coalesce({_bind(code_int, f'r BETWEEN 100000 AND 999999 AND {lookup}', 'r')}, false)"


def _digits_sum(number: str, digits: int, weights: tuple[int, ...]) -> str:
    """Σ weight × digit over the ``digits`` decimal digits of the integer ``number``.

    Three digits at a time, each group's weighted sum read from a 1,000-entry constant list:
    cheaper in DuckDB than a division, a remainder and a product per digit.
    """
    terms = []
    for start in range(0, digits, 3):
        width = min(3, digits - start)
        group = f"{number} // {10 ** (digits - start - width)} % {10**width}"
        sums = [
            sum(int(d) * w for d, w in zip(f"{n:0{width}d}", weights[start:], strict=False))
            for n in range(10**width)
        ]
        terms.append(f"[{','.join(map(str, sums))}][{group} + 1]")
    return "(" + " + ".join(terms) + ")"


def _id_card_checks(v: str, today: date) -> str:
    """DuckDB: ``v``, 17 digits and a digit or X, is a valid 公民身份号码."""
    # a = digits 1-9 (region, birth year), b = digits 10-17 (rest of the birth date, sequence).
    birth = "{'y': a % 1000 * 10 + b // 10000000, 'm': b // 100000 % 100, 'd': b // 1000 % 100}"
    total = f"({_digits_sum('a', 9, ID_WEIGHTS[:9])} + {_digits_sum('b', 8, ID_WEIGHTS[9:])})"
    checks = (
        f"{region_known_sql('a // 1000')} "
        f"AND {_bind(birth, _birth_sql('s', today), 's')} "
        f"AND substr({literal(ID_CHECK)}, {total} % 11 + 1, 1) = substr({v}, 18, 1)"
    )
    inner = _bind(f"TRY_CAST(substr({v}, 10, 8) AS INTEGER)", checks, "b")
    return _bind(f"TRY_CAST(substr({v}, 1, 9) AS INTEGER)", inner, "a")


def _birth_sql(s: str, today: date) -> str:
    """DuckDB: the struct ``s`` (y, m, d) is a birth date from 1900 up to ``today``."""
    return (
        f"{_calendar_sql(f'{s}.y', f'{s}.m', f'{s}.d')} AND {s}.y >= {MIN_BIRTH_YEAR} "
        f"AND {s}.y * 10000 + {s}.m * 100 + {s}.d <= {today:%Y%m%d}"
    )


def _values_sum(v: str, alphabet: str, weights: tuple[int, ...], start: int) -> str:
    """Σ weight × (position of the character in ``alphabet``) over characters start, start+1 …"""
    terms = (
        f"(strpos({literal(alphabet)}, substr({v}, {start + i}, 1)) - 1) * {w}"
        for i, w in enumerate(weights)
    )
    return "(" + " + ".join(terms) + ")"


def _credit_code_checks(v: str) -> str:
    """DuckDB: ``v``, of the shape of a credit code, is a valid 统一社会信用代码."""
    organisation = _values_sum(v, ORG_CODE_VALUES, ORG_CODE_WEIGHTS, 9)
    total = _values_sum(v, CREDIT_ALPHABET, CREDIT_WEIGHTS, 1)
    region = f"TRY_CAST(substr({v}, 3, 6) AS INTEGER)"
    return (
        f"(substr({v}, 3, 6) = {literal(NATIONAL_CODE)} OR {region_known_sql(region)}) "
        # GB 11714: 11 - (sum mod 11) with 10 → X and 11 → 0, indexed here by sum mod 11.
        f"AND substr('0X987654321', {organisation} % 11 + 1, 1) = substr({v}, 17, 1) "
        f"AND substr({literal(CREDIT_ALPHABET)}, (31 - {total} % 31) % 31 + 1, 1) "
        f"= substr({v}, 18, 1)"
    )


def _phone_sql(x: str) -> str:
    """DuckDB: ``x`` is a mobile or fixed-line number, as it is or once normalised."""

    def matches(v: str) -> str:
        compact = f"regexp_replace({v}, {literal(SEPARATORS)}, '', 'g')"
        return f"({_full_match(compact, MOBILE_PATTERN)} OR {_full_match(v, FIXED_PATTERN)})"

    normalised = _bind(_normalised(x, upper=True), matches("v"), "v")
    return f"CASE WHEN {matches(x)} THEN true ELSE {normalised} END"


def _date_sql(x: str) -> str:
    """DuckDB: ISO date of ``x`` or NULL, step for step as ``normalise.normalise_date``."""
    chinese = f"{literal(normalise.CHINESE_DIGITS)}, {literal(normalise.ARABIC_DIGITS)}"

    def arabic(t: str) -> str:
        translated = f"translate({t}, {chinese})"
        for pattern, replacement in normalise.TEN_RULES:
            rewrite = replacement.replace(r"\g<1>", r"\1")  # RE2 writes group 1 as \1
            translated = (
                f"regexp_replace({translated}, {literal(pattern)}, {literal(rewrite)}, 'g')"
            )
        return translated

    names = "['y', 'm1', 'd1', 's1', 'm2', 's2', 'd2', 'm3', 'd3']"
    parts = f"regexp_extract(dv, {literal('^' + normalise.DATE_PATTERN + '$')}, {names})"
    year = "TRY_CAST(g.y AS INTEGER)"
    month = "TRY_CAST(g.m1 || g.m2 || g.m3 AS INTEGER)"
    day = "TRY_CAST(g.d1 || g.d2 || g.d3 AS INTEGER)"
    iso = (
        f"CASE WHEN g.y <> '' AND g.s1 = g.s2 AND {_calendar_sql(year, month, day)} "
        f"THEN g.y || '-' || lpad(g.m1 || g.m2 || g.m3, 2, '0') || '-' "
        f"|| lpad(g.d1 || g.d2 || g.d3, 2, '0') END"
    )

    def build(y: str) -> str:
        prepared = _if_matches(trim_sql(halfwidth_sql(y)), CHINESE_NUMERALS_CLASS, arabic, "cn")
        # A value in a plain form needs none of the steps (they would leave it unchanged).
        value = f"CASE WHEN {_full_match(y, normalise.DATE_PATTERN)} THEN {y} ELSE {prepared} END"
        return _bind(value, _bind(parts, iso, "g"), "dv")

    return _once(x, build, "dx")


def _checked(x: str, shape: str, checks: Callable[[str], str], *, upper: bool) -> str:
    """``checks`` on ``x`` as it is when it has the ``shape`` already, else on its normalised form.

    A value of the shape is ASCII, trimmed and upper-case: normalising would not change it, so the
    costly steps run only for the other values. The checks are written once, on whichever
    value has the shape (NULL when neither has): half the SQL to plan of a copy per branch.
    """
    normalised = _bind(
        _normalised(x, upper=upper), f"CASE WHEN {_full_match('n', shape)} THEN n END", "n"
    )
    value = f"CASE WHEN {_full_match(x, shape)} THEN {x} ELSE {normalised} END"
    return f"coalesce({_bind(value, checks('v'), 'v')}, false)"


def valid_sql(kind: str, column_sql: str, *, today: date | None = None) -> str:
    """A DuckDB boolean expression: is the value of ``column_sql`` a valid ``kind``?

    >>> valid_sql("postal_code", '"邮编"').startswith("CASE WHEN")
    True
    """
    x = f"CAST({column_sql} AS VARCHAR)"
    day = today or china_today()
    if kind == "id_card":
        body = _checked(x, ID_SHAPE, lambda v: _id_card_checks(v, day), upper=True)
    elif kind == "credit_code":
        body = _checked(x, CREDIT_SHAPE, _credit_code_checks, upper=True)
    elif kind == "region_code":
        checks = lambda v: region_known_sql(f"TRY_CAST({v} AS INTEGER)")  # noqa: E731
        body = _checked(x, SIX_DIGITS, checks, upper=False)
    elif kind == "phone":
        body = _phone_sql(x)
    elif kind == "postal_code":
        body = _checked(x, SIX_DIGITS, lambda v: f"{v} IS NOT NULL", upper=False)
    elif kind == "date":
        body = f"({_date_sql(x)} IS NOT NULL)"
    else:
        raise ValueError(f"unknown kind {kind!r}; kinds are {', '.join(KINDS)}")
    return f"CASE WHEN {column_sql} IS NULL THEN NULL ELSE {body} END"


def normalise_sql(step: str, column_sql: str) -> str:
    """The DuckDB expression of one step of ``normalise.STEPS`` applied to ``column_sql``."""
    x = f"CAST({column_sql} AS VARCHAR)"
    if step == "trim":
        return trim_sql(x)
    if step == "halfwidth":
        return halfwidth_sql(x)
    if step == "upper":
        return upper_sql(x)
    if step == "collapse_spaces":
        return collapse_sql(x)
    if step == "date":
        return _date_sql(x)
    raise ValueError(f"unknown normalising step {step!r}; steps are {', '.join(normalise.STEPS)}")
