"""Evaluating the rules: for one enterprise and one day, each rule's answer with its reasons.

Pure functions over ``EnterpriseFacts``: no database, no clock. Every condition a rule tests
becomes a ``Reason`` (met or not, Chinese and English, and where the fact came from), so a "no"
says which condition failed and a "yes" says what it rests on.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from cityhub.programme.incentives.facts import (
    LEVEL_NAMES,
    PROJECT_KIND_NAMES,
    EnterpriseFacts,
    Level,
    ProjectKind,
    digital_category,
    is_ended,
)
from cityhub.programme.incentives.rules import (
    COMMERCIAL_LAND,
    HALVED_TAXES,
    LAND_PRIORITY,
    MAJOR_PROJECT_LIBRARY,
    MUNICIPAL_CAP_YUAN,
    PROVINCIAL_CAP_YUAN,
    RULES,
    TALENT_LOAN,
    TAX_HALVING,
    Rule,
)

Source = Literal["base", "declared", "rule", "none"]

COMMERCIAL_KINDS = (ProjectKind.INFO_NETWORK, ProjectKind.IT_SERVICES, ProjectKind.ECOMMERCE)
LIBRARY_KINDS = (
    ProjectKind.BIG_DATA,
    ProjectKind.CLOUD_COMPUTING,
    ProjectKind.FIVE_G,
    ProjectKind.IOT,
    ProjectKind.DIGITAL_PARK,
)


@dataclass(frozen=True)
class Reason:
    """One condition of a rule and whether the enterprise meets it, with the fact's origin."""

    met: bool
    zh: str
    en: str
    source: Source  # base: base database row; declared; rule: the rule's own dates
    source_ref: str | None = None  # "legal-entities@3" for base facts


@dataclass(frozen=True)
class Answer:
    """Whether a rule applies on a day, for which period, with what benefit, and why."""

    rule: Rule
    on: date
    applies: bool
    period_start: date | None
    period_end: date | None
    benefit_zh: str | None  # the benefit granted (None when the rule does not apply)
    benefit_en: str | None
    cap_yuan: int | None
    taxes: tuple[tuple[str, str], ...]
    reasons: tuple[Reason, ...]


def _period(rule: Rule, on: date) -> Reason:
    start = rule.valid_from.isoformat() if rule.valid_from else "—"
    end = rule.valid_to.isoformat() if rule.valid_to else "长期"
    end_en = rule.valid_to.isoformat() if rule.valid_to else "open-ended"
    day = on.isoformat()
    if rule.valid_from is not None and on < rule.valid_from:
        return Reason(
            False,
            f"{day} 早于执行期起始日 {start}(执行期 {start} 至 {end}),政策尚未开始",
            f"{day} is before the rule's period began on {start} (period {start} to {end_en})",
            "rule",
        )
    if rule.valid_to is not None and on > rule.valid_to:
        return Reason(
            False,
            f"执行期 {start} 至 {end} 已于 {end} 结束,{day} 不在执行期内",
            f"the period {start} to {end_en} ended on {end_en}; {day} is after it",
            "rule",
        )
    return Reason(
        True,
        f"{day} 在执行期 {start} 至 {end} 内",
        f"{day} is within the period {start} to {end_en}",
        "rule",
    )


def _registration(facts: EnterpriseFacts) -> Reason | None:
    base = facts.base
    if base is None:
        return None
    state = base.state or "(空)"
    if is_ended(base.state):
        return Reason(
            False,
            f"法人单位基础库登记状态为“{state}”,企业已不存续",
            f"the legal-entity base database records the registration state {state!r}: "
            "the enterprise no longer exists",
            "base",
            base.source,
        )
    return Reason(
        True,
        f"法人单位基础库登记状态为“{state}”",
        f"registration state in the legal-entity base database: {state!r}",
        "base",
        base.source,
    )


def digital_tech(facts: EnterpriseFacts) -> Reason:
    """Whether the enterprise is a digital-technology enterprise, and on what it rests."""
    declared = facts.declared
    if declared.digital_tech is not None:
        yes = declared.digital_tech
        return Reason(
            yes,
            f"申报{'是' if yes else '不是'}数字技术企业",
            f"declared {'a' if yes else 'not a'} digital-technology enterprise",
            "declared",
        )
    if facts.base is not None and facts.base.industry_code:
        return _by_industry(facts.base.industry_code, "base", facts.base.source)
    if declared.industry_code:
        return _by_industry(declared.industry_code, "declared", None)
    return Reason(
        False,
        "行业代码未知,无法认定为数字技术企业(可申报行业代码或是否为数字技术企业)",
        "the industry code is unknown, so the enterprise is not taken as a digital-technology "
        "enterprise (declare the industry code or the fact)",
        "none",
    )


def _by_industry(code: str, source: Source, ref: str | None) -> Reason:
    where_zh = "法人单位基础库" if source == "base" else "申报的"
    where_en = "in the legal-entity base database" if source == "base" else "declared"
    category = digital_category(code)
    if category is None:
        return Reason(
            False,
            f"{where_zh}行业代码 {code} 不属于数字经济核心产业(统计分类2021 01-04),"
            "不是数字技术企业",
            f"industry code {code} ({where_en}) is not in the digital economy core industries "
            "01-04 (NBS classification 2021): not a digital-technology enterprise",
            source,
            ref,
        )
    return Reason(
        True,
        f"{where_zh}行业代码 {code} 属于数字经济核心产业 {category.number} {category.name_zh},"
        "是数字技术企业",
        f"industry code {code} ({where_en}) is in core industry {category.number} "
        f"{category.name_en}: a digital-technology enterprise",
        source,
        ref,
    )


