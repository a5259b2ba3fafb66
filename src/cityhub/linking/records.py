"""The records table: every source's rows as matching features, in one DuckDB table.

Each source is a list of Parquet files and a mapping of its columns (name, address, legal
representative, phone, credit code or ID number, and the key that identifies a row). All sources
become one table ``records`` with a ``unique_id``, ``source_dataset`` and ``source_key``, the
raw text (for review pages) and the features of ``cityhub.linking.features``; one view per
source (``records_0`` …) is what Splink reads.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import duckdb

from cityhub.linking import features as f
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
    return '"' + identifier.replace('"', '""') + '"'


def _literal(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _text(column: str | None) -> str:
    return f"CAST({quote(column)} AS VARCHAR)" if column else "CAST(NULL AS VARCHAR)"


def _source_sql(source: SourceFiles) -> str:
    m = source.columns
    files = ", ".join(_literal(path) for path in source.files)
    reader = (
        f"read_parquet([{files}], union_by_name = true)"
        if source.files
        else f"(SELECT {', '.join(f'NULL AS {quote(c)}' for c in m.used())} WHERE false)"
    )
    return (
        f"SELECT {_literal(source.dataset)} AS source_dataset, {_text(m.key)} AS key_text, "
        f"{_text(m.name)} AS name_text, {_text(m.address)} AS address_text, "
        f"{_text(m.legal_rep)} AS rep_text, {_text(m.phone)} AS phone_text, "
        f"{_text(m.code)} AS code_text FROM {reader}"
    )


def _stages(sources: Sequence[SourceFiles], kind: Kind, area_code: str) -> list[tuple[str, str]]:
    """The tables that make ``records``, in order: (name, SELECT over the earlier ones).

    Each stage is materialised: DuckDB inlines a subquery's expression wherever its column is
    used, so an identifier checked character by character over a nested cleaning step would be
    cleaned again for every character. Identifiers are checked once per distinct value (the
    same code stands in several departments' rows).
    """
    raw = " UNION ALL ".join(_source_sql(s) for s in sources)
    widths = ", ".join(f"{f.halfwidth(c)} AS h_{c.removesuffix('_text')}" for c in TEXT_COLUMNS)
    name = f.cleaned_name("h_name") if kind is Kind.LEGAL_ENTITY else f.person_name("h_name")
    # A row without a key (or a source without a key column) is keyed by its values: stable as
    # long as the row is, so review decisions still find it in the next version.
    hashed = (
        "'h:' || left(md5(concat_ws(chr(31), "
        + ", ".join(f"coalesce({c}, '')" for c in TEXT_COLUMNS)
        + ")), 16)"
    )
    key = f"coalesce(nullif(trim(key_text), ''), {hashed})"
    cleaned = (
        f"SELECT row_number() OVER () AS unique_id, source_dataset, {key} AS source_key, "
        f"{', '.join(TEXT_COLUMNS)}, {name} AS n0, {f.bracketed_place('h_name')} AS nb, "
        f"{f.cleaned_address('h_address')} AS a0, {f.person_name('h_rep')} AS rep, "
        f"{f.phone_digits('h_phone')} AS digits, {f.identifier_text('h_code')} AS code_raw "
        f"FROM (SELECT *, {widths} FROM ({raw}))"
    )
    valid = (
        f"SELECT code_raw AS code FROM (SELECT DISTINCT code_raw FROM stage_0 "
        f"WHERE code_raw IS NOT NULL) WHERE {f.identifier('code_raw', kind)} IS NOT NULL"
    )
    parts = f.name_parts("n0", "nb")
    company = (
        f", {parts['city']} AS name_city, {parts['rest']} AS rest"
        if kind is Kind.LEGAL_ENTITY
        else ", n0 AS name_core, '' AS name_branch, left(n0, 1) AS name_head"
    )
    features = (
        f"SELECT s.* EXCLUDE (digits, a0), {f.phone('digits', area_code)} AS phone, "
        f"v.code, {f.address_tokens('a0')} AS addr_tokens, "
        f"{f.address_key('a0')} AS addr_key{company} "
        f"FROM stage_0 s LEFT JOIN valid_identifiers v ON v.code = s.code_raw"
    )
    if kind is Kind.PERSON:
        return [("stage_0", cleaned), ("valid_identifiers", valid), ("records", features)]
    branch = f.branch_parts("rest")
    with_branch = (
        f"SELECT *, {branch['branch']} AS name_branch, {branch['head']} AS head FROM stage_1"
    )
    form = f.form_parts("head")
    with_form = (
        f"SELECT *, {form['form']} AS form, {form['core']} AS name_core FROM ({with_branch})"
    )
    industry = f.industry_parts("name_core")
    names = (
        f"SELECT * EXCLUDE (n0, nb, rest, head, form), nullif(form, '') AS name_form, "
        f"left(name_core, 1) AS name_head, {industry['brand']} AS name_brand, "
        f"{industry['industry']} AS name_industry, "
        f"name_core || form || name_branch AS name_norm FROM ({with_form})"
    )
    return [
        ("stage_0", cleaned),
        ("valid_identifiers", valid),
        ("stage_1", features),
        ("records", names),
    ]


def build_records(
    con: duckdb.DuckDBPyConnection,
    sources: Sequence[SourceFiles],
    kind: Kind,
    area_code: str = f.DEFAULT_AREA_CODE,
) -> list[str]:
    """Create ``records`` and one view per source; returns the view names."""
    stages = _stages(sources, kind, area_code)
    for table, sql in stages:
        con.execute(f"CREATE OR REPLACE TABLE {table} AS {sql}")
    for table, _ in stages[:-1]:
        con.execute(f"DROP TABLE {table}")
    views = []
    for i, source in enumerate(sources):
        view = f"records_{i}"
        con.execute(
            f"CREATE OR REPLACE VIEW {view} AS SELECT * FROM records "
            f"WHERE source_dataset = {_literal(source.dataset)}"
        )
        views.append(view)
    return views
