"""Package and resource actions: search, show, list, create, update and patch, and uploads."""

from __future__ import annotations

from pathlib import Path
from typing import Any, cast

from fastapi import UploadFile
from starlette.datastructures import UploadFile as StarletteUpload

from cityhub import catalog
from cityhub.catalog.groups import group_names, memberships
from cityhub.catalog.search import MAX_ROWS
from cityhub.errors import InvalidInput
from cityhub.pool import ingest as ingesting
from cityhub.web.ckan.envelope import Call, action, required
from cityhub.web.ckan.params import as_bool, as_int, as_list, catalogue_fields
from cityhub.web.ckan.search import facets, holds, parse_query, sort_datasets, split_q
from cityhub.web.ckan.shapes import org_code, package_dict, resource_dict
from cityhub.web.uploads import saved_upload

DEFAULT_SORT = "score desc, metadata_modified desc"


def package_of(call: Call, dataset: catalog.Dataset) -> dict[str, Any]:
    """The dataset as a package dict, with its newest version and its thematic groups."""
    latest = catalog.latest_versions(call.db, [dataset.id]).get(dataset.id)
    groups = memberships(call.db, [dataset.id]).get(dataset.id, [])
    return package_dict(dataset, latest, call.base, groups)


def _resource(call: Call, dataset: catalog.Dataset) -> dict[str, Any]:
    latest = catalog.latest_versions(call.db, [dataset.id]).get(dataset.id)
    return resource_dict(dataset, latest, call.base)


def _visible(call: Call, text: str = "") -> list[catalog.Dataset]:
    """Every dataset the caller may see that contains the text, most relevant first."""
    found: list[catalog.Dataset] = []
    while True:
        query = catalog.SearchQuery(text=text, rows=MAX_ROWS, start=len(found))
        page = catalog.search(call.db, call.actor, query)
        found += page.datasets
        if not page.datasets or len(found) >= page.count:
            return found


@action(reads=True)
def package_search(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Search packages: q (Chinese substrings work), Solr-style fq, sort, rows/start, facets."""
    text, query = split_q(str(data.get("q") or ""))
    for fq in [data.get("fq"), *as_list(data.get("fq_list"), "fq_list")]:
        query += parse_query(str(fq or ""))
    rows = min(as_int(data.get("rows"), "rows", 10), MAX_ROWS)  # CKAN caps, silently
    start = as_int(data.get("start"), "start", 0)
    sort = str(data.get("sort") or DEFAULT_SORT)
    # Like CKAN's +capacity:public: private datasets only when asked for (and visible anyway).
    private = as_bool(data.get("include_private"), "include_private")
    found = [d for d in _visible(call, text) if private or d.open_type == catalog.OpenType.OPEN]
    latest = catalog.latest_versions(call.db, [d.id for d in found])
    member = memberships(call.db, [d.id for d in found])
    names = {d.id: [g.name for g in member.get(d.id, [])] for d in found}
    matches = [d for d in found if holds(query, d, latest.get(d.id), names[d.id])]
    matches = sort_datasets(matches, sort)
    wanted = as_bool(data.get("facet"), "facet", True)
    flat, rich = facets(
        as_list(data.get("facet.field"), "facet.field") if wanted else [],
        matches,
        latest,
        limit=as_int(data.get("facet.limit"), "facet.limit", 50, minimum=None),
        mincount=as_int(data.get("facet.mincount"), "facet.mincount", 1),
        memberships=member,
    )
    page = matches[start : start + rows]
    return {
        "count": len(matches),
        "results": [
            package_dict(d, latest.get(d.id), call.base, member.get(d.id, [])) for d in page
        ],
        "facets": flat,
        "search_facets": rich,
        "sort": sort,
    }


@action(reads=True)
def package_show(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """A package by id or name."""
    return package_of(call, catalog.get_dataset(call.db, call.actor, required(data, "id")))


@action(reads=True)
def package_list(call: Call, data: dict[str, Any]) -> list[str]:
    """Names of the packages the caller may see, sorted; limit and offset page them."""
    names = sorted(d.name for d in _visible(call))
    offset = as_int(data.get("offset"), "offset", 0)
    return names[offset : offset + as_int(data.get("limit"), "limit", len(names))]


@action(reads=False)
def package_create(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Create a package in owner_org (a department code); extras carry the 目录 fields."""
    name = required(data, "name")
    owner = data.get("owner_org") or call.actor.department_code
    if not owner:
        raise InvalidInput("owner_org: Missing value", details={"field": "owner_org"})
    fields = catalogue_fields(data, full=True, thematic=group_names(call.db))
    fields["title"] = fields.get("title") or name
    spec = catalog.DatasetSpec(name=name, department=org_code(str(owner)), **fields)
    return package_of(call, catalog.create_dataset(call.db, call.actor, spec))


def _change(call: Call, data: dict[str, Any], *, full: bool) -> dict[str, Any]:
    key = "id" if data.get("id") else "name"
    dataset = catalog.get_dataset(call.db, call.actor, required(data, key))
    if data.get("name") not in {None, dataset.name, dataset.uuid}:
        raise InvalidInput("a package keeps its name", details={"field": "name"})
    owner = data.get("owner_org")
    if owner and org_code(str(owner)) != dataset.department.code:
        raise InvalidInput("a package keeps its organization", details={"field": "owner_org"})
    fields = catalogue_fields(data, full=full, thematic=group_names(call.db))
    patch = catalog.DatasetPatch(**fields)
    return package_of(call, catalog.update_dataset(call.db, call.actor, dataset.name, patch))


@action(reads=False)
def package_update(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Replace a package's catalogue fields: omitted ones return to their defaults."""
    return _change(call, data, full=True)


@action(reads=False)
def package_patch(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Change the given catalogue fields of a package (extras: only the keys sent)."""
    return _change(call, data, full=False)


@action(reads=True)
def resource_show(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """A resource (a dataset's table) by its id."""
    return _resource(call, catalog.get_dataset(call.db, call.actor, required(data, "id")))


@action(reads=False)
def resource_create(call: Call, data: dict[str, Any]) -> dict[str, Any]:
    """Ingest the multipart ``upload`` into package_id's table as its next version."""
    dataset = catalog.get_dataset(call.db, call.actor, required(data, "package_id"))
    upload = data.get("upload")
    if not isinstance(upload, StarletteUpload):
        raise InvalidInput(
            "upload must be a file sent as multipart/form-data "
            "(ckanapi: upload=open(path, 'rb'); ckanapi CLI: upload@path)",
            details={"field": "upload"},
        )
    mode = str(data.get("mode") or "append")
    if as_bool(data.get("clear"), "clear"):
        mode = "replace"
    if mode not in {m.value for m in ingesting.IngestMode}:
        raise InvalidInput("mode must be append or replace", details={"field": "mode"})
    file_name = upload.filename or "upload"
    if data.get("format") and not Path(file_name).suffix:  # the reader is chosen by suffix
        file_name += f".{str(data['format']).lower()}"
    with saved_upload(cast(UploadFile, upload), call.pool.settings) as path:
        ingesting.ingest(
            call.db,
            call.actor,
            call.pool.warehouse,
            dataset=dataset.name,
            path=path,
            file_name=file_name,
            mode=ingesting.IngestMode(mode),
        )
    return _resource(call, catalog.get_dataset(call.db, call.actor, dataset.uuid))
