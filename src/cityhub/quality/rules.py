"""The rule set of a dataset as data: pydantic models of the JSON shape, and their checks.

The shape (``docs/quality.md``)::

    {"rules": [{"id": "credit_code_valid", "kind": "identifier", "column": "统一社会信用代码",
                "params": {"kind": "credit_code"}, "blocking": true, "description": "…"}],
     "cleaning": [{"column": "统一社会信用代码", "steps": ["trim", "halfwidth", "upper"]}]}

``RuleSet.model_validate`` checks what can be checked without the catalogue (kinds, params,
regular expressions, the SQL sandbox); ``cityhub.quality.rulesets`` checks the rest against the
dataset (columns, types, referenced datasets). Errors name their place as
``rules[2].params.pattern``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import Annotated, Any, Literal

import duckdb
import sqlglot
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    StrictFloat,
    StrictInt,
    StrictStr,
    ValidationError,
    field_validator,
    model_validator,
)
from pydantic_core import ErrorDetails
from sqlglot import exp

from cityhub.errors import InvalidInput, QueryRefused
from cityhub.quality.sqltext import first_line, literal, scratch
from cityhub.query.sqlcheck import check_select
from cityhub.registry.normalise import STEPS
from cityhub.registry.validators import KINDS

RULE_ID = r"^[A-Za-z0-9_][A-Za-z0-9_.-]{0,63}$"
PREDICATE_TABLE = "data"  # the one table a custom predicate sees: the row under check


class RuleKind(StrEnum):
    """The kinds of rule a dataset can declare."""

    NOT_NULL = "not_null"
    UNIQUE = "unique"
    RANGE = "range"
    REGEX = "regex"
    ENUM = "enum"
    REFERENCE = "reference"
    IDENTIFIER = "identifier"
    SQL = "sql"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class NoParams(_Strict):
    """``not_null`` and ``unique`` take no parameters."""


Bound = StrictInt | StrictFloat | StrictStr  # a number, or ISO text for date columns


class RangeParams(_Strict):
    """Inclusive bounds; either may be left out."""

    min: Bound | None = None
    max: Bound | None = None

    @model_validator(mode="after")
    def _one_bound(self) -> RangeParams:
        if self.min is None and self.max is None:
            raise ValueError("give min, max or both")
        return self


class RegexParams(_Strict):
    """A regular expression (RE2 syntax) that the whole value must match."""

    pattern: str = Field(min_length=1, max_length=1000)

    @field_validator("pattern")
    @classmethod
    def _compiles(cls, pattern: str) -> str:
        with scratch() as duck:
            try:
                duck.execute(f"SELECT regexp_full_match('', {literal(pattern)})")
            except duckdb.Error as exc:
                raise ValueError(f"not a valid regular expression ({first_line(exc)})") from None
        return pattern


class EnumParams(_Strict):
    """The allowed values."""

    values: list[Bound] = Field(min_length=1, max_length=10_000)


class ReferenceParams(_Strict):
    """A column of another dataset that must hold the value."""

    dataset: str = Field(min_length=1, max_length=100)
    column: str = Field(min_length=1, max_length=64)


class IdentifierParams(_Strict):
    """One of the identifier kinds of ``cityhub.registry.validators``."""

    kind: str

    @field_validator("kind")
    @classmethod
    def _known(cls, kind: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"unknown identifier kind {kind!r}; one of {', '.join(KINDS)}")
        return kind


class SqlParams(_Strict):
    """A boolean SQL expression over the row's columns, checked by the SQL sandbox."""

    predicate: str = Field(min_length=1, max_length=4000)

    @field_validator("predicate")
    @classmethod
    def _sandboxed(cls, predicate: str) -> str:
        predicate_sql(predicate)
        return predicate


def predicate_sql(predicate: str) -> str:
    """The DuckDB SQL of a custom predicate, as the sandbox generated it; ValueError if refused.

    The predicate is checked as ``SELECT (<predicate>) FROM data`` with only ``data`` mapped,
    then must be one expression with no subquery, aggregate or window: it judges one row.
    """
    try:
        checked = check_select(
            f"SELECT ({predicate}) FROM {PREDICATE_TABLE}",
            tables={PREDICATE_TABLE: PREDICATE_TABLE},
        )
    except QueryRefused as exc:
        raise ValueError(f"refused by the SQL sandbox: {exc.message}") from None
    select = sqlglot.parse_one(checked.sql, read="duckdb")
    expressions = select.expressions if isinstance(select, exp.Select) else []
    if len(expressions) != 1:
        raise ValueError("give one boolean expression")
    expression = expressions[0]
    expected = (
        f"SELECT {expression.sql(dialect='duckdb')} FROM {PREDICATE_TABLE} AS {PREDICATE_TABLE}"
    )
    if checked.sql != expected:
        raise ValueError("give one boolean expression over the row's columns")
    for node in expression.walk():
        if isinstance(node, (exp.Select, exp.Subquery, exp.Table)):
            raise ValueError("subqueries are not allowed: a predicate judges one row")
        if isinstance(node, (exp.AggFunc, exp.Window)):
            raise ValueError(
                "aggregates and window functions are not allowed: a predicate judges one row"
            )
    return str(expression.sql(dialect="duckdb"))


class _Rule(_Strict):
    id: str = Field(pattern=RULE_ID)
    column: str = Field(min_length=1, max_length=64)
    blocking: bool = False
    description: str = Field(default="", max_length=500)


class NotNullRule(_Rule):
    """The value must be present."""

    kind: Literal[RuleKind.NOT_NULL]
    params: NoParams = NoParams()


class UniqueRule(_Rule):
    """No two rows (of the version, or of the upload and the rows it is appended to) share it."""

    kind: Literal[RuleKind.UNIQUE]
    params: NoParams = NoParams()


