"""The roll-up loses and doubles no Observation on failure, race, stop request or kill -9."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import threading
from collections.abc import Callable
from typing import Any

import pytest
from sqlalchemy import delete

from cityhub import catalog
from cityhub.auth import Actor
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.ingest import append_rows
from cityhub.pool.service import Pool
from cityhub.sensing import rollup
from cityhub.sensing.models import Datastream, Observation
from tests.sensing.rollup_support import (
    MOVED,
    NOW,
    READINGS,
    RETENTION,
    STAYING,
    WHERE,
    City,
    build_city,
    history_ids,
    remaining,
    roll,
    rollup_events,
    rows_of,
)


def assert_each_in_one_place(pool: Pool, everything: set[int]) -> None:
    in_db = remaining(pool.db)
    in_pool = [i for ids in history_ids(pool).values() for i in ids]
    assert len(in_pool) == len(set(in_pool)), "an Observation is in the pool twice"
    assert not in_db & set(in_pool), "an Observation is in the database and in the pool"
    assert in_db | set(in_pool) == everything, "an Observation is lost"


def test_a_stop_request_ends_the_rollup_after_the_batch_under_way(
    pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = build_city(pool.db)
    stop = threading.Event()

    def then_stop(*args: Any, **kwargs: Any) -> Any:
        stop.set()
        return append_rows(*args, **kwargs)

    monkeypatch.setattr(rollup, "append_rows", then_stop)
    report = roll(pool, stop=stop)
    assert report.rows_by_dataset() == {"sensor_observations_dsjj": 1}
    assert len(remaining(pool.db)) == len(city.ids) - 1
    assert_each_in_one_place(pool, set(city.ids))


def test_a_failure_while_recording_leaves_every_observation_in_place(
    pool: Pool, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = build_city(pool.db)

    def broken(session: Any, ids: Any) -> None:
        session.execute(delete(Observation).where(Observation.id.in_(ids)))
        raise OSError("disk full")

    monkeypatch.setattr(rollup, "delete_moved", broken)
    report = roll(pool)
    assert report.batches == ()
    assert sorted(f.dataset for f in report.failures) == sorted(set(WHERE.values()))
    assert all("disk full" in f.error for f in report.failures)
    assert remaining(pool.db) == set(city.ids)
    assert all(ids == [] for ids in history_ids(pool).values())
    assert rollup_events(pool.db) == []
    monkeypatch.undo()
    # The next run builds on no version: the unrecorded snapshots' rows do not come back.
    assert roll(pool).failures == ()
    for dataset in sorted(set(WHERE.values())):
        assert rows_of(pool, dataset) == city.expected(dataset), dataset
    assert_each_in_one_place(pool, set(city.ids))


def _delete_volt(db: Database, city: City) -> set[int]:
    with db.transaction() as session:
        session.execute(delete(Observation).where(Observation.id == city.ids[18]))
    return {city.ids[18]}


def _share_level_no_more(db: Database, city: City) -> set[int]:
    with db.transaction() as session:
        level = session.get(Datastream, city.streams["level"])
        assert level is not None
        level.share_type = "none"
    return set()


@pytest.mark.parametrize(
    ("change", "dataset", "then"),
    [  # what changes while the batch of ``dataset`` is written; where its rows go next time
        (_delete_volt, "sensor_observations_dsjj", None),
        (_share_level_no_more, "sensor_observations_slj", "sensor_observations_slj_none"),
    ],
)
def test_a_change_while_a_batch_is_written_stops_that_batch_only(
    pool: Pool,
    monkeypatch: pytest.MonkeyPatch,
    change: Callable[[Database, City], set[int]],
    dataset: str,
    then: str | None,
) -> None:
    city = build_city(pool.db)
    gone: set[int] = set()

    def changed_meanwhile(*args: Any, **kwargs: Any) -> Any:
        if kwargs["dataset"] == dataset:
            gone.update(change(pool.db, city))
        return append_rows(*args, **kwargs)

    monkeypatch.setattr(rollup, "append_rows", changed_meanwhile)
    report = roll(pool)
    assert [f.dataset for f in report.failures] == [dataset]
    assert dataset not in report.rows_by_dataset()
    assert history_ids(pool)[dataset] == []
    old = {city.ids[i] for i in MOVED if WHERE[READINGS[i][0]] == dataset}
    assert old - gone <= remaining(pool.db)
    assert report.rows == len(MOVED) - len(old)  # the other groups moved all theirs
    monkeypatch.undo()
    again = roll(pool)
    assert again.failures == () and history_ids(pool)[dataset] == []
    if then is not None:
        assert old <= set(history_ids(pool)[then])
    assert_each_in_one_place(pool, set(city.ids) - gone)


def test_a_dataset_name_taken_by_another_department_stops_that_group_only(pool: Pool) -> None:
    spec = catalog.DatasetSpec(name="sensor_observations_dsjj", title="别人的", department="GXJ")
    catalog.create_dataset(pool.db, Actor.system(), spec)
    city = build_city(pool.db)
    report = roll(pool)
    assert [f.dataset for f in report.failures] == ["sensor_observations_dsjj"]
    assert "another department" in report.failures[0].error
    assert city.ids[18] in remaining(pool.db)
    assert report.rows == len(MOVED) - 1
    assert catalog.list_versions(pool.db, Actor.system(), "sensor_observations_dsjj") == []


KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from datetime import datetime, timedelta
    from pathlib import Path
    from cityhub.db import Database
    from cityhub.pool.warehouse import Warehouse
    from cityhub.sensing import rollup

    db = Database(sys.argv[1])
    stage = sys.argv[3]
    calls = []

    def eighth_call():  # five groups of one batch each, then the 水位 group's third batch
        calls.append(1)
        if len(calls) == 8:
            os.kill(os.getpid(), signal.SIGKILL)

    if stage == "recording":  # the batch is deleted in the version's transaction, not committed
        delete_moved = rollup.delete_moved
        def delete_then_die(session, ids):
            delete_moved(session, ids)
            session.flush()
            eighth_call()
        rollup.delete_moved = delete_then_die
    else:  # the Iceberg snapshot is committed, the version not yet recorded
        commit = Warehouse.commit
        def commit_then_die(self, *args, **kwargs):
            snapshot = commit(self, *args, **kwargs)
            eighth_call()
            return snapshot
        Warehouse.commit = commit_then_die
    rollup.roll_up(db, Warehouse(db, Path(sys.argv[2])), now=datetime.fromisoformat(sys.argv[4]),
                   retention=timedelta(days=30), batch_rows=50)
    """
)


