"""Every operation that names a dataset, with its policy and a valid request for any dataset.

The list is checked against the app itself (``test_every_dataset_operation_is_in_the_matrix``):
each OpenAPI operation with a dataset in its path, each CKAN action and each page route with one
must be here or in ``NOT_BY_CLASS`` with the reason, so a new endpoint cannot skip the matrix.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, Literal

from tests.security.access_rules import Policy
from tests.security.world import GROUP, OWNER, Target, gauges_geojson

# How an API refuses: see answers.REFUSALS.
Api = Literal["rest", "ckan", "ckan_sql", "sql", "page", "notice"]


@dataclass(frozen=True)
class Request:
    method: str
    path: str
    params: dict[str, str] = field(default_factory=dict)
    json: Any = None
    files: dict[str, tuple[str | None, bytes, str]] | None = None


@dataclass(frozen=True)
class Operation:
    """One operation of the matrix: the route (``template``), what it needs, how to call it."""

    template: str  # "METHOD /path/{param}" as in the OpenAPI document or the page routes
    variant: str  # which request of several to one route (a CKAN action, an export format)
    policy: Policy
    api: Api
    build: Callable[[Target], Request]
    shows_rows: bool = False  # the answer carries the rows: the owner must see them unmasked

    @property
    def key(self) -> str:
        return f"{self.template} [{self.variant}]" if self.variant else self.template


def _upload() -> dict[str, tuple[str | None, bytes, str]]:
    return {"file": ("gauges.geojson", gauges_geojson().encode(), "application/geo+json")}


def _ckan(
    action: str, method: str, data: Callable[[str], dict[str, Any]]
) -> Callable[[Target], Request]:
    path = f"/api/3/action/{action}"
    if method == "GET":
        return lambda t: Request("GET", path, params={k: str(v) for k, v in data(t.name).items()})
    return lambda t: Request("POST", path, json=data(t.name))


def _export(fmt: str, encoding: str) -> Callable[[Target], Request]:
    return lambda t: Request(
        "GET", f"/api/datasets/{t.name}/export", {"format": fmt, "encoding": encoding}
    )


def _sql(name: str) -> str:
    return f'SELECT "站名", "联系人", "电话" FROM "{name}"'


CKAN_ACTION = "POST /api/3/action/{name}"
EXPORT = "GET /api/datasets/{name}/export"
ROWS = "GET /api/datasets/{name}/rows"

OPERATIONS: tuple[Operation, ...] = (
    Operation(
        "GET /api/datasets",
        "",
        Policy.LIST,
        "rest",
        lambda t: Request("GET", "/api/datasets", {"rows": "100"}),
    ),
    Operation(
        "GET /catalog.jsonld", "", Policy.LIST, "rest", lambda t: Request("GET", "/catalog.jsonld")
    ),
    Operation(
        "GET /api/datasets/{name}",
        "",
        Policy.SEE,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}"),
    ),
    Operation(
        "PATCH /api/datasets/{name}",
        "",
        Policy.MANAGE,
        "rest",
        lambda t: Request("PATCH", f"/api/datasets/{t.name}", json={"abstract": "徒骇河水位"}),
    ),
    Operation(
        "PATCH /api/datasets/{name}/columns",
        "",
        Policy.MANAGE,
        "rest",
        lambda t: Request(
            "PATCH", f"/api/datasets/{t.name}/columns", json=[{"name": "站名", "label": "站名"}]
        ),
    ),
    Operation(
        "GET /api/datasets/{name}/versions",
        "",
        Policy.SEE,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}/versions"),
    ),
    Operation(
        "POST /api/datasets/{name}/versions",
        "",
        Policy.MANAGE,
        "rest",
        lambda t: Request("POST", f"/api/datasets/{t.name}/versions", files=_upload()),
    ),
    Operation(  # the columns added, removed and retyped: metadata, no rows
        "GET /api/datasets/{name}/versions/diff",
        "",
        Policy.SEE,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}/versions/diff", {"from": "1", "to": "1"}),
    ),
    Operation(
        ROWS,
        "json",
        Policy.READ,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}/rows"),
        True,
    ),
    Operation(
        ROWS,
        "csv",
        Policy.READ,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}/rows", {"_format": "csv"}),
        True,
    ),
    *(
        Operation(
            EXPORT,
            f"{fmt} {encoding}",
            Policy.READ,
            "rest",
            _export(fmt, encoding),
            True,
        )
        for fmt, encoding in (
            ("csv", "utf-8"),
            ("csv", "gb18030"),
            ("xlsx", "utf-8"),
            ("parquet", "utf-8"),
            ("geojson", "utf-8"),
        )
    ),
    Operation(
        "POST /api/datasets/{name}/grants",
        "",
        Policy.GRANT,
        "rest",
        lambda t: Request("POST", f"/api/datasets/{t.name}/grants", json={"department": "ZJJ"}),
    ),
    Operation(
        "DELETE /api/datasets/{name}/grants/{department}",
        "",
        Policy.GRANT,
        "rest",
        lambda t: Request("DELETE", f"/api/datasets/{t.name}/grants/ZJJ"),
    ),
    Operation(
        "GET /api/datasets/{name}/dcat.jsonld",
        "",
        Policy.SEE,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}/dcat.jsonld"),
    ),
    Operation(
        "GET /api/datasets/{name}/lineage",
        "",
        Policy.SEE,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}/lineage"),
    ),
    Operation(
        "GET /api/datasets/{name}/rules",
        "",
        Policy.SEE,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}/rules"),
    ),
    Operation(
        "PUT /api/datasets/{name}/rules",
        "",
        Policy.MANAGE,
        "rest",
        lambda t: Request(
            "PUT",
            f"/api/datasets/{t.name}/rules",
            json={"rules": [{"id": "level", "kind": "not_null", "column": "水位"}]},
        ),
    ),
    Operation(
        "GET /api/datasets/{name}/rules/versions",
        "",
        Policy.SEE,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}/rules/versions"),
    ),
    Operation(
        "POST /api/datasets/{name}/quality/run",
        "",
        Policy.MANAGE,
        "rest",
        lambda t: Request("POST", f"/api/datasets/{t.name}/quality/run"),
    ),
    Operation(
        "GET /api/datasets/{name}/quality",
        "",
        Policy.SEE,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}/quality"),
    ),
    Operation(
        "GET /api/datasets/{name}/quality/{report_id}",
        "",
        Policy.SEE,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}/quality/{t.report}"),
    ),
    Operation(
        "GET /api/datasets/{name}/quarantine",
        "",
        Policy.MANAGE,
        "rest",
        lambda t: Request("GET", f"/api/datasets/{t.name}/quarantine"),
        True,
    ),
    Operation(
        "POST /api/datasets/{name}/quarantine/readmit",
        "",
        Policy.MANAGE,
        "rest",
        lambda t: Request(
            "POST", f"/api/datasets/{t.name}/quarantine/readmit", json={"ids": [t.held]}
        ),
    ),
    Operation(
        "PATCH /api/datasets/{name}/quarantine/{row_id}",
        "",
        Policy.MANAGE,
        "rest",
        lambda t: Request(
            "PATCH", f"/api/datasets/{t.name}/quarantine/{t.held}", json={"values": {"水位": 33}}
        ),
        True,
    ),
    Operation(
        "POST /api/datasets/{name}/quarantine/discard",
        "",
        Policy.MANAGE,
        "rest",
        lambda t: Request(
            "POST",
            f"/api/datasets/{t.name}/quarantine/discard",
            json={"ids": [t.held], "reason": "测量错误"},
        ),
    ),
    Operation(
        "POST /api/sql",
        "",
        Policy.READ,
        "sql",
        lambda t: Request("POST", "/api/sql", json={"sql": _sql(t.name)}),
        True,
    ),
    # CKAN's action API: each action through POST (ckanapi's way); GET gives the same answers.
    Operation(
        CKAN_ACTION,
        "package_list",
        Policy.LIST,
        "ckan",
        _ckan("package_list", "POST", lambda n: {}),
    ),
    Operation(
        CKAN_ACTION,
        "package_search",
        Policy.LIST,
        "ckan",
        _ckan("package_search", "POST", lambda n: {"rows": 100, "include_private": True}),
    ),
    Operation(
        CKAN_ACTION,
        "package_show",
        Policy.SEE,
        "ckan",
        _ckan("package_show", "POST", lambda n: {"id": n}),
    ),
    Operation(
        CKAN_ACTION,
        "resource_show",
        Policy.SEE,
        "ckan",
        _ckan("resource_show", "POST", lambda n: {"id": n}),
    ),
    Operation(
        CKAN_ACTION,
        "package_patch",
        Policy.MANAGE,
        "ckan",
        _ckan("package_patch", "POST", lambda n: {"id": n, "notes": "徒骇河水位"}),
    ),
    Operation(
        CKAN_ACTION,
        "datastore_search",
        Policy.READ,
        "ckan",
        _ckan("datastore_search", "POST", lambda n: {"resource_id": n}),
        True,
    ),
    Operation(
        CKAN_ACTION,
        "datastore_search_sql",
        Policy.READ,
        "ckan_sql",
        _ckan("datastore_search_sql", "POST", lambda n: {"sql": _sql(n)}),
        True,
    ),
    Operation(
        "GET /api/3/action/{name}",
        "datastore_search",
        Policy.READ,
        "ckan",
        _ckan("datastore_search", "GET", lambda n: {"resource_id": n}),
        True,
    ),
    Operation(
        CKAN_ACTION,
        "package_update",
        Policy.MANAGE,
        "ckan",
        _ckan(
            "package_update",
            "POST",
            lambda n: {"id": n, "title": "水位站", "owner_org": OWNER.lower()},
        ),
    ),
    Operation(
        CKAN_ACTION,
        "resource_create",
        Policy.MANAGE,
        "ckan",
        lambda t: Request(
            "POST",
            "/api/3/action/resource_create",
            files={
                "upload": _upload()["file"],
                "package_id": (None, t.name.encode(), "text/plain"),
            },
        ),
    ),
    Operation(
        CKAN_ACTION,
        "organization_show",
        Policy.LIST,
        "ckan",
        _ckan(
            "organization_show", "POST", lambda n: {"id": OWNER.lower(), "include_datasets": True}
        ),
    ),
    Operation(
        CKAN_ACTION,
        "group_show",
        Policy.LIST,
        "ckan",
        _ckan("group_show", "POST", lambda n: {"id": GROUP, "include_datasets": True}),
    ),
    Operation(
        CKAN_ACTION,
        "member_list",
        Policy.LIST,
        "ckan",
        _ckan("member_list", "POST", lambda n: {"id": GROUP}),
    ),
    Operation(
        "GET /api/groups/{name}",
        "",
        Policy.LIST,
        "rest",
        lambda t: Request("GET", f"/api/groups/{GROUP}"),
    ),
    Operation(
        "GET /groups/{name}", "", Policy.LIST, "page", lambda t: Request("GET", f"/groups/{GROUP}")
    ),
    # The web pages (signed in with a session cookie).
    Operation("GET /datasets", "", Policy.LIST, "page", lambda t: Request("GET", "/datasets")),
    Operation(
        "GET /datasets/{name}",
        "",
        Policy.SEE,
        "page",
        lambda t: Request("GET", f"/datasets/{t.name}"),
    ),
    Operation(
        "GET /datasets/{name}/rows",
        "",
        Policy.READ,
        "notice",
        lambda t: Request("GET", f"/datasets/{t.name}/rows"),
        True,
    ),
    Operation(
        "GET /datasets/{name}/chart",
        "",
        Policy.READ,
        "page",
        lambda t: Request("GET", f"/datasets/{t.name}/chart"),
    ),
    Operation(
        "GET /datasets/{name}/upload",
        "",
        Policy.MANAGE,
        "page",
        lambda t: Request("GET", f"/datasets/{t.name}/upload"),
    ),
    Operation(
        "GET /datasets/{name}/quality",
        "",
        Policy.SEE,
        "page",
        lambda t: Request("GET", f"/datasets/{t.name}/quality"),
    ),
    Operation(
        "GET /datasets/{name}/quarantine",
        "",
        Policy.MANAGE,
        "page",
        lambda t: Request("GET", f"/datasets/{t.name}/quarantine"),
    ),
    Operation(
        "GET /datasets/{name}/rules",
        "",
        Policy.SEE,
        "page",
        lambda t: Request("GET", f"/datasets/{t.name}/rules"),
    ),
)

# Routes naming a dataset whose answer does not depend on its sharing class, or that are
# tested by the tables named.
NOT_BY_CLASS: dict[str, str] = {}
CKAN_NOT_BY_CLASS: dict[str, str] = {
    "help_show": "documentation of an action",
    "status_show": "the site's status",
    "organization_list": "the departments, no datasets",
    "group_list": "groups with counts: tests/web/test_ckan_groups.py",
    "group_create": "creates a group: tests/web/test_ckan_groups.py",
    "package_create": "creates a dataset, no class yet: tests/web/test_ckan.py",
    "member_create": "group membership, by the group's department: tests/web/test_ckan_groups.py",
    "member_delete": "group membership, by the group's department: tests/web/test_ckan_groups.py",
}
