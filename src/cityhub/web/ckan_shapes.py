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

GROUP_TITLES = dict(zip(ResourceClass, (
    "人口基础库", "法人单位基础库", "公共信用基础库", "宏观经济基础库", "空间地理基础库",
    "电子证照基础库", "主题数据库", "部门数据",
), strict=True))  # fmt: skip
MIMETYPES = {
    "CSV": "text/csv", "TSV": "text/tab-separated-values", "JSON": "application/json",
    "NDJSON": "application/x-ndjson", "GEOJSON": "application/geo+json",
    "PARQUET": "application/vnd.apache.parquet", "XLS": "application/vnd.ms-excel",
    "XLSX": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "ODS": "application/vnd.oasis.opendocument.spreadsheet",
}  # fmt: skip
DATASTORE_TYPES = dict(zip(ColumnType, (
    "text", "int8", "float8", "bool", "date", "timestamp", "text",
), strict=True))  # fmt: skip
SQL_TYPES = {bool: "bool", int: "int8", float: "float8", Decimal: "numeric", date: "date"}
SQL_TYPES[datetime] = "timestamp"
EXTRAS = ("category", "contact", "open_type", "resource_code", "security_level",
          "share_conditions", "share_type", "update_cycle")  # fmt: skip  # sorted, like CKAN
ENUMS: dict[str, type[StrEnum]] = {
    "category": DataCategory, "open_type": OpenType, "security_level": SecurityLevel,
    "share_type": ShareType, "update_cycle": UpdateCycle,
}  # fmt: skip
NOT_SPECIFIED = "notspecified"
FACETS = ("organization", "groups", "res_format", "tags", "license_id")
FQ_FIELDS = frozenset({*FACETS, "owner_org", "name", "id", "dataset_type", "type", "state"}) | {
    "capacity",
    *(f"extras_{key}" for key in EXTRAS),
}
DATE_FIELDS = {"metadata_modified": "updated_at", "metadata_created": "created_at"}
TEXT_FIELDS = frozenset({"text", "title", "notes"})
_TAG_IDS = uuid.UUID("6f1c3a52-8d0e-4b7a-9c55-2f4e8a1d0b93")  # namespace: tag ids are stable
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")
_FIELD_TERM = re.compile(r"([A-Za-z_][\w.]*):(.+)", re.DOTALL)
_RANGE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+)\s*[\]}]", re.DOTALL)
_QUOTED = re.compile(r'(?:[^"\\]|\\.)*"', re.DOTALL)
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
    return next((c for c in ResourceClass if c.value == value), None)


def _party(kind: str, name: str, title: str, about: str, created: str | None) -> dict[str, Any]:
    prefix = "org" if kind == "organization" else "group"
    return {"id": f"{prefix}-{name}", "name": name, "title": title, "display_name": title,
            "description": about, "type": kind, "is_organization": kind == "organization",
            "state": "active", "image_url": "", "image_display_url": "", "created": created,
            "approval_status": "approved"}  # fmt: skip


def organization_dict(department: Department, package_count: int | None = None) -> dict[str, Any]:
    """A department as a CKAN organisation."""
    name, created = org_name(department.code), ckan_time(department.created_at)
    found = _party("organization", name, department.name_zh, department.name_en, created)
    return found if package_count is None else found | {"package_count": package_count}


def group_dict(resource_class: ResourceClass, package_count: int | None = None) -> dict[str, Any]:
    """A 6+N resource class as a CKAN group (a vocabulary entry: no creation time)."""
    found = _party("group", resource_class.value, GROUP_TITLES[resource_class], "", None)
    return found if package_count is None else found | {"package_count": package_count}


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
        {"id": str(uuid.uuid5(_TAG_IDS, k)), "name": k, "display_name": k, "state": "active"}
        | {"vocabulary_id": None}
        for k in dataset.keywords
    ]
    found = _EMAIL.search(dataset.contact)
    email = found.group() if found else None
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
        "author_email": email,
        "maintainer": dataset.contact or None,
        "maintainer_email": email,
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


# --- parameters: CKAN sends lists as repeated keys or JSON strings, everything as strings ---


def _invalid(name: str, message: str) -> InvalidInput:
    return InvalidInput(f"{name}: {message}", details={"field": name})


