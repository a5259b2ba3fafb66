"""Reports: run on demand over a stored version, and read with examples masked or withheld."""

from __future__ import annotations

import pytest

from cityhub import audit, auth, catalog, quality
from cityhub.audit import AuditFilter
from cityhub.catalog import PersonalKind
from cityhub.errors import NotFound, PermissionDenied
from cityhub.pool.service import Pool
from tests.quality.conftest import OUTSIDER, STEWARD, SYSTEM, rules, upload

PHONES = "name,phone\n甲,13800001234\n乙,2345\n丙,\n"


@pytest.fixture
def phones(pool: Pool, firms: catalog.Dataset) -> None:
    upload(pool, PHONES)
    catalog.describe_columns(
        pool.db, SYSTEM, "firms", [catalog.ColumnChange("phone", personal=PersonalKind.PHONE)]
    )
    rules(
        pool.db,
        {"id": "phone", "kind": "regex", "column": "phone", "params": {"pattern": "1[0-9]{10}"}},
    )


def test_on_demand_run_reports_and_moves_nothing(pool: Pool, phones: None) -> None:
    view = quality.run_rules(pool, STEWARD, "firms")
    report = view.report
    assert (report.trigger, report.version_number, report.ruleset_number) == ("on_demand", 1, 1)
    assert (report.rows_checked, report.rows_failed, report.rows_quarantined) == (3, 1, 0)
    assert report.score == 66.6  # 2 of 3, rounded down
    assert report.results["columns"]["phone"]["score"] == 66.6
    assert view.results["rules"][0]["examples"] == ["2345"]
    versions = catalog.list_versions(pool.db, SYSTEM, "firms")
    assert [(v.number, v.row_count) for v in versions] == [(1, 3)]
    assert quality.list_quarantine(pool.db, STEWARD, "firms").total == 0
    events = audit.list_events(pool.db, SYSTEM, AuditFilter(action="quality.run")).events
    assert events[0].details["report"] == report.id


def test_run_needs_rules_data_and_a_steward(pool: Pool, firms: catalog.Dataset) -> None:
    rules(pool.db, {"id": "n", "kind": "not_null", "column": "name"})
    with pytest.raises(NotFound):
        quality.run_rules(pool, STEWARD, "firms")  # no version yet
    upload(pool, "name\n甲\n")
    analyst = auth.Actor(None, "slj.analyst", auth.Role.ANALYST, "SLJ")
    for actor in (analyst, OUTSIDER):
        with pytest.raises(PermissionDenied):
            quality.run_rules(pool, actor, "firms")
    assert quality.run_rules(pool, STEWARD, "firms").report.score == 100.0


def test_examples_of_personal_columns_are_masked_outside_the_owner(
    pool: Pool, phones: None
) -> None:
    upload(pool, "name,phone\n丁,13912345678x\n")
    owner = quality.list_reports(pool.db, STEWARD, "firms")
    other = quality.list_reports(pool.db, OUTSIDER, "firms")
    assert [r.report.trigger for r in owner] == ["ingest"]
    assert owner[0].results["rules"][0]["examples"] == ["13912345678x"]
    assert other[0].results["rules"][0]["examples"] == ["139*****678x"]
    # the stored report keeps the clear value for the owner
    again = quality.get_report(pool.db, STEWARD, "firms", owner[0].report.id)
    assert again.results["rules"][0]["examples"] == ["13912345678x"]


def test_examples_are_withheld_from_those_who_may_not_read(pool: Pool, phones: None) -> None:
    patch = catalog.DatasetPatch(share_type=catalog.ShareType.NONE)
    catalog.update_dataset(pool.db, SYSTEM, "firms", patch)
    quality.run_rules(pool, STEWARD, "firms")
    [view] = quality.list_reports(pool.db, OUTSIDER, "firms")
    assert view.results["rules"][0]["failed"] == 1
    assert view.results["rules"][0]["examples"] == [] and not view.examples
    with pytest.raises(NotFound):
        quality.get_report(pool.db, OUTSIDER, "firms", view.report.id + 1)
