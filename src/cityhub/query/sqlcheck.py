"""The SQL sandbox's checker: one read-only SELECT over the datasets a caller may read.

CKAN's ``datastore_search_sql`` was broken again and again (CVE-2026-42031/42032) because its
validator and PostgreSQL disagreed about what a string meant. So the caller's string never reaches
DuckDB here:

1. parse it with sqlglot's DuckDB dialect and refuse anything but one query;
2. walk the tree against allowlists (``cityhub.query.functions``), rewriting every table
   reference to the relation the caller may read (``legal_entities`` → ``v_3 AS legal_entities``)
   and every CTE name to a fresh ``_cte_<n>``;
3. generate DuckDB SQL from the tree, then parse *that* string again and check it once more,
   because sqlglot's generator is not injective either: in sqlglot 30,
   ``CAST(x AS "varint) AS a, (SELECT s FROM secret) AS b, CAST(1 AS varint")`` parses as one
   cast but is generated as three select items, the second reading ``secret``.

Renaming CTEs means a scoping difference between this module and DuckDB cannot leak a table:
DuckDB resolves ``WITH secret AS (SELECT * FROM secret) ...`` inside the CTE to the catalogue
table ``secret``; here the inner name is looked up in the mapping (and refused), and any name
treated as a CTE is emitted as ``_cte_<n>``, which no catalogue holds. The connection that runs
the result should still be locked down (``enable_external_access = false``,
``lock_configuration = true``): this checker is one layer, not the only one.

Every refusal is a :class:`~cityhub.errors.QueryRefused` whose ``details`` carry a stable
``reason`` (a :class:`Reason` value) and the offending ``part``.
"""

from __future__ import annotations

import re
import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from enum import StrEnum
from typing import NoReturn

import sqlglot
from sqlglot import exp
from sqlglot.errors import ErrorLevel, ParseError, SqlglotError

from cityhub.errors import QueryRefused
from cityhub.query.functions import ALLOWED_ANONYMOUS, ALLOWED_NODES, FILE_READERS

DIALECT = "duckdb"
DEFAULT_MAX_LENGTH = 20_000
PART_LIMIT = 200  # a fragment in ``details`` only has to help the user find the spot

_ASCII_LOWER = str.maketrans(string.ascii_uppercase, string.ascii_lowercase)
# sqlglot emits Var text and numeric literals verbatim, so they must look like what they claim.
_KEYWORD = re.compile(r"[A-Za-z_][A-Za-z0-9_]*\Z")
_NUMBER = re.compile(r"(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?\Z")
# DuckDB reads a file for an unknown table name that looks like a path ("replacement scan"),
# quoted or not: SELECT * FROM 'x.csv' and SELECT * FROM "x.csv" are the same query.
_PATH_CHARACTERS = frozenset("./\\:*?")
_SOURCE_FUNCTIONS = (exp.Unnest, exp.Explode)  # the only functions allowed where a table goes


class Reason(StrEnum):
    """Why a query was refused: the stable ``details["reason"]`` of a ``QueryRefused``."""

    EMPTY = "empty"  # nothing but blanks, comments or semicolons
    TOO_LONG = "too_long"  # longer than ``max_length`` characters
    TOO_COMPLEX = "too_complex"  # nested too deeply for the parser
    PARSE_ERROR = "parse_error"  # not valid SQL for the DuckDB dialect
    MULTIPLE_STATEMENTS = "multiple_statements"  # more than one statement
    NOT_A_QUERY = "not_a_query"  # ATTACH, COPY, SET, PRAGMA, INSTALL, ... or an unparsed command
    SYNTAX_NOT_ALLOWED = "syntax_not_allowed"  # e.g. SELECT ... INTO, FOR UPDATE, VALUES, PIVOT
    PARAMETER = "parameter"  # a placeholder such as ? or $1
    FUNCTION_NOT_ALLOWED = "function_not_allowed"  # a function outside the allowlist
    TABLE_FUNCTION = "table_function"  # a function where a table goes: range(), duckdb_tables()
    FILE_ACCESS = "file_access"  # read_csv() and friends, or a path used as a table
    QUALIFIED_NAME = "qualified_name"  # main.x, information_schema.tables, pg_catalog.*
    UNKNOWN_TABLE = "unknown_table"  # not in the caller's mapping (whether it exists or not)
    REWRITE_MISMATCH = "rewrite_mismatch"  # the generated SQL does not re-check: refuse, not run


