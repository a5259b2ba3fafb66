"""CKAN shapes: package, resource, organisation and group dicts, and what CKAN clients send.

The builders emit complete CKAN 2.11 dicts, because harvesters validate them (udata rejects a
resource without ``position``). The parsers read Solr-style ``q``/``fq`` terms, sort clauses,
and list or dict parameters sent as repeated keys or as JSON strings.
"""

from __future__ import annotations

import csv
import io
import json
import math
import re
import uuid
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from dataclasses import fields as dataclass_fields
from datetime import UTC, date, datetime, time
from decimal import Decimal
from enum import StrEnum
from typing import Any

from cityhub.auth import Department
from cityhub.catalog import (
    ColumnType,
    DataCategory,
    Dataset,
    DatasetColumn,
    DatasetPatch,
    DatasetSpec,
    DatasetVersion,
    OpenType,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)
from cityhub.errors import CityhubError, InvalidInput

GROUP_TITLES = {
    ResourceClass.POPULATION: "人口基础库",
    ResourceClass.LEGAL_ENTITY: "法人单位基础库",
    ResourceClass.PUBLIC_CREDIT: "公共信用基础库",
    ResourceClass.MACRO_ECONOMY: "宏观经济基础库",
    ResourceClass.SPATIAL: "空间地理基础库",
    ResourceClass.CERTIFICATE: "电子证照基础库",
    ResourceClass.THEMATIC: "主题数据库",
    ResourceClass.DEPARTMENTAL: "部门数据",
}
MIMETYPES = {
    "CSV": "text/csv",
    "TSV": "text/tab-separated-values",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "XLS": "application/vnd.ms-excel",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
    "JSON": "application/json",
    "NDJSON": "application/x-ndjson",
    "GEOJSON": "application/geo+json",
    "PARQUET": "application/vnd.apache.parquet",
}
DATASTORE_TYPES = {
    ColumnType.STRING: "text",
    ColumnType.INTEGER: "int8",
    ColumnType.FLOAT: "float8",
    ColumnType.BOOLEAN: "bool",
    ColumnType.DATE: "date",
    ColumnType.TIMESTAMP: "timestamp",
    ColumnType.GEOMETRY: "text",
}
EXTRAS = (  # sorted by key, as CKAN lists extras
    "category",
    "contact",
    "open_type",
    "resource_code",
    "security_level",
    "share_conditions",
    "share_type",
    "update_cycle",
)
ENUMS: dict[str, type[StrEnum]] = {
    "category": DataCategory,
    "open_type": OpenType,
    "security_level": SecurityLevel,
    "share_type": ShareType,
    "update_cycle": UpdateCycle,
}
NOT_SPECIFIED = "notspecified"
FACETS = ("organization", "groups", "res_format", "tags", "license_id")
FQ_FIELDS = frozenset(
    {"organization", "owner_org", "groups", "res_format", "tags", "license_id", "name", "id"}
    | {"dataset_type", "type", "state", "capacity"}
    | {f"extras_{key}" for key in EXTRAS}
)
DATE_FIELDS = {"metadata_modified": "updated_at", "metadata_created": "created_at"}
TEXT_FIELDS = frozenset({"text", "title", "notes"})
_TAG_IDS = uuid.UUID("6f1c3a52-8d0e-4b7a-9c55-2f4e8a1d0b93")  # namespace: tag ids are stable
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FIELD_TERM = re.compile(r"([A-Za-z_][\w.]*):(.+)", re.DOTALL)
_RANGE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+)\s*([\]}])", re.DOTALL)
_SORT_COLUMN = re.compile(r'("(?:[^"]|"")+"|\S+)(?:\s+(asc|desc))?', re.IGNORECASE)


class SearchQueryError(CityhubError):
    """A ``q``, ``fq``, sort or facet this facade cannot read (CKAN's Solr query error)."""

    code = "search_query_error"


def ckan_time(moment: datetime | None) -> str | None:
    """A timestamp as CKAN writes it: UTC without zone, with microseconds."""
    if moment is None:
        return None
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds")


def org_name(code: str) -> str:
    """An organisation's name: the department code in lower case (CKAN names are lower case)."""
    return code.lower()


def org_code(reference: str) -> str:
    """The department code named by an organisation id (``org-slj``) or name (``slj``)."""
    return reference.strip().lower().removeprefix("org-").upper()


