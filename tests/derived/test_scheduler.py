"""Scheduled refreshes: what is due, refreshing it as the definer, one failure stopping nothing."""

from __future__ import annotations

import threading
import time
from datetime import timedelta

from fastapi.testclient import TestClient

from cityhub import catalog, derived
from cityhub.config import Settings
from cityhub.db import Database, utcnow
from cityhub.derived import DerivedSpec, Schedule
from cityhub.pool.service import Pool
from cityhub.web import create_app
from tests.derived.conftest import STEWARD, SYSTEM

DAY = timedelta(days=1)


def versions(pool: Pool, name: str) -> list[int]:
    return [v.number for v in catalog.list_versions(pool.db, STEWARD, name)]


def define(pool: Pool, name: str, sql: str, schedule: Schedule) -> derived.DerivedDefinition:
    spec = DerivedSpec(name=name, title=name, sql=sql, schedule=schedule)
    return derived.define(pool.db, STEWARD, pool, spec)


def test_due_definitions_are_refreshed_as_their_definer(city: Pool) -> None:
    daily = define(city, "daily-duty", "SELECT * FROM duty", Schedule.DAILY)
    weekly = define(city, "weekly-duty", 'SELECT "河道" FROM duty', Schedule.WEEKLY)
    define(city, "manual-duty", 'SELECT "责任人" FROM duty', Schedule.MANUAL)
    assert daily.next_due_at is not None and daily.last_refreshed_at is not None
    assert daily.next_due_at - daily.last_refreshed_at == DAY
    now = utcnow()
    assert derived.due(city.db, now) == []
    assert [d.dataset.name for d in derived.due(city.db, now + 2 * DAY)] == ["daily-duty"]
    assert {d.dataset.name for d in derived.due(city.db, now + 8 * DAY)} == {
        "daily-duty",
        "weekly-duty",
    }

    outcomes = derived.refresh_due(city.db, city, now + 2 * DAY)
    assert outcomes == [derived.DueOutcome("daily-duty", 2, None)]
    assert versions(city, "daily-duty") == [2, 1] and versions(city, "weekly-duty") == [1]
    assert versions(city, "manual-duty") == [1]
    refreshed = derived.get_definition(city.db, STEWARD, "daily-duty")
    assert refreshed.next_due_at is not None and refreshed.next_due_at > now + DAY
    newest = catalog.list_versions(city.db, STEWARD, "daily-duty")[0]
    assert newest.created_by == "slj.steward"  # the definer, not the scheduler or the platform
    assert weekly.next_due_at is not None


def test_a_failed_refresh_records_its_error_and_stops_no_other(city: Pool) -> None:
    define(city, "a-broadband", "SELECT * FROM broadband", Schedule.HOURLY)
    define(city, "b-duty", "SELECT * FROM duty", Schedule.HOURLY)
    catalog.revoke(city.db, SYSTEM, "broadband", "SLJ")
    later = utcnow() + timedelta(hours=2)
    outcomes = {o.dataset: o for o in derived.refresh_due(city.db, city, later)}
    assert outcomes["b-duty"].version == 2 and outcomes["b-duty"].error is None
    assert outcomes["a-broadband"].version is None
    assert "broadband" in (outcomes["a-broadband"].error or "")
    failed = derived.get_definition(city.db, STEWARD, "a-broadband")
    assert failed.last_error is not None and "broadband" in failed.last_error
    # A failure waits for its next turn rather than being retried on every look.
    assert failed.next_due_at is not None and failed.next_due_at > later
    assert versions(city, "a-broadband") == [1]


def test_a_due_refresh_is_claimed_once(city: Pool) -> None:
    define(city, "once", "SELECT * FROM duty", Schedule.DAILY)
    later = utcnow() + 2 * DAY
    stale = derived.due(city.db, later)
    assert len(derived.refresh_due(city.db, city, later)) == 1
    # Another process that listed it before the claim cannot claim it again.
    from cityhub.derived.scheduler import _claim

    assert _claim(city.db, stale[0], later) is False
    assert derived.refresh_due(city.db, city, later) == []
    assert versions(city, "once") == [2, 1]


def test_the_scheduler_thread_refreshes_and_stops(city: Pool) -> None:
    define(city, "ticking", "SELECT * FROM duty", Schedule.HOURLY)
    scheduler = derived.Scheduler(
        city.db, city, interval=0.05, clock=lambda: utcnow() + timedelta(hours=2)
    )
    scheduler.start()
    deadline = time.monotonic() + 30
    while versions(city, "ticking") == [1]:
        assert time.monotonic() < deadline, "the scheduler did not refresh"
        time.sleep(0.05)
    scheduler.stop()
    assert not any(t.name == "derived-scheduler" for t in threading.enumerate())


def test_the_web_app_runs_the_scheduler_only_when_configured(
    settings: Settings, db: Database
) -> None:
    def running() -> bool:
        return any(t.name == "derived-scheduler" for t in threading.enumerate())

    with TestClient(create_app(settings, db)):
        assert not running()  # the tests' settings switch it off (0)
    on = settings.model_copy(update={"derived_scheduler_seconds": 3600})
    with TestClient(create_app(on, db)):
        assert running()
    assert not running()  # stopped with the app