@dataclass(frozen=True)
class CheckedQuery:
    """A query that passed the checker: run ``sql``, never the text the caller sent.

    ``tables`` holds the keys of the caller's mapping that the query reads.

        >>> mapping = {"legal_entities": "v_3"}
        >>> checked = check_select("SELECT name FROM legal_entities", tables=mapping)
        >>> checked.sql, sorted(checked.tables)
        ('SELECT name FROM v_3 AS legal_entities', ['legal_entities'])
    """

    sql: str
    tables: frozenset[str]


def check_select(
    sql: str, *, tables: Mapping[str, str], max_length: int = DEFAULT_MAX_LENGTH
) -> CheckedQuery:
    """Check one SELECT and return the DuckDB SQL to run in its place, or raise ``QueryRefused``.

    ``tables`` maps each name the caller may read (a dataset slug or a resource id) to the SQL
    name of the relation to read instead, e.g. ``{"legal_entities": "v_3"}``. Unquoted names in
    the query match case-insensitively (ASCII only, like DuckDB); quoted names match exactly.
    A bad mapping is a programming error and raises ``ValueError``.
    """
    catalogue = _Catalogue(tables)
    try:
        statement = _parse(sql, max_length)
        rewriter = _Rewriter(catalogue, statement)
        rewriter.visit(statement)
        generated = _generate(statement)
        _verify(generated, catalogue.relations | {(name,) for name in rewriter.cte_names})
    except RecursionError:
        raise QueryRefused(
            "the query is nested too deeply",
            details={"reason": Reason.TOO_COMPLEX.value, "part": ""},
        ) from None
    return CheckedQuery(sql=generated, tables=frozenset(rewriter.read))


def _refuse(reason: Reason, message: str, part: str) -> NoReturn:
    raise QueryRefused(message, details={"reason": reason.value, "part": part[:PART_LIMIT]})


def _fold(name: str) -> str:
    """DuckDB's case folding for identifiers: ASCII letters only, so lookalikes stay distinct."""
    return name.translate(_ASCII_LOWER)


def _fragment(node: exp.Expr) -> str:
    try:
        return node.sql(dialect=DIALECT, comments=False)
    except SqlglotError:  # a refusal message must not fail on what it describes
        return node.key.upper()


