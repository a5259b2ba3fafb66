"""Registering the demo chains' actors on the platform, and the recorder accounts of a few.

The generator's actors (``trace_chain_actors``) become traceability actors through
``actors.register_actor``, as 农业农村局's steward would register them; an actor already there
(same public ref) is left alone. Four of them get a recorder account each, linked to the actor,
so that a demo user can log in as the 阿胶 maker, an orchard, a greenhouse cooperative or the
wholesale market and record events by hand.
"""

from __future__ import annotations

import random
from dataclasses import dataclass

from sqlalchemy import select

from cityhub.auth import Actor
from cityhub.auth.models import User
from cityhub.db import Database
from cityhub.demo.trace_chain_actors import cast
from cityhub.demo.trace_chain_model import DemoActor
from cityhub.errors import Conflict
from cityhub.trace.actors import ActorIn, link_account, public_ref, register_actor
from cityhub.trace.models import TraceActor, TraceActorAccount

# recorder account → actor key of the cast (see ``accounts.DEMO_USERS``)
RECORDER_ACTORS = {
    "ejiao.recorder": "gelatin",
    "pear.recorder": "orchard_qq",
    "veg.recorder": "veg_lp",
    "market.recorder": "market_dcf",
}


@dataclass(frozen=True)
class Registered:
    """What registering added: actor refs and recorder links (none on a second run)."""

    actors: list[str]
    links: list[str]


def is_person(actor: DemoActor) -> bool:
    """The one natural-person farmer: a 自然人主体码 instead of a credit code."""
    return not actor.ref[:2].isdigit()


def platform_kind(actor: DemoActor) -> str:
    """The platform's actor kind of a demo actor (the generator uses coarser kinds)."""
    if actor.kind == "producer":
        return "cooperative" if actor.ref.startswith("93") else "farm"
    if actor.kind == "supplier":
        return "input_supplier"
    if actor.kind == "retailer" and "市场" in actor.name_zh:
        return "market"
    return actor.kind  # processor, logistics, retailer, lab


def actor_ref(actor: DemoActor) -> str:
    """The public ref the platform gives the actor: the credit code, or the hashed 主体码."""
    return public_ref("subject_code" if is_person(actor) else "credit_code", actor.ref)


def actor_in(actor: DemoActor) -> ActorIn:
    person = is_person(actor)
    return ActorIn(
        code=actor.ref,
        name_zh=actor.name_zh,
        kind=platform_kind(actor),
        ref_kind="subject_code" if person else "credit_code",
        natural_person=person,
        name_en=actor.name_en,
        county=actor.county,
        lon=actor.lon,
        lat=actor.lat,
        gln=actor.gln,
    )


def register_actors(db: Database, actors: tuple[DemoActor, ...]) -> list[str]:
    """Register the actors not registered yet; returns their public refs."""
    with db.reading() as session:
        known = set(session.scalars(select(TraceActor.ref)))
    created = []
    for actor in actors:
        ref = actor_ref(actor)
        if ref in known:
            continue
        try:
            register_actor(db, Actor.system(), actor_in(actor))
        except Conflict:
            continue  # registered meanwhile
        created.append(ref)
    return created


def recorder_refs(seed: int) -> dict[str, str]:
    """Recorder account → the demo ref of its actor, for the cast drawn from ``seed``."""
    actors = cast(random.Random(seed)).actors
    return {user: actors[key].ref for user, key in RECORDER_ACTORS.items()}


def link_recorders(db: Database, seed: int) -> list[str]:
    """Link each recorder account to its actor (if both exist and are not linked yet)."""
    linked = []
    for username, ref in recorder_refs(seed).items():
        with db.reading() as session:
            user_id = session.scalar(select(User.id).where(User.username == username))
            actor_id = session.scalar(select(TraceActor.id).where(TraceActor.ref == ref))
            if user_id is None or actor_id is None:
                continue
            if session.get(TraceActorAccount, {"actor_id": actor_id, "user_id": user_id}):
                continue
        try:
            link_account(db, Actor.system(), ref, username)
        except Conflict:
            continue
        linked.append(f"{username} → {ref}")
    return linked