def group_of(reference: str) -> ResourceClass | None:
    """The resource class named by a group id (``group-spatial``) or name (``spatial``)."""
    value = reference.strip().lower().removeprefix("group-")
    return ResourceClass(value) if value in ResourceClass._value2member_map_ else None


def organization_dict(department: Department, package_count: int | None = None) -> dict[str, Any]:
    """A department as a CKAN organisation."""
    result: dict[str, Any] = {
        "id": f"org-{org_name(department.code)}",
        "name": org_name(department.code),
        "title": department.name_zh,
        "display_name": department.name_zh,
        "description": department.name_en,
        "type": "organization",
        "is_organization": True,
        "state": "active",
        "image_url": "",
        "image_display_url": "",
        "created": ckan_time(department.created_at),
        "approval_status": "approved",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def group_dict(resource_class: ResourceClass, package_count: int | None = None) -> dict[str, Any]:
    """A 6+N resource class as a CKAN group."""
    title = GROUP_TITLES[resource_class]
    result: dict[str, Any] = {
        "id": f"group-{resource_class.value}",
        "name": resource_class.value,
        "title": title,
        "display_name": title,
        "description": "",
        "type": "group",
        "is_organization": False,
        "state": "active",
        "image_url": "",
        "image_display_url": "",
        "created": None,  # the classes are a vocabulary, not rows with a creation time
        "approval_status": "approved",
    }
    if package_count is not None:
        result["package_count"] = package_count
    return result


def _format(latest: DatasetVersion | None) -> str:
    return latest.source_format.upper() if latest else ""


def resource_dict(dataset: Dataset, latest: DatasetVersion | None, base: str) -> dict[str, Any]:
    """The dataset's table as the package's one CKAN resource."""
    fmt = _format(latest)
    return {
        "id": dataset.resource_uuid,
        "package_id": dataset.uuid,
        "position": 0,
        "name": dataset.title,
        "description": dataset.abstract,
        "format": fmt,
        "mimetype": MIMETYPES.get(fmt),
        "mimetype_inner": None,
        "size": latest.source_bytes if latest else None,
        "hash": "",
        "created": ckan_time(dataset.created_at),
        "last_modified": ckan_time(latest.created_at) if latest else None,
        "metadata_modified": ckan_time(dataset.updated_at),
        "url": f"{base}/api/datasets/{dataset.name}/export?format=csv",
        "url_type": "upload",
        "resource_type": "file",
        "datastore_active": latest is not None,
        "state": "active",
        "cache_url": None,
        "cache_last_updated": None,
    }


def package_dict(dataset: Dataset, latest: DatasetVersion | None, base: str) -> dict[str, Any]:
    """A dataset as a complete CKAN package dict."""
    organization = organization_dict(dataset.department)
    tags = [
        {
            "id": str(uuid.uuid5(_TAG_IDS, keyword)),
            "name": keyword,
            "display_name": keyword,
            "state": "active",
            "vocabulary_id": None,
        }
        for keyword in dataset.keywords
    ]
    email = _EMAIL.search(dataset.contact)
    private = dataset.open_type != OpenType.OPEN.value
    return {
        "id": dataset.uuid,
        "name": dataset.name,
        "title": dataset.title,
        "notes": dataset.abstract,
        "type": "dataset",
        "state": "active",
        "private": private,
        "isopen": not private,
        "license_id": dataset.licence or NOT_SPECIFIED,
        "license_title": dataset.licence or "License not specified",
        "url": "",
        "version": str(latest.number) if latest else None,
        "author": dataset.contact or None,
        "author_email": email.group() if email else None,
        "maintainer": dataset.contact or None,
        "maintainer_email": email.group() if email else None,
        "creator_user_id": None,
        "metadata_created": ckan_time(dataset.created_at),
        "metadata_modified": ckan_time(dataset.updated_at),
        "owner_org": organization["id"],
        "organization": organization,
        "groups": [group_dict(ResourceClass(dataset.resource_class))],
        "tags": tags,
        "num_tags": len(tags),
        "extras": [{"key": key, "value": getattr(dataset, key) or ""} for key in EXTRAS],
        "resources": [resource_dict(dataset, latest, base)],
        "num_resources": 1,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


# --- parameters -------------------------------------------------------------------------------


def as_list(value: Any, name: str) -> list[Any]:
    """A list parameter: a list (repeated keys), a JSON string of a list, or one value."""
    if value is None or value == "":
        return []
    if isinstance(value, str) and value.lstrip().startswith("["):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidInput(
                f"{name} is not a valid JSON list", details={"field": name}
            ) from None
    return list(value) if isinstance(value, list) else [value]


def as_dict(value: Any, name: str) -> dict[str, Any]:
    """A dict parameter: a dict, or a JSON string of one."""
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            raise InvalidInput(f"{name} is not valid JSON", details={"field": name}) from None
    if not isinstance(value, dict):
        raise InvalidInput(f"{name} must be a JSON object", details={"field": name})
    return value


def as_bool(value: Any, name: str, default: bool = False) -> bool:
    """A boolean parameter: JSON true/false or the strings CKAN accepts."""
    if value is None or value == "":
        return default
    if isinstance(value, bool):
        return value
    text = str(value).strip().lower()
    if text in {"true", "1", "yes", "on"}:
        return True
    if text in {"false", "0", "no", "off"}:
        return False
    raise InvalidInput(f"{name} must be true or false", details={"field": name})


def as_int(value: Any, name: str, default: int, minimum: int | None = 0) -> int:
    """An integer parameter, at least ``minimum``."""
    if value is None or value == "":
        return default
    try:
        number = int(value)
    except (TypeError, ValueError):
        raise InvalidInput(f"{name}: invalid integer", details={"field": name}) from None
    if minimum is not None and number < minimum:
        raise InvalidInput(f"{name} must be at least {minimum}", details={"field": name})
    return number


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _names(items: Iterable[Any], name: str) -> list[str]:
    found = []
    for item in items:
        value = item.get("name") or item.get("id") if isinstance(item, dict) else item
        if not isinstance(value, str) or not value.strip():
            raise InvalidInput(
                f"{name} must be names or {{name: ...}} dicts", details={"field": name}
            )
        found.append(value.strip())
    return found


def _extras(value: Any) -> dict[str, Any]:
    pairs = as_dict(value, "extras") if isinstance(value, dict) else {}
    for entry in [] if isinstance(value, dict) else as_list(value, "extras"):
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            raise InvalidInput("extras must be {key, value} dicts", details={"field": "extras"})
        pairs[entry["key"]] = entry.get("value")
    unknown = sorted(set(pairs) - set(EXTRAS) - {"frequency"})
    if unknown:
        raise InvalidInput(
            f"unknown extras {', '.join(unknown)}; known: {', '.join(EXTRAS)}",
            details={"field": "extras"},
        )
    out: dict[str, Any] = {}
    for key, raw in pairs.items():
        key = "update_cycle" if key == "frequency" else key  # DCAT's name for 更新周期
        text = _text(raw)
        if key in ENUMS:
            choices = ENUMS[key]._value2member_map_
            if text not in choices:
                raise InvalidInput(
                    f"{key} must be one of {', '.join(choices)}", details={"field": key}
                )
            out[key] = ENUMS[key](text)
        elif key != "resource_code" or text:  # an empty code means none, so it is left as is
            out[key] = text
    return out


def catalogue_fields(data: dict[str, Any], *, full: bool) -> dict[str, Any]:
    """DatasetSpec/DatasetPatch arguments from a package dict; ``full`` resets omitted fields."""
    out: dict[str, Any] = {}
    if "title" in data:
        out["title"] = _text(data["title"])
    if "notes" in data:
        out["abstract"] = _text(data["notes"])
    if "license_id" in data:
        licence = _text(data["license_id"])
        out["licence"] = "" if licence == NOT_SPECIFIED else licence
    if "tags" in data or "tag_string" in data:
        tags = as_list(data.get("tags"), "tags")
        tags += [t for t in _text(data.get("tag_string")).split(",") if t.strip()]
        out["keywords"] = tuple(_names(tags, "tags"))
    if "groups" in data:
        names = _names(as_list(data["groups"], "groups"), "groups")
        classes = {group_of(n) for n in names}
        if None in classes or len(classes) > 1:
            raise InvalidInput(
                f"a package is in one group of {', '.join(ResourceClass)}",
                details={"field": "groups"},
            )
        out["resource_class"] = classes.pop() if classes else ResourceClass.DEPARTMENTAL
    out |= _extras(data.get("extras"))
    people = ("maintainer", "author", "maintainer_email", "author_email")
    if "contact" not in out and any(key in data for key in people):
        out["contact"] = next((_text(data[k]) for k in people if _text(data.get(k))), "")
    if "private" in data:
        private = as_bool(data["private"], "private")
        wanted = out.get("open_type", OpenType.CLOSED if private else OpenType.OPEN)
        if (wanted != OpenType.OPEN) != private:
            raise InvalidInput(
                f"private={private} contradicts open_type={wanted}", details={"field": "private"}
            )
        out["open_type"] = wanted
    if full:
        patchable = {f.name for f in dataclass_fields(DatasetPatch)} - {"title", "resource_code"}
        for spec_field in dataclass_fields(DatasetSpec):
            if spec_field.name in patchable and spec_field.name not in out:
                out[spec_field.name] = spec_field.default
    return out


# --- q and fq ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Term:
    """One Solr-style term: field matches any of values, or a date range, or a sub-query."""

    field: str
    values: tuple[str, ...] = ()
    low: datetime | None = None
    high: datetime | None = None
    inclusive: bool = True
    negate: bool = False
    inner: tuple[tuple[Term, ...], ...] = ()


Query = tuple[tuple[Term, ...], ...]  # every group must hold; a group holds if any term does


def _tokens(text: str) -> list[str]:
    tokens, i = [], 0
    while i < len(text):
        if text[i].isspace():
            i += 1
            continue
        start, depth = i, 0
        while i < len(text) and (depth or not text[i].isspace()):
            char = text[i]
            if char == "\\":
                i += 2
                continue
            if char == '"':
                end = re.compile(r'(?:[^"\\]|\\.)*"', re.DOTALL).match(text, i + 1)
                if end is None:
                    raise SearchQueryError(f"unbalanced quote in {text!r}")
                i = end.end()
                continue
            depth += (char in "([{") - (char in ")]}")
            if depth < 0:
                raise SearchQueryError(f"unbalanced brackets in {text!r}")
            i += 1
        if depth:
            raise SearchQueryError(f"unbalanced brackets in {text!r}")
        tokens.append(text[start:i])
    return tokens


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return re.sub(r"\\(.)", r"\1", value, flags=re.DOTALL)


def _moment(text: str) -> datetime | None:
    if text == "*":
        return None
    try:
        moment = datetime.fromisoformat(_unquote(text))
    except ValueError:
        raise SearchQueryError(f"{text!r} is not an ISO 8601 time (Solr date math is not read)")
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _term(token: str) -> Term:
    negate = token.startswith("-")
    body = token[1:] if token[:1] in "+-" else token
    if body.startswith("(") and body.endswith(")"):
        return Term("", negate=negate, inner=parse_query(body[1:-1]))
    match = _FIELD_TERM.fullmatch(body)
    if match is None:
        raise SearchQueryError(f"cannot read {token!r}: write field:value")
    field, value = match.groups()
    if field in DATE_FIELDS:
        span = _RANGE.fullmatch(value)
        if span is None:
            raise SearchQueryError(f"{field} takes a range such as [2026-01-01T00:00:00Z TO *]")
        opening, low, high, closing = span.groups()
        return Term(field, (), _moment(low), _moment(high), opening == "[", negate)
    if field not in FQ_FIELDS:
        raise SearchQueryError(
            f"cannot filter on {field!r}; fields: {', '.join(sorted(FQ_FIELDS))}"
        )
    if value.startswith("(") and value.endswith(")"):
        inner = [t for t in _tokens(value[1:-1]) if t not in {"OR", "||"}]
        if {"AND", "&&"} & set(inner):
            raise SearchQueryError(f"only OR is read inside {value!r}")
        return Term(field, tuple(_unquote(v) for v in inner), negate=negate)
    return Term(field, (_unquote(value),), negate=negate)


def parse_query(text: str) -> Query:
    """An ``fq``: terms joined by AND (the default) or OR, with ``+``/``-`` and parentheses."""
    groups: list[list[Term]] = []
    join = False
    for token in _tokens(text):
        if token in {"AND", "&&"}:
            continue
        if token in {"OR", "||"}:
            if not groups or join:
                raise SearchQueryError(f"OR needs a term on each side in {text!r}")
            join = True
            continue
        if join:
            groups[-1].append(_term(token))
        else:
            groups.append([_term(token)])
        join = False
    if join:
        raise SearchQueryError(f"OR needs a term on each side in {text!r}")
    return tuple(tuple(group) for group in groups)


def split_q(q: str) -> tuple[str, Query]:
    """The free text of a ``q`` and its field terms (``水位 tags:河道``)."""
    if q.strip() in {"", "*", "*:*"}:
        return "", ()
    words: list[str] = []
    terms: list[tuple[Term, ...]] = []
    for token in _tokens(q):
        match = _FIELD_TERM.fullmatch(token.lstrip("+-"))
        field = match.group(1) if match else ""
        if field in TEXT_FIELDS and match:
            words.append(_unquote(match.group(2)))
        elif field in FQ_FIELDS or field in DATE_FIELDS:
            terms.append((_term(token),))
        elif token not in {"AND", "&&"}:
            words.append(_unquote(token))
    return " ".join(words), tuple(terms)


def _facts(dataset: Dataset, latest: DatasetVersion | None) -> dict[str, set[str]]:
    code, fmt = dataset.department.code, _format(latest)
    private = dataset.open_type != OpenType.OPEN.value
    facts = {
        "organization": {org_name(code)},
        "owner_org": {f"org-{org_name(code)}"},
        "groups": {dataset.resource_class},
        "res_format": {fmt} if fmt else set(),
        "tags": set(dataset.keywords),
        "license_id": {dataset.licence or NOT_SPECIFIED},
        "name": {dataset.name},
        "id": {dataset.uuid},
        "dataset_type": {"dataset"},
        "type": {"dataset"},
        "state": {"active"},
        "capacity": {"private" if private else "public"},
    }
    facts |= {f"extras_{key}": {getattr(dataset, key) or ""} for key in EXTRAS}
    return {key: {v.lower() for v in values if v} for key, values in facts.items()}


def _holds(term: Term, dataset: Dataset, facts: dict[str, set[str]]) -> bool:
    if term.inner:
        result = _all_hold(term.inner, dataset, facts)
    elif term.field in DATE_FIELDS:
        moment: datetime = getattr(dataset, DATE_FIELDS[term.field])
        after = term.low is None or moment > term.low or (term.inclusive and moment == term.low)
        before = term.high is None or moment < term.high or (term.inclusive and moment == term.high)
        result = after and before
    else:
        have = facts[term.field]
        result = any(v.lower() in have or (v == "*" and bool(have)) for v in term.values)
    return result != term.negate


def _all_hold(query: Query, dataset: Dataset, facts: dict[str, set[str]]) -> bool:
    return all(any(_holds(term, dataset, facts) for term in group) for group in query)


def holds(query: Query, dataset: Dataset, latest: DatasetVersion | None) -> bool:
    """Whether the package matches every group of the query."""
    return not query or _all_hold(query, dataset, _facts(dataset, latest))


SORT_KEYS: dict[str, Callable[[Dataset], Any]] = {
    "name": lambda d: d.name,
    "title_string": lambda d: d.title,
    "title": lambda d: d.title,
    "metadata_modified": lambda d: d.updated_at,
    "metadata_created": lambda d: d.created_at,
    "id": lambda d: d.uuid,
}


def sort_datasets(datasets: list[Dataset], sort: str) -> list[Dataset]:
    """Datasets in a CKAN sort order; ``score`` keeps the catalogue's relevance order."""
    clauses = [clause.split() for clause in sort.split(",") if clause.strip()]
    for clause in clauses:
        if (
            len(clause) > 2
            or clause[0] not in {*SORT_KEYS, "score"}
            or clause[-1].lower() not in {clause[0], "asc", "desc"}
        ):
            raise SearchQueryError(f"cannot sort by {' '.join(clause)!r}")
    result = list(datasets)
    for clause in reversed(clauses):  # stable sorts, last clause first
        if clause[0] != "score":
            result.sort(key=SORT_KEYS[clause[0]], reverse=clause[-1].lower() == "desc")
    return result


def _facet_values(field: str, dataset: Dataset, latest: DatasetVersion | None) -> list[str]:
    if field == "organization":
        return [org_name(dataset.department.code)]
    if field == "groups":
        return [dataset.resource_class]
    if field == "res_format":
        return [_format(latest)] if latest else []
    if field == "tags":
        return list(dataset.keywords)
    return [dataset.licence or NOT_SPECIFIED]


def facets(
    fields: list[Any],
    datasets: list[Dataset],
    latest: dict[int, DatasetVersion],
    limit: int,
    mincount: int,
) -> tuple[dict[str, dict[str, int]], dict[str, Any]]:
    """CKAN's ``facets`` and ``search_facets`` of the matching packages."""
    plain: dict[str, dict[str, int]] = {}
    rich: dict[str, Any] = {}
    titles = {org_name(d.department.code): d.department.name_zh for d in datasets}
    titles |= {c.value: title for c, title in GROUP_TITLES.items()}
    for field in map(str, fields):
        if field not in FACETS:
            raise SearchQueryError(f"cannot facet on {field!r}; facets: {', '.join(FACETS)}")
        counts = Counter(v for d in datasets for v in _facet_values(field, d, latest.get(d.id)))
        items = sorted((i for i in counts.items() if i[1] >= mincount), key=lambda i: (-i[1], i[0]))
        items = items if limit < 0 else items[:limit]
        named = field in {"organization", "groups"}
        plain[field] = dict(items)
        rich[field] = {
            "title": field,
            "items": [
                {"name": v, "display_name": titles.get(v, v) if named else v, "count": n}
                for v, n in items
            ],
        }
    return plain, rich


# --- DataStore --------------------------------------------------------------------------------


def datastore_fields(
    names: list[str], types: dict[str, ColumnType], columns: list[DatasetColumn]
) -> list[dict[str, Any]]:
    """DataStore field dicts with the data dictionary (label, description) in ``info``."""
    described = {c.name: c for c in columns}
    return [
        {
            "id": name,
            "type": DATASTORE_TYPES[types[name]],
            "info": {
                "label": described[name].label if name in described else "",
                "notes": described[name].description if name in described else "",
            },
        }
        for name in names
    ]


def column_names(value: Any, name: str, known: Iterable[str]) -> list[tuple[str, bool]]:
    """Columns of ``fields`` or ``sort`` (``"a asc, b desc"`` or a list), checked, with desc."""
    clauses = as_list(value, name) if not isinstance(value, str) else value.split(",")
    if isinstance(value, str) and value.lstrip().startswith("["):
        clauses = as_list(value, name)
    found, columns = [], set(known)
    for clause in (str(c).strip() for c in clauses):
        match = _SORT_COLUMN.fullmatch(clause)
        if not clause:
            continue
        column = match.group(1) if match else ""
        column = column[1:-1].replace('""', '"') if column.startswith('"') else column
        if match is None or column not in columns:
            raise InvalidInput(f"{name}: no column {clause!r}", details={"field": name})
        found.append((column, (match.group(2) or "").lower() == "desc"))
    return found


def plain(value: Any) -> Any:
    """A record value as JSON: times as ISO text, no NaN."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def records(names: list[str], rows: list[tuple[Any, ...]], records_format: str) -> Any:
    """Rows in a DataStore ``records_format``: objects, lists, csv or tsv (no header)."""
    if records_format == "objects":
        return [dict(zip(names, map(plain, row), strict=True)) for row in rows]
    if records_format == "lists":
        return [[plain(v) for v in row] for row in rows]
    if records_format in {"csv", "tsv"}:
        out = io.StringIO()
        writer = csv.writer(out, delimiter="," if records_format == "csv" else "\t")
        writer.writerows([["" if v is None else plain(v) for v in row] for row in rows])
        return out.getvalue()
    raise InvalidInput(
        "records_format must be objects, lists, csv or tsv", details={"field": "records_format"}
    )


def sql_type(values: Iterable[Any]) -> str:
    """The DataStore type of a result column, from its first non-null value."""
    for value in values:
        for kind, name in (
            (bool, "bool"),
            (int, "int8"),
            (float, "float8"),
            (Decimal, "numeric"),
            (datetime, "timestamp"),
            (date, "date"),
        ):
            if isinstance(value, kind):
                return name
        if value is not None:
            return "text"
    return "text"


def literal(value: Any) -> str:
    """A value as a SQL string literal (the engine casts it to the column's type)."""
    text = ("true" if value else "false") if isinstance(value, bool) else str(value)
    return "'" + text.replace("'", "''") + "'"
