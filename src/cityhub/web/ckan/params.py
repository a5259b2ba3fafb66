"""What CKAN clients send: parameters, and the catalogue fields of a package dict.

Lists come as repeated keys or JSON strings, everything else as strings. ``catalogue_fields``
reads a package dict (package_create, package_update, package_patch) into the catalogue's terms.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import fields as dataclass_fields
from enum import StrEnum
from typing import Any

from cityhub.catalog import (
    DataCategory,
    DatasetPatch,
    DatasetSpec,
    OpenType,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)
from cityhub.errors import InvalidInput
from cityhub.web.ckan.shapes import EXTRAS, NOT_SPECIFIED, group_of

ENUMS: dict[str, type[StrEnum]] = {
    "category": DataCategory, "open_type": OpenType, "security_level": SecurityLevel,
    "share_type": ShareType, "update_cycle": UpdateCycle,
}  # fmt: skip


def invalid(name: str, message: str) -> InvalidInput:
    """A validation error reported under the parameter ``name``."""
    return InvalidInput(f"{name}: {message}", details={"field": name})


def _json(value: str, name: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise invalid(name, "not valid JSON") from None


def as_list(value: Any, name: str) -> list[Any]:
    """A list parameter: a list (repeated keys), a JSON string of a list, or one value."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        value = _json(value, name)
    return [] if value is None or value == "" else value if isinstance(value, list) else [value]


def as_dict(value: Any, name: str) -> dict[str, Any]:
    """A dict parameter: a dict, or a JSON string of one."""
    value = _json(value, name) if isinstance(value, str) and value.strip() else value or {}
    if not isinstance(value, dict):
        raise invalid(name, "must be a JSON object")
    return value


def as_bool(value: Any, name: str, default: bool = False) -> bool:
    """A boolean parameter: JSON true/false or the strings CKAN accepts."""
    text = str(value).strip().lower()
    if value is None or text == "":
        return default
    if text not in {"true", "1", "yes", "on", "false", "0", "no", "off"}:
        raise invalid(name, "must be true or false")
    return text in {"true", "1", "yes", "on"}


def as_int(value: Any, name: str, default: int, minimum: int | None = 0) -> int:
    """An integer parameter, at least ``minimum``."""
    try:
        number = default if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        raise invalid(name, "Invalid integer") from None
    if minimum is not None and number < minimum:
        raise invalid(name, f"must be at least {minimum}")
    return number


def as_text(value: Any) -> str:
    """A text parameter, stripped; None is empty."""
    return "" if value is None else str(value).strip()


def scalar(value: Any) -> str:
    """A filter value as text: JSON booleans as ``true``/``false``."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


# --- package dicts ----------------------------------------------------------------------------


def _names(items: Iterable[Any], name: str) -> list[str]:
    found = [(i.get("name") or i.get("id")) if isinstance(i, dict) else i for i in items]
    names = [n.strip() for n in found if isinstance(n, str)]
    if len(names) < len(found) or not all(names):
        raise invalid(name, "give names or {name: ...} dicts")
    return names


def _extras(value: Any) -> dict[str, Any]:
    pairs = dict(value) if isinstance(value, dict) else {}
    for entry in [] if isinstance(value, dict) else as_list(value, "extras"):
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            raise invalid("extras", "give {key, value} dicts")
        pairs[entry["key"]] = entry.get("value")
    unknown = sorted(set(pairs) - {*EXTRAS, "frequency"})
    if unknown:
        raise invalid("extras", f"unknown keys {', '.join(unknown)}; known: {', '.join(EXTRAS)}")
    out: dict[str, Any] = {}
    for key, raw in pairs.items():
        key, text = "update_cycle" if key == "frequency" else key, as_text(raw)  # DCAT's name
        if key in ENUMS:
            choices = [m.value for m in ENUMS[key]]
            if text not in choices:
                raise invalid(key, f"must be one of {', '.join(choices)}")
            out[key] = ENUMS[key](text)
        elif key != "resource_code" or text:  # an empty code means none: the code is kept
            out[key] = text
    return out


def catalogue_fields(
    data: dict[str, Any], *, full: bool, thematic: frozenset[str] = frozenset()
) -> dict[str, Any]:
    """DatasetSpec/DatasetPatch arguments from a package dict; ``full`` resets omitted fields.

    ``groups`` sets the resource class; the names of thematic groups (``thematic``) are accepted
    and left alone, because their members are chosen by the groups' managers (member_create).
    """
    out: dict[str, Any] = {}
    if "title" in data:
        out["title"] = as_text(data["title"])
    if "notes" in data:
        out["abstract"] = as_text(data["notes"])
    if "license_id" in data:
        licence = as_text(data["license_id"])
        out["licence"] = "" if licence == NOT_SPECIFIED else licence
    if "tags" in data or "tag_string" in data:
        tags = as_list(data.get("tags"), "tags") + as_text(data.get("tag_string")).split(",")
        out["keywords"] = tuple(
            _names([t for t in tags if as_text(t) or isinstance(t, dict)], "tags")
        )
    if "groups" in data:
        names = _names(as_list(data["groups"], "groups"), "groups")
        own = [n for n in names if n.lower().removeprefix("group-") not in thematic]
        classes = {group_of(n) for n in own}
        if None in classes or len(classes) > 1:
            raise invalid("groups", f"a package is in one of {', '.join(ResourceClass)}")
        if classes or not names:  # only thematic groups named: the resource class stays
            out["resource_class"] = classes.pop() if classes else ResourceClass.DEPARTMENTAL
    out |= _extras(data.get("extras"))
    people = [as_text(data.get(k)) for k in ("maintainer", "author", "maintainer_email")]
    if "contact" not in out and any(people):
        out["contact"] = next(p for p in people if p)
    if "private" in data:
        private = as_bool(data["private"], "private")
        wanted = out.get("open_type", OpenType.CLOSED if private else OpenType.OPEN)
        if (wanted != OpenType.OPEN) != private:
            raise invalid("private", f"private={private} contradicts open_type={wanted}")
        out["open_type"] = wanted
    if full:  # the title stays (it cannot be empty), and an omitted resource code is kept
        patchable = {f.name for f in dataclass_fields(DatasetPatch)} - {"title", "resource_code"}
        for spec in dataclass_fields(DatasetSpec):
            if spec.name in patchable and spec.name not in out:
                out[spec.name] = spec.default
    return out