def _parse(sql: str, max_length: int) -> exp.Expr:
    """The single statement in ``sql``, which must be a query."""
    if len(sql) > max_length:
        _refuse(Reason.TOO_LONG, f"the query is longer than {max_length} characters", sql[:40])
    if not sql.strip():
        _refuse(Reason.EMPTY, "the query is empty", "")
    try:  # JSON can carry a lone surrogate ("\ud800"); DuckDB would fail on it later
        sql.encode("utf-8")
    except UnicodeEncodeError as exc:
        _refuse(
            Reason.PARSE_ERROR, "the query is not valid Unicode text", repr(exc.object[exc.start])
        )
    try:
        parsed = sqlglot.parse(sql, read=DIALECT)
    except ParseError as exc:
        first = exc.errors[0] if exc.errors else {}
        where = f" at line {first['line']}, column {first['col']}" if "line" in first else ""
        message = f"could not parse the query{where}: {first.get('description', exc)}"
        raise QueryRefused(
            message,
            details={
                "reason": Reason.PARSE_ERROR.value,
                "part": str(first.get("highlight", ""))[:PART_LIMIT],
                **{key: first[key] for key in ("line", "col") if key in first},
            },
        ) from None
    except SqlglotError as exc:  # TokenError: an unterminated string or quoted name
        _refuse(Reason.PARSE_ERROR, f"could not parse the query: {exc}", "")
    # A comment after the last ';' comes back as an empty Semicolon "statement".
    statements = [s for s in parsed if s is not None and not isinstance(s, exp.Semicolon)]
    if not statements:
        _refuse(Reason.EMPTY, "the query is empty", "")
    if len(statements) > 1:
        _refuse(
            Reason.MULTIPLE_STATEMENTS,
            "send one statement at a time",
            _fragment(statements[1]),
        )
    statement = statements[0]
    if isinstance(statement, exp.Command):  # sqlglot keeps what it cannot parse as raw text
        _refuse(
            Reason.NOT_A_QUERY, f"only queries are allowed, not {statement.name}", statement.name
        )
    if not isinstance(statement, (exp.Select, exp.SetOperation, exp.Subquery)):
        keyword = (_fragment(statement).split(None, 1) or [statement.key.upper()])[0]
        if keyword.upper() == "WITH":  # WITH ... INSERT: name the statement, not its prefix
            keyword = statement.key.upper()
        _refuse(Reason.NOT_A_QUERY, f"only queries are allowed, not {keyword}", keyword)
    return statement


def _generate(statement: exp.Expr) -> str:
    """DuckDB SQL for the tree, without comments (they could hide text from a later reader)."""
    try:
        return statement.sql(dialect=DIALECT, comments=False, unsupported_level=ErrorLevel.RAISE)
    except SqlglotError as exc:  # sqlglot cannot say this in DuckDB SQL faithfully
        _refuse(Reason.SYNTAX_NOT_ALLOWED, f"not supported in the sandbox: {exc}", "")


class _Catalogue:
    """The caller's mapping, as lookups for quoted and for unquoted names."""

    def __init__(self, tables: Mapping[str, str]) -> None:
        self._exact: dict[str, tuple[str, exp.Table]] = {}
        self._folded: dict[str, tuple[str, exp.Table]] = {}
        for key, relation in tables.items():
            target = _relation(relation)
            clash = self._folded.get(_fold(key))
            if clash is not None:
                raise ValueError(f"table names {clash[0]!r} and {key!r} differ only in case")
            self._exact[key] = self._folded[_fold(key)] = (key, target)
        self.relations = frozenset(_relation_key(target) for _, target in self._exact.values())
        self.names = frozenset(_fold(part) for key in self.relations for part in key)

    def resolve(self, name: exp.Identifier) -> tuple[str, exp.Table]:
        """The mapping key and the target relation for a table name, or a refusal."""
        found = self._exact.get(name.name) if name.quoted else self._folded.get(_fold(name.name))
        if found is not None:
            return found
        if _PATH_CHARACTERS.intersection(name.name):
            _refuse(Reason.FILE_ACCESS, f"reading files is not allowed: {name.name}", name.name)
        # One message whether the table exists or is merely hidden: do not reveal which.
        _refuse(Reason.UNKNOWN_TABLE, f"no such table or not readable: {name.name}", name.name)


def _relation(relation: str) -> exp.Table:
    """Parse a mapping target such as ``v_3``, ``"res-3f2a"`` or ``main.v_3``."""
    try:
        table = sqlglot.parse_one(relation, into=exp.Table, read=DIALECT)
    except SqlglotError as exc:
        raise ValueError(f"not a relation name: {relation!r}") from exc
    extra = {key for key, value in table.args.items() if value} - {"this", "db", "catalog"}
    if not isinstance(table, exp.Table) or not isinstance(table.this, exp.Identifier) or extra:
        raise ValueError(f"not a relation name: {relation!r}")
    return table


def _relation_key(table: exp.Table) -> tuple[str, ...]:
    return tuple(_fold(part.name) for part in table.parts)


