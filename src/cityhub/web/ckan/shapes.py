"""The dicts CKAN clients get: packages, resources, organisations and groups.

The builders emit complete CKAN 2.11 dicts, because harvesters validate them (udata rejects a
resource without ``position``).
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any

from cityhub.auth import Department
from cityhub.catalog import Dataset, DatasetVersion, OpenType, ResourceClass
from cityhub.catalog.groups import DatasetGroup

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
EXTRAS = ("category", "contact", "open_type", "resource_code", "security_level",
          "share_conditions", "share_type", "update_cycle")  # fmt: skip  # sorted, like CKAN
NOT_SPECIFIED = "notspecified"
FACETS = ("organization", "groups", "res_format", "tags", "license_id")
_TAG_IDS = uuid.UUID("6f1c3a52-8d0e-4b7a-9c55-2f4e8a1d0b93")  # namespace: tag ids are stable
_EMAIL = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")


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


def thematic_group_dict(group: DatasetGroup, package_count: int | None = None) -> dict[str, Any]:
    """A thematic group (主题库, the N of 6+N) as a CKAN group."""
    about, created = group.description, ckan_time(group.created_at)
    found = _party("group", group.name, group.title, about, created)
    return found if package_count is None else found | {"package_count": package_count}


def resource_format(latest: DatasetVersion | None) -> str:
    """The resource's ``format``: the newest version's source format in upper case."""
    return latest.source_format.upper() if latest else ""


def resource_dict(dataset: Dataset, latest: DatasetVersion | None, base: str) -> dict[str, Any]:
    """The dataset's table as the package's one CKAN resource."""
    fmt = resource_format(latest)
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


def package_dict(
    dataset: Dataset,
    latest: DatasetVersion | None,
    base: str,
    groups: Sequence[DatasetGroup] = (),
) -> dict[str, Any]:
    """A dataset as a complete CKAN package dict; ``groups``: its thematic groups."""
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
        "groups": [
            group_dict(ResourceClass(dataset.resource_class)),
            *(thematic_group_dict(g) for g in groups),
        ],
        "tags": tags,
        "num_tags": len(tags),
        "extras": [{"key": key, "value": getattr(dataset, key) or ""} for key in EXTRAS],
        "resources": [resource_dict(dataset, latest, base)],
        "num_resources": 1,
        "relationships_as_object": [],
        "relationships_as_subject": [],
    }


def facet_values(
    field: str, dataset: Dataset, latest: DatasetVersion | None, groups: Sequence[str] = ()
) -> list[str]:
    """The package's values of a facet field (one of ``FACETS``); ``groups``: thematic ones."""
    values = {
        "organization": [org_name(dataset.department.code)],
        "groups": [dataset.resource_class, *groups],
        "res_format": [resource_format(latest)] if latest else [],
        "tags": list(dataset.keywords),
        "license_id": [dataset.licence or NOT_SPECIFIED],
    }
    return values[field]
