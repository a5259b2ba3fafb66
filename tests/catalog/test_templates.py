"""The six base-database templates: well-formed columns and rules, creation, permissions."""

from __future__ import annotations

import random
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityhub import auth, catalog, quality
from cityhub.catalog import ColumnType, PersonalKind, ResourceClass
from cityhub.catalog.base_databases import TEMPLATES, Template
from cityhub.catalog.templates import (
    DEFAULT_BASES,
    create_from_template,
    get_template,
    list_templates,
    rule_set,
)
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.demo.city import credit_code
from cityhub.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool

SYSTEM = auth.Actor.system()
IDENTIFIER_KINDS = {"id_card", "credit_code", "region_code", "phone", "postal_code", "date"}
TEMPLATE_LIST = list(TEMPLATES.values())


ACTORS = {
    "public": auth.Actor.public(),
    "analyst": auth.Actor(None, "slj.analyst", auth.Role.ANALYST, "SLJ"),
    "steward": auth.Actor(None, "slj.steward", auth.Role.STEWARD, "SLJ"),
    "admin": auth.Actor(None, "admin", auth.Role.ADMIN, "DSJJ"),
}


def test_the_six_base_databases_are_there() -> None:
    assert [t.resource_class for t in list_templates()] == [
        ResourceClass.POPULATION,
        ResourceClass.LEGAL_ENTITY,
        ResourceClass.PUBLIC_CREDIT,
        ResourceClass.MACRO_ECONOMY,
        ResourceClass.SPATIAL,
        ResourceClass.CERTIFICATE,
    ]
    assert get_template(" Legal_Entity ").title == "法人单位基础信息"
    with pytest.raises(NotFound, match="population"):
        get_template("persons")


@pytest.mark.parametrize("template", TEMPLATE_LIST, ids=lambda t: t.key)
def test_rule_set_is_valid(template: Template) -> None:
    parsed = quality.RuleSet.model_validate(rule_set(template))
    assert len(parsed.rules) == len(template.rules)
    assert [r.id for r in parsed.rules] == [r["id"] for r in template.rules]


@pytest.mark.parametrize("template", TEMPLATE_LIST, ids=lambda t: t.key)
def test_columns_and_rules_fit_together(template: Template) -> None:
    names = [c.name for c in template.columns]
    assert 8 <= len(names) <= 15 and len(set(names)) == len(names)
    types = {c.name: c.type for c in template.columns}
    for column in template.columns:
        assert column.label and column.description, column.name
        if column.personal is not None:
            assert column.type in {ColumnType.STRING, ColumnType.DATE}, column.name
    assert template.standards and template.title and template.abstract
    ids = [r["id"] for r in template.rules]
    assert len(set(ids)) == len(ids)
    for rule in template.rules:
        assert rule["column"] in types, rule["id"]
        assert rule["description"], rule["id"]
        if rule["kind"] == "identifier":
            assert rule["params"]["kind"] in IDENTIFIER_KINDS
            assert types[rule["column"]] is ColumnType.STRING, rule["id"]
        if rule["kind"] == "reference":
            base = TEMPLATES[rule["params"]["base"]]
            assert rule["params"]["base"] in DEFAULT_BASES
            assert rule["params"]["column"] in {c.name for c in base.columns}
    for step in template.cleaning:
        assert types[step["column"]] is ColumnType.STRING, step["column"]
    # Every key is required and unique; every identifier is checked and cleaned first.
    blocking = {(r["kind"], r["column"]) for r in template.rules if r["blocking"]}
    key = template.rules[0]["column"]
    assert {("not_null", key)} <= blocking
    cleaned = {step["column"] for step in template.cleaning}
    for rule in template.rules:
        if rule["kind"] == "identifier" and rule["params"]["kind"] != "phone":
            assert rule["column"] in cleaned, rule["id"]


def test_identifier_checks_of_the_brief() -> None:
    def identifiers(key: str) -> set[tuple[str, str]]:
        return {
            (r["column"], r["params"]["kind"])
            for r in TEMPLATES[key].rules
            if r["kind"] == "identifier" and r["blocking"]
        }

    assert ("公民身份号码", "id_card") in identifiers("population")
    assert ("统一社会信用代码", "credit_code") in identifiers("legal_entity")
    assert ("住所行政区划代码", "region_code") in identifiers("legal_entity")
    population = {c.name: c.personal for c in TEMPLATES["population"].columns}
    assert population["公民身份号码"] is PersonalKind.ID_NUMBER
    assert population["联系电话"] is PersonalKind.PHONE


def test_references_point_at_the_chosen_base() -> None:
    credit = TEMPLATES["public_credit"]
    default = rule_set(credit)
    chosen = rule_set(credit, {"legal_entity": "my-entities"})
    [reference] = [r for r in default["rules"] if r["kind"] == "reference"]
    assert reference["params"] == {"dataset": "legal-entities", "column": "统一社会信用代码"}
    [other] = [r for r in chosen["rules"] if r["kind"] == "reference"]
    assert other["params"]["dataset"] == "my-entities"
    assert all("base" not in r["params"] for r in chosen["rules"])