@pytest.mark.parametrize("stage", ["recording", "committed"])
def test_a_rollup_killed_midway_loses_and_doubles_nothing(pool: Pool, stage: str) -> None:
    city = build_city(pool.db, extra_old_levels=300)
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER,
            pool.db.url.render_as_string(hide_password=False),
            str(pool.settings.data_dir),
            stage,
            NOW.isoformat(),
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    versions = catalog.list_versions(pool.db, Actor.system(), "sensor_observations_slj")
    assert len(versions) == 2 and len(history_ids(pool)["sensor_observations_slj"]) == 100
    assert_each_in_one_place(pool, set(city.ids))
    roll(pool, batch_rows=50)
    assert_each_in_one_place(pool, set(city.ids))
    assert remaining(pool.db) == {city.ids[i] for i in STAYING}
    assert len(history_ids(pool)["sensor_observations_slj"]) == 302


def test_the_scheduler_runs_every_interval_and_survives_errors(
    pool: Pool, settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    city = build_city(pool.db)
    off = rollup.RollupScheduler(
        pool.db, pool, settings.model_copy(update={"sensing_rollup_minutes": 0})
    )
    off.start()
    assert off._thread is None
    monkeypatch.setattr(rollup.RollupScheduler, "interval", property(lambda self: 0.05))
    real, runs, done = rollup.roll_up, [], threading.Event()

    def first_fails(*args: Any, **kwargs: Any) -> rollup.RollupReport:
        runs.append(kwargs["retention"])
        if len(runs) == 1:
            raise RuntimeError("database away")
        report = real(*args, **kwargs)
        done.set()
        return report

    monkeypatch.setattr(rollup, "roll_up", first_fails)
    configured = settings.model_copy(update={"sensing_retention_days": 30})
    scheduler = rollup.RollupScheduler(pool.db, pool.warehouse, configured, clock=lambda: NOW)
    scheduler.start()
    try:
        assert done.wait(30)
    finally:
        scheduler.stop()
    assert runs[:2] == [RETENTION, RETENTION]
    assert remaining(pool.db) == {city.ids[i] for i in STAYING}
