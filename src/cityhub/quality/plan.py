"""A rule set compiled into DuckDB SQL over Parquet files: one boolean per rule and row.

Every rule becomes an expression that is TRUE when a row passes, never NULL: an empty value
passes every rule except ``not_null``. Cleaning steps come first and every rule sees the cleaned
values. ``unique`` and ``reference`` read a set once (duplicated values; the referenced
column) and test membership with a hash join, so the rows are scanned once whatever the rules.

Three queries share the same pass expressions:

- ``stats_sql``: per rule the failures and up to five example values, in one pass;
- ``admitted_sql``: the cleaned rows that pass every blocking rule (what an ingest stores);
- ``failures_sql``: the rows that fail a blocking rule, with their data row numbers.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

from cityhub.catalog import ColumnType
from cityhub.pool.engine import quote
from cityhub.quality.rules import (
    EnumRule,
    IdentifierRule,
    NotNullRule,
    RangeRule,
    ReferenceRule,
    RegexRule,
    Rule,
    RuleSet,
    SqlRule,
    UniqueRule,
    predicate_sql,
)
from cityhub.quality.sqltext import TEXT, literal, typed
from cityhub.registry.sql import normalise_sql, valid_sql

EXAMPLES = 5
ROW = "__q_row"  # data row number (1-based) in failures_sql
_FILE = "__q_file"
_POSITION = "file_row_number"  # DuckDB's name; read_parquet cannot rename it


@dataclass(frozen=True)
class Reference:
    """Where a reference rule looks: the newest version of another dataset, resolved."""

    dataset: str
    column: str
    files: tuple[str, ...]
    type: ColumnType | None  # None: that version has no such column
    readable: bool = True  # whether the owner department may still read it


@dataclass(frozen=True)
class Target:
    """The rows under check: Parquet files and their column types (in order).

    ``context`` are files of rows already stored that ``unique`` compares with (the version an
    upload is appended to), with the columns they hold.
    """

    files: tuple[str, ...]
    types: dict[str, ColumnType]
    context: tuple[str, ...] = ()
    context_columns: frozenset[str] = frozenset()


@dataclass(frozen=True)
class Check:
    """One rule as SQL: its pass expression, or why it was skipped."""

    rule: Rule
    passes: str | None
    skipped: str | None = None

    @property
    def column(self) -> str | None:
        """The column the rule is about (None for a row-level SQL predicate)."""
        return self.rule.column


def _source(files: Sequence[str], *, positions: bool = False) -> str:
    listed = ", ".join(literal(f) for f in files)
    extra = f", filename={literal(_FILE)}, file_row_number=true" if positions else ""
    return f"read_parquet([{listed}], union_by_name=true{extra})"


@dataclass
class Plan:
    """A rule set over a target, ready to run."""

    ruleset: RuleSet
    target: Target
    references: dict[str, Reference] = field(default_factory=dict)
    # Columns with few distinct values: their costly checks run once per value (see ``tune``).
    by_value: frozenset[str] = frozenset()
    # Identifier checks decided outside SQL (``quality.vectorised``): rule index → a Parquet
    # file (under the engine's root) of the distinct failing cleaned values, column ``v``.
    failing: dict[int, str] = field(default_factory=dict)
    # ``unique`` rules whose repeated hashes were found outside SQL: rule index → a Parquet file
    # of the hashes that occur more than once, column ``h``, of the type the engine's ``hash``
    # gives (DuckDB: UBIGINT; Spark: a non-negative BIGINT, ``pool.spark.dialect``).
    repeated: dict[int, str] = field(default_factory=dict)
    checks: list[Check] = field(init=False)
    sets: list[str] = field(init=False)
    notes: list[str] = field(init=False)

    def __post_init__(self) -> None:
        self.sets, self.notes = [], []
        self.cleaned = {name: self._clean(name) for name in self.target.types}
        self.missing = sorted(
            {r.column for r in self.ruleset.rules if r.column and r.column not in self.target.types}
        )
        for name in self.missing:
            self.notes.append(f"column {name!r} is not in the data: every row counts as empty")
        self.checks = [self._check(i, rule) for i, rule in enumerate(self.ruleset.rules)]

    # -- building blocks -------------------------------------------------------------------

    def _clean(self, name: str) -> str:
        steps = self.ruleset.steps_for(name)
        raw = quote(name)
        if not steps or self.target.types[name] not in TEXT:
            return raw
        expression = raw
        for step in steps:
            expression = normalise_sql(step, expression)
        # A value that a step cannot normalise (say a date it cannot read) stays as it was,
        # so that a rule can still catch it: cleaning never turns a value into NULL.
        return f"coalesce({expression}, {raw})"

    def _type(self, column: str) -> ColumnType:
        return self.target.types.get(column, ColumnType.STRING)

    def _text(self, column: str) -> str:
        ref = f"data.{quote(column)}"
        return ref if self._type(column) in TEXT else f"CAST({ref} AS VARCHAR)"

    def _check(self, index: int, rule: Rule) -> Check:
        column = rule.column
        ref = f"data.{quote(column)}" if column else ""
        if isinstance(rule, NotNullRule):
            return Check(rule, f"({ref} IS NOT NULL)")
        if isinstance(rule, UniqueRule):
            return Check(rule, self._unique(index, rule))
        if isinstance(rule, ReferenceRule):
            return self._reference(index, rule)
        if index in self.failing and column in self.target.types:
            return Check(rule, self._precomputed(index, column))
        if column in self.by_value and isinstance(rule, (RegexRule, IdentifierRule)):
            return Check(rule, self._by_value(index, rule))
        test = self._test(rule, ref)
        return Check(rule, f"coalesce({test}, true)")

    def _precomputed(self, index: int, column: str) -> str:
        """Rows are matched to failing values found beforehand (as ``_by_value`` does)."""
        name = f"__q_f{index}"
        self.sets.append(
            f"{name} AS (SELECT v FROM {_source([self.failing[index]])} WHERE v IS NOT NULL)"
        )
        return _absent(f"data.{quote(column)}", name)

    def _by_value(self, index: int, rule: RegexRule | IdentifierRule) -> str:
        """The test run once per distinct value; rows are then matched to the failing values."""
        column = rule.column
        name = f"__q_b{index}"
        value = quote("v")
        text = value if self._type(column) in TEXT else f"CAST({value} AS VARCHAR)"
        test = self._test(rule, value, text=text)
        # min(v) … GROUP BY v, not DISTINCT: DuckDB pushes a filter on v below a DISTINCT (even
        # a MATERIALIZED one), which would run the test on every row again; on min(v) it cannot.
        values = (
            f"SELECT min(v) AS v FROM (SELECT {self.cleaned[column]} AS v "
            f"FROM {_source(self.target.files)}) GROUP BY v"
        )
        failing = f"v IS NOT NULL AND NOT coalesce({test}, true)"
        self.sets.append(f"{name} AS (SELECT v FROM ({values}) WHERE {failing})")
        return _absent(f"data.{quote(column)}", name)

    def _test(self, rule: Rule, ref: str, *, text: str | None = None) -> str:
        column = rule.column or ""
        text = text or (self._text(column) if column else "")
        if isinstance(rule, RangeRule):
            kind = self._type(column)
            bounds = (
                [f"{ref} >= {typed(rule.params.min, kind)}"] if rule.params.min is not None else []
            )
            if rule.params.max is not None:
                bounds.append(f"{ref} <= {typed(rule.params.max, kind)}")
            return f"({' AND '.join(bounds)})"
        if isinstance(rule, RegexRule):
            return f"regexp_full_match({text}, {literal(rule.params.pattern)})"
        if isinstance(rule, EnumRule):
            kind = self._type(column)
            values = ", ".join(typed(v, kind) for v in rule.params.values)
            return f"({ref} IN ({values}))"
        if isinstance(rule, IdentifierRule):
            return f"({valid_sql(rule.params.kind, text)})"
        assert isinstance(rule, SqlRule)
        return f"CAST(({predicate_sql(rule.params.predicate)}) AS BOOLEAN)"

    def _unique(self, index: int, rule: UniqueRule) -> str:
        """Duplicated values, found in two steps, then a hash set probed once per row.

        Grouping millions of mostly distinct strings is the costly part, so the first step
        groups their 64-bit hashes (about a third faster, measured) and the second groups only
        the rows whose hash occurs twice: the duplicates and the rare hash collisions. A window
        ``count(*) OVER (PARTITION BY v)`` was slower than either (docs/performance.md).
        ``quality.vectorised`` replaces the first step by a NumPy sort of the hashes (``repeated``).
        """
        column = rule.column
        if column not in self.target.types:
            return "true"
        clean = self.cleaned[column]
        sources = self._unique_sources(column)
        values = " UNION ALL ".join(
            f"SELECT {clean} AS v, {mine} AS mine FROM {_source(files)}" for files, mine in sources
        )
        twice = f"__q_h{index}"
        name = f"__q_u{index}"
        if index in self.repeated:  # found by sorting the hashes in NumPy (quality.vectorised)
            self.sets.append(f"{twice} AS (SELECT h FROM {_source([self.repeated[index]])})")
        else:
            hashes = self.hashes_sql(column)
            self.sets.append(
                f"{twice} AS (SELECT h FROM ({hashes}) GROUP BY h HAVING count(*) > 1)"
            )
        # ``mine``: the value occurs in the rows under check (the examples come from those).
        self.sets.append(
            f"{name} AS (SELECT v, bool_or(mine) AS mine FROM ({values}) "
            f"WHERE v IS NOT NULL AND hash(v) IN (SELECT h FROM {twice}) "
            "GROUP BY v HAVING count(*) > 1)"
        )
        return _absent(f"data.{quote(column)}", name)

    def _unique_sources(self, column: str) -> list[tuple[tuple[str, ...], str]]:
        """Files a ``unique`` rule compares, each with whether they are the rows under check."""
        sources = [(self.target.files, "true")]
        if self.target.context and column in self.target.context_columns:
            sources.append((self.target.context, "false"))
        return sources

    def hashes_sql(self, column: str) -> str:
        """The 64-bit hashes (``h``) of the cleaned non-empty values a ``unique`` rule compares."""
        clean = self.cleaned[column]
        return " UNION ALL ".join(
            f"SELECT hash(v) AS h FROM (SELECT {clean} AS v FROM {_source(files)}) "
            "WHERE v IS NOT NULL"
            for files, _ in self._unique_sources(column)
        )

    def _reference(self, index: int, rule: ReferenceRule) -> Check:
        target = self.references.get(rule.id)
        if target is None or not target.readable:
            return Check(rule, None, f"dataset {rule.params.dataset!r} cannot be read")
        if target.type is None:
            return Check(rule, None, f"dataset {target.dataset!r} has no column {target.column!r}")
        ref = f"data.{quote(rule.column)}"
        if not target.files:  # nothing to find a value in: every value fails
            return Check(rule, f"({ref} IS NULL)")
        name = f"__q_r{index}"
        same = target.type == self._type(rule.column)
        value = quote(target.column) if same else f"CAST({quote(target.column)} AS VARCHAR)"
        self.sets.append(
            f"{name} AS (SELECT {value} AS v FROM {_source(target.files)} "
            f"WHERE {quote(target.column)} IS NOT NULL)"
        )
        mine = ref if same else self._text(rule.column)
        # Not coalesce(…): NULL IN (an empty set) is false, not NULL.
        return Check(rule, f"({mine} IS NULL OR {mine} IN (SELECT v FROM {name}))")

    # -- queries ---------------------------------------------------------------------------

    def values_sql(self, column: str) -> str:
        """The cleaned values of one column of the target, in row order (``v``)."""
        return f"SELECT {self.cleaned[column]} AS v FROM {_source(self.target.files)}"

    @property
    def active(self) -> list[tuple[int, Check]]:
        """The checks that run, with their index in the rule set."""
        return [(i, c) for i, c in enumerate(self.checks) if c.passes is not None]

    def _data(self, *, positions: bool = False) -> str:
        columns = [f"{self.cleaned[n]} AS {quote(n)}" for n in self.target.types]
        columns += [f"CAST(NULL AS VARCHAR) AS {quote(n)}" for n in self.missing]
        if positions:
            columns += [quote(_FILE), quote(_POSITION)]
        return f"SELECT {', '.join(columns)} FROM {_source(self.target.files, positions=positions)}"

    def _checked(self, *, positions: bool = False) -> str:
        flags = [f"{c.passes} AS {_flag(i)}" for i, c in self.active]
        return (
            f"SELECT data.*{''.join(', ' + f for f in flags)} "
            f"FROM ({self._data(positions=positions)}) AS data"
        )

    def _with(self) -> str:
        return f"WITH {', '.join(self.sets)} " if self.sets else ""

    def _all(self, *, blocking_only: bool) -> str:
        flags = [_flag(i) for i, c in self.active if c.rule.blocking or not blocking_only]
        return " AND ".join(flags) if flags else "true"

    def stats_sql(self) -> str:
        """One row: rows, rows failing any rule, rows failing a blocking rule, then per active
        check its failures and examples (a list of text, at most ``EXAMPLES``)."""
        items = [
            "count(*)",
            f"count_if(NOT ({self._all(blocking_only=False)}))",
            f"count_if(NOT ({self._all(blocking_only=True)}))",
        ]
        for i, check in self.active:
            items.append(f"count_if(NOT {_flag(i)})")
            column = check.column
            if isinstance(check.rule, UniqueRule) and column in self.target.types:
                # From the set of duplicated values: distinct by construction, and small.
                items.append(
                    f"(SELECT list(v ORDER BY v) FROM (SELECT CAST(v AS VARCHAR) AS v "
                    f"FROM __q_u{i} WHERE mine ORDER BY 1 LIMIT {EXAMPLES}))"
                )
            elif column and not isinstance(check.rule, NotNullRule):
                # min(x, n) keeps the n smallest; twice as many, then distinct, for duplicates.
                # On the column's own type: a cast to text would run on every row, not on the
                # few examples (the aggregate's input is computed before FILTER applies).
                items.append(
                    f"CAST(list_sort(list_distinct(min(checked.{quote(column)}, {2 * EXAMPLES}) "
                    f"FILTER (WHERE NOT {_flag(i)})))[1:{EXAMPLES}] AS VARCHAR[])"
                )
            else:
                items.append("CAST([] AS VARCHAR[])")
        return f"{self._with()}SELECT {', '.join(items)} FROM ({self._checked()}) AS checked"

    def admitted_sql(self, *, row_numbers: bool = False) -> str:
        """The cleaned rows passing every blocking rule, in the target's columns."""
        columns = [f"checked.{quote(n)}" for n in self.target.types]
        if row_numbers:
            columns.insert(0, f"checked.{quote(_POSITION)} + 1 AS {quote(ROW)}")
        return (
            f"{self._with()}SELECT {', '.join(columns)} "
            f"FROM ({self._checked(positions=row_numbers)}) AS checked "
            f"WHERE {self._all(blocking_only=True)}"
        )

    def failures_sql(self, offsets: dict[str, int], *, every: bool = False) -> str:
        """Rows failing a blocking rule (``every``: all rows), numbered, cleaned, with each flag.

        ``offsets`` gives, per target file, how many data rows come before it.
        """
        cases = " ".join(f"WHEN {literal(f)} THEN {n}" for f, n in offsets.items())
        row = f"(CASE checked.{quote(_FILE)} {cases} END + checked.{quote(_POSITION)} + 1)"
        columns = [f"{row} AS {quote(ROW)}"]
        columns += [f"checked.{quote(n)}" for n in self.target.types]
        columns += [_flag(i) for i, _ in self.active]
        return (
            f"{self._with()}SELECT {', '.join(columns)} "
            f"FROM ({self._checked(positions=True)}) AS checked "
            + ("" if every else f"WHERE NOT ({self._all(blocking_only=True)}) ")
            + "ORDER BY 1"
        )


def _flag(index: int) -> str:
    return quote(f"__q_p{index}")


def _absent(ref: str, name: str) -> str:
    """TRUE when ``ref`` is empty or not among the values ``v`` of the set ``name`` (never NULL).

    Not ``ref NOT IN (…)``: NOT IN is NULL-aware (a NULL in the set turns every "not found"
    into NULL), which Spark can only plan as a nested-loop join, every row against every value
    (280-435 s for an identifier rule on 1M rows, 2.6 s now); ``IN`` is a plain equi-join, a
    hash join on both engines. The sets hold no NULLs and an empty ``ref`` is caught first, so
    ``IN`` is TRUE or FALSE here, as NOT IN was. The coalesce keeps the flag from being NULL
    should a NULL ever reach a set, and keeps the engines equal: as a value, Spark's
    ``x IN (subquery)`` is FALSE where DuckDB's is NULL (NULL x, or a NULL in the set).
    """
    return f"({ref} IS NULL OR NOT coalesce({ref} IN (SELECT v FROM {name}), false))"
