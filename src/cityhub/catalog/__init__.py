"""The catalogue (政务信息资源目录): datasets, their columns, versions, sharing rules and search.

The data itself lives in ``cityhub.pool``; the catalogue holds what describes it and who may
read it.
"""

from cityhub.catalog.access import (
    can_manage,
    can_read,
    can_see,
    masks_personal_data,
    readable_columns,
)
from cityhub.catalog.columns import ColumnChange, describe_columns
from cityhub.catalog.datasets import (
    DatasetPatch,
    DatasetSpec,
    create_dataset,
    dataset_by_name,
    get_dataset,
    require_manage,
    update_dataset,
)
from cityhub.catalog.grants import (
    GrantedColumns,
    grant,
    grant_of,
    granted_columns,
    granted_departments,
    revoke,
    set_grant,
)
from cityhub.catalog.models import Dataset, DatasetColumn, DatasetVersion
from cityhub.catalog.search import FACETS, SearchQuery, SearchResult, count_datasets, search
from cityhub.catalog.timeliness import Timeliness, timeliness, timeliness_rate
from cityhub.catalog.versions import (
    ColumnInfo,
    ReadableSource,
    VersionRecord,
    diff_versions,
    latest_version,
    latest_versions,
    list_versions,
    readable_sources,
    readable_versions,
    record_version,
    schema_diff,
    version_of,
)
from cityhub.catalog.vocab import (
    ColumnType,
    DataCategory,
    OpenType,
    PersonalKind,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)

__all__ = [
    "FACETS",
    "ColumnChange",
    "ColumnInfo",
    "ColumnType",
    "DataCategory",
    "Dataset",
    "DatasetColumn",
    "DatasetPatch",
    "DatasetSpec",
    "DatasetVersion",
    "GrantedColumns",
    "OpenType",
    "PersonalKind",
    "ReadableSource",
    "ResourceClass",
    "SearchQuery",
    "SearchResult",
    "SecurityLevel",
    "ShareType",
    "Timeliness",
    "UpdateCycle",
    "VersionRecord",
    "can_manage",
    "can_read",
    "can_see",
    "count_datasets",
    "create_dataset",
    "dataset_by_name",
    "describe_columns",
    "diff_versions",
    "get_dataset",
    "grant",
    "grant_of",
    "granted_columns",
    "granted_departments",
    "latest_version",
    "latest_versions",
    "list_versions",
    "masks_personal_data",
    "readable_columns",
    "readable_sources",
    "readable_versions",
    "record_version",
    "require_manage",
    "revoke",
    "schema_diff",
    "search",
    "set_grant",
    "timeliness",
    "timeliness_rate",
    "update_dataset",
    "version_of",
]
