"""Why a row failed a rule, in Chinese and in English: what a steward reads in the quarantine."""

from __future__ import annotations

from typing import Any

from cityhub.quality.plan import Check
from cityhub.quality.rules import (
    EnumRule,
    IdentifierRule,
    NotNullRule,
    RangeRule,
    ReferenceRule,
    RegexRule,
    SqlRule,
    UniqueRule,
)
from cityhub.registry.validators import validate


def _bounds(rule: RangeRule) -> str:
    low = "-∞" if rule.params.min is None else str(rule.params.min)
    high = "+∞" if rule.params.max is None else str(rule.params.max)
    return f"[{low}, {high}]"


def _identifier(rule: IdentifierRule, value: Any) -> tuple[str, str]:
    verdict = validate(rule.params.kind, str(value))
    zh = verdict.reason_zh or f"不是有效的{rule.params.kind}"
    en = verdict.reason_en or f"not a valid {rule.params.kind}"
    return zh, en


def messages(check: Check, value: Any) -> tuple[str, str]:
    """The Chinese and English message of ``check`` failing on ``value``."""
    rule = check.rule
    column = rule.column or ""
    shown = "" if value is None else str(value)
    if isinstance(rule, NotNullRule):
        return f"「{column}」为空（必填项）", f"{column} is empty (required)"
    if isinstance(rule, UniqueRule):
        return (
            f"「{column}」的值 {shown} 出现不止一次（应唯一）",
            f"{column}: {shown} occurs more than once (must be unique)",
        )
    if isinstance(rule, RangeRule):
        return (
            f"「{column}」的值 {shown} 超出范围 {_bounds(rule)}",
            f"{column}: {shown} is outside {_bounds(rule)}",
        )
    if isinstance(rule, RegexRule):
        return (
            f"「{column}」的值 {shown} 不符合格式 {rule.params.pattern}",
            f"{column}: {shown} does not match {rule.params.pattern}",
        )
    if isinstance(rule, EnumRule):
        return (
            f"「{column}」的值 {shown} 不在允许的取值中",
            f"{column}: {shown} is not one of the allowed values",
        )
    if isinstance(rule, ReferenceRule):
        where = f"{rule.params.dataset}.{rule.params.column}"
        return (
            f"「{column}」的值 {shown} 在 {where} 中不存在",
            f"{column}: {shown} does not exist in {where}",
        )
    if isinstance(rule, IdentifierRule):
        zh, en = _identifier(rule, shown)
        return f"「{column}」的值 {shown}：{zh}", f"{column}: {shown}: {en}"
    assert isinstance(rule, SqlRule)
    return (
        f"不满足条件 {rule.params.predicate}",
        f"does not satisfy {rule.params.predicate}",
    )


def reason_for(check: Check, values: dict[str, Any]) -> dict[str, Any]:
    """One entry of a quarantined row's ``reasons``."""
    rule = check.rule
    value = values.get(rule.column) if rule.column else None
    zh, en = messages(check, value)
    if rule.description:
        zh, en = f"{zh}（{rule.description}）", f"{en} ({rule.description})"
    return {
        "rule": rule.id,
        "kind": rule.kind.value,
        "column": rule.column,
        "blocking": rule.blocking,
        "value": value,
        "message_zh": zh,
        "message_en": en,
    }
