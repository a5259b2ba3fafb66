"""Talent-programme entries: checks, own-department registration, reads."""

from __future__ import annotations

from typing import Any

import pytest

from cityhub.db import Database
from cityhub.errors import InvalidInput, PermissionDenied
from cityhub.programme import talent
from tests.programme.test_projects import (
    ADMIN,
    ANALYST,
    OTHER_STEWARD,
    STEWARD,
    audit_actions,
    credit,
)

ENTRY: dict[str, Any] = {
    "person_name": "王晓明",
    "level": "provincial",
    "programme": "泰山产业领军人才工程",
    "employer_code": credit(7),
    "year": 2020,
}


def test_a_steward_adds_an_entry_for_the_own_department(db: Database) -> None:
    view = talent.add_talent(db, STEWARD, **ENTRY)
    assert (view.department, view.level, view.employer_code) == ("SLJ", "provincial", credit(7))
    talent.add_talent(
        db, ADMIN, **{**ENTRY, "level": "municipal", "year": 2021}, department="NYNCJ"
    )
    assert [v.year for v in talent.list_talent(db, ANALYST)] == [2021, 2020]
    assert [v.level for v in talent.list_talent(db, ANALYST, level="municipal")] == ["municipal"]
    assert "programme.talent.add" in audit_actions(db)
    assert "programme.talent.read" in audit_actions(db)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"level": "national"}, "level"),
        ({"employer_code": "91371502MA00000000"}, "employer_code"),
        ({"year": 1999}, "year"),
        ({"person_name": ""}, "person_name"),
        ({"programme": " "}, "programme"),
    ],
)
def test_bad_entries_name_the_field(db: Database, change: dict[str, Any], field: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        talent.add_talent(db, STEWARD, **{**ENTRY, **change})
    assert caught.value.details["field"] == field


def test_a_steward_may_not_register_for_another_department(db: Database) -> None:
    with pytest.raises(PermissionDenied):
        talent.add_talent(db, OTHER_STEWARD, **ENTRY, department="SLJ")
    with pytest.raises(PermissionDenied):
        talent.add_talent(db, ANALYST, **ENTRY)
