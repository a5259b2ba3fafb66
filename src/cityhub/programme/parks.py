"""The digital-economy parks (task 9): registration, evaluations and resident enterprises.

Registering a park, scoring it and setting its residents are the programme office's decisions
(PROGRAMME_MANAGE); reading needs PROGRAMME_READ. A park's tier is its latest evaluation's, and
its explanation is recomputed from the stored scores and weights (``tiering.tier_of`` is pure),
so it always matches the numbers shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from cityhub.audit import record
from cityhub.auth.actor import Actor, Permission
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.programme import registry_common as common
from cityhub.programme.models_registries import (
    ProgrammePark,
    ProgrammeParkEnterprise,
    ProgrammeParkEvaluation,
)
from cityhub.programme.tiering import CRITERIA, TIER_NAMES, check_weights, tier_of


@dataclass(frozen=True)
class EvaluationView:
    """One evaluation: scores and weights per criterion, total, tier and why."""

    evaluated_on: date
    evaluated_by: str
    scores: dict[str, float]
    weights: dict[str, float]
    total: float
    tier: str
    tier_zh: str
    tier_en: str
    below_bar: tuple[str, ...]
    explanation_zh: str
    explanation_en: str


@dataclass(frozen=True)
class ParkView:
    """A park with its resident enterprises and its latest evaluation (None before scoring)."""

    id: int
    name: str
    county: str
    department: str
    registered_on: date
    residents: tuple[str, ...]
    evaluation: EvaluationView | None


def _evaluation(row: ProgrammeParkEvaluation) -> EvaluationView:
    scores = {c: float(getattr(row, c)) for c in CRITERIA}
    weights = {c: float(getattr(row, f"weight_{c}")) for c in CRITERIA}
    tiering = tier_of(scores, weights)
    zh, en = TIER_NAMES[row.tier]
    return EvaluationView(
        evaluated_on=row.evaluated_on,
        evaluated_by=row.evaluated_by,
        scores=scores,
        weights=weights,
        total=row.total,
        tier=row.tier,
        tier_zh=zh,
        tier_en=en,
        below_bar=tiering.below_bar,
        explanation_zh=tiering.explanation_zh,
        explanation_en=tiering.explanation_en,
    )


def _view(session: Session, row: ProgrammePark, codes: common.Departments) -> ParkView:
    residents = session.scalars(
        select(ProgrammeParkEnterprise.credit_code)
        .where(ProgrammeParkEnterprise.park_id == row.id)
        .order_by(ProgrammeParkEnterprise.credit_code)
    )
    latest = session.scalar(
        select(ProgrammeParkEvaluation)
        .where(ProgrammeParkEvaluation.park_id == row.id)
        .order_by(ProgrammeParkEvaluation.evaluated_on.desc(), ProgrammeParkEvaluation.id.desc())
        .limit(1)
    )
    return ParkView(
        id=row.id,
        name=row.name,
        county=row.county,
        department=codes.codes[row.department_id],
        registered_on=row.registered_on,
        residents=tuple(residents),
        evaluation=None if latest is None else _evaluation(latest),
    )


def _row(session: Session, park_id: int) -> ProgrammePark:
    row = session.get(ProgrammePark, park_id)
    if row is None:
        raise NotFound(f"no park {park_id}", details={"park": park_id})
    return row


def _codes(values: Iterable[str]) -> list[str]:
    checked = [common.credit_code(v, f"residents[{i}]") for i, v in enumerate(values)]
    return list(dict.fromkeys(checked))


def register_park(
    db: Database,
    actor: Actor,
    name: str,
    county: str,
    *,
    department: str | None = None,
    registered_on: date | None = None,
    residents: Iterable[str] = (),
) -> ParkView:
    """Register a park (PROGRAMME_MANAGE), for ``department`` (the actor's when omitted)."""
    actor.require(Permission.PROGRAMME_MANAGE)
    unit = common.registering_department(actor, department)
    clean_name = common.text(name, "name")
    code = common.county(county)
    codes_in = _codes(residents)
    with db.transaction() as session:
        if session.scalar(select(ProgrammePark.id).where(ProgrammePark.name == clean_name)):
            raise Conflict(
                f"a park named {clean_name!r} exists", details={"field": "name", "value": name}
            )
        codes = common.Departments(session)
        row = ProgrammePark(
            name=clean_name,
            county=code,
            department_id=codes.id_of(unit),
            registered_on=registered_on or common.city_today(),
        )
        session.add(row)
        session.flush()
        session.add_all(ProgrammeParkEnterprise(park_id=row.id, credit_code=c) for c in codes_in)
        session.flush()
        view = _view(session, row, codes)
        record(
            session,
            actor,
            "programme.park.register",
            object_type="programme_park",
            object_id=str(row.id),
            details={"name": clean_name, "county": code, "residents": len(codes_in)},
        )
    return view


def evaluate_park(
    db: Database,
    actor: Actor,
    park_id: int,
    scores: dict[str, float],
    weights: dict[str, float] | None = None,
    *,
    on: date | None = None,
) -> ParkView:
    """Score a park on the four criteria (PROGRAMME_MANAGE); the tier follows from the scores."""
    actor.require(Permission.PROGRAMME_MANAGE)
    tiering = tier_of(scores, weights)  # checks both
    used = check_weights(weights)
    with db.transaction() as session:
        row = _row(session, park_id)
        day = on or common.city_today()
        if day < row.registered_on:
            raise InvalidInput(
                f"on: {day} is before the park was registered ({row.registered_on})",
                details={"field": "on", "value": day.isoformat()},
            )
        session.add(
            ProgrammeParkEvaluation(
                park_id=row.id,
                evaluated_on=day,
                **{c: float(scores[c]) for c in CRITERIA},
                **{f"weight_{c}": used[c] for c in CRITERIA},
                total=tiering.total,
                tier=tiering.tier,
                evaluated_by=actor.username,
            )
        )
        session.flush()
        view = _view(session, row, common.Departments(session))
        record(
            session,
            actor,
            "programme.park.evaluate",
            object_type="programme_park",
            object_id=str(park_id),
            details={
                "scores": scores,
                "weights": used,
                "total": tiering.total,
                "tier": tiering.tier,
            },
        )
    return view


def set_residents(db: Database, actor: Actor, park_id: int, residents: Iterable[str]) -> ParkView:
    """Replace a park's resident enterprises (PROGRAMME_MANAGE)."""
    actor.require(Permission.PROGRAMME_MANAGE)
    codes_in = _codes(residents)
    with db.transaction() as session:
        row = _row(session, park_id)
        before = list(
            session.scalars(
                select(ProgrammeParkEnterprise.credit_code).where(
                    ProgrammeParkEnterprise.park_id == park_id
                )
            )
        )
        session.execute(
            delete(ProgrammeParkEnterprise).where(ProgrammeParkEnterprise.park_id == park_id)
        )
        session.add_all(ProgrammeParkEnterprise(park_id=park_id, credit_code=c) for c in codes_in)
        session.flush()
        view = _view(session, row, common.Departments(session))
        record(
            session,
            actor,
            "programme.park.residents",
            object_type="programme_park",
            object_id=str(park_id),
            details={"before": sorted(before), "after": sorted(codes_in)},
        )
    return view


def list_parks(db: Database, actor: Actor) -> list[ParkView]:
    """Every park in registration order."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        codes = common.Departments(session)
        rows = session.scalars(select(ProgrammePark).order_by(ProgrammePark.id))
        views = [_view(session, row, codes) for row in rows]
        record(
            session,
            actor,
            "programme.park.read",
            object_type="programme_park",
            details={"count": len(views)},
        )
    return views


def get_park(db: Database, actor: Actor, park_id: int) -> ParkView:
    """One park."""
    actor.require(Permission.PROGRAMME_READ)
    with db.transaction() as session:
        view = _view(session, _row(session, park_id), common.Departments(session))
        record(
            session,
            actor,
            "programme.park.read",
            object_type="programme_park",
            object_id=str(park_id),
        )
    return view
