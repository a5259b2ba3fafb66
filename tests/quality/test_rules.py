"""Each kind of rule on passing, failing and empty values, evaluated by DuckDB as at ingest."""

from __future__ import annotations

from datetime import date
from pathlib import Path
from typing import Any

import pyarrow as pa
import pyarrow.parquet as pq
import pytest

from cityhub.catalog import ColumnType
from cityhub.pool.engine import Engine
from cityhub.quality.evaluate import evaluate, failures, tune
from cityhub.quality.plan import Plan, Reference, Target
from cityhub.quality.rules import RuleSet
from tests.quality.conftest import credit_code, id_number, wrong_check

ID = id_number(123)
ID_BAD = wrong_check(ID)
CREDIT = credit_code(7)
CREDIT_BAD = wrong_check(CREDIT)
ARROW = {
    ColumnType.STRING: pa.string(),
    ColumnType.INTEGER: pa.int64(),
    ColumnType.FLOAT: pa.float64(),
    ColumnType.DATE: pa.date32(),
}


def judge(
    tmp_path: Path,
    rule: dict[str, Any],
    values: list[Any],
    kind: ColumnType = ColumnType.STRING,
    other: list[Any] | None = None,
    references: list[str | None] | None = None,
    by_value: bool = False,
) -> list[bool]:
    """Whether each value passes ``rule`` (on column ``v``; ``other`` is a second column)."""
    columns = {"v": pa.array(values, ARROW[kind])}
    types = {"v": kind}
    if other is not None:
        columns["other"] = pa.array(other, pa.int64())
        types["other"] = ColumnType.INTEGER
    file = tmp_path / "rows.parquet"
    pq.write_table(pa.table(columns), file)
    found: dict[str, Reference] = {}
    if references is not None:
        ref = tmp_path / "ref.parquet"
        pq.write_table(pa.table({"code": pa.array(references, pa.string())}), ref)
        found[rule["id"]] = Reference("legal", "code", (str(ref),), ColumnType.STRING)
    plan = Plan(
        RuleSet.model_validate({"rules": [rule | {"column": "v"}]}),
        Target((str(file),), types),
        found,
        frozenset({"v"}) if by_value else frozenset(),
    )
    engine = Engine(tmp_path, memory_limit="256MB", threads=1)
    try:
        verdicts = list(failures(engine, plan, {str(file): 0}, every=True))
        counted = evaluate(engine, plan)
    finally:
        engine.close()
    passed = [not v.reasons for v in verdicts]
    assert counted.outcomes[0].failed == passed.count(False)
    return passed


CASES: list[tuple[str, dict[str, Any], ColumnType, list[Any], list[bool]]] = [
    ("not_null", {"kind": "not_null"}, ColumnType.STRING, ["x", None], [True, False]),
    ("not_null int", {"kind": "not_null"}, ColumnType.INTEGER, [0, None], [True, False]),
    (
        "unique",
        {"kind": "unique"},
        ColumnType.STRING,
        ["a", "b", "a", None, None],
        [False, True, False, True, True],
    ),
    (
        "range",
        {"kind": "range", "params": {"min": 0, "max": 10}},
        ColumnType.INTEGER,
        [0, 10, 11, -1, None],
        [True, True, False, False, True],
    ),
    (
        "range min only",
        {"kind": "range", "params": {"min": 0.5}},
        ColumnType.FLOAT,
        [0.5, 0.4, None],
        [True, False, True],
    ),
    (
        "range of dates",
        {"kind": "range", "params": {"min": "2020-01-01", "max": "2020-12-31"}},
        ColumnType.DATE,
        [date(2020, 6, 1), date(2019, 12, 31), None],
        [True, False, True],
    ),
    (
        "regex",
        {"kind": "regex", "params": {"pattern": "[0-9]{6}"}},
        ColumnType.STRING,
        ["371500", "37150", "3715000", None],
        [True, False, False, True],
    ),
    (
        "regex on numbers",
        {"kind": "regex", "params": {"pattern": "37[0-9]+"}},
        ColumnType.INTEGER,
        [371500, 100, None],
        [True, False, True],
    ),
    (
        "enum",
        {"kind": "enum", "params": {"values": ["是", "否"]}},
        ColumnType.STRING,
        ["是", "否", "x", None],
        [True, True, False, True],
    ),
    (
        "enum of integers",
        {"kind": "enum", "params": {"values": [1, 2]}},
        ColumnType.INTEGER,
        [1, 3, None],
        [True, False, True],
    ),
    (
        "id_card",
        {"kind": "identifier", "params": {"kind": "id_card"}},
        ColumnType.STRING,
        [ID, ID_BAD, "123", None],
        [True, False, False, True],
    ),
    (
        "credit_code",
        {"kind": "identifier", "params": {"kind": "credit_code"}},
        ColumnType.STRING,
        [CREDIT, CREDIT_BAD, None],
        [True, False, True],
    ),
]


