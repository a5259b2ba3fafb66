"""The catalogue as W3C DCAT 3 in JSON-LD: catalog, datasets, distributions, Hydra paging.

Pure functions of catalogue objects: the caller chooses which datasets are visible and passes the
base URL. The 政务信息资源目录 fields without a DCAT counterpart (共享类型, 开放属性, 数据分级, the
6+N resource classes) are SKOS concepts in the ``cityhub:`` namespace, defined in every document
so that a harvester needs nothing else to label them. Mapping: data-catalog.md §5.2.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from enum import StrEnum
from typing import Any

from cityhub.auth.departments import BIG_DATA_BUREAU
from cityhub.catalog.models import Dataset, DatasetColumn, DatasetVersion
from cityhub.catalog.vocab import (
    ColumnType,
    OpenType,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)
from cityhub.errors import InvalidInput

CITYHUB = "https://cityhub.liaocheng.gov.cn/ns#"
CONTEXT: dict[str, str] = {
    "dcat": "http://www.w3.org/ns/dcat#",
    "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "vcard": "http://www.w3.org/2006/vcard/ns#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "hydra": "http://www.w3.org/ns/hydra/core#",
    "adms": "http://www.w3.org/ns/adms#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "cityhub": CITYHUB,
}
PAGE_SIZE = 100
CATALOG_PATH = "/catalog.jsonld"
EXPORT_PATH = "/api/datasets/{name}/export?format={fmt}"
EXCEL_MAX_ROWS = 1_048_575  # as in cityhub.pool.export, which the catalogue must not import
FREQUENCY = "http://publications.europa.eu/resource/authority/frequency/"
FREQUENCIES = {
    UpdateCycle.REALTIME: "CONT",
    UpdateCycle.DAILY: "DAILY",
    UpdateCycle.WEEKLY: "WEEKLY",
    UpdateCycle.MONTHLY: "MONTHLY",
    UpdateCycle.QUARTERLY: "QUARTERLY",
    UpdateCycle.YEARLY: "ANNUAL",
    UpdateCycle.IRREGULAR: "IRREG",
}
IANA = "https://www.iana.org/assignments/media-types/"
FILE_TYPE = "http://publications.europa.eu/resource/authority/file-type/"
# format → (IANA media type, EU file type); the export route serves exactly these.
DISTRIBUTIONS = {
    "csv": ("text/csv", "CSV"),
    "xlsx": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", "XLSX"),
    "parquet": ("application/vnd.apache.parquet", "PARQUET"),
    "geojson": ("application/geo+json", "GEOJSON"),
}

# The cityhub concept schemes and their concepts, labelled (zh, en).
SCHEMES: dict[type[StrEnum], tuple[str, str]] = {
    ShareType: ("共享类型", "Share type"),
    OpenType: ("开放属性", "Opening to the public"),
    SecurityLevel: ("数据分级", "Security level"),
    ResourceClass: ("6+N 资源体系", "6+N resource classes"),
}
# A tuple, not a dict: StrEnum members of equal value (ShareType.CONDITIONAL, OpenType.CONDITIONAL)
# are equal keys.
CONCEPTS: tuple[tuple[StrEnum, str, str], ...] = (
    (ShareType.UNCONDITIONAL, "无条件共享", "Shared unconditionally"),
    (ShareType.CONDITIONAL, "有条件共享", "Shared on conditions"),
    (ShareType.NONE, "不予共享", "Not shared"),
    (OpenType.OPEN, "无条件开放", "Open"),
    (OpenType.CONDITIONAL, "有条件开放", "Open on conditions"),
    (OpenType.CLOSED, "不予开放", "Not open"),
    (SecurityLevel.PUBLIC, "公开", "Public"),
    (SecurityLevel.INTERNAL, "内部", "Internal"),
    (SecurityLevel.SENSITIVE, "敏感", "Sensitive"),
    (SecurityLevel.RESTRICTED, "重要", "Important"),
    (ResourceClass.POPULATION, "人口基础库", "Population base database"),
    (ResourceClass.LEGAL_ENTITY, "法人单位基础库", "Legal entity base database"),
    (ResourceClass.PUBLIC_CREDIT, "公共信用基础库", "Public credit base database"),
    (ResourceClass.MACRO_ECONOMY, "宏观经济基础库", "Macro-economy base database"),
    (ResourceClass.SPATIAL, "空间地理基础库", "Spatial geography base database"),
    (ResourceClass.CERTIFICATE, "电子证照基础库", "Electronic certificate base database"),
    (ResourceClass.THEMATIC, "主题数据库", "Thematic database"),
    (ResourceClass.DEPARTMENTAL, "部门数据", "Departmental data"),
)


def zh(text: str) -> dict[str, str]:
    """A Chinese-tagged string."""
    return {"@value": text, "@language": "zh"}


def en(text: str) -> dict[str, str]:
    """An English-tagged string."""
    return {"@value": text, "@language": "en"}


def ref(iri: str) -> dict[str, str]:
    """A reference to the node ``iri``."""
    return {"@id": iri}


def _when(moment: datetime) -> dict[str, str]:
    # The catalogue's timestamps are always aware UTC (UTCDateTime), so the offset is explicit.
    return {"@value": moment.isoformat(), "@type": "xsd:dateTime"}


def concept(member: StrEnum) -> str:
    """The compact IRI of a vocabulary value's concept, e.g. ``cityhub:ShareType-none``."""
    return f"cityhub:{type(member).__name__}-{member.value}"


