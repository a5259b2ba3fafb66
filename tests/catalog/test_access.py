"""The sharing rules as a table: who may read which dataset, and who sees it masked."""

from __future__ import annotations

import pytest

from cityhub import auth, catalog
from cityhub.auth import Role
from cityhub.db import Database
from cityhub.errors import PermissionDenied

OWNERS = {"legal-entities": "SCJGJ", "population-sample": "GAJ", "water-levels": "SLJ"}


def actor(role: Role, department: str | None) -> auth.Actor:
    return (
        auth.Actor(1, "someone", role, department)
        if role is not Role.PUBLIC
        else auth.Actor.public()
    )


@pytest.mark.parametrize(
    ("role", "department", "dataset", "granted", "may_read"),
    [
        # open + unconditional: everyone, the public included
        (Role.PUBLIC, None, "legal-entities", False, True),
        (Role.ANALYST, "SLJ", "legal-entities", False, True),
        # conditional: the owner, and departments with a grant
        (Role.ANALYST, "GAJ", "population-sample", False, True),
        (Role.ANALYST, "SLJ", "population-sample", False, False),
        (Role.ANALYST, "SLJ", "population-sample", True, True),
        (Role.ADMIN, "DSJJ", "population-sample", False, False),
        (Role.PUBLIC, None, "population-sample", True, False),
        # not shared: the owner only
        (Role.STEWARD, "SLJ", "water-levels", False, True),
        (Role.ANALYST, "SLJ", "water-levels", False, True),
        (Role.STEWARD, "NYNCJ", "water-levels", True, False),
        (Role.ADMIN, "DSJJ", "water-levels", False, False),
    ],
)
def test_who_may_read(
    db: Database,
    datasets: list[catalog.Dataset],
    role: Role,
    department: str | None,
    dataset: str,
    granted: bool,
    may_read: bool,
) -> None:
    entry = catalog.get_dataset(db, auth.Actor.system(), dataset)
    grants = frozenset({department}) if granted and department else frozenset()
    assert catalog.can_read(actor(role, department), entry, grants) is may_read
    assert catalog.masks_personal_data(actor(role, department), entry) is (
        department != OWNERS[dataset]
    )


def test_grants_are_admin_only_and_audited(db: Database, datasets: list[catalog.Dataset]) -> None:
    steward = auth.Actor(2, "gaj.steward", Role.STEWARD, "GAJ")
    with pytest.raises(PermissionDenied):
        catalog.grant(db, steward, "population-sample", "SLJ")
    catalog.grant(db, auth.Actor.system(), "population-sample", "SLJ", "水旱灾害防御需要")
    with db.reading() as session:
        entry = catalog.dataset_by_name(session, "population-sample")
        assert catalog.granted_departments(session, entry.id) == {"SLJ"}
    catalog.revoke(db, auth.Actor.system(), "population-sample", "SLJ")
    with db.reading() as session:
        assert catalog.granted_departments(session, entry.id) == frozenset()


def test_stewards_manage_only_their_own(db: Database, datasets: list[catalog.Dataset]) -> None:
    own = auth.Actor(3, "slj.steward", Role.STEWARD, "SLJ")
    catalog.update_dataset(db, own, "water-levels", catalog.DatasetPatch(abstract="徒骇河、马颊河"))
    with pytest.raises(PermissionDenied):
        catalog.update_dataset(db, own, "legal-entities", catalog.DatasetPatch(abstract="x"))
    with pytest.raises(PermissionDenied):
        catalog.create_dataset(
            db, own, catalog.DatasetSpec(name="not-mine", title="别人的", department="GAJ")
        )
