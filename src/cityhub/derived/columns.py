"""The columns of a derived dataset: names, types, labels and personal-data flags.

Types come from the query's Arrow result. Labels and personal flags come from the source
columns each output column is made from, traced with sqlglot's column lineage
(``sqlglot.lineage``) over the SQL the sandbox generated:

- an output column that *is* a source column (``SELECT "法定代表人"``, through any number of
  CTEs, subqueries, aliases and UNION branches) takes that column's label and personal class;
- an output column *computed* from a personal column (``upper("姓名")``, ``"姓名" || "手机号"``,
  ``CAST("身份证号" AS BIGINT)``) is personal too, of class ``other`` (fully masked for other
  departments): a function of personal data can still be personal data;
- only counting (``count(x)``, ``count(DISTINCT x)``, ``approx_count_distinct(x)``) makes a
  personal column harmless; ``min``/``max``/``string_agg`` return the values themselves.

When the lineage cannot be traced (a construct sqlglot does not follow), a column whose name is
the name of a personal source column keeps that column's class: same-name matching is the
fallback, and is documented as weaker (``SELECT "姓名" AS n`` escapes it).
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterable
from dataclasses import dataclass

import pyarrow as pa
import sqlglot
from sqlglot import exp
from sqlglot.errors import SqlglotError
from sqlglot.lineage import Node, to_node
from sqlglot.optimizer.qualify import qualify
from sqlglot.optimizer.scope import build_scope
from sqlglot.schema import ensure_schema

from cityhub.catalog import ColumnType, DatasetColumn, PersonalKind
from cityhub.errors import InvalidInput
from cityhub.pool.infer import arrow_type
from cityhub.pool.service import Readable, SandboxedQuery

log = logging.getLogger(__name__)

DIALECT = "duckdb"
MAX_NAME = 64  # dataset_columns.name
COUNTING = (exp.Count, exp.ApproxDistinct)
# DuckDB result types that map to a column type (the same ones ``column_type`` accepts in Arrow).
_SUPPORTED = re.compile(
    r"(BOOLEAN|U?(TINYINT|SMALLINT|INTEGER|BIGINT|HUGEINT)|DECIMAL\(\d+, ?\d+\)|FLOAT|REAL|DOUBLE"
    r'|DATE|TIMESTAMP(_S|_MS|_NS| WITH TIME ZONE)?|VARCHAR|"NULL")\Z'
)
SQL_TYPES = {
    ColumnType.STRING: "VARCHAR",
    ColumnType.INTEGER: "BIGINT",
    ColumnType.FLOAT: "DOUBLE",
    ColumnType.BOOLEAN: "BOOLEAN",
    ColumnType.DATE: "DATE",
    ColumnType.TIMESTAMP: "TIMESTAMP",
    ColumnType.GEOMETRY: "VARCHAR",
}


@dataclass(frozen=True)
class OutputColumn:
    """A column of the derived dataset as the query makes it."""

    name: str
    type: ColumnType
    label: str
    personal: PersonalKind | None
    origin: tuple[str, str] | None  # (source dataset, column) it is a copy of, if it is one


@dataclass(frozen=True)
class _Trace:
    """Where one output column comes from: source columns, and whether it is a plain copy."""

    leaves: tuple[tuple[str, str], ...]  # (relation name, column name), sqlglot-normalised
    direct: bool
    counted: bool  # every path to the sources goes through a count


def column_type(name: str, arrow: pa.DataType) -> ColumnType:
    """The logical type that stores an Arrow result column, or a refusal naming the column."""
    if pa.types.is_integer(arrow) or (pa.types.is_decimal(arrow) and arrow.scale == 0):
        return ColumnType.INTEGER  # DuckDB's sum() of integers is a DECIMAL(38,0)
    if pa.types.is_floating(arrow) or pa.types.is_decimal(arrow):
        return ColumnType.FLOAT
    if pa.types.is_boolean(arrow):
        return ColumnType.BOOLEAN
    if pa.types.is_date(arrow):
        return ColumnType.DATE
    if pa.types.is_timestamp(arrow):
        return ColumnType.TIMESTAMP
    if (
        pa.types.is_string(arrow)
        or pa.types.is_large_string(arrow)
        or pa.types.is_string_view(arrow)
        or pa.types.is_null(arrow)
    ):
        return ColumnType.STRING
    raise InvalidInput(
        f"column {name!r} has type {arrow}, which a dataset cannot hold; "
        f"cast it, e.g. CAST(... AS VARCHAR)",
        details={"column": name, "type": str(arrow)},
    )


def check_described(described: list[tuple[str, str]]) -> None:
    """Refuse, before anything runs, a result (DuckDB ``DESCRIBE``) a dataset cannot hold."""
    check_names([name for name, _ in described])
    for name, duckdb_type in described:
        if not _SUPPORTED.match(duckdb_type):
            raise InvalidInput(
                f"column {name!r} has type {duckdb_type}, which a dataset cannot hold; "
                "cast it, e.g. CAST(... AS VARCHAR)",
                details={"column": name, "type": duckdb_type},
            )


def check_names(names: list[str]) -> None:
    """Refuse result column names a dataset cannot have: empty, too long, or twice."""
    seen: dict[str, str] = {}
    for name in names:
        if not name.strip() or len(name) > MAX_NAME:
            raise InvalidInput(
                f"column name {name!r} must have 1 to {MAX_NAME} characters; rename it with AS",
                details={"column": name},
            )
        folded = name.lower()  # DuckDB names are case-insensitive: "ID" and "id" clash
        if folded in seen:
            raise InvalidInput(
                f"the query returns two columns named {name!r}; give them distinct names with AS",
                details={"column": name, "other": seen[folded]},
            )
        seen[folded] = name


def plan_columns(query: SandboxedQuery, schema: pa.Schema) -> list[OutputColumn]:
    """The derived dataset's columns for a query's result schema."""
    check_names(schema.names)
    types = [column_type(f.name, f.type) for f in schema]
    traces = _traces(query, len(schema))
    by_relation = {s.relation.name: s for s in query.sources}
    columns = []
    for field, kind, trace in zip(schema, types, traces, strict=True):
        if trace is None:
            columns.append(_by_name(field.name, kind, query.sources))
        else:
            columns.append(_traced(field.name, kind, trace, by_relation))
    return columns


def arrow_schema(columns: list[OutputColumn]) -> pa.Schema:
    """The Arrow schema the derived dataset's Parquet files are written with."""
    return pa.schema(
        [
            pa.field(c.name, arrow_type(c.type), metadata={"label": c.label.encode()})
            for c in columns
        ]
    )


