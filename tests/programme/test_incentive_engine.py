"""The engine: tables of enterprises, facts and days against each rule, with the reasons."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest

from cityhub.programme.incentives import (
    DeclaredFacts,
    EnterpriseFacts,
    Level,
    ProjectKind,
    evaluate,
    evaluate_all,
    rule_by_id,
)
from cityhub.programme.incentives.facts import BaseRecord, BaseStatus

CODE = "91371502MA3C00001X"
SOURCE = "legal-entities@2"


def base(industry: str | None = "I6513", state: str = "存续") -> BaseRecord:
    return BaseRecord(CODE, "聊城数智软件有限公司", "企业", industry, state, "371502", SOURCE)


def facts(record: BaseRecord | None = None, **declared: Any) -> EnterpriseFacts:
    status: BaseStatus = "found" if record else "not_found"
    return EnterpriseFacts(CODE, record, status, DeclaredFacts(**declared), (SOURCE,))


SMALL_DIGITAL = facts(base(), small_scale_vat=True)


@pytest.mark.parametrize(
    ("day", "applies", "period_words"),
    [
        (date(2018, 12, 31), False, "尚未开始"),
        (date(2019, 1, 1), True, "在执行期"),
        (date(2020, 6, 30), True, "在执行期"),
        (date(2021, 12, 31), True, "在执行期"),
        (date(2022, 1, 1), False, "已于 2021-12-31 结束"),
    ],
)
def test_tax_halving_boundaries(day: date, applies: bool, period_words: str) -> None:
    answer = evaluate(rule_by_id("tax-halving"), SMALL_DIGITAL, day)
    assert answer.applies is applies
    assert (answer.period_start, answer.period_end) == (date(2019, 1, 1), date(2021, 12, 31))
    period = answer.reasons[0]
    assert period.source == "rule" and period_words in period.zh
    assert "2019-01-01" in period.zh and "2021-12-31" in period.en
    assert len(answer.taxes) == (8 if applies else 0)


def test_acceptance_yes_in_2020_with_the_clause_no_in_2022_because_the_period_ended() -> None:
    rule = rule_by_id("tax-halving")
    yes = evaluate(rule, SMALL_DIGITAL, date(2020, 5, 1))
    assert yes.applies and "增值税小规模纳税人减半征收" in yes.rule.clause
    assert yes.benefit_zh is not None and "城市维护建设税" in yes.benefit_zh
    no = evaluate(rule, SMALL_DIGITAL, date(2022, 5, 1))
    assert not no.applies
    failed = [r for r in no.reasons if not r.met]
    assert len(failed) == 1
    assert "ended on 2021-12-31" in failed[0].en and "2022-05-01" in failed[0].en


@pytest.mark.parametrize(
    ("case", "applies", "failed_source", "words"),
    [
        (facts(base("C1711"), small_scale_vat=True), False, "base", "不属于数字经济核心产业"),
        (facts(base(), small_scale_vat=False), False, "declared", "不是增值税小规模纳税人"),
        (facts(base()), False, "none", "未申报"),
        (facts(base("I6513", "注销"), small_scale_vat=True), False, "base", "注销"),
        (facts(base("I6410", "吊销"), small_scale_vat=True), False, "base", "吊销"),
        (facts(base("I"), small_scale_vat=True), False, "base", "不属于"),
        (facts(base(None), small_scale_vat=True), False, "none", "行业代码未知"),
        (facts(None, small_scale_vat=True, industry_code="I6513"), True, None, None),
        (facts(None, small_scale_vat=True, industry_code="C1711"), False, "declared", "不属于"),
        (facts(base("C1711"), small_scale_vat=True, digital_tech=True), True, None, None),
        (facts(base("I6513"), small_scale_vat=True, digital_tech=False), False, "declared", "不是"),
        (facts(base("C3973"), small_scale_vat=True), True, None, None),
    ],
)
def test_tax_halving_facts(
    case: EnterpriseFacts, applies: bool, failed_source: str | None, words: str | None
) -> None:
    answer = evaluate(rule_by_id("tax-halving"), case, date(2020, 1, 1))
    assert answer.applies is applies
    failed = [r for r in answer.reasons if not r.met]
    if applies:
        assert not failed
        return
    assert failed[0].source == failed_source and words in failed[0].zh  # type: ignore[operator]


def test_base_reasons_name_the_dataset_version() -> None:
    answer = evaluate(rule_by_id("tax-halving"), SMALL_DIGITAL, date(2020, 1, 1))
    based = [r for r in answer.reasons if r.source == "base"]
    assert based and all(r.source_ref == SOURCE for r in based)
    assert any("I6513" in r.zh and "数字技术应用业" in r.zh for r in based)


@pytest.mark.parametrize(
    ("declared", "cap"),
    [
        ({"provincial_members": 1, "long_term_employer": True}, 10_000_000),
        ({"municipal_members": 2, "long_term_employer": True}, 5_000_000),
        ({"provincial_members": 1, "municipal_members": 3, "long_term_employer": True}, 10_000_000),
        ({"provincial_members": 1, "long_term_employer": False}, None),
        ({"provincial_members": 1}, None),
        ({"long_term_employer": True}, None),
    ],
)
def test_talent_loan_caps(declared: dict[str, object], cap: int | None) -> None:
    answer = evaluate(rule_by_id("talent-loan"), facts(base(), **declared), date(2021, 3, 1))
    assert answer.applies is (cap is not None)
    assert answer.cap_yuan == cap
    if cap == 10_000_000 and declared.get("municipal_members"):
        assert any("取最高 1000 万元" in r.zh for r in answer.reasons)


def test_talent_loan_starts_with_the_policy() -> None:
    before = evaluate(
        rule_by_id("talent-loan"),
        facts(base(), municipal_members=1, long_term_employer=True),
        date(2020, 4, 6),
    )
    assert not before.applies and "2020-04-07" in before.reasons[0].zh


@pytest.mark.parametrize(
    ("rule_id", "declared", "applies"),
    [
        ("land-priority", {"key_project_lists": frozenset({Level.PROVINCIAL})}, True),
        ("land-priority", {"key_project_lists": frozenset({Level.MUNICIPAL})}, True),
        ("land-priority", {}, False),
        ("commercial-land", {"project_kinds": frozenset({ProjectKind.ECOMMERCE})}, True),
        ("commercial-land", {"project_kinds": frozenset({ProjectKind.IT_SERVICES})}, True),
        ("commercial-land", {"project_kinds": frozenset({ProjectKind.INFO_NETWORK})}, True),
        (
            "commercial-land",
            {"project_kinds": frozenset({ProjectKind.COMMUNICATION_FACILITY})},
            False,
        ),
        ("commercial-land", {"project_kinds": frozenset({ProjectKind.BIG_DATA})}, False),
        ("major-project-library", {"project_kinds": frozenset({ProjectKind.FIVE_G})}, True),
        ("major-project-library", {"project_kinds": frozenset({ProjectKind.DIGITAL_PARK})}, True),
        ("major-project-library", {"project_kinds": frozenset({ProjectKind.ECOMMERCE})}, False),
    ],
)
def test_land_and_library_rules(rule_id: str, declared: dict[str, object], applies: bool) -> None:
    answer = evaluate(rule_by_id(rule_id), facts(base(), **declared), date(2021, 1, 1))
    assert answer.applies is applies
    assert answer.period_end is None


def test_communication_facilities_are_excluded_in_the_reason() -> None:
    answer = evaluate(
        rule_by_id("commercial-land"),
        facts(base(), project_kinds=frozenset({ProjectKind.COMMUNICATION_FACILITY})),
        date(2021, 1, 1),
    )
    assert "通信设施项目除外" in answer.reasons[-1].zh


def test_a_deregistered_enterprise_gets_nothing() -> None:
    gone = facts(
        base(state="注销"),
        small_scale_vat=True,
        provincial_members=1,
        long_term_employer=True,
        project_kinds=frozenset(ProjectKind),
        key_project_lists=frozenset(Level),
    )
    answers = evaluate_all(gone, date(2020, 6, 1))
    assert len(answers) == 5 and not any(a.applies for a in answers)
    assert all(any("注销" in r.zh for r in a.reasons if not r.met) for a in answers)
