"""The demo city's base databases: made from their templates, failing exactly where meant to.

The city is seeded once for the package (``tests/demo/conftest.py``); the tests only read it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from cityhub import auth, catalog, quality
from cityhub.catalog import groups
from cityhub.catalog.base_databases import TEMPLATES
from cityhub.demo import seed
from cityhub.demo.basedb import BASE_DATASETS, DEMO_GROUPS
from cityhub.demo.basedb_sources import (
    CREDIT_FAULTS,
    LEGAL_ENTITY_FAULTS,
    POPULATION_FAULTS,
    Fault,
)
from cityhub.demo.linking_sources import SHOWCASE
from cityhub.pool.service import Pool, run_sql
from tests.demo.conftest import City

SYSTEM = auth.Actor.system()
FAULTS: dict[str, tuple[Fault, ...]] = {
    "legal-entities": LEGAL_ENTITY_FAULTS,
    "population-sample": POPULATION_FAULTS,
    "public-credit-records": CREDIT_FAULTS,
}
OWNERS = {
    "legal-entities": "SCJGJ",
    "population-sample": "GAJ",
    "public-credit-records": "FGW",
    "macro-indicators": "FGW",
    "spatial-features": "ZRZYJ",
    "e-certificates": "DSJJ",
    "market-credit-records": "SCJGJ",
}


def _steward(department: str) -> auth.Actor:
    return auth.Actor(None, f"{department.lower()}.steward", auth.Role.STEWARD, department)


def test_base_databases_come_from_their_templates(city: City) -> None:
    assert {d.name for d in BASE_DATASETS} <= set(city.report.datasets_created)
    for demo in BASE_DATASETS:
        dataset = catalog.get_dataset(city.db, SYSTEM, demo.name)
        template = TEMPLATES[demo.template]
        assert dataset.department.code == OWNERS[demo.name]
        assert dataset.resource_class == template.resource_class.value
        # The files carry exactly the standard columns, in order, with the declared types.
        assert [(c.name, c.type) for c in dataset.columns] == [
            (c.name, c.type.value) for c in template.columns
        ]
    market = catalog.get_dataset(city.db, SYSTEM, "market-credit-records")
    assert market.share_type == catalog.ShareType.CONDITIONAL.value


@pytest.mark.parametrize("name", list(OWNERS))
def test_data_passes_the_rules_except_the_deliberate_faults(city: City, name: str) -> None:
    faults = FAULTS.get(name, ())
    report = quality.list_reports(city.db, SYSTEM, name)[0]
    assert report.report.trigger == quality.Trigger.INGEST.value
    expected: dict[str, int] = {}
    for fault in faults:
        expected[fault.rule] = expected.get(fault.rule, 0) + 1
    failed = {r["rule"]: r["failed"] for r in report.results["rules"] if r["failed"]}
    assert failed == expected
    assert all(r["skipped"] is None for r in report.results["rules"])
    assert report.results["notes"] == []  # every template column is in the file
    blocking = {r["id"] for r in TEMPLATES[_template(name)].rules if r["blocking"]}
    held = quality.list_quarantine(city.db, _steward(OWNERS[name]), name).rows
    assert sorted((r.row_number, [x["rule"] for x in r.reasons]) for r in held) == sorted(
        (f.row, [f.rule]) for f in faults if f.rule in blocking
    )
    assert report.report.rows_quarantined == len(held)


def _template(name: str) -> str:
    return next(d.template for d in BASE_DATASETS if d.name == name)


def test_a_wrong_check_character_is_caught_and_named(city: City) -> None:
    held = quality.list_quarantine(city.db, _steward("SCJGJ"), "legal-entities").rows
    wrong = [r for r in held if r.reasons[0]["rule"] == "credit_code_valid"]
    assert len(wrong) == 3
    assert all("校验码" in r.reasons[0]["message_zh"] for r in wrong)


def test_credit_records_point_at_the_legal_entity_base_database(city: City) -> None:
    pool = Pool(city.db, city.settings)
    try:
        sql = (
            'SELECT count(*) FROM "market-credit-records" m WHERE NOT EXISTS '
            '(SELECT 1 FROM "legal-entities" e WHERE e."统一社会信用代码" = m."统一社会信用代码") '
            'AND m."统一社会信用代码" IS NOT NULL AND m."统一社会信用代码" <> \'\''
        )
        assert run_sql(pool, _steward("SCJGJ"), sql).rows == [(0,)]
    finally:
        pool.close()


def test_the_same_enterprise_is_written_three_ways(city: City) -> None:
    pool = Pool(city.db, city.settings)
    rep = SHOWCASE.legal_rep
    try:
        base = run_sql(
            pool,
            _steward("SCJGJ"),
            f'SELECT "统一社会信用代码", "单位名称", "住所" FROM "legal-entities" '
            f"WHERE \"法定代表人\" = '{rep}' AND \"单位名称\" = '{SHOWCASE.name}'",
        ).rows
        industrial = run_sql(
            pool,
            _steward("GXJ"),
            f'SELECT "统一社会信用代码", "企业名称", "企业地址" FROM "industrial-enterprises" '
            f"WHERE \"法定代表人\" = '{rep}' AND \"联系电话\" = '{SHOWCASE.phone}'",
        ).rows
        farming = run_sql(
            pool,
            _steward("NYNCJ"),
            f'SELECT "统一社会信用代码", "主体名称", "地址" FROM "agri-enterprises" '
            f"WHERE \"负责人\" = '{rep}' AND \"联系电话\" = '{SHOWCASE.phone}'",
        ).rows
    finally:
        pool.close()
    assert len(base) == len(industrial) == len(farming) == 1
    writings = {base[0], industrial[0], farming[0]}
    assert len(writings) == 3
    assert base[0][0] == SHOWCASE.credit_code and not farming[0][0]
    assert industrial[0][1].endswith("有限责任公司") and base[0][1].endswith("有限公司")


def test_thematic_groups_hold_datasets_of_several_departments(city: City) -> None:
    assert city.report.groups_created == [g.name for g in DEMO_GROUPS]
    for demo in DEMO_GROUPS:
        view = groups.get_group(city.db, SYSTEM, demo.name)
        assert [d.name for d in view.datasets] == sorted(demo.datasets)
        assert view.group.department.code == demo.department
        assert len({d.department.code for d in view.datasets}) >= 3


def test_an_analyst_of_nyncj_may_ask_for_the_market_credit_records(city: City) -> None:
    analyst = auth.Actor(None, "nyncj.analyst", auth.Role.ANALYST, "NYNCJ")
    assert "nyncj.analyst" in {u.username for u in auth.list_users(city.db, SYSTEM)}
    dataset = catalog.get_dataset(city.db, analyst, "market-credit-records")
    with city.db.reading() as session:
        granted = catalog.granted_departments(session, dataset.id)
    assert not catalog.can_read(analyst, dataset, granted)  # until a request is approved


def test_seeding_again_adds_nothing(city: City, tmp_path: Path) -> None:
    again = seed(city.db, city.settings)
    assert (again.users_created, again.datasets_created, again.groups_created) == ([], [], [])
