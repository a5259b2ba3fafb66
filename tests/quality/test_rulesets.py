"""Rule sets: the JSON shape checked with exact error places, versioned, for stewards only."""

from __future__ import annotations

from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub import audit, auth, catalog, quality
from cityhub.audit import AuditFilter
from cityhub.catalog import PersonalKind
from cityhub.db import Database
from cityhub.errors import InvalidInput, NotFound, PermissionDenied
from cityhub.pool.service import Pool
from tests.quality.conftest import OUTSIDER, STEWARD, SYSTEM, rules, upload


def rule(**fields: Any) -> dict[str, Any]:
    return {"id": "r", "column": "name"} | fields


BAD_SHAPES: list[tuple[dict[str, Any], str, str]] = [
    (
        {"rules": [rule(kind="not_null"), rule(id="r2", kind="regex", params={"pattern": "("})]},
        "rules[1].params.pattern",
        "not a valid regular expression",
    ),
    ({"rules": [rule(kind="colour")]}, "rules[0].kind", "unknown rule kind 'colour'"),
    ({"rules": [{"id": "r", "column": "c"}]}, "rules[0].kind", "give the rule's kind"),
    ({"rules": [{"id": "r", "kind": "not_null"}]}, "rules[0].column", "required"),
    ({"rules": [rule(kind="not_null", colour="red")]}, "rules[0].colour", "not a field"),
    ({"rules": [rule(id="has space", kind="unique")]}, "rules[0].id", "pattern"),
    (
        {"rules": [rule(kind="identifier", params={"kind": "passport"})]},
        "rules[0].params.kind",
        "unknown identifier kind",
    ),
    ({"rules": [rule(kind="range", params={})]}, "rules[0].params", "give min, max or both"),
    ({"rules": [rule(kind="enum", params={"values": []})]}, "rules[0].params.values", "at least 1"),
    (
        {"rules": [rule(kind="reference", params={"dataset": "x"})]},
        "rules[0].params.column",
        "required",
    ),
    (
        {"rules": [rule(kind="sql", params={"predicate": "name IN (SELECT name FROM data)"})]},
        "rules[0].params.predicate",
        "subqueries are not allowed",
    ),
    (
        {"rules": [rule(kind="sql", params={"predicate": "name IN (SELECT x FROM secret)"})]},
        "rules[0].params.predicate",
        "refused by the SQL sandbox",
    ),
    (
        {"rules": [rule(kind="sql", params={"predicate": "read_csv('/etc/passwd') IS NULL"})]},
        "rules[0].params.predicate",
        "refused by the SQL sandbox",
    ),
    (
        {"rules": [rule(kind="sql", params={"predicate": "count(*) > 1"})]},
        "rules[0].params.predicate",
        "aggregates",
    ),
    (
        {"rules": [rule(kind="sql", params={"predicate": "1) FROM data; SELECT (1"})]},
        "rules[0].params.predicate",
        "refused",
    ),
    ({"rules": [rule(kind="unique"), rule(kind="not_null")]}, "(rule set)", "repeated: r"),
    (
        {"cleaning": [{"column": "name", "steps": ["trim", "shout"]}]},
        "cleaning[0].steps",
        "unknown step 'shout'",
    ),
]


@pytest.mark.parametrize(("data", "where", "message"), BAD_SHAPES)
def test_bad_shapes_name_their_place(data: dict[str, Any], where: str, message: str) -> None:
    with pytest.raises(InvalidInput) as error:
        quality.parse_ruleset(data)
    errors = error.value.details["errors"]
    assert errors[0]["location"] == where
    assert message in errors[0]["message"]
    assert error.value.message.startswith(f"the rule set is not valid: {where}: ")


@settings(max_examples=150, deadline=None)
@given(
    st.recursive(
        st.none() | st.booleans() | st.integers() | st.text(max_size=8),
        lambda inner: (
            st.lists(inner, max_size=3)
            | st.dictionaries(
                st.sampled_from(["rules", "cleaning", "id", "kind", "column", "params", "steps"]),
                inner,
                max_size=4,
            )
        ),
        max_leaves=12,
    )
)
def test_any_json_is_a_rule_set_or_a_located_refusal(data: Any) -> None:
    try:
        quality.parse_ruleset(data)
    except InvalidInput as error:
        assert all(e["location"] and e["message"] for e in error.details["errors"])


