"""Computed targets: a saved query over pool datasets run as the owner department, registry
counts, recording only what changed, and one target's failure kept to itself."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cityhub import catalog
from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor, Role
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import InvalidInput, PermissionDenied
from cityhub.pool.ingest import IngestMode, ingest
from cityhub.pool.service import Pool
from cityhub.programme import computed, targets
from cityhub.programme.targets import TargetSpec
from cityhub.programme.tasks import city_today

ADMIN = Actor.system()
HEADER = "站码,类型,县区\n"
FIRST = HEADER + "41800001,雨量,371502\n41800002,雨量,371521\n41800003,水位,371502\n"
MORE_RAIN = "41800004,雨量,371524\n"
MORE_LEVEL = "41800005,水位,371524\n"
RAIN_SQL = "SELECT count(*) FROM \"stations\" WHERE 类型 = '雨量'"

RAIN = TargetSpec(
    code="RAIN-GAUGES",
    name_zh="雨量站",
    name_en="Rain gauges",
    unit_zh="个",
    unit_en="gauges",
    baseline=0.0,
    baseline_on=date(2020, 4, 7),
    target_value=50.0,
    deadline=date(2022, 12, 31),
    owner="SLJ",
    source="sql",
    sql=RAIN_SQL,
)


@pytest.fixture
def pool(db: Database, settings: Settings) -> Iterator[Pool]:
    pool = Pool(db, settings)
    yield pool
    pool.close()


def upload(pool: Pool, tmp_path: Path, name: str, text: str, mode: IngestMode) -> None:
    path = tmp_path / f"{name}-{len(text)}.csv"
    path.write_text(text, encoding="utf-8")
    ingest(pool.db, ADMIN, pool.warehouse, dataset=name, path=path, file_name=path.name, mode=mode)


@pytest.fixture
def stations(pool: Pool, tmp_path: Path) -> str:
    """水利局's station list, shared unconditionally, version 1 with two rain gauges."""
    spec = catalog.DatasetSpec(name="stations", title="水文测站", department="SLJ")
    catalog.create_dataset(pool.db, ADMIN, spec)
    upload(pool, tmp_path, "stations", FIRST, IngestMode.REPLACE)
    return "stations"


def series(db: Database, code: str) -> list[tuple[float, str | None]]:
    return [(v.value, v.source_ref) for v in targets.get_target(db, ADMIN, code).values]


def test_a_new_version_changes_the_value(pool: Pool, stations: str, tmp_path: Path) -> None:
    targets.create_target(pool.db, ADMIN, RAIN)
    today = city_today()
    assert computed.refresh_computed(pool.db, pool, today) == ["RAIN-GAUGES"]
    assert series(pool.db, RAIN.code) == [(2.0, "stations@1")]
    value = targets.get_target(pool.db, ADMIN, RAIN.code).values[0]
    assert (value.source, value.measured_on) == ("sql", today)

    # Nothing changed: nothing recorded.
    outcome = computed.refresh_targets(pool.db, pool, today)
    assert (outcome.changed, outcome.unchanged, outcome.failed) == ([], ["RAIN-GAUGES"], {})
    assert len(series(pool.db, RAIN.code)) == 1

    upload(pool, tmp_path, stations, HEADER + MORE_RAIN, IngestMode.APPEND)
    assert computed.refresh_computed(pool.db, pool, today) == ["RAIN-GAUGES"]
    assert series(pool.db, RAIN.code)[-1] == (3.0, "stations@2")

    # Same count from a new version: recorded, since the version it stands on changed.
    upload(pool, tmp_path, stations, HEADER + MORE_LEVEL, IngestMode.APPEND)
    assert computed.refresh_computed(pool.db, pool, today) == ["RAIN-GAUGES"]
    assert series(pool.db, RAIN.code)[-1] == (3.0, "stations@3")


def test_the_query_runs_as_the_owner_department(pool: Pool, stations: str, tmp_path: Path) -> None:
    spec = catalog.DatasetSpec(
        name="people",
        title="人口基础信息",
        department="GAJ",
        share_type=catalog.ShareType.CONDITIONAL,
        share_conditions="政务服务",
    )
    catalog.create_dataset(pool.db, ADMIN, spec)
    upload(pool, tmp_path, "people", "身份证号\n371502199001011234\n", IngestMode.REPLACE)
    targets.create_target(
        pool.db, ADMIN, replace(RAIN, code="PEOPLE", sql='SELECT count(*) FROM "people"')
    )
    outcome = computed.refresh_targets(pool.db, pool, city_today())
    assert "PEOPLE" in outcome.failed  # not shared with SLJ, though the refresh is an admin's
    catalog.grant(pool.db, ADMIN, "people", "SLJ")
    outcome = computed.refresh_targets(pool.db, pool, city_today())
    assert "PEOPLE" in outcome.changed and series(pool.db, "PEOPLE") == [(1.0, "people@1")]


@pytest.mark.parametrize(
    ("sql", "message"),
    [
        ('SELECT no_such_column FROM "stations"', "no_such_column"),
        ('SELECT count(*) FROM "no_such_dataset"', "no_such_dataset"),
        ('DELETE FROM "stations"', "target BROKEN"),
        ('SELECT 类型 FROM "stations"', "must be a number"),
        ('SELECT count(*) FROM "stations" WHERE false GROUP BY 类型', "no rows"),
    ],
)
def test_a_failing_query_is_recorded_not_raised(
    pool: Pool, stations: str, sql: str, message: str
) -> None:
    targets.create_target(pool.db, ADMIN, RAIN)
    targets.create_target(pool.db, ADMIN, replace(RAIN, code="BROKEN", sql=sql))
    outcome = computed.refresh_targets(pool.db, pool, city_today())
    assert outcome.changed == ["RAIN-GAUGES"]  # the good one still refreshed
    error = outcome.failed["BROKEN"]
    assert isinstance(error, InvalidInput)
    assert error.message.startswith("target BROKEN: ") and message in error.message
    assert error.details["target"] == "BROKEN"
    assert series(pool.db, "BROKEN") == []
    with pool.db.reading() as session:
        event = session.scalars(
            select(AuditEvent).where(
                AuditEvent.action == "programme.target.refresh", AuditEvent.object_id == "BROKEN"
            )
        ).one()
    assert event.outcome == "failure" and message in event.details["error"]


def test_registry_targets_count_with_the_measures(pool: Pool) -> None:
    with pool.db.transaction() as session:
        targets.ensure_goal_targets(session)
    today = city_today()
    assert computed.refresh_computed(pool.db, pool, today) == [
        "SBQ-PARKS",
        "SBQ-PROJECTS",
        "SBQ-TALENT",
    ]
    assert series(pool.db, "SBQ-PARKS") == [(0.0, "measure:parks")]
    assert computed.refresh_computed(pool.db, pool, today) == []


@pytest.mark.parametrize(
    "actor",
    [Actor(None, "slj.steward", Role.STEWARD, "SLJ"), Actor(None, "a", Role.ANALYST, "SLJ")],
)
def test_only_admins_refresh(pool: Pool, actor: Actor) -> None:
    with pytest.raises(PermissionDenied):
        computed.refresh_targets(pool.db, pool, city_today(), actor)