class _Rewriter:
    """One walk over a statement: check every node, point table references at their targets."""

    def __init__(self, catalogue: _Catalogue, statement: exp.Expr) -> None:
        self._catalogue = catalogue
        # Fresh CTE names must not collide with any name in the query or the mapping.
        self._taken = set(catalogue.names)
        self._taken.update(_fold(i.name) for i in statement.find_all(exp.Identifier))
        self.read: set[str] = set()
        self.cte_names: list[str] = []

    def visit(self, root: exp.Expr) -> None:
        """Check ``root`` and everything under it, rewriting table references in place.

        Iterative, not recursive: a filter of a thousand ORs is a tree a thousand levels deep.
        Each entry carries the CTEs visible there, as {folded user name: new name}.
        """
        stack: list[tuple[exp.Expr, Mapping[str, str]]] = [(root, {})]
        while stack:
            node, ctes = stack.pop()
            if isinstance(node, exp.Table):
                children = self._table(node, ctes)
            else:
                _check_node(node)
                with_ = node.args.get("with_")
                if isinstance(with_, exp.With):
                    ctes = self._with(with_, ctes, stack)
                children = [child for child in node.iter_expressions() if child is not with_]
            # reversed, so that the first violation in reading order is the one reported
            stack.extend((child, ctes) for child in reversed(children))

    def _with(
        self,
        with_: exp.With,
        outer: Mapping[str, str],
        stack: list[tuple[exp.Expr, Mapping[str, str]]],
    ) -> dict[str, str]:
        """Rename the CTEs of ``with_``, queue their bodies, return the scope of the query."""
        _check_node(with_)
        scope = dict(outer)
        for cte in with_.expressions:
            _check_node(cte)
            fresh = self._fresh()
            key = _fold(cte.alias)
            # A CTE sees the ones before it, and itself only in a recursive UNION: DuckDB reads
            # the catalogue table in `WITH secret AS (SELECT * FROM secret) ...`, RECURSIVE or not.
            recursive = with_.args.get("recursive") and isinstance(cte.this, exp.Union)
            body_scope = {**scope, key: fresh} if recursive else dict(scope)
            stack.extend(
                (child, body_scope)
                for child in cte.iter_expressions()
                if not isinstance(child, exp.TableAlias)
            )
            cte.args["alias"].set("this", exp.to_identifier(fresh))
            scope[key] = fresh
        return scope

    def _fresh(self) -> str:
        number = len(self.cte_names) + 1
        while f"_cte_{number}" in self._taken:
            number += 1
        name = f"_cte_{number}"
        self._taken.add(name)
        self.cte_names.append(name)
        return name

    def _table(self, table: exp.Table, ctes: Mapping[str, str]) -> list[exp.Expr]:
        """Point ``table`` at a CTE or a mapped relation; return the parts still to check."""
        source = table.this
        if isinstance(source, exp.Func):
            _refuse_function(source, table_position=True)
        if not isinstance(source, exp.Identifier):
            _refuse(Reason.SYNTAX_NOT_ALLOWED, "not allowed as a table", _fragment(table))
        if table.args.get("db") or table.args.get("catalog"):
            name = ".".join(part.name for part in table.parts)
            _refuse(Reason.QUALIFIED_NAME, f"name tables without schema or catalogue: {name}", name)
        fresh = ctes.get(_fold(source.name))
        if fresh is not None:
            _point(table, exp.Table(this=exp.to_identifier(fresh)), source)
        else:
            key, target = self._catalogue.resolve(source)
            self.read.add(key)
            _point(table, target, source)
        # alias, sample, joins, pivots, time travel ...: checked like any other node
        return [
            child
            for name, value in table.args.items()
            if name not in ("this", "db", "catalog")
            for child in (value if isinstance(value, list) else [value])
            if isinstance(child, exp.Expr)
        ]