def _json(value: str, name: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        raise _invalid(name, "not valid JSON") from None


def as_list(value: Any, name: str) -> list[Any]:
    """A list parameter: a list (repeated keys), a JSON string of a list, or one value."""
    if isinstance(value, str) and value.lstrip().startswith("["):
        value = _json(value, name)
    return [] if value is None or value == "" else value if isinstance(value, list) else [value]


def as_dict(value: Any, name: str) -> dict[str, Any]:
    """A dict parameter: a dict, or a JSON string of one."""
    value = _json(value, name) if isinstance(value, str) and value.strip() else value or {}
    if not isinstance(value, dict):
        raise _invalid(name, "must be a JSON object")
    return value


def as_bool(value: Any, name: str, default: bool = False) -> bool:
    """A boolean parameter: JSON true/false or the strings CKAN accepts."""
    text = str(value).strip().lower()
    if value is None or text == "":
        return default
    if text not in {"true", "1", "yes", "on", "false", "0", "no", "off"}:
        raise _invalid(name, "must be true or false")
    return text in {"true", "1", "yes", "on"}


def as_int(value: Any, name: str, default: int, minimum: int | None = 0) -> int:
    """An integer parameter, at least ``minimum``."""
    try:
        number = default if value is None or value == "" else int(value)
    except (TypeError, ValueError):
        raise _invalid(name, "Invalid integer") from None
    if minimum is not None and number < minimum:
        raise _invalid(name, f"must be at least {minimum}")
    return number


def scalar(value: Any) -> str:
    """A filter value as text: JSON booleans as ``true``/``false``."""
    return ("true" if value else "false") if isinstance(value, bool) else str(value)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _names(items: Iterable[Any], name: str) -> list[str]:
    found = [(i.get("name") or i.get("id")) if isinstance(i, dict) else i for i in items]
    names = [n.strip() for n in found if isinstance(n, str)]
    if len(names) < len(found) or not all(names):
        raise _invalid(name, "give names or {name: ...} dicts")
    return names


def _extras(value: Any) -> dict[str, Any]:
    pairs = dict(value) if isinstance(value, dict) else {}
    for entry in [] if isinstance(value, dict) else as_list(value, "extras"):
        if not isinstance(entry, dict) or not isinstance(entry.get("key"), str):
            raise _invalid("extras", "give {key, value} dicts")
        pairs[entry["key"]] = entry.get("value")
    unknown = sorted(set(pairs) - {*EXTRAS, "frequency"})
    if unknown:
        raise _invalid("extras", f"unknown keys {', '.join(unknown)}; known: {', '.join(EXTRAS)}")
    out: dict[str, Any] = {}
    for key, raw in pairs.items():
        key, text = "update_cycle" if key == "frequency" else key, _text(raw)  # DCAT's name
        if key in ENUMS:
            choices = [m.value for m in ENUMS[key]]
            if text not in choices:
                raise _invalid(key, f"must be one of {', '.join(choices)}")
            out[key] = ENUMS[key](text)
        elif key != "resource_code" or text:  # an empty code means none: the code is kept
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
        tags = as_list(data.get("tags"), "tags") + _text(data.get("tag_string")).split(",")
        out["keywords"] = tuple(
            _names([t for t in tags if _text(t) or isinstance(t, dict)], "tags")
        )
    if "groups" in data:
        classes = {group_of(n) for n in _names(as_list(data["groups"], "groups"), "groups")}
        if None in classes or len(classes) > 1:
            raise _invalid("groups", f"a package is in one of {', '.join(ResourceClass)}")
        out["resource_class"] = classes.pop() if classes else ResourceClass.DEPARTMENTAL
    out |= _extras(data.get("extras"))
    people = [_text(data.get(k)) for k in ("maintainer", "author", "maintainer_email")]
    if "contact" not in out and any(people):
        out["contact"] = next(p for p in people if p)
    if "private" in data:
        private = as_bool(data["private"], "private")
        wanted = out.get("open_type", OpenType.CLOSED if private else OpenType.OPEN)
        if (wanted != OpenType.OPEN) != private:
            raise _invalid("private", f"private={private} contradicts open_type={wanted}")
        out["open_type"] = wanted
    if full:  # the title stays (it cannot be empty), and an omitted resource code is kept
        patchable = {f.name for f in dataclass_fields(DatasetPatch)} - {"title", "resource_code"}
        for spec in dataclass_fields(DatasetSpec):
            if spec.name in patchable and spec.name not in out:
                out[spec.name] = spec.default
    return out


# --- q and fq: Solr-style terms, evaluated over the catalogue entries -----------------------


@dataclass(frozen=True)
class Term:
    """One term: field matches any of the values, or a date range, or a sub-query."""

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
        start, depth = i, 0
        while i < len(text) and (depth or not text[i].isspace()):
            if text[i] == '"':
                closing = _QUOTED.match(text, i + 1)
                if closing is None:
                    raise SearchQueryError(f"unbalanced quote in {text!r}")
                i = closing.end()
                continue
            depth += (text[i] in "([{") - (text[i] in ")]}")
            if depth < 0:
                raise SearchQueryError(f"unbalanced brackets in {text!r}")
            i += 2 if text[i] == "\\" else 1
        if depth:
            raise SearchQueryError(f"unbalanced brackets in {text!r}")
        tokens += [text[start:i]] if i > start else []
        i += 1
    return tokens


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return re.sub(r"\\(.)", r"\1", value, flags=re.DOTALL)


def _moment(text: str) -> datetime | None:
    try:
        moment = None if text == "*" else datetime.fromisoformat(_unquote(text))
    except ValueError:
        raise SearchQueryError(f"{text!r} is not an ISO 8601 time (no date math)") from None
    return moment.replace(tzinfo=moment.tzinfo or UTC) if moment else None


def _term(token: str) -> Term:
    negate, body = token.startswith("-"), token[1:] if token[:1] in "+-" else token
    if body.startswith("(") and body.endswith(")"):
        return Term("", negate=negate, inner=parse_query(body[1:-1]))
    match = _FIELD_TERM.fullmatch(body)
    if match is None:
        raise SearchQueryError(f"cannot read {token!r}: write field:value")
    field, value = match.groups()
    if field in DATE_FIELDS:
        span = _RANGE.fullmatch(value)
        if span is None:
            raise SearchQueryError(f"{field} takes a range like [2026-01-01T00:00:00Z TO *]")
        low, high = _moment(span.group(2)), _moment(span.group(3))
        return Term(field, (), low, high, span.group(1) == "[", negate)
    if field not in FQ_FIELDS:
        raise SearchQueryError(
            f"cannot filter on {field!r}; fields: {', '.join(sorted(FQ_FIELDS))}"
        )
    inner = [value]
    if value.startswith("(") and value.endswith(")"):
        inner = [t for t in _tokens(value[1:-1]) if t not in {"OR", "||"}]
        if {"AND", "&&"} & set(inner):
            raise SearchQueryError(f"only OR is read inside {value!r}")
    return Term(field, tuple(map(_unquote, inner)), negate=negate)


def parse_query(text: str) -> Query:
    """An ``fq``: terms joined by AND (the default) or OR, with ``+``/``-`` and parentheses."""
    groups: list[list[Term]] = []
    join = False
    for token in _tokens(text):
        if token in {"OR", "||"} and groups and not join:
            join = True
        elif token in {"OR", "||"}:
            raise SearchQueryError(f"OR needs a term on each side in {text!r}")
        elif token not in {"AND", "&&"}:
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
    words: list[str] = []
    terms: list[tuple[Term, ...]] = []
    for token in [t for t in _tokens(q) if t not in {"*", "*:*"}]:
        match = _FIELD_TERM.fullmatch(token.lstrip("+-"))
        field = match.group(1) if match else ""
        if match and field in TEXT_FIELDS:
            words.append(_unquote(match.group(2)))
        elif field in FQ_FIELDS or field in DATE_FIELDS:
            terms.append((_term(token),))
        elif token not in {"AND", "&&"}:
            words.append(_unquote(token))
    return " ".join(words), tuple(terms)


def _facet_values(field: str, dataset: Dataset, latest: DatasetVersion | None) -> list[str]:
    values = {
        "organization": [org_name(dataset.department.code)],
        "groups": [dataset.resource_class],
        "res_format": [_format(latest)] if latest else [],
        "tags": list(dataset.keywords),
        "license_id": [dataset.licence or NOT_SPECIFIED],
    }
    return values[field]


def _facts(dataset: Dataset, latest: DatasetVersion | None) -> dict[str, set[str]]:
    facts = {field: set(_facet_values(field, dataset, latest)) for field in FACETS}
    private = dataset.open_type != OpenType.OPEN.value
    facts |= {"owner_org": {f"org-{org_name(dataset.department.code)}"}, "name": {dataset.name}}
    facts |= {"id": {dataset.uuid}, "dataset_type": {"dataset"}, "type": {"dataset"}}
    facts |= {"state": {"active"}, "capacity": {"private" if private else "public"}}
    facts |= {f"extras_{key}": {getattr(dataset, key) or ""} for key in EXTRAS}
    return {key: {v.lower() for v in values if v} for key, values in facts.items()}


def _holds(term: Term, dataset: Dataset, facts: dict[str, set[str]]) -> bool:
    if term.inner:
        result = _all_hold(term.inner, dataset, facts)
    elif term.field in DATE_FIELDS:
        moment: datetime = getattr(dataset, DATE_FIELDS[term.field])
        low, high = term.low or moment, term.high or moment
        inside = low <= moment <= high
        result = inside if term.inclusive else inside and moment not in {term.low, term.high}
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
    clauses = [clause.lower().split() for clause in sort.split(",") if clause.strip()]
    for clause in clauses:
        if not 0 < len(clause) < 3 or clause[0] not in {*SORT_KEYS, "score"}:
            raise SearchQueryError(f"cannot sort by {' '.join(clause)!r}")
        if clause[-1] not in {clause[0], "asc", "desc"}:
            raise SearchQueryError(f"cannot sort by {' '.join(clause)!r}")
    result = list(datasets)
    for clause in reversed(clauses):  # stable sorts, last clause first
        if clause[0] != "score":
            result.sort(key=SORT_KEYS[clause[0]], reverse=clause[-1] == "desc")
    return result


def facets(
    fields: list[Any],
    datasets: list[Dataset],
    latest: dict[int, DatasetVersion],
    limit: int,
    mincount: int,
) -> tuple[dict[str, dict[str, int]], dict[str, Any]]:
    """CKAN's ``facets`` and ``search_facets`` of the matching packages."""
    flat: dict[str, dict[str, int]] = {}
    rich: dict[str, Any] = {}
    titles = {org_name(d.department.code): d.department.name_zh for d in datasets}
    titles |= {c.value: title for c, title in GROUP_TITLES.items()}
    for field in map(str, fields):
        if field not in FACETS:
            raise SearchQueryError(f"cannot facet on {field!r}; facets: {', '.join(FACETS)}")
        counts = Counter(v for d in datasets for v in _facet_values(field, d, latest.get(d.id)))
        items = sorted((i for i in counts.items() if i[1] >= mincount), key=lambda i: (-i[1], i[0]))
        flat[field] = dict(items if limit < 0 else items[:limit])
        named = field in {"organization", "groups"}
        rich[field] = {"title": field, "items": [
            {"name": v, "display_name": titles.get(v, v) if named else v, "count": n}
            for v, n in flat[field].items()
        ]}  # fmt: skip
    return flat, rich


# --- DataStore --------------------------------------------------------------------------------


def datastore_fields(
    names: list[str], types: dict[str, ColumnType], columns: list[DatasetColumn]
) -> list[dict[str, Any]]:
    """DataStore field dicts, with the data dictionary (label, description) in ``info``."""
    described = {c.name: (c.label, c.description) for c in columns}
    return [
        {"id": n, "type": DATASTORE_TYPES[types[n]]}
        | {"info": dict(zip(("label", "notes"), described.get(n, ("", "")), strict=True))}
        for n in names
    ]


def column_names(value: Any, name: str, known: Iterable[str]) -> list[tuple[str, bool]]:
    """The columns of ``fields`` or ``sort`` (``"a, b desc"`` or a list), checked; True: desc."""
    listed = not isinstance(value, str) or value.lstrip().startswith("[")
    found, columns = [], set(known)
    for item in as_list(value, name) if listed else value.split(","):
        if not str(item).strip():
            continue
        match = _SORT_COLUMN.fullmatch(str(item).strip())
        column = match.group(1) if match else str(item)
        column = column[1:-1].replace('""', '"') if column.startswith('"') else column
        if match is None or column not in columns:
            raise _invalid(name, f"no column {str(item).strip()!r}")
        found.append((column, (match.group(2) or "").lower() == "desc"))
    return found


def plain(value: Any) -> Any:
    """A record value as JSON: times as ISO text, decimals as numbers, NaN as null."""
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    if isinstance(value, Decimal | float):
        return float(value) if math.isfinite(value) else None
    return value if value is None or isinstance(value, str | int | bool) else str(value)


def records(names: list[str], rows: list[tuple[Any, ...]], records_format: str) -> Any:
    """Rows in a DataStore ``records_format``: objects, lists, csv or tsv (no header)."""
    if records_format == "objects":
        return [dict(zip(names, map(plain, row), strict=True)) for row in rows]
    if records_format == "lists":
        return [[plain(v) for v in row] for row in rows]
    if records_format not in {"csv", "tsv"}:
        raise _invalid("records_format", "must be objects, lists, csv or tsv")
    out = io.StringIO()
    writer = csv.writer(
        out, delimiter="," if records_format == "csv" else "\t", lineterminator="\n"
    )
    writer.writerows([["" if v is None else plain(v) for v in row] for row in rows])
    return out.getvalue()


def sql_type(values: Iterable[Any]) -> str:
    """The DataStore type of a result column, from its first non-null value."""
    return next((SQL_TYPES.get(type(v), "text") for v in values if v is not None), "text")


def literal(value: Any) -> str:
    """A value as a SQL string literal (the engine casts it to the column's type)."""
    return "'" + scalar(value).replace("'", "''") + "'"
