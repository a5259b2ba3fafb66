"""The rules as data: clauses quoted verbatim, dates, units, the digital-industry mapping."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given
from hypothesis import strategies as st

from cityhub.errors import NotFound
from cityhub.programme.incentives import RULES, Rule, rule_by_id
from cityhub.programme.incentives.facts import (
    classification_source,
    digital_category,
    digital_prefixes,
    normalise_industry,
)
from cityhub.programme.incentives.rules import HALVED_TAXES, TAX_HALVING
from cityhub.programme.policy import policy_text


def _plain(text: str) -> str:
    """Text with full-width punctuation folded, so ASCII and full-width copies compare equal."""
    return text.translate(str.maketrans("(),:;", "(),:;"))


@pytest.mark.parametrize("rule", RULES, ids=lambda r: r.id)
def test_every_clause_is_quoted_verbatim_from_the_policy(rule: Rule) -> None:
    assert _plain(rule.clause) in _plain(policy_text())


@pytest.mark.parametrize(
    ("rule_id", "task", "lead"),
    [
        ("tax-halving", 18, "JRJGJ"),
        ("talent-loan", 18, "JRJGJ"),
        ("land-priority", 17, "FGW"),
        ("commercial-land", 17, "FGW"),
        ("major-project-library", 17, "FGW"),
    ],
)
def test_rules_name_their_task_and_responsible_units(rule_id: str, task: int, lead: str) -> None:
    rule = rule_by_id(rule_id)
    assert (rule.task, rule.units[0], rule.version) == (task, lead, 1)
    assert "DSJJ" in rule.units
    assert rule.source.startswith("聊政办字〔2020〕20号 (十")


def test_the_tax_rule_lists_the_eight_taxes_and_its_dates() -> None:
    rule = rule_by_id(TAX_HALVING)
    assert (rule.valid_from, rule.valid_to) == (date(2019, 1, 1), date(2021, 12, 31))
    assert len(HALVED_TAXES) == 8
    assert all(zh in rule.clause for zh, _ in HALVED_TAXES)
    assert "SWUJ" in rule.units


@pytest.mark.parametrize(
    ("day", "in_force"),
    [
        (date(2018, 12, 31), False),
        (date(2019, 1, 1), True),
        (date(2021, 12, 31), True),
        (date(2022, 1, 1), False),
    ],
)
def test_tax_rule_dates_are_inclusive(day: date, in_force: bool) -> None:
    assert rule_by_id(TAX_HALVING).in_force(day) is in_force


def test_unknown_rule_names_the_known_ones() -> None:
    with pytest.raises(NotFound) as caught:
        rule_by_id("free-lunch")
    assert "tax-halving" in caught.value.message


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("I6513", "03"),
        ("i65", "03"),
        ("I6311", "03"),
        ("C3973", "01"),
        ("F5176", "02"),
        ("I6432", "04"),
        ("F5292", "04"),
        ("C1711", None),
        ("I", None),  # a section letter alone says too little
        ("", None),
        (None, None),
        ("A0111", None),
    ],
)
def test_digital_core_industries_by_gbt4754_code(code: str | None, category: str | None) -> None:
    found = digital_category(code)
    assert (found.number if found else None) == category


def test_the_mapping_cites_its_classification() -> None:
    zh, en = classification_source()
    assert "数字经济及其核心产业统计分类(2021)" in zh and "GB/T 4754" in en


@given(st.text(alphabet="ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghij0123456789 .", max_size=8))
def test_any_industry_text_classifies_by_prefix_or_not_at_all(code: str) -> None:
    found = digital_category(code)
    normalised = normalise_industry(code)
    if found is None:
        assert not any(normalised.startswith(p) for p, _ in digital_prefixes())
    else:
        assert normalised.startswith(found.matched)
