"""The words an alarm carries, in Chinese and English: what was measured against what."""

from __future__ import annotations

from cityhub.sensing.alarms.evaluate import DAY_WINDOW, CompiledRule
from cityhub.sensing.alarms.vocab import RuleKind, Severity

OP_TEXT = {">": ">", ">=": "≥", "<": "<", "<=": "≤"}


def _number(value: float) -> str:
    return f"{value:.3f}".rstrip("0").rstrip(".")


def _quantity(rule: CompiledRule, index: int) -> tuple[str, str]:
    if rule.kind is RuleKind.WINDOW_SUM:
        window = rule.windows[index]
        if window == DAY_WINDOW:
            return "日累计", "rainfall-day total"
        hours = _number(window / 3600)
        return f"{hours} 小时累计", f"{hours} h total"
    if rule.kind is RuleKind.RATE:
        per = _number(rule.rate_per_seconds / 3600)
        return f"变化率（每 {per} 小时）", f"rate per {per} h"
    return "测值", "value"


def describe(rule: CompiledRule, severity: Severity, value: float | None) -> tuple[str, str]:
    """(Chinese, English) text of an alarm of ``rule`` at ``severity`` on ``value``."""
    if rule.kind is RuleKind.OFFLINE:
        minutes = _number((value or 0) / 60)
        return (
            f"{rule.name}：站点离线，{minutes} 分钟无数据（{severity.label_zh}）",
            f"{rule.name}: station offline, no data for {minutes} min ({severity.value})",
        )
    index = rule.tier_index.get(severity)
    if index is None or value is None:
        return f"{rule.name}（{severity.label_zh}）", f"{rule.name} ({severity.value})"
    create = rule.tiers[index].create
    zh_quantity, en_quantity = _quantity(rule, index)
    condition = f"{OP_TEXT[create.op]} {_number(create.value)}" if create else ""
    shown = _number(value)
    return (
        f"{rule.name}：{zh_quantity} {shown} {condition}（{severity.label_zh}）",
        f"{rule.name}: {en_quantity} {shown} {condition} ({severity.value})",
    )
