"""Masking of personal information (个人信息保护法) by column class, in DuckDB SQL and in Python.

Queries run in DuckDB, so masking is a SQL expression placed in the SELECT list and evaluated
vectorised inside the engine; ``mask_value`` is its pure Python twin, with identical results, for
tests and for small outputs. Both work on characters (Unicode code points), never on bytes:
DuckDB's ``length``, ``left``, ``right`` and ``repeat`` count code points, like Python's ``len``
and slicing. Spaces, dashes and ``+86`` prefixes are just characters; nothing is parsed.

The rules (``*`` replaces each hidden character unless said otherwise; NULL stays NULL):

==============  ===================================================  ======================
kind            rule                                                 example
==============  ===================================================  ======================
``ID_NUMBER``   keep the first 6 and the last 4 characters           ``371502********1234``
``PHONE``       keep the first 3 and the last 4 characters           ``138****5678``
``NAME``        keep the first character                             ``张**`` (张三丰)
``ADDRESS``     keep the first 6 characters, then a fixed ``****``   ``山东省聊城市****``
``OTHER``       a fixed ``******`` for every value                   ``******``
==============  ===================================================  ======================

For the first three, a value too short to hide anything under its rule (10 characters or fewer
for ``ID_NUMBER``, 7 or fewer for ``PHONE``, 1 for ``NAME``) becomes all stars of the same
length. ``ADDRESS`` and ``OTHER`` end in a fixed number of stars so that the length of the hidden
part does not leak; an address of 6 characters or fewer is shown in full (it names a region, not
a dwelling).
"""

from __future__ import annotations

from dataclasses import dataclass

from cityhub.catalog.vocab import PersonalKind

STAR = "*"


@dataclass(frozen=True)
class _KeepEnds:
    """Keep ``head`` leading and ``tail`` trailing characters, one star for each one between.

    Values of ``head + tail`` characters or fewer would be shown in full, so they become all
    stars instead.
    """

    head: int
    tail: int


@dataclass(frozen=True)
class _KeepHead:
    """Keep ``head`` leading characters and append a fixed ``suffix`` of stars."""

    head: int
    suffix: str


_Rule = _KeepEnds | _KeepHead

# One table drives both the SQL and the Python version so that they cannot drift apart.
RULES: dict[PersonalKind, _Rule] = {
    PersonalKind.ID_NUMBER: _KeepEnds(head=6, tail=4),
    PersonalKind.PHONE: _KeepEnds(head=3, tail=4),
    PersonalKind.NAME: _KeepEnds(head=1, tail=0),
    PersonalKind.ADDRESS: _KeepHead(head=6, suffix=STAR * 4),
    PersonalKind.OTHER: _KeepHead(head=0, suffix=STAR * 6),
}


def mask_value(value: str | None, kind: PersonalKind) -> str | None:
    """The masked form of one value; ``None`` stays ``None``.

    >>> mask_value("371502199001011234", PersonalKind.ID_NUMBER)
    '371502********1234'
    """
    if value is None:
        return None
    rule = RULES[PersonalKind(kind)]
    if isinstance(rule, _KeepHead):
        return value[: rule.head] + rule.suffix
    size = len(value)
    if size <= rule.head + rule.tail:
        return STAR * size
    tail = value[size - rule.tail :]  # not value[-tail:], which is the whole string for tail 0
    return value[: rule.head] + STAR * (size - rule.head - rule.tail) + tail


def mask_expression(column_sql: str, kind: PersonalKind) -> str:
    """A DuckDB SQL expression that masks the column ``column_sql`` like ``mask_value`` does.

    ``column_sql`` is an already-quoted column reference such as ``"身份证号"`` or ``t."phone"``;
    it is inserted as is, so it must never come from user input unquoted. Non-string columns
    are cast to VARCHAR first (DuckDB's text form, for example ``1.5`` or ``2024-01-31``). The
    result is VARCHAR; NULL stays NULL. Give it an alias: ``f"{expr} AS {column_sql}"``.

    >>> mask_expression('"姓名"', PersonalKind.NAME)  # doctest: +ELLIPSIS
    'CASE WHEN length(CAST(("姓名") AS VARCHAR)) > 1 THEN ...'
    """
    rule = RULES[PersonalKind(kind)]
    value = f"CAST(({column_sql}) AS VARCHAR)"
    size = f"length({value})"
    if isinstance(rule, _KeepHead):
        suffix = _sql_string(rule.suffix)
        if rule.head == 0:
            # A constant would turn NULL into stars; the CASE keeps NULL as NULL.
            return f"CASE WHEN {value} IS NULL THEN NULL ELSE {suffix} END"
        return f"(left({value}, {rule.head}) || {suffix})"  # || propagates NULL
    kept = rule.head + rule.tail
    parts = [f"left({value}, {rule.head})", f"repeat('{STAR}', {size} - {kept})"]
    if rule.tail:
        parts.append(f"right({value}, {rule.tail})")
    # NULL makes the comparison NULL, which takes the ELSE branch, where repeat(…, NULL) is NULL.
    return f"CASE WHEN {size} > {kept} THEN {' || '.join(parts)} ELSE repeat('{STAR}', {size}) END"


def _sql_string(text: str) -> str:
    """``text`` as a SQL string literal."""
    return "'" + text.replace("'", "''") + "'"
