"""Turn a fastjsonschema failure into an EpcisError that names the JSON path and the reason."""

from __future__ import annotations

import json
import re
from typing import Any

from fastjsonschema import JsonSchemaValueException

from cityhub.trace.epcis.errors import EpcisError
from cityhub.trace.epcis.schema import subschema_validator

_IDENTIFIER = re.compile(r"^[A-Za-z_@][A-Za-z0-9_]*$")
_FORMATS_ZH = {"uri": "URI", "date-time": "带时区的 RFC 3339 时间"}
_TYPES_ZH = {
    "number": "数字",
    "string": "字符串",
    "object": "对象",
    "array": "数组",
    "boolean": "布尔值",
}


def json_path(base: str, steps: list[str | int]) -> str:
    """``$.epcisBody.eventList[3].quantityList[0].quantity`` style paths."""
    out = base
    for step in steps:
        if isinstance(step, int):
            out += f"[{step}]"
        elif _IDENTIFIER.match(step):
            out += f".{step}"
        else:
            out += "[" + json.dumps(step, ensure_ascii=False) + "]"
    return out


def _walk(data: Any, tokens: list[str]) -> tuple[list[str | int], Any]:
    """Map fastjsonschema's dotted name back onto the data (keys may contain dots)."""
    steps: list[str | int] = []
    node = data
    i = 0
    while i < len(tokens):
        if isinstance(node, list) and tokens[i].isdigit() and int(tokens[i]) < len(node):
            steps.append(int(tokens[i]))
            node = node[int(tokens[i])]
            i += 1
            continue
        if isinstance(node, dict):
            for j in range(len(tokens), i, -1):  # the longest run of tokens that is a key
                key = ".".join(tokens[i:j])
                if key in node:
                    steps.append(key)
                    node = node[key]
                    i = j
                    break
            else:
                break
        else:
            break
    return steps, node


def _bad_property(node: Any, definition: Any) -> str | None:
    if not isinstance(node, dict) or not isinstance(definition, dict):
        return None
    check = subschema_validator(json.dumps({"propertyNames": definition}, sort_keys=True))
    for key in node:
        try:
            check({key: None})
        except JsonSchemaValueException:
            return str(key)
    return None


def _alternatives(definition: Any) -> list[str]:
    """The ``required`` sets of an anyOf's branches, for a readable hint."""
    out = []
    for branch in definition if isinstance(definition, list) else []:
        parts = [branch, *branch.get("allOf", [])] if isinstance(branch, dict) else []
        required = [
            key for part in parts if isinstance(part, dict) for key in part.get("required", [])
        ]
        if required:
            out.append(" + ".join(required))
    return out


def schema_error(data: Any, exc: JsonSchemaValueException, base: str) -> EpcisError:
    """An EpcisError for the first schema violation fastjsonschema reported (detailed mode)."""
    tokens = exc.path[1:]  # drop the leading "data"
    steps, node = _walk(data, tokens)
    rule = exc.rule or "schema"
    definition = exc.rule_definition
    path = json_path(base, steps)
    reason_en = exc.message.replace(exc.name or "data", path, 1)
    reason_zh = "不符合 GS1 EPCIS 2.0 JSON Schema"
    if rule == "required" and isinstance(node, dict) and isinstance(definition, list):
        missing = next((key for key in definition if key not in node), None)
        if missing is not None:
            path = json_path(path, [missing])
            reason_zh, reason_en = f"缺少必填字段 {missing}", f"required field {missing} is missing"
    elif rule == "propertyNames":
        key = _bad_property(node, definition)
        if key is not None:
            path = json_path(path, [key])
            reason_zh = f"不允许的字段 {key}（非标准字段，扩展字段须带命名空间前缀，如 cityhub:x）"
            reason_en = f"field {key} is not allowed (not standard; extensions need a prefix)"
    elif rule == "anyOf":
        options = _alternatives(definition)
        if options:
            reason_zh = "须包含以下之一：" + " | ".join(options)
            reason_en = "needs one of: " + " | ".join(options)
        elif any(
            "ilmd" in b.get("properties", {}) for b in definition or [] if isinstance(b, dict)
        ):
            reason_zh = "action 与 ilmd 不匹配（ilmd 仅用于 ADD）"
            reason_en = "ilmd requires action ADD"
        else:
            reason_zh = "取值不符合任何允许的形式（标准词汇或 URI）"
            reason_en = f"{path} matches none of the allowed forms (standard word or URI)"
    elif rule == "format":
        reason_zh = f"须为{_FORMATS_ZH.get(str(definition), str(definition))}"
    elif rule == "type":
        reason_zh = f"类型须为{_TYPES_ZH.get(str(definition), str(definition))}"
    elif rule == "enum":
        reason_zh = "须为以下取值之一：" + "、".join(str(v) for v in definition or [])
    elif rule == "pattern":
        reason_zh = f"格式不符（{definition}）"
    return EpcisError(
        f"EPCIS schema: {reason_en}",
        rule="schema",
        path=path,
        reason_zh=reason_zh,
        reason_en=reason_en,
        details={"schema_rule": rule},
    )