def test_steward_creates_from_template(db: Database) -> None:
    steward = ACTORS["steward"]
    dataset = create_from_template(
        db, steward, "spatial", "river-features", "SLJ", title="河道空间要素"
    )
    assert (dataset.title, dataset.department.code) == ("河道空间要素", "SLJ")
    assert dataset.resource_class == ResourceClass.SPATIAL.value
    assert dataset.share_type == TEMPLATES["spatial"].share_type.value
    columns = {c.name: c for c in dataset.columns}
    assert list(columns) == [c.name for c in TEMPLATES["spatial"].columns]
    assert (columns["经度"].type, columns["geometry"].type) == ("float", "geometry")
    assert columns["要素分类代码"].label == "要素分类代码"
    stored = quality.get_rules(db, steward, "river-features")
    assert [r["id"] for r in stored.rules] == [r["id"] for r in TEMPLATES["spatial"].rules]
    found = catalog.search(db, steward, catalog.SearchQuery("要素分类代码"))
    assert [d.name for d in found.datasets] == ["river-features"]


def test_personal_columns_are_flagged(db: Database) -> None:
    create_from_template(db, SYSTEM, "population", "residents", "GAJ")
    with db.reading() as session:
        columns = {
            c.name: c.personal for c in catalog.dataset_by_name(session, "residents").columns
        }
    assert columns["公民身份号码"] == "id_number"
    assert columns["户籍地址"] == "address"
    assert columns["民族"] is None


@pytest.mark.parametrize(
    ("who", "department", "error"),
    [
        ("public", "SLJ", NotAuthenticated),
        ("analyst", "SLJ", PermissionDenied),
        ("steward", "NYNCJ", PermissionDenied),
    ],
)
def test_creating_is_for_stewards_of_the_department(
    db: Database, who: str, department: str, error: type[Exception]
) -> None:
    actor = ACTORS[who]
    with pytest.raises(error):
        create_from_template(db, actor, "macro_economy", "indicators", department)
    assert catalog.count_datasets(db) == 0


def test_admins_create_for_any_department(db: Database) -> None:
    admin = ACTORS["admin"]
    dataset = create_from_template(db, admin, "macro_economy", "indicators", "FGW")
    assert dataset.department.code == "FGW"


def test_bad_overrides_and_bases_leave_nothing_behind(db: Database) -> None:
    with pytest.raises(InvalidInput, match="cannot override"):
        create_from_template(db, SYSTEM, "spatial", "x-features", "SLJ", name_en="no")
    with pytest.raises(InvalidInput, match="no dataset 'nowhere'"):
        create_from_template(
            db, SYSTEM, "public_credit", "credit", "FGW", bases={"legal_entity": "nowhere"}
        )
    assert catalog.count_datasets(db) == 0


def _credit(seed: int) -> str:
    return credit_code(random.Random(seed), "371502", "91")


def test_first_ingest_uses_the_declared_types_and_the_rules(
    db: Database, settings: Settings, tmp_path: Path
) -> None:
    create_from_template(db, SYSTEM, "legal_entity", "entities", "SCJGJ")
    good, wrong = _credit(1), _credit(2)
    wrong = wrong[:-1] + ("0" if wrong[-1] != "0" else "1")  # a wrong check character
    path = tmp_path / "法人.csv"
    path.write_text(
        "统一社会信用代码,单位名称,注册资本,成立日期,住所行政区划代码,行业代码\n"
        f"{good.lower()},聊城甲有限公司,100,2020年4月7日,371502,c2740\n"
        f"{wrong},聊城乙有限公司,50,2019/1/2,371502,I6513\n",
        encoding="utf-8",
    )
    pool = Pool(db, settings)
    try:
        result = ingest(
            db, SYSTEM, pool.warehouse, dataset="entities", path=path, file_name="法人.csv"
        )
    finally:
        pool.close()
    types = {c.name: c.type for c in result.columns}
    assert (types["成立日期"], types["注册资本"], types["行业代码"]) == ("date", "float", "string")
    assert result.row_count == 1  # the wrong check character is held in quarantine
    held = quality.list_quarantine(db, SYSTEM, "entities")
    assert [r.values["统一社会信用代码"] for r in held.rows] == [wrong]


def test_api_lists_shows_and_creates(
    client: TestClient, headers: dict[str, dict[str, str]]
) -> None:
    listed = client.get("/api/templates").json()
    assert [t["key"] for t in listed] == list(TEMPLATES)
    assert listed[1]["columns"] == len(TEMPLATES["legal_entity"].columns)
    shown = client.get("/api/templates/population").json()
    assert shown["columns"][0]["name"] == "公民身份号码"
    assert shown["columns"][0]["personal"] == "id_number"
    assert shown["rule_set"]["cleaning"][0]["steps"] == ["trim", "halfwidth", "upper"]
    assert client.get("/api/templates/nothing").status_code == 404
    created = client.post(
        "/api/templates/macro_economy/datasets",
        json={"name": "water-economy", "department": "SLJ", "title": "水利经济指标"},
        headers=headers["steward"],
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert (body["title"], body["resource_class"]) == ("水利经济指标", "macro_economy")
    assert [c["name"] for c in body["columns"]][:3] == ["指标代码", "指标名称", "统计周期"]
