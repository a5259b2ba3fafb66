"""Organisation actions: departments, with counts (groups are in ``groups``)."""

from __future__ import annotations

from typing import Any

from cityhub import auth, catalog
from cityhub.catalog.search import MAX_ROWS
from cityhub.errors import InvalidInput, NotFound
from cityhub.web.ckan.envelope import Call, action, required
from cityhub.web.ckan.packages import package_of
from cityhub.web.ckan.params import as_bool, as_int, as_list
from cityhub.web.ckan.shapes import org_code, organization_dict


def visible_counts(call: Call, facet: str) -> dict[str, int]:
    """How many datasets the caller may see per department or per resource class."""
    return catalog.search(call.db, call.actor, catalog.SearchQuery(rows=0)).facets[facet]


def packages_in(call: Call, facet: str, value: str) -> list[dict[str, Any]]:
    """The visible packages of one department or resource class, by name."""
    query = catalog.SearchQuery(filters={facet: (value,)}, sort="name", rows=MAX_ROWS)
    return [package_of(call, d) for d in catalog.search(call.db, call.actor, query).datasets]


def listing(data: dict[str, Any], entries: list[dict[str, Any]], kind: str) -> list[Any]:
    """Organisations or groups filtered, sorted and paged as CKAN's *_list actions do."""
    wanted = {str(n).lower() for n in as_list(data.get(kind), kind)}
    entries = [e for e in entries if not wanted or e["name"] in wanted]
    field, _, direction = str(data.get("sort") or "name asc").partition(" ")
    if field not in {"name", "title", "package_count"}:
        raise InvalidInput(f"cannot sort {kind} by {field!r}", details={"field": "sort"})
    entries.sort(key=lambda e: e[field], reverse=direction.strip().lower() == "desc")
    offset = as_int(data.get("offset"), "offset", 0)
    entries = entries[offset : offset + as_int(data.get("limit"), "limit", len(entries))]
    full = as_bool(data.get("all_fields"), "all_fields")
    return entries if full else [e["name"] for e in entries]


@action(reads=True)
def organization_list(call: Call, data: dict[str, Any]) -> list[Any]:
    """Organisations (departments): names, or dicts with package_count when all_fields=true."""
    counts = visible_counts(call, "department")
    departments = auth.list_departments(call.db, call.actor)
    entries = [organization_dict(d, counts.get(d.code, 0)) for d in departments]
    return listing(data, entries, "organizations")


@action(reads=True)
def organization_show(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """An organisation by id (``org-slj``) or name (``slj``); include_datasets lists packages."""
    code = org_code(required(data, "id"))
    department = next(
        (d for d in auth.list_departments(call.db, call.actor) if d.code == code), None
    )
    if department is None:
        raise NotFound(f"no organization {data['id']!r}", details={"id": data["id"]})
    result = organization_dict(department, visible_counts(call, "department").get(code, 0))
    if as_bool(data.get("include_datasets"), "include_datasets"):
        result["packages"] = packages_in(call, "department", code)
    return result
