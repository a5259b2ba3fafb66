"""Every table of the metadata database, imported in one place for Alembic."""

from cityhub.audit.models import AuditEvent
from cityhub.auth.models import ApiToken, Department, LoginThrottle, User, WebSession
from cityhub.catalog.groups import DatasetGroup, DatasetGroupMember
from cityhub.catalog.models import Dataset, DatasetColumn, DatasetVersion, SharingGrant
from cityhub.derived.models import DerivedDefinition, LineageEdge
from cityhub.linking.models import LinkPair, LinkRun
from cityhub.quality.models import QualityReport, QualityRuleSet, QuarantinedRow
from cityhub.sharing.models import Notification, SharingRequest

__all__ = [
    "ApiToken",
    "AuditEvent",
    "Dataset",
    "DatasetColumn",
    "DatasetGroup",
    "DatasetGroupMember",
    "DatasetVersion",
    "Department",
    "DerivedDefinition",
    "LineageEdge",
    "LinkPair",
    "LinkRun",
    "LoginThrottle",
    "Notification",
    "QualityReport",
    "QualityRuleSet",
    "QuarantinedRow",
    "SharingGrant",
    "SharingRequest",
    "User",
    "WebSession",
]