def _labelled(iri: str, kind: str, labels: tuple[str, str]) -> dict[str, Any]:
    return {"@id": iri, "@type": kind, "skos:prefLabel": [zh(labels[0]), en(labels[1])]}


def concept_nodes() -> list[dict[str, Any]]:
    """The concept schemes of the cityhub fields and their concepts, labelled in zh and en."""
    nodes = [
        _labelled(f"cityhub:{scheme.__name__}", "skos:ConceptScheme", labels)
        for scheme, labels in SCHEMES.items()
    ]
    for member, label_zh, label_en in CONCEPTS:
        node = _labelled(concept(member), "skos:Concept", (label_zh, label_en))
        node["skos:inScheme"] = ref(f"cityhub:{type(member).__name__}")
        node["skos:notation"] = member.value
        nodes.append(node)
    return nodes


def dataset_iri(base: str, name: str) -> str:
    """The stable IRI of a dataset."""
    return f"{base.rstrip('/')}/datasets/{name}"


def _organization(base: str, code: str, name_zh: str, name_en: str) -> dict[str, Any]:
    return {
        "@id": f"{base}/departments#{code}",
        "@type": "foaf:Organization",
        "dct:identifier": code,
        "foaf:name": [zh(name_zh), en(name_en)],
    }


def distribution_formats(version: DatasetVersion | None) -> list[str]:
    """The export formats that suit a version: GeoJSON needs a geometry, Excel room on a sheet."""
    if version is None:
        return []
    types = {c["type"] for c in version.schema}
    formats = ["csv", "parquet"]
    if version.row_count <= EXCEL_MAX_ROWS:
        formats.insert(1, "xlsx")
    if ColumnType.GEOMETRY.value in types:
        formats.append("geojson")
    return formats


def _version_notes(version: DatasetVersion) -> str:
    how = "替换为" if version.mode == "replace" else "追加"
    return (
        f"第 {version.number} 版：{how} {version.rows_added} 行（来源文件 {version.source_name}），"
        f"共 {version.row_count} 行"
    )


def dataset_node(dataset: Dataset, version: DatasetVersion | None, *, base: str) -> dict[str, Any]:
    """One dcat:Dataset node with its publisher, columns and distributions embedded."""
    base = base.rstrip("/")
    iri = dataset_iri(base, dataset.name)
    department = dataset.department
    node: dict[str, Any] = {
        "@id": iri,
        "@type": "dcat:Dataset",
        "dct:identifier": dataset.resource_code or dataset.name,
        "dct:title": zh(dataset.title),
        "dct:description": zh(dataset.abstract or dataset.title),
        "dcat:keyword": [zh(k) for k in dataset.keywords],
        "dcat:landingPage": ref(iri),
        "dct:publisher": _organization(
            base, department.code, department.name_zh, department.name_en
        ),
        "dcat:contactPoint": {
            "@type": "vcard:Kind",
            "vcard:fn": zh(dataset.contact or department.name_zh),
        },
        "dcat:theme": ref(concept(ResourceClass(dataset.resource_class))),
        "dct:accrualPeriodicity": ref(FREQUENCY + FREQUENCIES[UpdateCycle(dataset.update_cycle)]),
        "dct:accessRights": ref(concept(ShareType(dataset.share_type))),
        "cityhub:openType": ref(concept(OpenType(dataset.open_type))),
        "cityhub:securityLevel": ref(concept(SecurityLevel(dataset.security_level))),
        "dct:issued": _when(dataset.created_at),
        "dct:modified": _when(dataset.updated_at),
        "dct:conformsTo": {
            "@type": "dct:Standard",
            "dct:title": zh("信息项"),
            "cityhub:column": {"@list": [_column(c) for c in dataset.columns]},
        },
    }
    if dataset.share_conditions:
        node["dct:rights"] = {
            "@type": "dct:RightsStatement",
            "rdfs:label": zh(dataset.share_conditions),
        }
    if dataset.licence:
        node["dct:license"] = {"@type": "dct:LicenseDocument", "rdfs:label": dataset.licence}
    if version is not None:
        node["dcat:version"] = str(version.number)
        node["adms:versionNotes"] = zh(_version_notes(version))
    node["dcat:distribution"] = [
        _distribution(dataset, iri, base, fmt) for fmt in distribution_formats(version)
    ]
    return node


