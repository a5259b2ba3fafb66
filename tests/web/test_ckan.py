"""The CKAN Action API facade, driven by the real ckanapi client (Python and command line).

A few checks use raw HTTP to pin CKAN's exact envelopes, which ckanapi hides.
"""

from __future__ import annotations

import json
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import ckanapi  # type: ignore[import-untyped]  # ships no type information
import pytest
from fastapi.testclient import TestClient

from cityhub import auth, catalog
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from tests.conftest import PASSWORD, People

CKANAPI = str(Path(sys.executable).with_name("ckanapi"))
RARE = "镕喆昇堃燊旸璟"
# What udata's CKAN harvester requires of package_show (udata/harvest/backends/ckan/schemas).
PACKAGE_KEYS = {
    "id", "name", "title", "notes", "license_id", "license_title", "tags", "metadata_created",
    "metadata_modified", "organization", "resources", "private", "type", "author",
    "author_email", "maintainer", "maintainer_email", "state",
}  # fmt: skip
RESOURCE_KEYS = {
    "id", "position", "name", "description", "format", "mimetype", "size", "hash", "created",
    "last_modified", "url", "resource_type",
}  # fmt: skip


@pytest.fixture
def tokens(db: Database, people: People) -> dict[str, str]:
    """API token secrets of the admin, 水利局's steward and analyst, and 农业农村局's analyst."""
    system = auth.Actor.system()
    auth.create_user(
        db,
        system,
        username="nyncj.analyst",
        password=PASSWORD,
        department_code="NYNCJ",
        role=auth.Role.ANALYST,
    )
    holders = {
        "admin": people.admin,
        "steward": people.steward,
        "analyst": people.analyst,
        "other": "nyncj.analyst",
    }
    return {
        role: auth.create_token(
            db, system, name="ckan", lifetime=timedelta(days=1), username=username
        ).secret
        for role, username in holders.items()
    }


@pytest.fixture
def water(db: Database, settings: Settings, tokens: dict[str, str]) -> catalog.Dataset:
    """An open 水利局 dataset with data, a 有条件开放 one, and a closed 农业农村局 one."""
    system = auth.Actor.system()
    for name, title, department, open_type in (
        ("permits", "取水许可", "SLJ", catalog.OpenType.CONDITIONAL),
        ("farms", "农业合作社名录", "NYNCJ", catalog.OpenType.CLOSED),
        ("water", "河道水位监测", "SLJ", catalog.OpenType.OPEN),
    ):
        spec = catalog.DatasetSpec(
            name=name,
            title=title,
            department=department,
            keywords=("水位", "河道") if name == "water" else (),
            resource_class=catalog.ResourceClass.SPATIAL,
            open_type=open_type,
        )
        dataset = catalog.create_dataset(db, system, spec)
    path = settings.data_dir / "water.csv"
    path.write_text("站名,水位\n聊城站,32.5\n临清站,30.1\n", encoding="utf-8")
    pool = Pool(db, settings)
    ingest(db, system, pool.warehouse, dataset="water", path=path, file_name="水位.csv")
    pool.close()
    return dataset


