"""The records table: every source's rows as matching features, in one DuckDB table.

Each source is a list of Parquet files and a mapping of its columns (name, address, legal
representative, phone, credit code or ID number, and the key that identifies a row). All sources
become one table ``records`` with a ``unique_id``, ``source_dataset`` and ``source_key``, the
raw text (for review pages) and the features of ``cityhub.linking.features``; one view per
source (``records_0`` …) is what Splink reads. The SQL is written for the engine's dialect
(``cityhub.linking.dialect``), so the same records come out of DuckDB and Spark; ``unique_id``
numbers them in an order of their values, not of how an engine happened to read them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from cityhub.linking import features as f
from cityhub.linking.dialect import DUCKDB, Dialect
from cityhub.linking.engine import LinkEngine, as_engine
from cityhub.linking.features import Kind

TEXT_COLUMNS = ("name_text", "address_text", "rep_text", "phone_text", "code_text")


@dataclass(frozen=True)
class ColumnMap:
    """Which column of a source holds what; None where the source has no such column."""

    key: str | None  # None: records are keyed by a hash of their mapped values
    name: str
    address: str | None = None
    legal_rep: str | None = None
    phone: str | None = None
    code: str | None = None  # 统一社会信用代码 (legal entities) or 公民身份号码 (people)

    def used(self) -> list[str]:
        """The source columns read, in a stable order."""
        chosen = (self.key, self.name, self.address, self.legal_rep, self.phone, self.code)
        return list(dict.fromkeys(c for c in chosen if c))


@dataclass(frozen=True)
class SourceFiles:
    """One source as the linker reads it: its name in the output, its files, its columns."""

    dataset: str
    files: tuple[str, ...]
    columns: ColumnMap


def quote(identifier: str) -> str:
    """A DuckDB-quoted identifier."""
    return DUCKDB.quote(identifier)


def _text(column: str | None, d: Dialect) -> str:
    return f"CAST({d.quote(column) if column else 'NULL'} AS {d.text})"


def _source_sql(index: int, source: SourceFiles, d: Dialect) -> str:
    m = source.columns
    reader = (
        f"source_{index}"
        if source.files
        else f"(SELECT {', '.join(f'NULL AS {d.quote(c)}' for c in m.used())} WHERE false) AS e"
    )
    return (
        f"SELECT {index} AS source_no, {d.literal(source.dataset)} AS source_dataset, "
        f"{_text(m.key, d)} AS key_text, {_text(m.name, d)} AS name_text, "
        f"{_text(m.address, d)} AS address_text, {_text(m.legal_rep, d)} AS rep_text, "
        f"{_text(m.phone, d)} AS phone_text, {_text(m.code, d)} AS code_text FROM {reader}"
    )


STAGE_0 = (
    *("unique_id", "source_dataset", "source_key", *TEXT_COLUMNS),
    *("n0", "nb", "rep", "code_raw"),
)


def _stages(
    sources: Sequence[SourceFiles], kind: Kind, area_code: str, d: Dialect = DUCKDB
) -> list[tuple[str, str]]:
    """The tables that make ``records``, in order: (name, SELECT over the earlier ones).

    Each stage is materialised: DuckDB inlines a subquery's expression wherever its column is
    used, so an identifier checked character by character over a nested cleaning step would be
    cleaned again for every character. Identifiers are checked once per distinct value (the
    same code stands in several departments' rows).
    """
    raw = " UNION ALL ".join(_source_sql(i, s, d) for i, s in enumerate(sources))
    widths = ", ".join(f"{f.halfwidth(c, d)} AS h_{c.removesuffix('_text')}" for c in TEXT_COLUMNS)
    name = f.cleaned_name("h_name", d) if kind is Kind.LEGAL_ENTITY else f.person_name("h_name", d)
    # A row without a key (or a source without a key column) is keyed by its values: stable as
    # long as the row is, so review decisions still find it in the next version.
    hashed = (
        "'h:' || left(md5(concat_ws(chr(31), "
        + ", ".join(f"coalesce({c}, '')" for c in TEXT_COLUMNS)
        + ")), 16)"
    )
    key = f"coalesce(nullif(trim(key_text), ''), {hashed})"
    # Numbered by source, then key and values (NULLs last on both engines): the same ids on
    # DuckDB and Spark, whatever order the files were read in. Rows equal in all of these are
    # interchangeable.
    order = ", ".join(f"{c} ASC NULLS LAST" for c in ("source_no", "source_key", *TEXT_COLUMNS))
    cleaned = (
        f"SELECT row_number() OVER (ORDER BY {order}) AS unique_id, *, "
        f"{name} AS n0, {f.bracketed_place('h_name', d)} AS nb, "
        f"{f.cleaned_address('h_address', d)} AS a0, {f.person_name('h_rep', d)} AS rep, "
        f"{f.phone_digits('h_phone', d)} AS digits, {f.identifier_text('h_code', d)} AS code_raw "
        f"FROM (SELECT source_no, source_dataset, {key} AS source_key, {', '.join(TEXT_COLUMNS)}, "
        f"{widths} FROM ({raw}) AS raw_rows) AS keyed"
    )
    stage_0 = f"SELECT {', '.join((*STAGE_0, 'a0', 'digits'))} FROM ({cleaned}) AS numbered"
    valid = (
        f"SELECT code_raw AS code FROM (SELECT DISTINCT code_raw FROM stage_0 "
        f"WHERE code_raw IS NOT NULL) AS distinct_codes "
        f"WHERE {f.identifier('code_raw', kind, d)} IS NOT NULL"
    )
    parts = f.name_parts("n0", "nb", d)
    company = (
        f", {parts['city']} AS name_city, {parts['rest']} AS rest"
        if kind is Kind.LEGAL_ENTITY
        else ", n0 AS name_core, '' AS name_branch, left(n0, 1) AS name_head"
    )
    kept = ", ".join(f"s.{c}" for c in STAGE_0)
    features = (
        f"SELECT {kept}, {f.phone('digits', area_code, d)} AS phone, "
        f"v.code, {f.address_tokens('a0', d)} AS addr_tokens, "
        f"{f.address_key('a0', d)} AS addr_key{company} "
        f"FROM stage_0 s LEFT JOIN valid_identifiers v ON v.code = s.code_raw"
    )
    if kind is Kind.PERSON:
        return [("stage_0", stage_0), ("valid_identifiers", valid), ("records", features)]
    branch = f.branch_parts("rest", d)
    with_branch = (
        f"SELECT *, {branch['branch']} AS name_branch, {branch['head']} AS head FROM stage_1"
    )
    form = f.form_parts("head", d)
    with_form = (
        f"SELECT *, {form['form']} AS form, {form['core']} AS name_core "
        f"FROM ({with_branch}) AS branched"
    )
    industry = f.industry_parts("name_core", d)
    stage_1 = (*STAGE_0, "phone", "code", "addr_tokens", "addr_key", "name_city")
    names = (
        f"SELECT {', '.join(c for c in stage_1 if c not in ('n0', 'nb'))}, name_branch, "
        f"name_core, nullif(form, '') AS name_form, "
        f"left(name_core, 1) AS name_head, {industry['brand']} AS name_brand, "
        f"{industry['industry']} AS name_industry, "
        f"name_core || form || name_branch AS name_norm FROM ({with_form}) AS formed"
    )
    return [
        ("stage_0", stage_0),
        ("valid_identifiers", valid),
        ("stage_1", features),
        ("records", names),
    ]


def build_records(
    engine: LinkEngine | duckdb.DuckDBPyConnection,
    sources: Sequence[SourceFiles],
    kind: Kind,
    area_code: str = f.DEFAULT_AREA_CODE,
) -> list[str]:
    """Create ``records`` and one view per source; returns the view names."""
    engine = as_engine(engine)
    d = engine.dialect
    for i, source in enumerate(sources):
        if source.files:
            engine.source(f"source_{i}", source.files)
    stages = _stages(sources, kind, area_code, d)
    for table, sql in stages:
        engine.create(table, sql)
    for table, _ in stages[:-1]:
        engine.drop(table)
    views = []
    for i, source in enumerate(sources):
        view = f"records_{i}"
        engine.view(
            view, f"SELECT * FROM records WHERE source_dataset = {d.literal(source.dataset)}"
        )
        views.append(view)
    return views
