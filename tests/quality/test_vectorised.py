"""The NumPy steps give the same report, failures and admitted rows as the SQL-only plan."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pyarrow as pa
import pyarrow.parquet as pq

from cityhub.catalog import ColumnType
from cityhub.pool.engine import Engine
from cityhub.quality.evaluate import _evaluate, admitted, failures
from cityhub.quality.plan import Plan, Target
from cityhub.quality.rules import RuleSet
from cityhub.quality.vectorised import vectorised
from tests.quality.conftest import credit_code, id_number, wrong_check

FULLWIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def _column(make: Callable[[int], str], n: int) -> list[str | None]:
    values: list[str | None] = []
    for i in range(n):
        good = make(i)
        values.append(
            [
                good,
                wrong_check(good),
                good.lower(),
                f" {good} ",
                good.translate(FULLWIDTH),
                None,
                good[:-1],
                "垃圾",
                make(1),  # a duplicate
            ][i % 9]
        )
    return values


def test_numpy_and_sql_agree(tmp_path: Path) -> None:
    n = 300
    regions = ["371502", "379999", "３７１５０２", None, "110105", "37150"]
    table = pa.table(
        {
            "credit": pa.array(_column(credit_code, n), pa.string()),
            "id": pa.array(_column(id_number, n), pa.string()),
            "region": pa.array([regions[i % len(regions)] for i in range(n)], pa.string()),
        }
    )
    file = tmp_path / "rows.parquet"
    pq.write_table(table, file)
    rules = {
        "rules": [
            {
                "id": "c",
                "kind": "identifier",
                "column": "credit",
                "params": {"kind": "credit_code"},
                "blocking": True,
            },
            {"id": "u", "kind": "unique", "column": "credit", "blocking": True},
            {"id": "i", "kind": "identifier", "column": "id", "params": {"kind": "id_card"}},
            {
                "id": "r",
                "kind": "identifier",
                "column": "region",
                "params": {"kind": "region_code"},
                "blocking": True,
            },
        ],
        "cleaning": [{"column": "id", "steps": ["trim"]}],
    }
    types = dict.fromkeys(("credit", "id", "region"), ColumnType.STRING)
    plan = Plan(RuleSet.model_validate(rules), Target((str(file),), types))
    engine = Engine(tmp_path, memory_limit="256MB", threads=1)
    try:
        sql = _evaluate(engine, plan)
        sql_failures = list(failures(engine, plan, {str(file): 0}, every=True))
        sql_admitted = pa.Table.from_batches(list(admitted(engine, plan)))
        with vectorised(engine, plan) as ready:
            assert set(ready.failing) == {0, 2, 3} and set(ready.repeated) == {1}
            fast = _evaluate(engine, ready)
            fast_failures = list(failures(engine, ready, {str(file): 0}, every=True))
            fast_admitted = pa.Table.from_batches(list(admitted(engine, ready)))
    finally:
        engine.close()
    assert fast.results() == sql.results()
    assert (fast.rows, fast.rows_failed, fast.rows_blocked) == (
        sql.rows,
        sql.rows_failed,
        sql.rows_blocked,
    )
    assert all(o.failed for o in fast.outcomes)
    assert fast_failures == sql_failures
    assert fast_admitted.equals(sql_admitted)
    assert not list(tmp_path.glob(".quality-*"))  # the files are gone with the block
