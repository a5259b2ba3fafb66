"""Actors: registration with checked codes, masking of natural persons, accounts."""

from __future__ import annotations

import hashlib

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor, Role
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from cityhub.trace.actors import (
    ActorIn,
    list_actors,
    may_act_for,
    register_actor,
    show_actor,
    unlink_account,
)
from cityhub.trace.models import TraceActor
from tests.trace.people import FARM_CODE, FARMER_SUBJECT_CODE, cast


def test_a_credit_code_is_its_own_ref(db: Database) -> None:
    view = register_actor(
        db,
        Actor.system(),
        ActorIn(code=f" {FARM_CODE.lower()} ", name_zh="莘县合作社", kind="farm"),
    )
    assert view.ref == FARM_CODE
    assert view.ref_kind == "credit_code"


def test_a_subject_code_is_hashed_into_the_ref(db: Database) -> None:
    view = register_actor(
        db,
        Actor.system(),
        ActorIn(code=FARMER_SUBJECT_CODE, ref_kind="subject_code", name_zh="某农场", kind="farm"),
    )
    assert view.ref == "sha256:" + hashlib.sha256(FARMER_SUBJECT_CODE.encode()).hexdigest()
    assert view.code == FARMER_SUBJECT_CODE


BAD = [
    (
        "credit code check character",
        ActorIn(code=FARM_CODE[:-1] + "0", name_zh="x", kind="farm"),
        "code",
    ),
    ("credit code length", ActorIn(code=FARM_CODE[:-1], name_zh="x", kind="farm"), "code"),
    (
        "subject code shape",
        ActorIn(code="abc-1", ref_kind="subject_code", name_zh="x", kind="farm"),
        "code",
    ),
    (
        "ref kind",
        ActorIn(code=FARM_CODE, ref_kind="passport", name_zh="x", kind="farm"),
        "ref_kind",
    ),
    (
        "natural person with credit code",
        ActorIn(code=FARM_CODE, natural_person=True, name_zh="x", kind="farm"),
        "natural_person",
    ),
    ("kind", ActorIn(code=FARM_CODE, name_zh="x", kind="bank"), "kind"),
    ("empty name", ActorIn(code=FARM_CODE, name_zh=" ", kind="farm"), "name_zh"),
    ("lon without lat", ActorIn(code=FARM_CODE, name_zh="x", kind="farm", lon=115.0), "lon"),
    (
        "lat out of range",
        ActorIn(code=FARM_CODE, name_zh="x", kind="farm", lon=115.0, lat=91.0),
        "lon",
    ),
    (
        "gln check digit",
        ActorIn(code=FARM_CODE, name_zh="x", kind="farm", gln="6901234000011"),
        "gln",
    ),
]


@pytest.mark.parametrize(("name", "data", "field"), BAD, ids=[case[0] for case in BAD])
def test_bad_registrations_name_the_field(
    db: Database, name: str, data: ActorIn, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        register_actor(db, Actor.system(), data)
    assert caught.value.details["field"] == field


def test_a_valid_gln_is_kept(db: Database) -> None:
    view = register_actor(
        db, Actor.system(), ActorIn(code=FARM_CODE, name_zh="x", kind="farm", gln="6901234000016")
    )
    assert view.gln == "6901234000016"


def test_an_actor_is_registered_once(db: Database) -> None:
    register_actor(db, Actor.system(), ActorIn(code=FARM_CODE, name_zh="x", kind="farm"))
    with pytest.raises(Conflict):
        register_actor(db, Actor.system(), ActorIn(code=FARM_CODE, name_zh="y", kind="farm"))


@pytest.mark.parametrize(
    ("caller", "error"),
    [
        (Actor.public(), NotAuthenticated),
        (Actor(None, "rec", Role.RECORDER, "NYNCJ"), PermissionDenied),
        (Actor(None, "ana", Role.ANALYST, "SLJ"), PermissionDenied),
    ],
)
def test_only_managers_register_and_refusals_are_audited(
    db: Database, caller: Actor, error: type[Exception]
) -> None:
    with pytest.raises(error):
        register_actor(db, caller, ActorIn(code=FARM_CODE, name_zh="x", kind="farm"))
    with db.reading() as session:
        row = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "trace.actor.register")
        ).one()
    assert (row.actor, row.outcome) == (caller.username, "denied")


def test_natural_persons_are_masked_for_all_but_managers(db: Database) -> None:
    people = cast(db)
    public = show_actor(db, Actor.public(), people.farmer)
    assert public.masked
    assert public.name_zh == "王**"
    assert public.name_en == "W************"
    assert FARMER_SUBJECT_CODE not in public.code
    assert (public.lon, public.lat) == (115.67, 36.23)
    manager = show_actor(db, people.steward, people.farmer)
    assert not manager.masked
    assert (manager.name_zh, manager.code, manager.lon) == ("王小明", FARMER_SUBJECT_CODE, 115.6712)
    # Enterprises are public records: never masked.
    assert not show_actor(db, Actor.public(), people.farm).masked
    listed = {view.ref: view for view in list_actors(db, people.recorder)}
    assert listed[people.farmer].masked and not listed[people.farm].masked


def test_reads_are_audited(db: Database) -> None:
    people = cast(db)
    show_actor(db, Actor.public(), people.farm)
    list_actors(db, Actor.public(), kind="retailer")
    with db.reading() as session:
        actions = list(
            session.scalars(
                select(AuditEvent.action)
                .where(AuditEvent.actor == "public")
                .order_by(AuditEvent.id)
            )
        )
    assert actions == ["trace.actor.read", "trace.actor.list"]


def test_a_manager_may_look_an_actor_up_by_its_subject_code(db: Database) -> None:
    people = cast(db)
    assert show_actor(db, people.steward, FARMER_SUBJECT_CODE).ref == people.farmer
    with pytest.raises(NotFound):
        show_actor(db, people.steward, "91371500MA3C00003X")


def test_linked_accounts_act_for_their_actor_only(db: Database) -> None:
    people = cast(db)
    with db.reading() as session:
        farm = session.scalars(select(TraceActor).where(TraceActor.ref == people.farm)).one()
        processor = session.scalars(
            select(TraceActor).where(TraceActor.ref == people.processor)
        ).one()
        assert may_act_for(session, people.recorder, farm.id)
        assert not may_act_for(session, people.recorder, processor.id)
        assert not may_act_for(session, people.stranger, farm.id)
        assert not may_act_for(session, people.steward, farm.id)  # manages, does not record
        assert may_act_for(session, Actor.system(), processor.id)
    unlink_account(db, Actor.system(), people.farm, people.recorder.username)
    with db.reading() as session:
        assert not may_act_for(session, people.recorder, farm.id)
    with pytest.raises(NotFound):
        unlink_account(db, Actor.system(), people.farm, people.recorder.username)