def _column(column: DatasetColumn) -> dict[str, Any]:
    node: dict[str, Any] = {
        "dct:identifier": column.name,
        "dct:title": zh(column.label),
        "cityhub:type": column.type,
    }
    if column.description:
        node["dct:description"] = zh(column.description)
    return node


def _distribution(dataset: Dataset, iri: str, base: str, fmt: str) -> dict[str, Any]:
    media_type, file_type = DISTRIBUTIONS[fmt]
    url = base + EXPORT_PATH.format(name=dataset.name, fmt=fmt)
    return {
        "@id": f"{iri}#{fmt}",
        "@type": "dcat:Distribution",
        "dct:title": zh(f"{dataset.title}（{file_type}）"),
        "dcat:accessURL": ref(url),
        "dcat:downloadURL": ref(url),
        "dcat:mediaType": ref(IANA + media_type),
        "dct:format": ref(FILE_TYPE + file_type),
    }


def dataset_document(
    dataset: Dataset, version: DatasetVersion | None, *, base: str
) -> dict[str, Any]:
    """A JSON-LD document describing one dataset."""
    nodes = [dataset_node(dataset, version, base=base), *concept_nodes()]
    return {"@context": CONTEXT, "@graph": nodes}


def catalog_document(
    entries: Sequence[tuple[Dataset, DatasetVersion | None]],
    *,
    base: str,
    total: int,
    page: int = 1,
    page_size: int = PAGE_SIZE,
) -> dict[str, Any]:
    """One page of the catalogue: the catalog, its data service, the page's datasets, paging.

    ``entries`` are the page's datasets with their newest versions and ``total`` the number of
    datasets on all pages together.
    """
    if page < 1 or page_size < 1:
        raise InvalidInput("page and page size start at 1", details={"page": page})
    base = base.rstrip("/")
    iris = [ref(dataset_iri(base, d.name)) for d, _ in entries]
    bureau = _organization(base, BIG_DATA_BUREAU, "聊城市大数据局", "Liaocheng Big Data Bureau")
    service: dict[str, Any] = {
        "@id": f"{base}/api/",
        "@type": "dcat:DataService",
        "dct:title": [zh("行数据与 SQL 接口"), en("Row and SQL API")],
        "dcat:endpointURL": ref(f"{base}/api/"),
        "dcat:endpointDescription": ref(f"{base}/openapi.json"),
        "dct:publisher": ref(bureau["@id"]),
        "dcat:servesDataset": iris,
    }
    catalog = {
        "@id": base + CATALOG_PATH,
        "@type": "dcat:Catalog",
        "dct:title": [zh("聊城城市数据平台"), en("Liaocheng City Data Platform")],
        "dct:description": zh("聊城市政务信息资源目录：各部门共享与开放的数据资源"),
        "dct:publisher": bureau,
        "foaf:homepage": ref(f"{base}/"),
        "dcat:themeTaxonomy": ref(f"cityhub:{ResourceClass.__name__}"),
        "dcat:service": ref(service["@id"]),
        "dcat:dataset": iris,
    }
    nodes = [catalog, service, _paging(base, total, page, page_size)]
    nodes += [dataset_node(d, v, base=base) for d, v in entries]
    return {"@context": CONTEXT, "@graph": [*nodes, *concept_nodes()]}


def _paging(base: str, total: int, page: int, page_size: int) -> dict[str, Any]:
    """The Hydra description of the page.

    Typed both ways and linked both ways because harvesters differ: ckanext-dcat reads
    ``hydra:next`` (then ``hydra:nextPage``) on a PagedCollection, udata ``hydra:nextPage`` on a
    PagedCollection or ``hydra:next`` on a PartialCollectionView.
    """
    last = max(1, -(-total // page_size))

    def url(number: int) -> dict[str, str]:
        return ref(f"{base}{CATALOG_PATH}?page={number}")

    node: dict[str, Any] = {
        "@id": url(page)["@id"],
        "@type": ["hydra:PagedCollection", "hydra:PartialCollectionView"],
        "hydra:totalItems": {"@value": total, "@type": "xsd:integer"},
        "hydra:itemsPerPage": {"@value": page_size, "@type": "xsd:integer"},
        "hydra:first": url(1),
        "hydra:firstPage": url(1),
        "hydra:last": url(last),
        "hydra:lastPage": url(last),
    }
    if page < last:
        node["hydra:next"] = node["hydra:nextPage"] = url(page + 1)
    if page > 1:
        node["hydra:previous"] = node["hydra:previousPage"] = url(min(page, last + 1) - 1)
    return node