@pytest.mark.parametrize("by_value", [False, True], ids=["per row", "per value"])
@pytest.mark.parametrize(
    ("rule", "kind", "values", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_rule_kind(
    tmp_path: Path,
    rule: dict[str, Any],
    kind: ColumnType,
    values: list[Any],
    expected: list[bool],
    by_value: bool,
) -> None:
    """Every kind, and identifier and regex checks also run once per distinct value."""
    assert judge(tmp_path, {"id": "r"} | rule, values, kind, by_value=by_value) == expected


def test_columns_of_few_values_are_checked_per_value(tmp_path: Path) -> None:
    file = tmp_path / "rows.parquet"
    regions = ["371502", "371503", "999999"] * 700
    pq.write_table(pa.table({"region": regions, "code": [str(i) for i in range(2100)]}), file)
    ruleset = RuleSet.model_validate(
        {
            "rules": [
                {
                    "id": "r",
                    "kind": "identifier",
                    "column": "region",
                    "params": {"kind": "region_code"},
                },
                {"id": "c", "kind": "regex", "column": "code", "params": {"pattern": "[0-9]+"}},
            ]
        }
    )
    types = {"region": ColumnType.STRING, "code": ColumnType.STRING}
    engine = Engine(tmp_path, memory_limit="256MB", threads=1)
    try:
        plan = tune(engine, Plan(ruleset, Target((str(file),), types)))
        outcome = evaluate(engine, plan).outcomes[0]
    finally:
        engine.close()
    assert plan.by_value == frozenset({"region"})
    assert (outcome.failed, outcome.examples) == (700, ["999999"])


def test_reference(tmp_path: Path) -> None:
    rule = {"id": "r", "kind": "reference", "params": {"dataset": "legal", "column": "code"}}
    got = judge(tmp_path, rule, ["A", "C", None], references=["A", "B", None])
    assert got == [True, False, True]


def test_reference_into_an_empty_dataset_fails_every_value(tmp_path: Path) -> None:
    rule = {"id": "r", "kind": "reference", "params": {"dataset": "legal", "column": "code"}}
    assert judge(tmp_path, rule, ["A", None], references=[]) == [False, True]


def test_sql_predicate(tmp_path: Path) -> None:
    rule = {"id": "r", "kind": "sql", "params": {"predicate": "v::INTEGER >= other"}}
    got = judge(tmp_path, rule, ["5", "1", None, "3"], other=[3, 3, 3, None])
    assert got == [True, False, True, True]  # NULL on either side passes


def test_examples_are_distinct_and_few(tmp_path: Path) -> None:
    file = tmp_path / "rows.parquet"
    values = [f"x{i % 7}" for i in range(100)]
    pq.write_table(pa.table({"v": values}), file)
    plan = Plan(
        RuleSet.model_validate({"rules": [{"id": "r", "kind": "unique", "column": "v"}]}),
        Target((str(file),), {"v": ColumnType.STRING}),
    )
    engine = Engine(tmp_path, memory_limit="256MB", threads=1)
    try:
        outcome = evaluate(engine, plan).outcomes[0]
    finally:
        engine.close()
    assert outcome.failed == 100
    assert outcome.examples == ["x0", "x1", "x2", "x3", "x4"]


def test_a_column_missing_from_the_data_is_empty(tmp_path: Path) -> None:
    file = tmp_path / "rows.parquet"
    pq.write_table(pa.table({"v": ["a", "b"]}), file)
    plan = Plan(
        RuleSet.model_validate(
            {
                "rules": [
                    {"id": "need", "kind": "not_null", "column": "gone"},
                    {"id": "fmt", "kind": "regex", "column": "gone", "params": {"pattern": "x"}},
                ]
            }
        ),
        Target((str(file),), {"v": ColumnType.STRING}),
    )
    engine = Engine(tmp_path, memory_limit="256MB", threads=1)
    try:
        evaluation = evaluate(engine, plan)
    finally:
        engine.close()
    assert [o.failed for o in evaluation.outcomes] == [2, 0]
    assert evaluation.score == 50.0
    assert "'gone' is not in the data" in evaluation.notes[0]
