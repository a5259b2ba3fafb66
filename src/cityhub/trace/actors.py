"""Traceability actors: the farms, processors, carriers, shops and labs that record events.

An actor is registered by a TRACE_MANAGE holder with its 统一社会信用代码 (checked with the
registry's GB 32100 validator) or its 主体码 from the national traceability platform. Its public
``ref`` — what key statements and leaves name — is the credit code itself, or ``sha256:<hex>`` of
the 主体码, so that a natural person's code never reaches the append-only log. User accounts
(role recorder) are linked to the actors they record for. Natural persons' names, codes and exact
coordinates are shown only to TRACE_MANAGE holders; everyone else sees them masked.
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission, Role
from cityhub.auth.departments import department_by_code
from cityhub.auth.models import User
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from cityhub.registry.credit_code import validate_credit_code
from cityhub.registry.normalise import to_halfwidth, trim, upper_ascii
from cityhub.trace.actorview import ActorView, actor_view
from cityhub.trace.models import TraceActor, TraceActorAccount

ACTOR_KINDS = (
    "farm",
    "cooperative",
    "input_supplier",
    "processor",
    "logistics",
    "warehouse",
    "wholesaler",
    "market",
    "retailer",
    "lab",
    "regulator",
)
REF_KINDS = ("credit_code", "subject_code")
# The national platform's 主体码 has no published syntax we could check against, so this is a
# shape check only: 10-32 upper-case letters and digits.
SUBJECT_CODE = re.compile(r"[0-9A-Z]{10,32}")
GLN = re.compile(r"[0-9]{13}")


@dataclass(frozen=True)
class ActorIn:
    """What registering an actor needs; ``code`` is a credit code or a 主体码 per ``ref_kind``."""

    code: str
    name_zh: str
    kind: str
    ref_kind: str = "credit_code"
    natural_person: bool = False
    name_en: str | None = None
    county: str | None = None
    lon: float | None = None
    lat: float | None = None
    gln: str | None = None
    department: str | None = None  # department code, for actors run by a department


def public_ref(ref_kind: str, code: str) -> str:
    """The ref written to the log: the credit code, or ``sha256:<hex>`` of a 主体码."""
    if ref_kind == "credit_code":
        return code
    return "sha256:" + hashlib.sha256(code.encode("utf-8")).hexdigest()


def gs1_check_digit(body: str) -> str:
    """The GS1 mod-10 check digit of the digits ``body`` (weights 3, 1, … from the right)."""
    total = sum(int(d) * (3 if i % 2 == 0 else 1) for i, d in enumerate(reversed(body)))
    return str((10 - total % 10) % 10)


def _normalised_code(data: ActorIn) -> str:
    if data.ref_kind not in REF_KINDS:
        raise InvalidInput(
            f"ref_kind must be one of {', '.join(REF_KINDS)}", details={"field": "ref_kind"}
        )
    if data.ref_kind == "credit_code":
        if data.natural_person:
            raise InvalidInput(
                "a natural person has no 统一社会信用代码; register with the 主体码",
                details={"field": "natural_person"},
            )
        verdict = validate_credit_code(data.code)
        if not verdict.valid or verdict.normalised is None:
            raise InvalidInput(
                f"统一社会信用代码无效：{verdict.reason_zh} / "
                f"invalid credit code: {verdict.reason_en}",
                details={"field": "code"},
            )
        return verdict.normalised
    code = upper_ascii(trim(to_halfwidth(data.code)))
    if SUBJECT_CODE.fullmatch(code) is None:
        raise InvalidInput(
            "主体码应为 10-32 位大写字母或数字 / a 主体码 is 10-32 upper-case letters and digits",
            details={"field": "code"},
        )
    return code


def _check_fields(data: ActorIn) -> None:
    if data.kind not in ACTOR_KINDS:
        raise InvalidInput(
            f"kind must be one of {', '.join(ACTOR_KINDS)}", details={"field": "kind"}
        )
    if not trim(data.name_zh) or len(data.name_zh) > 200:
        raise InvalidInput("name_zh must be 1-200 characters", details={"field": "name_zh"})
    if data.name_en is not None and len(data.name_en) > 200:
        raise InvalidInput("name_en must be at most 200 characters", details={"field": "name_en"})
    if data.county is not None and len(data.county) > 64:
        raise InvalidInput("county must be at most 64 characters", details={"field": "county"})
    if (data.lon is None) != (data.lat is None):
        raise InvalidInput("give both lon and lat, or neither", details={"field": "lon"})
    if (
        data.lon is not None
        and data.lat is not None
        and not (-180 <= data.lon <= 180 and -90 <= data.lat <= 90)
    ):
        raise InvalidInput("lon/lat out of range", details={"field": "lon"})
    if data.gln is not None and (
        GLN.fullmatch(data.gln) is None or gs1_check_digit(data.gln[:12]) != data.gln[12]
    ):
        raise InvalidInput(
            "gln must be 13 digits with a valid GS1 check digit", details={"field": "gln"}
        )


def register_actor(db: Database, caller: Actor, data: ActorIn) -> ActorView:
    """Register an actor; TRACE_MANAGE. Raises Conflict when its ref is registered already."""
    audit.require(
        db, caller, Permission.TRACE_MANAGE, "trace.actor.register", object_type="trace_actor"
    )
    code = _normalised_code(data)
    _check_fields(data)
    ref = public_ref(data.ref_kind, code)
    with db.transaction() as session:
        if session.scalar(select(TraceActor.id).where(TraceActor.ref == ref)) is not None:
            raise Conflict(f"actor {ref} is registered already", details={"ref": ref})
        department_id = department_by_code(session, data.department).id if data.department else None
        row = TraceActor(
            ref=ref,
            ref_kind=data.ref_kind,
            code=code,
            natural_person=data.natural_person,
            name_zh=trim(data.name_zh),
            name_en=data.name_en,
            kind=data.kind,
            county=data.county,
            lon=data.lon,
            lat=data.lat,
            gln=data.gln,
            department_id=department_id,
        )
        session.add(row)
        session.flush()
        audit.record(
            session, caller, "trace.actor.register", object_type="trace_actor", object_id=ref
        )
        return actor_view(session, row, caller)


def list_actors(db: Database, caller: Actor, *, kind: str | None = None) -> list[ActorView]:
    """Every actor (of ``kind``), by id; TRACE_READ, audited."""
    audit.require(db, caller, Permission.TRACE_READ, "trace.actor.list", object_type="trace_actor")
    with db.transaction() as session:
        query = select(TraceActor).order_by(TraceActor.id)
        if kind is not None:
            query = query.where(TraceActor.kind == kind)
        rows = list(session.scalars(query))
        audit.record(
            session, caller, "trace.actor.list", object_type="trace_actor", details={"kind": kind}
        )
        return [actor_view(session, row, caller) for row in rows]


def show_actor(db: Database, caller: Actor, ref: str) -> ActorView:
    """One actor by its ref (or, for managers, its credit code / 主体码); TRACE_READ, audited."""
    audit.require(db, caller, Permission.TRACE_READ, "trace.actor.read", object_type="trace_actor")
    with db.transaction() as session:
        row = actor_by_ref(session, ref)
        audit.record(
            session, caller, "trace.actor.read", object_type="trace_actor", object_id=row.ref
        )
        return actor_view(session, row, caller)


def actor_by_ref(session: Session, ref: str) -> TraceActor:
    """The actor with public ref ``ref`` (a 主体码 is hashed first); NotFound otherwise."""
    row = session.scalar(select(TraceActor).where(TraceActor.ref == ref))
    if row is None and SUBJECT_CODE.fullmatch(ref):
        row = session.scalar(
            select(TraceActor).where(TraceActor.ref == public_ref("subject_code", ref))
        )
    if row is None:
        raise NotFound(f"no traceability actor {ref}", details={"actor": ref})
    return row


def link_account(db: Database, caller: Actor, actor_ref: str, username: str) -> None:
    """Let user ``username`` record events for the actor; TRACE_MANAGE, audited."""
    audit.require(
        db, caller, Permission.TRACE_MANAGE, "trace.actor.link", object_type="trace_actor"
    )
    with db.transaction() as session:
        row = actor_by_ref(session, actor_ref)
        user = session.scalar(select(User).where(User.username == username))
        if user is None:
            raise NotFound(f"no user {username!r}", details={"user": username})
        key = {"actor_id": row.id, "user_id": user.id}
        if session.get(TraceActorAccount, key) is not None:
            raise Conflict(f"{username} is linked to {row.ref} already")
        session.add(TraceActorAccount(**key))
        audit.record(
            session,
            caller,
            "trace.actor.link",
            object_type="trace_actor",
            object_id=row.ref,
            details={"user": username},
        )


def unlink_account(db: Database, caller: Actor, actor_ref: str, username: str) -> None:
    """Stop user ``username`` recording for the actor; TRACE_MANAGE, audited."""
    audit.require(
        db, caller, Permission.TRACE_MANAGE, "trace.actor.unlink", object_type="trace_actor"
    )
    with db.transaction() as session:
        row = actor_by_ref(session, actor_ref)
        user_id = session.scalar(select(User.id).where(User.username == username))
        link = session.get(TraceActorAccount, {"actor_id": row.id, "user_id": user_id})
        if link is None:
            raise NotFound(f"{username} is not linked to {row.ref}")
        session.delete(link)
        audit.record(
            session,
            caller,
            "trace.actor.unlink",
            object_type="trace_actor",
            object_id=row.ref,
            details={"user": username},
        )


def may_act_for(session: Session, caller: Actor, actor_id: int) -> bool:
    """Whether ``caller`` may sign statements and record events as the actor: admins (and the
    system) for any actor, TRACE_RECORD holders for the actors their account is linked to."""
    if caller.role is Role.ADMIN:
        return True
    if not caller.can(Permission.TRACE_RECORD) or caller.user_id is None:
        return False
    link = session.get(TraceActorAccount, {"actor_id": actor_id, "user_id": caller.user_id})
    return link is not None


def require_act_for(
    db: Database, session: Session, caller: Actor, row: TraceActor, action: str
) -> None:
    """Raise PermissionDenied (the refusal audited on its own) unless ``may_act_for``."""
    if may_act_for(session, caller, row.id):
        return
    audit.deny(
        db,
        caller,
        action,
        object_type="trace_actor",
        object_id=row.ref,
        details={"permission": Permission.TRACE_RECORD.value},
    )
    caller.require(Permission.TRACE_RECORD)  # 401 for the public
    raise PermissionDenied(
        f"account {caller.username} does not record for {row.ref}", details={"actor": row.ref}
    )
