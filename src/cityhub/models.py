"""Every table of the metadata database, imported in one place for Alembic."""

from cityhub.audit.models import AuditEvent
from cityhub.auth.models import ApiToken, Department, LoginThrottle, User, WebSession
from cityhub.catalog.groups import DatasetGroup, DatasetGroupMember
from cityhub.catalog.models import Dataset, DatasetColumn, DatasetVersion, SharingGrant
from cityhub.derived.models import DerivedDefinition, LineageEdge
from cityhub.linking.models import LinkPair, LinkRun
from cityhub.programme import (  # noqa: F401  (each module's tables register with Base)
    models_incentives,
    models_registries,
    models_reports,
    models_targets,
    models_tasks,
)
from cityhub.quality.models import QualityReport, QualityRuleSet, QuarantinedRow
from cityhub.sensing.alarms.models import (
    Alarm,
    AlarmEvent,
    AlarmNotification,
    AlarmRule,
    AlarmSilence,
    AlarmState,
)
from cityhub.sensing.models import (
    Datastream,
    FeatureOfInterest,
    HistoricalLocation,
    HistoricalLocationLocation,
    Latest,
    Location,
    Observation,
    ObservedProperty,
    Sensor,
    Thing,
    ThingLocation,
)
from cityhub.sharing.models import Notification, SharingRequest
from cityhub.trace.log.models import (
    TraceCheckpoint,
    TraceLeaf,
    TraceTile,
    TraceTree,
    TraceWitnessSize,
)
from cityhub.trace.models import (
    TraceActor,
    TraceActorAccount,
    TraceAuditAnchor,
    TraceBatch,
    TraceEvent,
    TraceEventLot,
    TraceKey,
)

__all__ = [
    "Alarm",
    "AlarmEvent",
    "AlarmNotification",
    "AlarmRule",
    "AlarmSilence",
    "AlarmState",
    "ApiToken",
    "AuditEvent",
    "Dataset",
    "DatasetColumn",
    "DatasetGroup",
    "DatasetGroupMember",
    "DatasetVersion",
    "Datastream",
    "Department",
    "DerivedDefinition",
    "FeatureOfInterest",
    "HistoricalLocation",
    "HistoricalLocationLocation",
    "Latest",
    "LineageEdge",
    "LinkPair",
    "LinkRun",
    "Location",
    "LoginThrottle",
    "Notification",
    "Observation",
    "ObservedProperty",
    "QualityReport",
    "QualityRuleSet",
    "QuarantinedRow",
    "Sensor",
    "SharingGrant",
    "SharingRequest",
    "Thing",
    "ThingLocation",
    "TraceActor",
    "TraceActorAccount",
    "TraceAuditAnchor",
    "TraceBatch",
    "TraceCheckpoint",
    "TraceEvent",
    "TraceEventLot",
    "TraceKey",
    "TraceLeaf",
    "TraceTile",
    "TraceTree",
    "TraceWitnessSize",
    "User",
    "WebSession",
]
