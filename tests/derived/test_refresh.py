"""Refreshes read as the definer's department: lost access fails clearly and makes no version."""

from __future__ import annotations

import pytest

from cityhub import audit, catalog, derived
from cityhub.derived import DerivedSpec
from cityhub.errors import NotFound, PermissionDenied
from cityhub.pool.service import Pool
from tests.derived.conftest import ANALYST, OTHER_STEWARD, STEWARD, SYSTEM, rows_of, staging_dirs

SQL = 'SELECT "统一社会信用代码", "带宽" FROM broadband'


def test_a_source_the_department_can_no_longer_read_fails_the_refresh(city: Pool) -> None:
    derived.define(city.db, STEWARD, city, DerivedSpec(name="bb", title="宽带", sql=SQL))
    catalog.revoke(city.db, SYSTEM, "broadband", "SLJ")
    before = staging_dirs(city.settings.data_dir)
    # Whoever asks (here an admin), the query reads with 水利局's rights, which no longer cover it.
    with pytest.raises(PermissionDenied, match="broadband") as denied:
        derived.refresh(city.db, SYSTEM, city, "bb")
    assert denied.value.details["source"] == "broadband"
    assert denied.value.details["department"] == "SLJ"
    definition = derived.get_definition(city.db, STEWARD, "bb")
    assert definition.last_error is not None and "broadband" in definition.last_error
    assert [v.number for v in catalog.list_versions(city.db, STEWARD, "bb")] == [1]
    assert staging_dirs(city.settings.data_dir) == before
    failed = audit.list_events(
        city.db, SYSTEM, audit.AuditFilter(action="derived.refresh", outcome=audit.Outcome.FAILURE)
    ).events
    assert failed[0].object_id == "bb" and "broadband" in failed[0].details["error"]

    # Access back: the next refresh works and clears the error.
    catalog.grant(city.db, SYSTEM, "broadband", "SLJ", "恢复")
    assert derived.refresh(city.db, STEWARD, city, "bb").version == 2
    assert derived.get_definition(city.db, STEWARD, "bb").last_error is None


def test_only_the_owner_departments_stewards_and_admins_refresh(city: Pool) -> None:
    derived.define(city.db, STEWARD, city, DerivedSpec(name="bb", title="宽带", sql=SQL))
    for who in (ANALYST, OTHER_STEWARD):
        with pytest.raises(PermissionDenied):
            derived.refresh(city.db, who, city, "bb")
    assert derived.refresh(city.db, SYSTEM, city, "bb").version == 2
    with pytest.raises(NotFound, match="not a derived dataset"):
        derived.refresh(city.db, SYSTEM, city, "broadband")


def test_the_refresh_reads_what_the_department_reads_not_what_the_caller_reads(
    city: Pool,
) -> None:
    derived.define(
        city.db,
        STEWARD,
        city,
        DerivedSpec(name="duty-copy", title="副本", sql="SELECT * FROM duty"),
    )
    # An admin refreshing 水利局's dataset still gets 水利局's view of its own data: clear text.
    derived.refresh(city.db, SYSTEM, city, "duty-copy")
    assert ("徒骇河", "赵六", "13812345678") in rows_of(city, STEWARD, "duty-copy")
