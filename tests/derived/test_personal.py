"""Personal data in derived datasets: flags follow the columns, masked values stay masked."""

from __future__ import annotations

import pyarrow.parquet as pq
import pytest

from cityhub import catalog, derived
from cityhub.catalog import PersonalKind
from cityhub.derived import DerivedSpec, columns
from cityhub.pool.service import Pool
from tests.derived.conftest import OTHER_STEWARD, STEWARD, rows_of


def flags(pool: Pool, name: str) -> dict[str, tuple[str, str | None]]:
    """Label and personal class of each column of a dataset."""
    dataset = catalog.get_dataset(pool.db, STEWARD, name)
    return {c.name: (c.label, c.personal) for c in dataset.columns}


def test_personal_flags_follow_the_columns_through_the_query(city: Pool) -> None:
    sql = """
        WITH people AS (SELECT "河道" AS river, "责任人" AS who, "手机号" FROM duty)
        SELECT river, who AS "负责人", "手机号", upper(who) AS shout,
               who || "手机号" AS card, count(who) OVER () AS n, length(river) AS len
        FROM people
    """
    derived.define(city.db, STEWARD, city, DerivedSpec(name="people", title="人", sql=sql))
    assert flags(city, "people") == {
        "river": ("河道", None),
        "负责人": ("责任人", "name"),  # renamed twice, still the same column: same class, label
        "手机号": ("手机号", "phone"),
        "shout": ("shout", "other"),  # computed from a name: personal, fully masked
        "card": ("card", "other"),
        "n": ("n", None),  # a count reveals no one
        "len": ("len", None),
    }
    # 水利局 reads its own derived dataset in clear; another department reads it masked.
    assert ("徒骇河", "赵六", "13812345678", "赵六", "赵六13812345678", 2, 3) in rows_of(
        city, STEWARD, "people"
    )
    masked = rows_of(city, OTHER_STEWARD, "people")
    assert ("徒骇河", "赵*", "138****5678", "******", "******", 2, 3) in masked


def test_masked_values_stay_masked_in_the_output(city: Pool) -> None:
    # 法定代表人 of 市场监管局 is masked for 水利局, so that is what the query reads and keeps.
    sql = 'SELECT "名称", "法定代表人" FROM "legal-entities"'
    derived.define(city.db, STEWARD, city, DerivedSpec(name="reps", title="法人代表", sql=sql))
    assert flags(city, "reps")["法定代表人"] == ("法定代表人", "name")
    assert rows_of(city, STEWARD, "reps") == [
        ("聊城市东昌府区甲公司", "张**"),
        ("莘县丙农业合作社", "王*"),
        ("阳谷县乙有限公司", "李*"),
    ]
    # The stored Parquet files themselves hold no clear name: it was never written.
    dataset = catalog.get_dataset(city.db, STEWARD, "reps")
    version = catalog.list_versions(city.db, STEWARD, "reps")[0]
    stored = pq.read_table(list(city.files(dataset.id, version.snapshot_id)))
    assert sorted(stored.column("法定代表人").to_pylist()) == ["张**", "李*", "王*"]


def test_a_steward_may_add_flags_and_they_are_kept(city: Pool) -> None:
    sql = 'SELECT "河道", "责任人" FROM duty'
    derived.define(city.db, STEWARD, city, DerivedSpec(name="kept", title="留", sql=sql))
    catalog.describe_columns(
        city.db, STEWARD, "kept", [catalog.ColumnChange("河道", personal=PersonalKind.OTHER)]
    )
    derived.refresh(city.db, STEWARD, city, "kept")
    assert flags(city, "kept") == {"河道": ("河道", "other"), "责任人": ("责任人", "name")}


def test_names_decide_when_the_lineage_cannot_be_traced(
    city: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(columns, "_traces", lambda query, width: [None] * width)
    sql = 'SELECT "责任人", "河道" AS "手机号", "手机号" AS phone FROM duty'
    derived.define(city.db, STEWARD, city, DerivedSpec(name="names", title="名", sql=sql))
    # Same-name matching: documented as the weaker fallback (the renamed phone escapes it).
    assert flags(city, "names") == {
        "责任人": ("责任人", "name"),
        "手机号": ("手机号", "phone"),
        "phone": ("phone", None),
    }
