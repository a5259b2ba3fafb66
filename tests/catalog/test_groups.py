"""Thematic groups: who creates and curates them, what they show, and that they grant nothing."""

from __future__ import annotations

import pytest

from cityhub import audit, auth, catalog
from cityhub.catalog import groups
from cityhub.catalog.groups import GroupSpec
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied

SYSTEM = auth.Actor.system()
STEWARD = auth.Actor(None, "slj.steward", auth.Role.STEWARD, "SLJ")
OTHER_STEWARD = auth.Actor(None, "nyncj.steward", auth.Role.STEWARD, "NYNCJ")
ANALYST = auth.Actor(None, "slj.analyst", auth.Role.ANALYST, "SLJ")
ADMIN = auth.Actor(None, "admin", auth.Role.ADMIN, "DSJJ")
PUBLIC = auth.Actor.public()


@pytest.fixture
def water(db: Database, datasets: list[catalog.Dataset]) -> groups.DatasetGroup:
    """A group of 水利局 holding datasets of three departments."""
    group = groups.create_group(db, STEWARD, GroupSpec("water-topic", "水资源专题", "防汛与供水"))
    for dataset in ("water-levels", "legal-entities", "population-sample"):
        assert groups.add_dataset(db, STEWARD, "water-topic", dataset)
    return group


def test_steward_creates_a_group_of_their_department(db: Database) -> None:
    group = groups.create_group(db, STEWARD, GroupSpec(" Water-Topic ", " 水资源专题 "))
    assert (group.name, group.title, group.department.code) == ("water-topic", "水资源专题", "SLJ")
    assert group.created_by == "slj.steward"
    events = audit.list_events(db, SYSTEM, audit.AuditFilter(action="group.create")).events
    assert [(e.object_id, e.details["department"]) for e in events] == [("water-topic", "SLJ")]


@pytest.mark.parametrize(
    ("name", "title", "message"),
    [
        ("a", "标题", "2-100 characters"),
        ("中文名", "标题", "2-100 characters"),
        ("water_topic", "标题", "2-100 characters"),
        ("spatial", "空间", "resource class"),
        ("population", "人口", "resource class"),
        ("water-topic", "  ", "title"),
    ],
)
def test_names_and_titles_are_checked(db: Database, name: str, title: str, message: str) -> None:
    with pytest.raises(InvalidInput, match=message):
        groups.create_group(db, STEWARD, GroupSpec(name, title))


def test_names_are_unique(db: Database) -> None:
    groups.create_group(db, STEWARD, GroupSpec("water-topic", "水资源专题"))
    with pytest.raises(Conflict):
        groups.create_group(db, ADMIN, GroupSpec("water-topic", "另一个"))


@pytest.mark.parametrize(
    ("actor", "department", "error"),
    [
        (PUBLIC, None, NotAuthenticated),
        (ANALYST, None, PermissionDenied),
        (STEWARD, "NYNCJ", PermissionDenied),
    ],
)
def test_only_stewards_of_the_department_and_admins_create(
    db: Database, actor: auth.Actor, department: str | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        groups.create_group(db, actor, GroupSpec("farm-topic", "农业专题", department=department))
    assert groups.count_groups(db) == 0
    denied = audit.list_events(db, SYSTEM, audit.AuditFilter(outcome=audit.Outcome.DENIED)).events
    assert [e.action for e in denied] == ["group.create"]


def test_admins_create_for_any_department(db: Database) -> None:
    group = groups.create_group(db, ADMIN, GroupSpec("farm-topic", "农业专题", department="NYNCJ"))
    assert group.department.code == "NYNCJ"
    with pytest.raises(InvalidInput, match="department"):
        groups.create_group(db, SYSTEM, GroupSpec("no-department", "无部门"))


def test_managers_add_and_remove_datasets_of_any_department(
    db: Database, water: groups.DatasetGroup
) -> None:
    view = groups.get_group(db, STEWARD, "water-topic")
    assert [d.name for d in view.datasets] == [
        "legal-entities",
        "population-sample",
        "water-levels",
    ]
    assert not groups.add_dataset(db, STEWARD, "water-topic", "legal-entities")  # there already
    groups.remove_dataset(db, ADMIN, "group-water-topic", "legal-entities")
    with pytest.raises(NotFound, match="not in group"):
        groups.remove_dataset(db, STEWARD, "water-topic", "legal-entities")
    with pytest.raises(NotFound):
        groups.add_dataset(db, STEWARD, "water-topic", "no-such-dataset")
    with pytest.raises(NotFound):
        groups.add_dataset(db, STEWARD, "no-such-group", "legal-entities")
    actions = [
        (e.action, e.details["dataset"])
        for e in audit.list_events(db, SYSTEM, audit.AuditFilter(action="group.")).events
        if e.action != "group.create"
    ]
    assert actions[0] == ("group.remove", "legal-entities")
    assert len(actions) == 4


@pytest.mark.parametrize(
    ("actor", "error"),
    [(PUBLIC, NotAuthenticated), (ANALYST, PermissionDenied), (OTHER_STEWARD, PermissionDenied)],
)
def test_others_cannot_change_the_group(
    db: Database, water: groups.DatasetGroup, actor: auth.Actor, error: type[Exception]
) -> None:
    with pytest.raises(error):
        groups.add_dataset(db, actor, "water-topic", "legal-entities")
    with pytest.raises(error):
        groups.remove_dataset(db, actor, "water-topic", "water-levels")
    assert len(groups.get_group(db, SYSTEM, "water-topic").datasets) == 3


def test_members_are_listed_as_the_caller_may_see_them(
    db: Database, water: groups.DatasetGroup
) -> None:
    assert [d.name for d in groups.get_group(db, PUBLIC, "water-topic").datasets] == [
        "legal-entities"
    ]
    assert groups.list_groups(db, PUBLIC)[0][1] == 1
    assert groups.list_groups(db, ANALYST)[0][1] == 3
    found = groups.memberships(
        db, [d.id for d in groups.get_group(db, ADMIN, "water-topic").datasets]
    )
    assert {g.name for gs in found.values() for g in gs} == {"water-topic"}
    assert groups.memberships(db, []) == {}
    assert groups.group_names(db) == frozenset({"water-topic"})


def test_a_group_grants_nothing(db: Database, water: groups.DatasetGroup) -> None:
    nyncj = auth.Actor(None, "nyncj.analyst", auth.Role.ANALYST, "NYNCJ")
    with db.reading() as session:
        population = catalog.dataset_by_name(session, "population-sample")
        granted = catalog.granted_departments(session, population.id)
    listed = groups.get_group(db, nyncj, "water-topic").datasets
    assert "population-sample" in [d.name for d in listed]
    assert not catalog.can_read(nyncj, population, granted)
