"""Derived datasets (统一加工): datasets defined as a SQL query over other datasets.

A steward defines the query over what their department may read; the result is materialised as
its own Iceberg table, one version per refresh, with lineage (which source versions made which
version), on demand or on a schedule. Its sharing is never more open than its most restricted
source. See docs/derived.md.
"""

from cityhub.derived.definitions import (
    DerivedPatch,
    DerivedSpec,
    define,
    get_definition,
    list_definitions,
    refresh,
    update_definition,
)
from cityhub.derived.lineage import Lineage, LineageLink, LineageNode, lineage
from cityhub.derived.materialise import Refreshed
from cityhub.derived.models import DerivedDefinition, LineageEdge
from cityhub.derived.schedule import Schedule
from cityhub.derived.scheduler import DueOutcome, Scheduler, due, refresh_due, start_scheduler

__all__ = [
    "DerivedDefinition",
    "DerivedPatch",
    "DerivedSpec",
    "DueOutcome",
    "Lineage",
    "LineageEdge",
    "LineageLink",
    "LineageNode",
    "Refreshed",
    "Schedule",
    "Scheduler",
    "define",
    "due",
    "get_definition",
    "lineage",
    "list_definitions",
    "refresh",
    "refresh_due",
    "start_scheduler",
    "update_definition",
]
