"""The incentives API, ``/api/programme/incentives``: rules, checks, 免申即享 lists, declarations.

Thin routes: parse, call one service function (which checks the permission and audits), format.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from cityhub.programme import incentives
from cityhub.programme.incentives.service import today_in_city
from cityhub.web.deps import ApiActor, DatabaseDep, PoolDep
from cityhub.web.programme_incentives_schemas import (
    CheckBody,
    CheckOut,
    DeclarationBody,
    DeclarationOut,
    QualifyingOut,
    RuleOut,
)
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/programme", tags=["programme"], responses=ERROR_RESPONSES)


@router.get("/incentives/rules", summary="List incentive rules")
def read_rules(actor: ApiActor) -> list[RuleOut]:
    """The incentive rules of 十七 and 十八 with version, dates, clause and responsible units."""
    return [RuleOut.of(rule) for rule in incentives.list_rules(actor)]


@router.post("/incentives/check", summary="Check an enterprise against the rules")
def check(body: CheckBody, db: DatabaseDep, pool: PoolDep, actor: ApiActor) -> CheckOut:
    """Which rules apply to the enterprise on the day, with reasons and clauses (public)."""
    declared = body.declared.facts() if body.declared is not None else None
    on = body.on or today_in_city()
    return CheckOut.of(incentives.check(db, pool, actor, body.credit_code, declared, on))


@router.get("/incentives/rules/{rule}/qualifying", summary="Enterprises that qualify (免申即享)")
def read_qualifying(
    rule: str,
    db: DatabaseDep,
    pool: PoolDep,
    actor: ApiActor,
    on: Annotated[date | None, Query(description="The day; today when omitted.")] = None,
    limit: Annotated[int, Query(ge=1, le=incentives.service.MAX_PAGE)] = 100,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> QualifyingOut:
    """A page of the base database's enterprises that qualify without applying."""
    page = incentives.qualifying_page(
        db, pool, actor, rule, on or today_in_city(), limit=limit, offset=offset
    )
    return QualifyingOut.of(page)


@router.get("/incentives/declarations", summary="List declarations")
def read_declarations(db: DatabaseDep, actor: ApiActor) -> list[DeclarationOut]:
    """Every stored declaration (programme readers)."""
    return [DeclarationOut.of(v) for v in incentives.list_declarations(db, actor)]


@router.get("/incentives/declarations/{credit_code}", summary="Show a declaration")
def read_declaration(credit_code: str, db: DatabaseDep, actor: ApiActor) -> DeclarationOut:
    """One enterprise's stored declaration."""
    return DeclarationOut.of(incentives.get_declaration(db, actor, credit_code))


@router.put("/incentives/declarations/{credit_code}", summary="Store a declaration")
def put_declaration(
    credit_code: str, body: DeclarationBody, db: DatabaseDep, actor: ApiActor
) -> DeclarationOut:
    """Store or replace an enterprise's declared facts (stewards, admins); audited."""
    view = incentives.save_declaration(
        db,
        actor,
        credit_code,
        body.facts.facts(),
        enterprise_name=body.enterprise_name,
        note=body.note,
    )
    return DeclarationOut.of(view)


@router.delete(
    "/incentives/declarations/{credit_code}", status_code=204, summary="Delete a declaration"
)
def delete_declaration(credit_code: str, db: DatabaseDep, actor: ApiActor) -> Response:
    """Remove a declaration (admins); audited with the removed facts."""
    incentives.delete_declaration(db, actor, credit_code)
    return Response(status_code=204)
