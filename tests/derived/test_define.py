"""Defining and refreshing derived datasets: versions, lineage edges, the checks made first."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from cityhub import audit, catalog, derived
from cityhub.auth import Actor
from cityhub.catalog import ShareType
from cityhub.derived import DerivedPatch, DerivedSpec, LineageEdge, Schedule
from cityhub.errors import (
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
    QueryRefused,
)
from cityhub.pool.service import Pool
from tests.derived.conftest import (
    ANALYST,
    ENTITIES,
    OTHER_STEWARD,
    STEWARD,
    SYSTEM,
    load,
    rows_of,
    staging_dirs,
)

JOIN = (
    'SELECT e."统一社会信用代码", e."名称", b."带宽" '
    'FROM "legal-entities" AS e JOIN broadband AS b USING ("统一社会信用代码")'
)


def edges(pool: Pool, name: str) -> list[tuple[int, str, int]]:
    """(derived version, source name, source version) of every edge of a dataset."""
    with pool.db.reading() as session:
        dataset = catalog.dataset_by_name(session, name)
        found = session.scalars(select(LineageEdge).where(LineageEdge.dataset_id == dataset.id))
        names = {d.id: d.name for d in session.scalars(select(catalog.Dataset))}
        return sorted((e.version, names[e.source_dataset_id], e.source_version) for e in found)


def test_define_and_refresh_make_versions_with_their_lineage(city: Pool) -> None:
    spec = DerivedSpec(
        name="river-duty", title="河道责任人名单", sql='SELECT "河道", "责任人" FROM duty'
    )
    definition = derived.define(city.db, STEWARD, city, spec)
    assert definition.last_error is None and definition.defined_by == "slj.steward"
    assert definition.department.code == "SLJ" and definition.next_due_at is None  # manual
    assert edges(city, "river-duty") == [(1, "duty", 1)]
    assert rows_of(city, STEWARD, "river-duty") == [("徒骇河", "赵六"), ("马颊河", "钱七")]

    load(city, "duty", "河道,责任人,手机号\n卫运河,孙八,13700000000\n")
    done = derived.refresh(city.db, STEWARD, city, "river-duty")
    assert (done.version, done.rows, done.sources) == (2, 1, [("duty", 2)])
    assert edges(city, "river-duty") == [(1, "duty", 1), (2, "duty", 2)]
    assert rows_of(city, STEWARD, "river-duty") == [("卫运河", "孙八")]  # replaced, not appended
    versions = catalog.list_versions(city.db, STEWARD, "river-duty")
    assert [(v.number, v.mode, v.source_format) for v in versions] == [
        (2, "replace", "sql"),
        (1, "replace", "sql"),
    ]
    assert versions[0].source_name == "SQL: duty v2"
    assert versions[0].created_by == "slj.steward"


def test_a_join_of_two_departments_and_its_lineage_graph(city: Pool) -> None:
    spec = DerivedSpec(name="entity-broadband", title="企业宽带接入情况", sql=JOIN)
    derived.define(city.db, STEWARD, city, spec)
    assert rows_of(city, STEWARD, "entity-broadband") == [
        ("91371502MA3C4BXX1A", "聊城市东昌府区甲公司", 1000),
        ("91371521MA3D5CYY2B", "阳谷县乙有限公司", 10000),
    ]
    # A derived dataset over the derived one: lineage runs through both, with versions.
    summary = DerivedSpec(
        name="broadband-summary",
        title="宽带汇总",
        sql='SELECT count(*) AS "企业数", sum("带宽") AS "总带宽" FROM "entity-broadband"',
    )
    derived.define(city.db, STEWARD, city, summary)
    load(city, "legal-entities", ENTITIES.splitlines()[0] + "\n" + ENTITIES.splitlines()[1] + "\n")
    derived.refresh(city.db, STEWARD, city, "entity-broadband")  # v2, from legal-entities v2

    graph = derived.lineage(city.db, STEWARD, "broadband-summary")
    roles = {n.name: (n.role, n.department, n.version, n.derived) for n in graph.nodes}
    assert roles == {
        "broadband-summary": ("self", "SLJ", 1, True),
        "entity-broadband": ("upstream", "SLJ", 2, True),
        "legal-entities": ("upstream", "SCJGJ", 2, False),
        "broadband": ("upstream", "GXJ", 1, False),
    }
    # Exactly the versions that made version 1 of the summary, not the newest ones.
    assert {(e.source, e.source_version, e.target, e.target_version) for e in graph.edges} == {
        ("entity-broadband", 1, "broadband-summary", 1),
        ("legal-entities", 1, "entity-broadband", 1),
        ("broadband", 1, "entity-broadband", 1),
    }
    down = derived.lineage(city.db, OTHER_STEWARD, "legal-entities")
    assert {n.name: n.role for n in down.nodes} == {
        "legal-entities": "self",
        "entity-broadband": "downstream",
        "broadband-summary": "downstream",
    }
    # The summary's newest version read entity-broadband v1; entity-broadband v2 read v2.
    assert {(e.source, e.source_version, e.target, e.target_version) for e in down.edges} == {
        ("legal-entities", 2, "entity-broadband", 2),
        ("entity-broadband", 1, "broadband-summary", 1),
    }


def test_the_sandbox_refuses_file_access_in_a_definition(city: Pool) -> None:
    before = staging_dirs(city.settings.data_dir)
    for sql in (
        "SELECT * FROM read_csv('/etc/passwd')",
        "SELECT * FROM '/etc/passwd'",
        "SELECT * FROM duty UNION ALL SELECT * FROM read_parquet('x.parquet')",
    ):
        spec = DerivedSpec(name="leak", title="越权", sql=sql)
        with pytest.raises(QueryRefused) as refused:
            derived.define(city.db, STEWARD, city, spec)
        assert refused.value.details["reason"] in {"file_access", "function_not_allowed"}
    with pytest.raises(NotFound):
        catalog.get_dataset(city.db, STEWARD, "leak")
    assert staging_dirs(city.settings.data_dir) == before


@pytest.mark.parametrize(
    ("actor", "department", "error"),
    [
        (ANALYST, None, PermissionDenied),
        (OTHER_STEWARD, "SLJ", PermissionDenied),
        (Actor.public(), None, NotAuthenticated),
    ],
)
def test_only_stewards_and_admins_define(
    city: Pool, actor: Actor, department: str | None, error: type[Exception]
) -> None:
    spec = DerivedSpec(name="x-duty", title="x", sql="SELECT * FROM duty", department=department)
    with pytest.raises(error):
        derived.define(city.db, actor, city, spec)
    with pytest.raises(NotFound):
        catalog.get_dataset(city.db, SYSTEM, "x-duty")


def test_an_admin_defines_for_a_department_and_reads_with_its_rights(city: Pool) -> None:
    spec = DerivedSpec(name="gx", title="宽带", sql="SELECT * FROM broadband", department="SLJ")
    definition = derived.define(city.db, SYSTEM, city, spec)
    assert definition.department.code == "SLJ" and definition.last_error is None
    # Without a department, the platform itself has none to read with.
    with pytest.raises(InvalidInput):
        derived.define(city.db, SYSTEM, city, DerivedSpec(name="gy", title="y", sql=spec.sql))


def test_queries_that_cannot_make_a_dataset_are_refused_before_anything_exists(
    city: Pool,
) -> None:
    cases = {
        "SELECT 1 AS one": "at least one dataset",
        'SELECT "河道", "河道" FROM duty': "two columns named",
        'SELECT "河道" AS a, "责任人" AS "A" FROM duty': "two columns named",
        'SELECT list_value("河道") AS l FROM duty': "cannot hold",
        "  ": "empty",
    }
    for sql, message in cases.items():
        with pytest.raises(InvalidInput, match=message):
            derived.define(city.db, STEWARD, city, DerivedSpec(name="bad", title="坏", sql=sql))
    with pytest.raises(NotFound):
        catalog.get_dataset(city.db, STEWARD, "bad")


def test_a_source_the_department_may_not_read_is_named(city: Pool) -> None:
    catalog.create_dataset(
        city.db,
        SYSTEM,
        catalog.DatasetSpec(
            name="secret", title="内部名单", department="SCJGJ", share_type=ShareType.NONE
        ),
    )
    load(city, "secret", "a\n1\n")
    spec = DerivedSpec(name="peek", title="窥", sql="SELECT * FROM secret")
    with pytest.raises(PermissionDenied, match="secret") as denied:
        derived.define(city.db, STEWARD, city, spec)
    assert denied.value.details == {"source": "secret", "department": "SLJ", "share_type": "none"}
    with pytest.raises(QueryRefused, match="no such table"):  # a table that does not exist
        derived.define(
            city.db, STEWARD, city, DerivedSpec(name="p", title="p", sql="SELECT * FROM nope")
        )


def test_patch_checks_the_new_query_and_refuses_cycles(city: Pool) -> None:
    derived.define(
        city.db, STEWARD, city, DerivedSpec(name="a-duty", title="甲", sql="SELECT * FROM duty")
    )
    derived.define(
        city.db, STEWARD, city, DerivedSpec(name="b-duty", title="乙", sql='SELECT * FROM "a-duty"')
    )
    for sql in ('SELECT * FROM "a-duty"', 'SELECT * FROM "b-duty"'):
        with pytest.raises(InvalidInput, match="cannot read itself"):
            derived.update_definition(city.db, STEWARD, city, "a-duty", DerivedPatch(sql=sql))
    with pytest.raises(QueryRefused):
        derived.update_definition(
            city.db, STEWARD, city, "a-duty", DerivedPatch(sql="SELECT * FROM read_text('/x')")
        )
    with pytest.raises(PermissionDenied):
        derived.update_definition(
            city.db, OTHER_STEWARD, city, "a-duty", DerivedPatch(schedule=Schedule.DAILY)
        )
    changed = derived.update_definition(
        city.db,
        STEWARD,
        city,
        "a-duty",
        DerivedPatch(sql='SELECT "河道" FROM duty', schedule=Schedule.DAILY),
    )
    assert changed.sql == 'SELECT "河道" FROM duty' and changed.schedule == "daily"
    assert changed.last_refreshed_at is not None and changed.next_due_at is not None
    assert (changed.next_due_at - changed.last_refreshed_at).days == 1
    # The new query applies from the next refresh.
    assert rows_of(city, STEWARD, "a-duty")[0] == ("徒骇河", "赵六", "13812345678")
    derived.refresh(city.db, STEWARD, city, "a-duty")
    assert rows_of(city, STEWARD, "a-duty") == [("徒骇河",), ("马颊河",)]
    # A dataset that is not derived has no definition to change.
    with pytest.raises(NotFound, match="not a derived dataset"):
        derived.update_definition(city.db, STEWARD, city, "duty", DerivedPatch(sql="SELECT 1"))


def test_an_empty_result_makes_no_version(city: Pool) -> None:
    sql = 'SELECT "河道" FROM duty WHERE "河道" <> \'卫运河\''
    derived.define(city.db, STEWARD, city, DerivedSpec(name="rivers", title="河", sql=sql))
    load(city, "duty", "河道,责任人,手机号\n卫运河,孙八,13700000000\n")
    before = staging_dirs(city.settings.data_dir)
    with pytest.raises(InvalidInput, match="no rows"):
        derived.refresh(city.db, STEWARD, city, "rivers")
    assert [v.number for v in catalog.list_versions(city.db, STEWARD, "rivers")] == [1]
    assert rows_of(city, STEWARD, "rivers") == [("徒骇河",), ("马颊河",)]
    assert "no rows" in (derived.get_definition(city.db, STEWARD, "rivers").last_error or "")
    assert staging_dirs(city.settings.data_dir) == before


def test_definitions_are_listed_for_logged_in_users(city: Pool) -> None:
    derived.define(
        city.db, STEWARD, city, DerivedSpec(name="d1", title="一", sql="SELECT * FROM duty")
    )
    assert [d.dataset.name for d in derived.list_definitions(city.db, ANALYST)] == ["d1"]
    assert derived.get_definition(city.db, OTHER_STEWARD, "d1").sql == "SELECT * FROM duty"
    with pytest.raises(NotAuthenticated):
        derived.list_definitions(city.db, Actor.public())
    with pytest.raises(Conflict):  # the name is taken
        derived.define(
            city.db, STEWARD, city, DerivedSpec(name="d1", title="一", sql="SELECT * FROM duty")
        )


def test_define_and_refresh_are_audited(city: Pool) -> None:
    derived.define(city.db, STEWARD, city, DerivedSpec(name="d2", title="二", sql=JOIN))
    events = audit.list_events(city.db, SYSTEM, audit.AuditFilter(limit=50)).events
    actions = [(e.action, e.actor, e.client_address) for e in events]
    assert ("derived.define", "slj.steward", None) in actions
    assert ("derived.refresh", "slj.steward", None) in actions
    read = next(e for e in events if e.action == "sql.query")
    # The read is the definition's, as its department, and says who asked for it.
    assert (read.actor, read.actor_department, read.client_address) == (
        "slj.steward",
        "SLJ",
        "derived",
    )
    assert read.details["derived"] == "d2"
    assert read.details["datasets"] == ["broadband", "legal-entities"]
