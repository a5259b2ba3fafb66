"""``check`` over a real legal-entity base database in the pool, as different callers."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select

from cityhub import auth
from cityhub.audit.models import AuditEvent
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from cityhub.pool.service import Pool
from cityhub.programme import incentives
from cityhub.programme.incentives import DeclaredFacts, Level, ProjectKind
from tests.programme.incentive_entities import (
    COARSE,
    DIGITAL,
    ENTITIES,
    FACTORY,
    GONE,
    REVOKED,
    UNKNOWN,
    load,
    make_entities,
)

ANALYST = auth.Actor(None, "slj.analyst", auth.Role.ANALYST, "SLJ")
STEWARD = auth.Actor(None, "slj.steward", auth.Role.STEWARD, "SLJ")
PUBLIC = auth.Actor.public()
SMALL = DeclaredFacts(small_scale_vat=True)


@pytest.fixture
def pool(db: Database, settings: Settings, tmp_path: Path) -> Iterator[Pool]:
    make_entities(db, settings.data_dir, tmp_path)
    pool = Pool(db, settings)
    yield pool
    pool.close()


def tax(result: incentives.CheckResult) -> incentives.Answer:
    [answer] = [a for a in result.answers if a.rule.id == "tax-halving"]
    return answer


@pytest.mark.parametrize(
    ("code", "on", "applies", "status"),
    [
        (DIGITAL, date(2020, 6, 1), True, "found"),
        (DIGITAL, date(2022, 6, 1), False, "found"),
        (FACTORY, date(2020, 6, 1), False, "found"),
        (GONE, date(2020, 6, 1), False, "found"),
        (REVOKED, date(2020, 6, 1), False, "found"),
        (COARSE, date(2020, 6, 1), False, "found"),
        (UNKNOWN, date(2020, 6, 1), False, "not_found"),
    ],
)
def test_check_reads_the_base_database(
    db: Database, pool: Pool, code: str, on: date, applies: bool, status: str
) -> None:
    result = incentives.check(db, pool, ANALYST, code, SMALL, on)
    assert (tax(result).applies, result.base_status) == (applies, status)
    assert result.base_sources == ("legal-entities@1",)


def test_unknown_code_answers_from_declared_facts_and_says_so(db: Database, pool: Pool) -> None:
    declared = DeclaredFacts(small_scale_vat=True, industry_code="I6513")
    result = incentives.check(db, pool, ANALYST, UNKNOWN, declared, date(2020, 6, 1))
    assert tax(result).applies and "仅依据申报事实" in result.note_zh
    assert result.enterprise_name is None


def test_the_public_cannot_read_a_conditionally_open_base(db: Database, pool: Pool) -> None:
    result = incentives.check(db, pool, PUBLIC, DIGITAL, SMALL, date(2020, 6, 1))
    assert result.base_status == "unavailable" and not tax(result).applies
    assert "not shared" not in result.note_en and "declared facts only" in result.note_en


def test_the_public_reads_an_open_base(db: Database, settings: Settings, tmp_path: Path) -> None:
    make_entities(db, settings.data_dir, tmp_path, open_to_public=True, name="open-entities")
    pool = Pool(db, settings)
    try:
        result = incentives.check(db, pool, PUBLIC, DIGITAL, SMALL, date(2020, 6, 1))
    finally:
        pool.close()
    assert result.base_status == "found" and tax(result).applies


def test_the_newest_version_is_read(
    db: Database, pool: Pool, settings: Settings, tmp_path: Path
) -> None:
    rows = [r if r[0] != DIGITAL else [*r[:6], "注销"] for r in ENTITIES]
    assert load(db, settings.data_dir, tmp_path, rows, name="legal-entities") == 2
    result = incentives.check(db, pool, ANALYST, DIGITAL, SMALL, date(2020, 6, 1))
    assert not tax(result).applies and result.base_sources == ("legal-entities@2",)


@pytest.mark.parametrize("bad", ["91371502MA3C0000", "91371502MA3C00001I", "not a code"])
def test_a_bad_credit_code_names_the_field(db: Database, pool: Pool, bad: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        incentives.check(db, pool, ANALYST, bad, SMALL, date(2020, 6, 1))
    assert caught.value.details["field"] == "credit_code"


def test_no_code_answers_from_declared_facts(db: Database, pool: Pool) -> None:
    declared = DeclaredFacts(provincial_members=1, long_term_employer=True)
    result = incentives.check(db, pool, PUBLIC, None, declared, date(2021, 1, 1))
    assert result.base_status == "not_given"
    [loan] = [a for a in result.answers if a.rule.id == "talent-loan"]
    assert loan.cap_yuan == 10_000_000


def test_checks_are_audited(db: Database, pool: Pool) -> None:
    incentives.check(db, pool, ANALYST, DIGITAL, SMALL, date(2020, 6, 1))
    with db.reading() as session:
        event = session.scalars(
            select(AuditEvent).where(AuditEvent.action == "programme.incentives.check")
        ).one()
    assert event.object_id == DIGITAL and event.details["applies"] == ["tax-halving"]


def test_stored_declarations(db: Database, pool: Pool, people: object) -> None:
    declared = DeclaredFacts(
        small_scale_vat=True,
        municipal_members=2,
        long_term_employer=True,
        project_kinds=frozenset({ProjectKind.ECOMMERCE}),
        key_project_lists=frozenset({Level.MUNICIPAL}),
    )
    view = incentives.save_declaration(db, STEWARD, DIGITAL, declared, enterprise_name="数智")
    assert (view.department, view.recorded_by, view.facts) == ("SLJ", "slj.steward", declared)
    result = incentives.check(db, pool, ANALYST, DIGITAL, None, date(2020, 6, 1))
    assert result.declared_stored
    assert {a.rule.id for a in result.answers if a.applies} == {
        "tax-halving",
        "talent-loan",
        "land-priority",
        "commercial-land",
    }
    assert incentives.get_declaration(db, ANALYST, DIGITAL).enterprise_name == "数智"
    with pytest.raises(PermissionDenied):
        incentives.save_declaration(db, ANALYST, DIGITAL, declared)
    with pytest.raises(PermissionDenied):
        incentives.delete_declaration(db, STEWARD, DIGITAL)
    incentives.delete_declaration(db, auth.Actor.system(), DIGITAL)
    with pytest.raises(NotFound):
        incentives.get_declaration(db, ANALYST, DIGITAL)
    with db.reading() as session:
        actions = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == DIGITAL)
        ).all()
    assert "programme.incentives.declare" in actions
    assert "programme.incentives.declaration.delete" in actions


def test_the_public_may_not_use_stored_declarations(db: Database, pool: Pool) -> None:
    with pytest.raises(NotAuthenticated):
        incentives.check(db, pool, PUBLIC, DIGITAL, None, date(2020, 6, 1))