class RangeRule(_Rule):
    """The value lies within ``min`` and ``max`` (numbers, dates, timestamps)."""

    kind: Literal[RuleKind.RANGE]
    params: RangeParams


class RegexRule(_Rule):
    """The whole value matches ``pattern``."""

    kind: Literal[RuleKind.REGEX]
    params: RegexParams


class EnumRule(_Rule):
    """The value is one of ``values``."""

    kind: Literal[RuleKind.ENUM]
    params: EnumParams


class ReferenceRule(_Rule):
    """The value exists in ``column`` of the newest version of ``dataset``."""

    kind: Literal[RuleKind.REFERENCE]
    params: ReferenceParams


class IdentifierRule(_Rule):
    """The value is a valid identifier of ``kind`` (ID number, credit code, region code …)."""

    kind: Literal[RuleKind.IDENTIFIER]
    params: IdentifierParams


class SqlRule(_Rule):
    """The row satisfies ``predicate``; ``column`` (optional) is where examples come from."""

    kind: Literal[RuleKind.SQL]
    column: str | None = Field(default=None, min_length=1, max_length=64)  # type: ignore[assignment]
    params: SqlParams


Rule = Annotated[
    NotNullRule
    | UniqueRule
    | RangeRule
    | RegexRule
    | EnumRule
    | ReferenceRule
    | IdentifierRule
    | SqlRule,
    Field(discriminator="kind"),
]


class CleaningStep(_Strict):
    """Normalising steps for one text column, run in order before the rules."""

    column: str = Field(min_length=1, max_length=64)
    steps: list[str] = Field(min_length=1, max_length=10)

    @field_validator("steps")
    @classmethod
    def _known_steps(cls, steps: list[str]) -> list[str]:
        unknown = [s for s in steps if s not in STEPS]
        if unknown:
            raise ValueError(f"unknown step {unknown[0]!r}; one of {', '.join(STEPS)}")
        return steps


class RuleSet(_Strict):
    """A dataset's quality rules and cleaning steps.

    >>> RuleSet.model_validate({"rules": [{"id": "r1", "kind": "not_null", "column": "名称"}]})
    RuleSet(rules=[NotNullRule(id='r1', ...)], cleaning=[])
    """

    rules: list[Rule] = Field(default_factory=list, max_length=200)
    cleaning: list[CleaningStep] = Field(default_factory=list, max_length=200)

    @model_validator(mode="after")
    def _distinct(self) -> RuleSet:
        ids = [rule.id for rule in self.rules]
        twice = sorted({i for i in ids if ids.count(i) > 1})
        if twice:
            raise ValueError(f"rule ids must be distinct; repeated: {', '.join(twice)}")
        columns = [step.column for step in self.cleaning]
        twice = sorted({c for c in columns if columns.count(c) > 1})
        if twice:
            raise ValueError(f"one cleaning entry per column; repeated: {', '.join(twice)}")
        return self

    @property
    def empty(self) -> bool:
        """Whether there is nothing to do: no rules and no cleaning."""
        return not self.rules and not self.cleaning

    def steps_for(self, column: str) -> list[str]:
        """The cleaning steps of ``column`` (none: empty)."""
        return next((c.steps for c in self.cleaning if c.column == column), [])

    def as_json(self) -> dict[str, Any]:
        """The rule set in its stored JSON shape."""
        return self.model_dump(mode="json", exclude_none=True)


def location(loc: tuple[int | str, ...]) -> str:
    """``('rules', 2, 'regex', 'params', 'pattern')`` as ``rules[2].params.pattern``.

    The discriminated union puts the rule's kind into the location; users never wrote it, so it
    is left out.
    """
    text = ""
    previous: int | str | None = None
    for part in loc:
        if isinstance(part, int):
            text += f"[{part}]"
        elif isinstance(previous, int) and part in RuleKind.__members__.values():
            pass
        else:
            text += f".{part}" if text else part
        previous = part
    return text or "(rule set)"


def _message(error: ErrorDetails) -> str:
    kind = error["type"]
    if kind == "union_tag_invalid":
        tag = (error.get("ctx") or {}).get("tag", "")
        return f"unknown rule kind {tag!r}; one of {', '.join(RuleKind)}"
    if kind == "union_tag_not_found":
        return f"give the rule's kind, one of {', '.join(RuleKind)}"
    if kind == "missing":
        return "required"
    if kind == "extra_forbidden":
        return "not a field of this rule"
    return error["msg"].removeprefix("Value error, ")


def errors_of(exc: ValidationError) -> list[dict[str, str]]:
    """A pydantic error as ``[{"location": "rules[2].params.pattern", "message": "…"}]``."""
    found = []
    for error in exc.errors():
        where = location(error["loc"])
        if error["type"].startswith("union_tag"):  # reported on the rule; it is about its kind
            where += ".kind"
        found.append({"location": where, "message": _message(error)})
    return found


def refuse(errors: list[dict[str, str]]) -> InvalidInput:
    """One ``InvalidInput`` naming every problem (the first in the message)."""
    first = f"{errors[0]['location']}: {errors[0]['message']}"
    more = f" (and {len(errors) - 1} more)" if len(errors) > 1 else ""
    return InvalidInput(f"the rule set is not valid: {first}{more}", details={"errors": errors})


def parse_ruleset(data: RuleSet | dict[str, Any]) -> RuleSet:
    """A ``RuleSet`` from its JSON shape; ``InvalidInput`` lists every problem with its place."""
    if isinstance(data, RuleSet):
        return data
    if not isinstance(data, dict):
        raise refuse([{"location": "(rule set)", "message": "give a JSON object"}])
    try:
        return RuleSet.model_validate(data)
    except ValidationError as exc:
        raise refuse(errors_of(exc)) from None