def _point(table: exp.Table, target: exp.Table, source: exp.Identifier) -> None:
    """Make ``table`` read ``target``, aliased so that ``name.column`` still resolves."""
    alias = table.args.get("alias")
    if alias is None:
        table.set("alias", exp.TableAlias(this=source.copy()))
    elif not alias.name:  # only column aliases, as in FROM t(a, b)
        alias.set("this", source.copy())
    for part in ("this", "db", "catalog"):
        value = target.args.get(part)
        table.set(part, value.copy() if value is not None else None)


def _check_node(node: exp.Expr) -> None:
    """Refuse ``node`` unless its type is allowed; tables are checked by the caller."""
    kind = type(node)
    if kind in ALLOWED_NODES:
        if kind is exp.Var and not _KEYWORD.match(node.name):
            _refuse(Reason.SYNTAX_NOT_ALLOWED, f"not a keyword: {node.name}", node.name)
        if kind is exp.Literal and not node.is_string and not _NUMBER.match(node.name):
            _refuse(Reason.SYNTAX_NOT_ALLOWED, f"not a number: {node.name}", node.name)
        if kind is exp.DataType and node.this == exp.DataType.Type.USERDEFINED:
            # sqlglot drops the quotes of a type name it does not know and emits the text raw.
            _refuse(Reason.SYNTAX_NOT_ALLOWED, "unknown data type", _fragment(node))
        if isinstance(node, (exp.From, exp.Join, exp.Lateral)):
            source = node.this
            if isinstance(source, exp.Func) and not isinstance(source, _SOURCE_FUNCTIONS):
                _refuse_function(source, table_position=True)
        return
    if kind is exp.Anonymous and _fold(node.name) in ALLOWED_ANONYMOUS:
        return
    if isinstance(node, (exp.Placeholder, exp.Parameter)):
        _refuse(Reason.PARAMETER, "parameters are not supported", _fragment(node))
    if isinstance(node, exp.Command):
        _refuse(Reason.NOT_A_QUERY, f"only queries are allowed, not {node.name}", node.name)
    if isinstance(node, exp.Func):
        _refuse_function(node, table_position=False)
    _refuse(
        Reason.SYNTAX_NOT_ALLOWED,
        f"not allowed in the sandbox: {node.key.upper()}",
        _fragment(node) or node.key.upper(),
    )


def _refuse_function(node: exp.Func, *, table_position: bool) -> NoReturn:
    name = _fold(node.name if isinstance(node, exp.Anonymous) else node.sql_name())
    if name in FILE_READERS or name.startswith("read_"):
        _refuse(Reason.FILE_ACCESS, f"reading files is not allowed: {name}", name)
    if table_position:
        _refuse(Reason.TABLE_FUNCTION, f"table functions are not allowed: {name}", name)
    _refuse(Reason.FUNCTION_NOT_ALLOWED, f"function not allowed: {name}", name)


def _verify(sql: str, relations: Iterable[tuple[str, ...]]) -> None:
    """Re-check the generated SQL as a fresh parse sees it; refuse on any difference.

    It must parse back to one statement that regenerates to the same text, every node must pass
    the allowlists again, and every table must be one of ``relations`` (targets and new CTEs).
    """
    allowed = frozenset(relations)
    try:
        parsed = [s for s in sqlglot.parse(sql, read=DIALECT) if s is not None]
    except SqlglotError:
        parsed = []
    if len(parsed) != 1 or parsed[0].sql(dialect=DIALECT, comments=False) != sql:
        _refuse(Reason.REWRITE_MISMATCH, "the query could not be rewritten safely", sql)
    for node in parsed[0].walk():
        if isinstance(node, exp.Table):
            if not isinstance(node.this, exp.Identifier) or _relation_key(node) not in allowed:
                _refuse(Reason.REWRITE_MISMATCH, "the query could not be rewritten safely", sql)
        else:
            _check_node(node)