def _source_column(source: Readable, name: str) -> DatasetColumn | None:
    folded = name.lower()
    return next((c for c in source.dataset.columns if c.name.lower() == folded), None)


def _traced(
    name: str, kind: ColumnType, trace: _Trace, by_relation: dict[str, Readable]
) -> OutputColumn:
    found = [
        (by_relation[relation], column)
        for relation, column in trace.leaves
        if relation in by_relation
    ]
    columns = [(s, _source_column(s, c)) for s, c in found]
    personal = {PersonalKind(c.personal) for _, c in columns if c is not None and c.personal}
    if trace.direct and len(columns) == 1 and columns[0][1] is not None:
        source, column = columns[0]
        assert column is not None
        carried = column.type if column.type == ColumnType.GEOMETRY.value else kind
        return OutputColumn(
            name,
            ColumnType(carried),
            column.label,
            PersonalKind(column.personal) if column.personal else None,
            (source.dataset.name, column.name),
        )
    if not personal or trace.counted:
        return OutputColumn(name, kind, name, None, None)
    same = next(iter(personal)) if trace.direct and len(personal) == 1 else PersonalKind.OTHER
    return OutputColumn(name, kind, name, same, None)


def _by_name(name: str, kind: ColumnType, sources: Iterable[Readable]) -> OutputColumn:
    matches = [(s, c) for s in sources if (c := _source_column(s, name)) is not None]
    personal = {PersonalKind(c.personal) for _, c in matches if c.personal}
    label = matches[0][1].label if matches else name
    if not personal:
        return OutputColumn(name, kind, label, None, None)
    chosen = next(iter(personal)) if len(personal) == 1 else PersonalKind.OTHER
    return OutputColumn(name, kind, label, chosen, None)


def _traces(query: SandboxedQuery, width: int) -> list[_Trace | None]:
    """The lineage of every output column, or Nones where sqlglot cannot follow the query."""
    schema = ensure_schema(
        {
            source.relation.name: {name: SQL_TYPES[t] for name, t in source.types.items()}
            for source in query.sources
        },
        dialect=DIALECT,
    )
    try:
        tree = qualify(
            sqlglot.parse_one(query.sql, read=DIALECT),
            schema=schema,
            dialect=DIALECT,
            validate_qualify_columns=False,
            identify=False,
        )
        scope = build_scope(tree)
        if scope is None or not isinstance(scope.expression, exp.Query):
            return [None] * width
        if len(scope.expression.selects) != width:
            return [None] * width  # e.g. SELECT * EXCLUDE, COLUMNS(...): names decide instead
        return [_trace(to_node(i, scope, DIALECT, schema)) for i in range(width)]
    except (SqlglotError, KeyError, ValueError, RecursionError) as exc:
        log.info("lineage not traced, falling back to column names: %s", exc)
        return [None] * width


def _trace(node: Node) -> _Trace:
    if not node.downstream:
        if isinstance(node.expression, exp.Table):
            column = exp.to_column(node.name, dialect=DIALECT).name
            return _Trace(((node.expression.name, column),), direct=True, counted=False)
        return _Trace((), direct=False, counted=False)  # a literal
    children = [_trace(child) for child in node.downstream]
    inner = node.expression.unalias() if isinstance(node.expression, exp.Alias) else node.expression
    plain = isinstance(inner, exp.Column)
    leaves = tuple(leaf for child in children for leaf in child.leaves)
    with_sources = [child for child in children if child.leaves]
    return _Trace(
        leaves,
        direct=plain and all(child.direct for child in with_sources),
        counted=_only_counted(inner)
        or (bool(with_sources) and all(c.counted for c in with_sources)),
    )


def _only_counted(expression: exp.Expr) -> bool:
    """Whether every column the expression reads is inside a count."""
    columns = list(expression.find_all(exp.Column))
    return bool(columns) and all(_inside_count(column, expression) for column in columns)


def _inside_count(column: exp.Expr, top: exp.Expr) -> bool:
    node = column.parent
    while node is not None:
        if isinstance(node, COUNTING):
            return True
        if node is top:
            return False
        node = node.parent
    return False