def _cli(url: str, *arguments: str, token: str | None = None) -> Any:
    """Run ``ckanapi action`` against the live server; the parsed JSON result."""
    command = [CKANAPI, "action", *arguments, "-r", url, *(["-a", token] if token else [])]
    done = subprocess.run(command, capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_envelopes_and_raw_http(
    client: TestClient, water: catalog.Dataset, tokens: dict[str, str]
) -> None:
    assert client.get("/api/3").json() == {"version": 3}
    shown = client.get("/api/3/action/package_show", params={"id": "water"})
    assert shown.status_code == 200
    assert shown.json().keys() == {"help", "success", "result"}
    assert shown.json()["help"] == "http://testserver/api/3/action/help_show?name=package_show"
    assert client.post("/api/action/package_show", json={"id": water.uuid}).json() == shown.json()

    unknown = client.post("/api/3/action/no_such_action", json={})
    assert (unknown.status_code, unknown.json()) == (
        400,
        "Bad request - Action name not known: no_such_action",
    )
    assert client.get("/api/3/action/package_create").status_code == 400
    assert client.post("/api/3/action/package_show", content=b"{not json").status_code == 400

    missing = client.get("/api/3/action/package_show", params={"id": "nowhere"})
    assert missing.status_code == 404
    assert missing.json()["success"] is False
    assert missing.json()["error"] == {
        "__type": "Not Found Error",
        "message": "Not found: no dataset 'nowhere'",
    }
    bad_fq = client.get("/api/3/action/package_search", params={"fq": 'tags:"open'})
    assert (bad_fq.status_code, bad_fq.json()["error"]["__type"]) == (400, "Search Query Error")
    refused = client.post(
        "/api/3/action/datastore_search_sql",
        json={"sql": "DROP TABLE water"},
        headers={"Authorization": tokens["analyst"]},
    )
    assert refused.status_code == 409
    error = refused.json()["error"]
    assert error["__type"] == "Validation Error" and error["sql"] == [error["message"]]

    # List parameters: a JSON string or repeated keys.
    facet_fields = '["organization", "tags"]'
    as_json = client.get("/api/3/action/package_search", params={"facet.field": facet_fields})
    repeated = client.get("/api/3/action/package_search?facet.field=organization&facet.field=tags")
    assert as_json.json()["result"]["search_facets"] == repeated.json()["result"]["search_facets"]
    assert as_json.json()["result"]["facets"] == {
        "organization": {"slj": 1},
        "tags": {"水位": 1, "河道": 1},
    }

    # The key bare (ckanapi), as a Bearer token, or in X-CKAN-API-Key; the public sees no farms.
    secret = tokens["analyst"]
    for header in (
        {"Authorization": secret},
        {"Authorization": f"Bearer {secret}"},
        {"X-CKAN-API-Key": secret},
    ):
        farms = client.get("/api/3/action/package_show", params={"id": "farms"}, headers=header)
        assert farms.json()["result"]["organization"]["name"] == "nyncj", header
    assert client.get("/api/3/action/package_show?id=farms").status_code == 404
    forged = client.get("/api/3/action/package_list", headers={"Authorization": "chk_forged"})
    assert (forged.status_code, forged.json()["error"]["__type"]) == (403, "Authorization Error")
    denied = client.post("/api/3/action/package_create", json={"name": "x", "owner_org": "slj"})
    assert denied.status_code == 403
    assert denied.json()["error"]["message"].startswith("Access denied: ")


FQ_CASES = [
    ("organization:slj OR organization:nyncj", ["farms", "permits", "water"]),
    ("+organization:slj -res_format:CSV", ["permits"]),
    ('tags:("河道" OR 海) capacity:public', ["water"]),
    ("(name:farms OR name:water) -organization:nyncj", ["water"]),
    ("metadata_created:[* TO 2000-01-01T00:00:00Z]", []),
    ("dataset_type:dataset extras_open_type:conditional", ["permits"]),
]


def test_fq_reads_solr_terms(
    client: TestClient, water: catalog.Dataset, tokens: dict[str, str]
) -> None:
    headers = {"Authorization": tokens["admin"]}
    for fq, names in FQ_CASES:
        params = {"fq": fq, "include_private": "true", "sort": "name asc"}
        found = client.get("/api/3/action/package_search", params=params, headers=headers)
        assert [p["name"] for p in found.json()["result"]["results"]] == names, fq
    rows = client.get(
        "/api/3/action/datastore_search",
        params={"resource_id": "water", "filters": '{"站名": "聊城站"}', "records_format": "lists"},
    )
    assert rows.json()["result"]["records"] == [["聊城站", 32.5]]
    as_csv = client.post(
        "/api/3/action/datastore_search",
        json={"resource_id": water.resource_uuid, "sort": "水位", "records_format": "csv"},
    )
    assert as_csv.json()["result"]["records"] == "临清站,30.1\n聊城站,32.5\n"


def test_ckanapi_reads_the_catalogue(
    live_server: str, water: catalog.Dataset, tokens: dict[str, str]
) -> None:
    with (
        ckanapi.RemoteCKAN(live_server) as public,
        ckanapi.RemoteCKAN(live_server, apikey=tokens["steward"]) as steward,
    ):
        found = public.action.package_search(q="水位")
        assert [p["name"] for p in found["results"]] == ["water"]
        package = found["results"][0]
        assert package.keys() >= PACKAGE_KEYS
        assert package["resources"][0].keys() >= RESOURCE_KEYS
        resource = package["resources"][0]
        assert (resource["format"], resource["datastore_active"], resource["position"]) == (
            "CSV",
            True,
            0,
        )
        assert resource["url"] == f"{live_server}/api/datasets/water/export?format=csv"
        assert package["groups"][0]["title"] == "空间地理基础库"
        assert package["organization"]["title"] == "市水利局"

        # Private (not 无条件开放) datasets only with include_private, and only where visible.
        assert public.action.package_search(include_private=True)["count"] == 2
        search = steward.call_action(
            "package_search",
            {"fq": "organization:slj", "include_private": True, "facet.field": ["organization"]},
        )
        assert sorted(p["name"] for p in search["results"]) == ["permits", "water"]
        assert search["search_facets"]["organization"]["items"] == [
            {"name": "slj", "display_name": "市水利局", "count": 2}
        ]
        others = steward.action.package_search(fq="-organization:slj", include_private=True)
        assert [p["name"] for p in others["results"]] == ["farms"]
        since = (datetime.now(UTC) - timedelta(hours=1)).strftime("%Y-%m-%dT%H:%M:%S")
        fresh = steward.action.package_search(
            fq=f"metadata_modified:[{since}Z TO *] groups:spatial",
            sort="name asc",
            rows=2,
            include_private=True,
        )
        assert fresh["count"] == 3 and [p["name"] for p in fresh["results"]] == ["farms", "permits"]

        assert public.action.package_show(id="water") == public.action.package_show(id=water.uuid)
        assert public.action.package_list() == ["permits", "water"]
        assert steward.action.package_list() == ["farms", "permits", "water"]
        assert "slj" in public.action.organization_list()
        organizations = steward.action.organization_list(all_fields=True, sort="package_count desc")
        assert (organizations[0]["name"], organizations[0]["package_count"]) == ("slj", 2)
        slj = steward.action.organization_show(id="org-slj", include_datasets=True)
        assert [p["name"] for p in slj["packages"]] == ["permits", "water"]
        groups = public.action.group_list(all_fields=True)
        assert len(groups) == 8 and (groups[0]["name"], groups[0]["title"]) == (
            "certificate",
            "电子证照基础库",
        )
        assert public.action.status_show()["site_title"] == "聊城城市数据平台"
        assert "package" in public.action.help_show(name="package_show")

    assert _cli(live_server, "package_search", "q=水位")["count"] == 1
    cli = _cli(live_server, "package_search", "fq=organization:slj", token=tokens["steward"])
    assert [p["name"] for p in cli["results"]] == ["water"]


def test_ckanapi_publishes_and_reads_rare_characters(
    live_server: str, db: Database, tmp_path: Path, tokens: dict[str, str]
) -> None:
    rows = [("王镕", "371502199001011234", "喆昇"), ("李堃", "371502199202025678", "燊旸璟")]
    path = tmp_path / "居民.csv"
    body = "姓名,身份证号,备注\n" + "".join(f"{a},{b},{c}\n" for a, b, c in rows)
    path.write_bytes(body.encode("gb18030"))
    with ckanapi.RemoteCKAN(live_server, apikey=tokens["steward"]) as steward:
        created = steward.action.package_create(
            name="residents",
            title="居民名册",
            owner_org="slj",
            tags=[{"name": "人口"}],
            groups=[{"name": "population"}],
            extras=[{"key": "update_cycle", "value": "monthly"}],
            private=False,
        )
        assert (created["private"], created["num_resources"]) == (False, 1)
        patched = steward.action.package_patch(
            id=created["id"],
            notes="全市居民",
            extras=[{"key": "contact", "value": "张工 zg@lc.cn"}],
        )
        assert patched["maintainer_email"] == "zg@lc.cn"
        shown = steward.action.package_show(id="residents")
        extras = {e["key"]: e["value"] for e in shown["extras"]}
        assert (shown["notes"], extras["update_cycle"], shown["groups"][0]["name"]) == (
            "全市居民",
            "monthly",
            "population",
        )
        # ckanapi load's round trip: show, change, update with the whole dict.
        updated = steward.action.package_update(**shown | {"title": "居民名册（2026）"})
        kept = ("notes", "extras", "tags", "groups", "private", "owner_org", "license_id")
        assert updated["title"] == "居民名册（2026）"
        assert {k: updated[k] for k in kept} == {k: shown[k] for k in kept}

        # ckanapi's CLI sends a file as KEY@PATH; KEY=@PATH would send the text "@PATH".
        upload = ("package_id=residents", f"upload@{path}")
        resource = _cli(live_server, "resource_create", *upload, token=tokens["steward"])
        assert (resource["format"], resource["datastore_active"]) == ("CSV", True)
        with path.open("rb") as again:
            steward.action.resource_create(package_id="residents", upload=again, mode="replace")
        with pytest.raises(ckanapi.ValidationError) as text_upload:
            steward.action.resource_create(package_id="residents", upload=f"@{path}")
        assert "upload" in text_upload.value.error_dict

        rid = resource["id"]
        result = steward.action.datastore_search(resource_id=rid, sort="姓名 desc")
        assert result["total"] == 2 and result["fields"][0] == {
            "id": "姓名",
            "type": "text",
            "info": {"label": "姓名", "notes": ""},
        }
        assert [tuple(r.values()) for r in result["records"]] == sorted(rows, reverse=True)
        assert steward.action.datastore_search(resource_id="residents", q="燊")["records"] == [
            dict(zip(("姓名", "身份证号", "备注"), rows[1], strict=True))
        ]
        names = steward.action.datastore_search(
            resource_id=rid, filters={"姓名": ["王镕", "李堃"]}, fields=["姓名"], limit=1
        )
        assert (names["total"], names["records"]) == (2, [{"姓名": "王镕"}])
        by_name = steward.action.datastore_search_sql(sql='SELECT "备注" FROM residents ORDER BY 1')
        by_id = steward.action.datastore_search_sql(sql=f'SELECT "备注" FROM "{rid}" ORDER BY 1')
        assert by_name["records"] == by_id["records"] == [{"备注": "喆昇"}, {"备注": "燊旸璟"}]
        assert "records_truncated" not in by_id

    # Personal columns are masked for another department's analyst, not the owner's.
    change = catalog.ColumnChange(name="姓名", personal=catalog.PersonalKind.NAME)
    catalog.describe_columns(db, auth.Actor.system(), "residents", [change])
    for role, expected in (("other", ["王*", "李*"]), ("analyst", ["王镕", "李堃"])):
        with ckanapi.RemoteCKAN(live_server, apikey=tokens[role]) as reader:
            found = reader.action.datastore_search(resource_id=rid, sort="身份证号")
            assert [r["姓名"] for r in found["records"]] == expected
            # q searches what the reader sees: a masked name cannot be probed.
            probe = reader.action.datastore_search(resource_id=rid, q="镕")
            assert probe["total"] == (role == "analyst")


def test_errors_reach_ckanapi_as_its_exceptions(
    live_server: str, water: catalog.Dataset, tokens: dict[str, str]
) -> None:
    with (
        ckanapi.RemoteCKAN(live_server) as public,
        ckanapi.RemoteCKAN(live_server, apikey=tokens["analyst"]) as analyst,
        ckanapi.RemoteCKAN(live_server, apikey=tokens["steward"]) as steward,
    ):
        with pytest.raises(ckanapi.NotFound):
            public.action.package_show(id="no-such-package")
        with pytest.raises(ckanapi.ValidationError) as bad_sql:
            analyst.action.datastore_search_sql(sql="SELECT * FROM no_such_table")
        assert "sql" in bad_sql.value.error_dict
        with pytest.raises(ckanapi.NotAuthorized):
            public.action.package_create(name="sneaky", title="偷偷", owner_org="slj")
        with pytest.raises(ckanapi.NotAuthorized):
            analyst.action.package_patch(id="water", notes="分析员不能改")
        with pytest.raises(ckanapi.SearchQueryError):
            public.action.package_search(fq="secret_field:1")
        with pytest.raises(ckanapi.ValidationError) as unknown_extra:
            steward.action.package_create(
                name="x1", owner_org="slj", extras=[{"key": "colour", "value": "红"}]
            )
        assert "extras" in unknown_extra.value.error_dict