@pytest.fixture
def described(pool: Pool, firms: catalog.Dataset) -> None:
    """firms with data (so its columns are known), a personal column, and other datasets."""
    upload(pool, "name,staff,founded,phone\n甲,10,2020-01-31,13800000000\n")
    catalog.describe_columns(
        pool.db, SYSTEM, "firms", [catalog.ColumnChange("phone", personal=PersonalKind.PHONE)]
    )
    for name, department, share in (
        ("legal", "SCJGJ", catalog.ShareType.UNCONDITIONAL),
        ("secret", "GAJ", catalog.ShareType.NONE),
    ):
        spec = catalog.DatasetSpec(name=name, title=name, department=department, share_type=share)
        catalog.create_dataset(pool.db, SYSTEM, spec)
        upload(pool, "code,person\nA,13800000000\n", dataset=name)
    catalog.describe_columns(
        pool.db, SYSTEM, "legal", [catalog.ColumnChange("person", personal=PersonalKind.PHONE)]
    )


BAD_FITS: list[tuple[dict[str, Any], str, str]] = [
    ({"rules": [rule(column="nope", kind="not_null")]}, "rules[0].column", "no column 'nope'"),
    ({"rules": [rule(kind="range", params={"min": 1})]}, "rules[0].column", "range needs"),
    (
        {"rules": [rule(column="founded", kind="range", params={"min": "yesterday"})]},
        "rules[0].params.min",
        "not a date value",
    ),
    (
        {"rules": [rule(column="staff", kind="enum", params={"values": [1, "two"]})]},
        "rules[0].params.values[1]",
        "not a integer value",
    ),
    (
        {"rules": [rule(kind="reference", params={"dataset": "ghost", "column": "code"})]},
        "rules[0].params.dataset",
        "no dataset 'ghost'",
    ),
    (
        {"rules": [rule(kind="reference", params={"dataset": "secret", "column": "code"})]},
        "rules[0].params.dataset",
        "not readable by SLJ",
    ),
    (
        {"rules": [rule(kind="reference", params={"dataset": "legal", "column": "nope"})]},
        "rules[0].params.column",
        "no column 'nope'",
    ),
    (
        {"rules": [rule(kind="reference", params={"dataset": "legal", "column": "person"})]},
        "rules[0].params.column",
        "personal data of another department",
    ),
    (
        {"rules": [rule(kind="sql", params={"predicate": "nope > 1"})]},
        "rules[0].params.predicate",
        "nope",
    ),
    (
        {"rules": [rule(kind="sql", params={"predicate": "name + 1"})]},
        "rules[0].params.predicate",
        "",
    ),
    ({"cleaning": [{"column": "staff", "steps": ["trim"]}]}, "cleaning[0].column", "text columns"),
]


@pytest.mark.parametrize(("data", "where", "message"), BAD_FITS)
def test_rules_must_fit_the_dataset(
    db: Database, described: None, data: dict[str, Any], where: str, message: str
) -> None:
    with pytest.raises(InvalidInput) as error:
        quality.set_rules(db, STEWARD, "firms", data)
    first = error.value.details["errors"][0]
    assert (first["location"], message in first["message"]) == (where, True)


def test_a_rule_set_that_fits_is_stored(db: Database, described: None) -> None:
    ok = {
        "rules": [
            rule(kind="reference", params={"dataset": "legal", "column": "code"}),
            rule(id="s", kind="sql", params={"predicate": "staff BETWEEN 1 AND 10000"}),
            rule(id="f", column="founded", kind="range", params={"min": "1949-10-01"}),
            rule(id="p", column="phone", kind="identifier", params={"kind": "phone"}),
        ],
        "cleaning": [{"column": "name", "steps": ["trim"]}],
    }
    assert quality.set_rules(db, STEWARD, "firms", ok) == 1


def test_rule_sets_are_versioned(db: Database, firms: catalog.Dataset) -> None:
    with pytest.raises(NotFound):
        quality.get_rules(db, STEWARD, "firms")
    assert rules(db, rule(kind="not_null")) == 1
    assert rules(db, rule(kind="unique")) == 2
    assert quality.get_rules(db, STEWARD, "firms").number == 2
    assert quality.get_rules(db, STEWARD, "firms", 1).rules[0]["kind"] == "not_null"
    assert [r.number for r in quality.list_rulesets(db, OUTSIDER, "firms")] == [2, 1]
    with pytest.raises(NotFound):
        quality.get_rules(db, STEWARD, "firms", 9)


def test_only_owner_stewards_and_admins_set_rules(db: Database, firms: catalog.Dataset) -> None:
    analyst = auth.Actor(None, "slj.analyst", auth.Role.ANALYST, "SLJ")
    for actor in (analyst, OUTSIDER):
        with pytest.raises(PermissionDenied):
            quality.set_rules(db, actor, "firms", {"rules": [rule(kind="not_null")]})
    quality.set_rules(db, STEWARD, "firms", {"rules": [rule(kind="not_null")]})
    events = audit.list_events(db, SYSTEM, AuditFilter(action="quality.rules.set")).events
    assert [(e.actor, e.outcome) for e in events] == [
        ("slj.steward", "success"),
        ("nyncj.steward", "denied"),
        ("slj.analyst", "denied"),
    ]