def _small_scale(facts: EnterpriseFacts) -> Reason:
    value = facts.declared.small_scale_vat
    if value is None:
        return Reason(
            False,
            "未申报是否为增值税小规模纳税人",
            "not declared whether it is a small-scale VAT taxpayer",
            "none",
        )
    return Reason(
        value,
        f"申报{'是' if value else '不是'}增值税小规模纳税人",
        f"declared {'a' if value else 'not a'} small-scale VAT taxpayer",
        "declared",
    )


def _talent(facts: EnterpriseFacts) -> tuple[list[Reason], int | None]:
    declared = facts.declared
    levels = [
        level
        for level, count in (
            (Level.PROVINCIAL, declared.provincial_members),
            (Level.MUNICIPAL, declared.municipal_members),
        )
        if count > 0
    ]
    if not levels:
        return [
            Reason(
                False,
                "未申报省级或市级人才工程入选者",
                "no provincial or municipal talent-programme member declared",
                "none",
            )
        ], None
    counts_zh = "、".join(
        f"{LEVEL_NAMES[level][0]}{getattr(declared, level.value + '_members')}人"
        for level in levels
    )
    counts_en = ", ".join(
        f"{getattr(declared, level.value + '_members')} {LEVEL_NAMES[level][1]}" for level in levels
    )
    cap = PROVINCIAL_CAP_YUAN if Level.PROVINCIAL in levels else MUNICIPAL_CAP_YUAN
    members = Reason(
        True,
        f"申报人才工程入选者:{counts_zh};额度取最高 {cap // 10_000} 万元",
        f"declared talent-programme members: {counts_en}; the higher cap applies: {cap:,} yuan",
        "declared",
    )
    long_term = declared.long_term_employer is True
    employer = Reason(
        long_term,
        "申报为入选者长期所在企业" if long_term else "未申报为入选者长期所在企业",
        "declared the members' long-term employer"
        if long_term
        else "not declared the members' long-term employer",
        "declared" if declared.long_term_employer is not None else "none",
    )
    return [members, employer], cap


def _kinds(facts: EnterpriseFacts, wanted: tuple[ProjectKind, ...], what: str) -> Reason:
    kinds = facts.declared.project_kinds
    hits = [k for k in wanted if k in kinds]
    names_zh = "、".join(PROJECT_KIND_NAMES[k][0] for k in wanted)
    names_en = ", ".join(PROJECT_KIND_NAMES[k][1] for k in wanted)
    if hits:
        return Reason(
            True,
            f"申报{what}项目类型:" + "、".join(PROJECT_KIND_NAMES[k][0] for k in hits),
            "declared project kinds: " + ", ".join(PROJECT_KIND_NAMES[k][1] for k in hits),
            "declared",
        )
    excluded = ProjectKind.COMMUNICATION_FACILITY in kinds and what == "经营服务"
    return Reason(
        False,
        ("通信设施项目除外;" if excluded else "") + f"未申报以下项目类型:{names_zh}",
        ("communication facilities are excluded; " if excluded else "")
        + f"no project of these kinds declared: {names_en}",
        "declared" if kinds else "none",
    )


def _key_lists(facts: EnterpriseFacts) -> Reason:
    lists = [level for level in Level if level in facts.declared.key_project_lists]
    if not lists:
        return Reason(
            False,
            "未申报数字经济发展项目纳入省、市重点项目名录",
            "no digital-economy project declared in the provincial or municipal key project list",
            "none",
        )
    return Reason(
        True,
        "申报数字经济发展项目纳入"
        + "、".join(LEVEL_NAMES[level][0] for level in lists)
        + "重点项目名录",
        "declared a digital-economy project in the "
        + " and ".join(LEVEL_NAMES[level][1] for level in lists)
        + " key project list",
        "declared",
    )


def evaluate(rule: Rule, facts: EnterpriseFacts, on: date) -> Answer:
    """The answer of ``rule`` for the enterprise on day ``on``; every condition is a reason."""
    reasons = [_period(rule, on)]
    registration = _registration(facts)
    if registration is not None:
        reasons.append(registration)
    cap: int | None = None
    taxes: tuple[tuple[str, str], ...] = ()
    if rule.id == TAX_HALVING:
        reasons += [digital_tech(facts), _small_scale(facts)]
        taxes = HALVED_TAXES
    elif rule.id == TALENT_LOAN:
        talent, cap = _talent(facts)
        reasons += talent
    elif rule.id == LAND_PRIORITY:
        reasons.append(_key_lists(facts))
    elif rule.id == COMMERCIAL_LAND:
        reasons.append(_kinds(facts, COMMERCIAL_KINDS, "经营服务"))
    elif rule.id == MAJOR_PROJECT_LIBRARY:
        reasons.append(_kinds(facts, LIBRARY_KINDS, "重点领域"))
    applies = all(reason.met for reason in reasons)
    benefit_zh, benefit_en = rule.benefit_zh, rule.benefit_en
    if rule.id == TALENT_LOAN and cap is not None:
        benefit_zh = f"最高 {cap // 10_000} 万元无抵押、无担保贷款额度"
        benefit_en = f"unsecured loan line up to {cap:,} yuan"
    return Answer(
        rule=rule,
        on=on,
        applies=applies,
        period_start=rule.valid_from,
        period_end=rule.valid_to,
        benefit_zh=benefit_zh if applies else None,
        benefit_en=benefit_en if applies else None,
        cap_yuan=cap if applies else None,
        taxes=taxes if applies else (),
        reasons=tuple(reasons),
    )


def evaluate_all(facts: EnterpriseFacts, on: date) -> tuple[Answer, ...]:
    """Every current rule's answer for the enterprise on ``on``."""
    return tuple(evaluate(rule, facts, on) for rule in RULES)
