"""The catalogue as DCAT 3 JSON-LD, read back as RDF triples with rdflib."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from fastapi.testclient import TestClient
from rdflib import Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, FOAF, RDF, RDFS, SKOS

from cityhub import auth, catalog
from cityhub.auth.models import Department
from cityhub.catalog import dcat
from cityhub.catalog.models import Dataset, DatasetColumn, DatasetVersion
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from cityhub.web.routes import dcat as dcat_routes

DCAT = Namespace("http://www.w3.org/ns/dcat#")  # rdflib's DCAT is DCAT 2: no dcat:version
HYDRA = Namespace("http://www.w3.org/ns/hydra/core#")
ADMS = Namespace("http://www.w3.org/ns/adms#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
CITYHUB = Namespace(dcat.CITYHUB)
FREQ = Namespace(dcat.FREQUENCY)
BASE = "http://testserver"
pytestmark = [
    # rdflib 7.6's JSON-LD parser builds a ConjunctiveGraph internally and warns about itself.
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
]


def _graph(document: Any) -> Graph:
    text = document if isinstance(document, str) else json.dumps(document)
    return Graph().parse(data=text, format="json-ld")


def _python(node: Any) -> Any:
    """The Python value of a literal node."""
    return node.toPython()


def _dataset(name: str = "water", **fields: Any) -> Dataset:
    """A dataset object as the catalogue holds it, without a database."""
    values: dict[str, Any] = {
        "name": name,
        "title": "河道水位",
        "abstract": "",
        "resource_code": None,
        "keywords": ["水位"],
        "resource_class": "spatial",
        "update_cycle": "daily",
        "share_type": "conditional",
        "share_conditions": "仅用于防汛",
        "open_type": "closed",
        "security_level": "internal",
        "licence": "",
        "contact": "",
        "created_at": datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC),
        "updated_at": datetime(2026, 2, 3, 4, 5, 6, tzinfo=UTC),
        "department": Department(code="SLJ", name_zh="市水利局", name_en="Water Resources Bureau"),
        "columns": [
            DatasetColumn(name="zm", label="站名", type="string", description="", position=1),
            DatasetColumn(name="sw", label="水位", type="float", description="米", position=2),
        ],
    }
    return Dataset(**values | fields)


def _version(number: int = 3, rows: int = 10, geometry: bool = False) -> DatasetVersion:
    schema = [{"name": "zm", "label": "站名", "type": "string"}]
    if geometry:
        schema.append({"name": "geometry", "label": "geometry", "type": "geometry"})
    return DatasetVersion(
        number=number,
        mode="append",
        source_name="水位.csv",
        rows_added=2,
        row_count=rows,
        schema=schema,
    )


@pytest.fixture
def loaded(datasets: list[catalog.Dataset], db: Database, settings: Settings) -> None:
    """The open dataset ``legal-entities`` with one version of data."""
    path = settings.data_dir / "entities.csv"
    path.write_text("统一社会信用代码,名称\n91371500MA3C0000X1,聊城昇堃商贸\n", encoding="utf-8")
    pool = Pool(db, settings)
    ingest(
        db,
        auth.Actor.system(),
        pool.warehouse,
        dataset="legal-entities",
        path=path,
        file_name="e.csv",
    )
    pool.close()


def test_catalog_as_rdf(
    client: TestClient, headers: dict[str, dict[str, str]], loaded: None
) -> None:
    response = client.get("/catalog.jsonld", headers=headers["analyst"])
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/ld+json"
    g = _graph(response.text)
    assert len(set(g.subjects(RDF.type, DCAT.Dataset))) == 3
    entities = URIRef(f"{BASE}/datasets/legal-entities")
    assert (URIRef(f"{BASE}/catalog.jsonld"), DCAT.dataset, entities) in g
    assert (entities, DCTERMS.title, Literal("法人单位基本信息", lang="zh")) in g
    publisher = g.value(entities, DCTERMS.publisher)
    assert (publisher, FOAF.name, Literal("市市场监管局", lang="zh")) in g
    assert g.value(publisher, DCTERMS.identifier) == Literal("SCJGJ")
    assert g.value(entities, DCTERMS.accrualPeriodicity) == FREQ.MONTHLY
    assert g.value(entities, DCAT.version) == Literal("1")
    urls = {g.value(d, DCAT.downloadURL) for d in g.objects(entities, DCAT.distribution)}
    csv_url = URIRef(f"{BASE}/api/datasets/legal-entities/export?format=csv")
    assert csv_url in urls and len(urls) == 3  # csv, xlsx, parquet: no geometry
    download = client.get(csv_url.removeprefix(BASE))  # open data: the public may download it
    assert download.status_code == 200 and "聊城昇堃商贸" in download.content.decode("utf-8-sig")
    service = g.value(URIRef(f"{BASE}/catalog.jsonld"), DCAT.service)
    assert g.value(service, DCAT.endpointURL) == URIRef(f"{BASE}/api/")
    assert g.value(service, DCAT.endpointDescription) == URIRef(f"{BASE}/openapi.json")


def test_public_sees_only_open_datasets(
    client: TestClient, datasets: list[catalog.Dataset]
) -> None:
    g = _graph(client.get("/catalog.jsonld").text)
    assert set(g.subjects(RDF.type, DCAT.Dataset)) == {URIRef(f"{BASE}/datasets/legal-entities")}


def test_paging_follows_hydra_next(
    client: TestClient,
    headers: dict[str, dict[str, str]],
    datasets: list[catalog.Dataset],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(dcat_routes, "PAGE_SIZE", 2)
    first = _graph(client.get("/catalog.jsonld", headers=headers["admin"]).text)
    page = URIRef(f"{BASE}/catalog.jsonld?page=1")
    assert (page, RDF.type, HYDRA.PagedCollection) in first
    assert _python(first.value(page, HYDRA.totalItems)) == 3
    assert _python(first.value(page, HYDRA.itemsPerPage)) == 2
    following = str(first.value(page, HYDRA.next))
    assert following == str(first.value(page, HYDRA.nextPage)) == f"{BASE}/catalog.jsonld?page=2"
    second = _graph(client.get(following.removeprefix(BASE), headers=headers["admin"]).text)
    assert second.value(URIRef(following), HYDRA.next) is None
    names = set(first.subjects(RDF.type, DCAT.Dataset)) | set(
        second.subjects(RDF.type, DCAT.Dataset)
    )
    assert len(names) == 3
    assert client.get("/catalog.jsonld?page=0").status_code == 400


def test_builder_pages_with_a_page_size_parameter() -> None:
    entries = [(_dataset("a"), None), (_dataset("b"), None)]
    g = _graph(dcat.catalog_document(entries, base=BASE + "/", total=5, page=2, page_size=2))
    page = URIRef(f"{BASE}/catalog.jsonld?page=2")
    assert g.value(page, HYDRA.previous) == URIRef(f"{BASE}/catalog.jsonld?page=1")
    assert g.value(page, HYDRA.next) == URIRef(f"{BASE}/catalog.jsonld?page=3")
    assert g.value(page, HYDRA.last) == URIRef(f"{BASE}/catalog.jsonld?page=3")
    assert len(set(g.subjects(RDF.type, DCAT.Dataset))) == 2


@pytest.mark.parametrize(
    ("cycle", "frequency"),
    [("realtime", "CONT"), ("daily", "DAILY"), ("yearly", "ANNUAL"), ("irregular", "IRREG")],
)
def test_update_cycles_are_eu_frequencies(cycle: str, frequency: str) -> None:
    g = _graph(dcat.dataset_document(_dataset(update_cycle=cycle), None, base=BASE))
    assert g.value(URIRef(f"{BASE}/datasets/water"), DCTERMS.accrualPeriodicity) == FREQ[frequency]


def test_dataset_fields_columns_and_concepts() -> None:
    g = _graph(dcat.dataset_document(_dataset(), _version(geometry=True), base=BASE))
    water = URIRef(f"{BASE}/datasets/water")
    assert g.value(water, DCTERMS.identifier) == Literal("water")
    assert g.value(water, DCAT.keyword) == Literal("水位", lang="zh")
    assert _python(g.value(water, DCTERMS.issued)) == datetime(2026, 1, 2, 3, 4, 5, tzinfo=UTC)
    assert g.value(g.value(water, DCAT.contactPoint), VCARD.fn) == Literal("市水利局", lang="zh")
    assert g.value(water, DCAT.version) == Literal("3")
    assert "第 3 版" in str(g.value(water, ADMS.versionNotes))
    assert g.value(g.value(water, DCTERMS.rights), RDFS.label) == Literal("仅用于防汛", lang="zh")
    share = g.value(water, DCTERMS.accessRights)
    assert (share, SKOS.prefLabel, Literal("有条件共享", lang="zh")) in g
    assert (share, SKOS.prefLabel, Literal("Shared on conditions", lang="en")) in g
    assert (g.value(water, DCAT.theme), SKOS.prefLabel, Literal("空间地理基础库", lang="zh")) in g
    assert (g.value(water, CITYHUB.securityLevel), SKOS.prefLabel, Literal("内部", lang="zh")) in g
    assert g.value(water, CITYHUB.openType) == CITYHUB["OpenType-closed"]
    head = g.value(g.value(water, DCTERMS.conformsTo), CITYHUB.column)
    assert head is not None
    columns = Collection(g, head)
    assert [(str(g.value(c, DCTERMS.title)), str(g.value(c, CITYHUB.type))) for c in columns] == [
        ("站名", "string"),
        ("水位", "float"),
    ]
    formats = {str(g.value(d, DCTERMS["format"])) for d in g.objects(water, DCAT.distribution)}
    assert {f.rsplit("/", 1)[1] for f in formats} == {"CSV", "XLSX", "PARQUET", "GEOJSON"}
    geo = URIRef(f"{BASE}/datasets/water#geojson")
    assert g.value(geo, DCAT.mediaType) == URIRef(dcat.IANA + "application/geo+json")


def test_every_vocabulary_value_has_a_labelled_concept() -> None:
    members = [(type(m), m.value) for m, _, _ in dcat.CONCEPTS]
    assert sorted(members, key=str) == sorted(
        ((s, m.value) for s in dcat.SCHEMES for m in s), key=str
    )
    assert len({label for _, label, _ in dcat.CONCEPTS}) == len(members)
    assert set(dcat.FREQUENCIES) == set(catalog.UpdateCycle)


def test_no_distributions_before_data_nor_excel_beyond_a_sheet() -> None:
    assert dcat.distribution_formats(None) == []
    assert dcat.distribution_formats(_version(rows=2_000_000)) == ["csv", "parquet"]


@pytest.mark.parametrize(
    ("role", "name", "status"),
    [
        ("public", "water-levels", 404),
        ("public", "legal-entities", 200),
        ("analyst", "water-levels", 200),
        ("admin", "population-sample", 200),
    ],
)
def test_dataset_jsonld_route(
    client: TestClient,
    headers: dict[str, dict[str, str]],
    datasets: list[catalog.Dataset],
    role: str,
    name: str,
    status: int,
) -> None:
    response = client.get(f"/api/datasets/{name}/dcat.jsonld", headers=headers[role])
    assert response.status_code == status
    if status == 200:
        g = _graph(response.text)
        assert (URIRef(f"{BASE}/datasets/{name}"), RDF.type, DCAT.Dataset) in g
