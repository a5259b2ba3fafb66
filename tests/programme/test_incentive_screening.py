"""免申即享: the enterprises of the base database that qualify, filtered by DuckDB."""

from __future__ import annotations

import random
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import pytest

from cityhub import auth
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.demo.city import credit_code
from cityhub.errors import InvalidInput, NotAuthenticated, NotFound
from cityhub.pool.service import Pool
from cityhub.programme import incentives
from cityhub.programme.incentives import DeclaredFacts, Level, ProjectKind
from tests.programme.incentive_entities import (
    CHIPS,
    COARSE,
    DIGITAL,
    FACTORY,
    GONE,
    UNKNOWN,
    make_entities,
)

ANALYST = auth.Actor(None, "slj.analyst", auth.Role.ANALYST, "SLJ")
SYSTEM = auth.Actor.system()
MANY = 3000  # extra digital enterprises, every third a small-scale taxpayer


@pytest.fixture
def many() -> list[list[str]]:
    rng = random.Random(11)
    return [
        [
            credit_code(rng, "371502", "91"),
            f"软件{n}",
            "企业",
            "2019-01-01",
            "371502",
            "I6511",
            "存续",
        ]
        for n in range(MANY)
    ]


@pytest.fixture
def pool(db: Database, settings: Settings, tmp_path: Path, many: list[list[str]]) -> Iterator[Pool]:
    make_entities(db, settings.data_dir, tmp_path, many)
    small = DeclaredFacts(small_scale_vat=True)
    for code in (DIGITAL, FACTORY, GONE, COARSE, UNKNOWN, *(row[0] for row in many[::3])):
        incentives.save_declaration(db, SYSTEM, code, small)
    incentives.save_declaration(
        db,
        SYSTEM,
        CHIPS,
        DeclaredFacts(
            small_scale_vat=True,
            provincial_members=1,
            long_term_employer=True,
            project_kinds=frozenset({ProjectKind.IOT}),
        ),
    )
    incentives.save_declaration(
        db,
        SYSTEM,
        FACTORY,
        DeclaredFacts(
            small_scale_vat=True,
            digital_tech=True,
            municipal_members=1,
            long_term_employer=True,
            key_project_lists=frozenset({Level.PROVINCIAL}),
        ),
    )
    pool = Pool(db, settings)
    yield pool
    pool.close()


def codes(db: Database, pool: Pool, rule: str, on: date) -> set[str]:
    return {q.credit_code for q in incentives.qualifying(db, pool, ANALYST, rule, on)}


# (day, how many qualify): the boundaries of 2019-01-01 – 2021-12-31.
BY_DAY = [
    (date(2018, 12, 31), 0),
    (date(2019, 1, 1), MANY // 3 + 3),
    (date(2021, 12, 31), MANY // 3 + 3),
    (date(2022, 1, 1), 0),
]


def test_tax_halving_qualifiers_by_day(db: Database, pool: Pool, many: list[list[str]]) -> None:
    for on, expected in BY_DAY:
        found = codes(db, pool, "tax-halving", on)
        assert len(found) == expected, on
        if expected:
            # DIGITAL by industry, CHIPS (C3973), FACTORY by its declaration; not GONE (注销),
            # not COARSE (industry "I"), not UNKNOWN (not in the base database).
            assert {DIGITAL, CHIPS, FACTORY} <= found
            assert not {GONE, COARSE, UNKNOWN} & found
            assert many[0][0] in found and many[1][0] not in found


def test_pages_and_reasons(db: Database, pool: Pool) -> None:
    first = incentives.qualifying_page(
        db, pool, ANALYST, "tax-halving", date(2020, 1, 1), limit=50, offset=0
    )
    second = incentives.qualifying_page(
        db, pool, ANALYST, "tax-halving", date(2020, 1, 1), limit=50, offset=50
    )
    assert first.total == MANY // 3 + 3 and len(first.items) == 50
    assert not {q.credit_code for q in first.items} & {q.credit_code for q in second.items}
    assert [q.credit_code for q in first.items] == sorted(q.credit_code for q in first.items)
    assert all(q.answer.applies for q in first.items + second.items)
    assert first.sources == ("legal-entities@1",)


# (rule, who qualifies on 2021-06-01)
OTHER_RULES = [
    ("talent-loan", {CHIPS, FACTORY}),
    ("land-priority", {FACTORY}),
    ("major-project-library", {CHIPS}),
    ("commercial-land", set()),
]


def test_other_rules(db: Database, pool: Pool) -> None:
    for rule, expected in OTHER_RULES:
        assert codes(db, pool, rule, date(2021, 6, 1)) == expected, rule


def test_talent_caps_in_the_list(db: Database, pool: Pool) -> None:
    caps = {
        q.credit_code: q.answer.cap_yuan
        for q in incentives.qualifying(db, pool, ANALYST, "talent-loan", date(2021, 6, 1))
    }
    assert caps == {CHIPS: 10_000_000, FACTORY: 5_000_000}


def test_screening_agrees_with_check(db: Database, pool: Pool) -> None:
    listed = codes(db, pool, "tax-halving", date(2020, 1, 1))
    for code in (DIGITAL, FACTORY, GONE, COARSE, CHIPS):
        result = incentives.check(db, pool, ANALYST, code, None, date(2020, 1, 1))
        [answer] = [a for a in result.answers if a.rule.id == "tax-halving"]
        assert answer.applies is (code in listed), code


def test_refusals(db: Database, pool: Pool) -> None:
    with pytest.raises(NotAuthenticated):
        incentives.qualifying(db, pool, auth.Actor.public(), "tax-halving", date(2020, 1, 1))
    with pytest.raises(NotFound):
        incentives.qualifying(db, pool, ANALYST, "no-such-rule", date(2020, 1, 1))
    with pytest.raises(InvalidInput):
        incentives.qualifying_page(db, pool, ANALYST, "tax-halving", date(2020, 1, 1), limit=0)
