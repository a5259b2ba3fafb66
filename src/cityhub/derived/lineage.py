"""Lineage: which source versions made which derived version, upstream and downstream.

Every refresh writes one edge per source (``LineageEdge``) in the transaction that records the
version. Upstream follows the edges of the dataset's newest version, then those of each source
at the version that was read, so a chain of derived datasets shows the exact versions all the way
down. Downstream lists the derived datasets whose newest version read this dataset (at any
version), and theirs in turn.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from cityhub import catalog
from cityhub.auth import Actor
from cityhub.catalog import Dataset, DatasetVersion
from cityhub.db import Database
from cityhub.derived.models import DerivedDefinition, LineageEdge


@dataclass(frozen=True)
class LineageNode:
    """A dataset in a lineage graph, at its newest version."""

    name: str
    title: str
    department: str
    department_name: str  # Chinese
    department_name_en: str
    version: int | None
    derived: bool
    role: str  # "self", "upstream" or "downstream"


@dataclass(frozen=True)
class LineageLink:
    """Version ``source_version`` of ``source`` made version ``target_version`` of ``target``."""

    source: str
    target: str
    source_version: int
    target_version: int


@dataclass(frozen=True)
class Lineage:
    """The lineage graph around one dataset."""

    dataset: str
    nodes: list[LineageNode] = field(default_factory=list)
    edges: list[LineageLink] = field(default_factory=list)

    @property
    def sources(self) -> list[LineageNode]:
        """The datasets this one is made from, directly or not."""
        return [n for n in self.nodes if n.role == "upstream"]

    @property
    def consumers(self) -> list[LineageNode]:
        """The derived datasets made from this one, directly or not."""
        return [n for n in self.nodes if n.role == "downstream"]


def edges_of(session: Session, dataset_id: int, version: int) -> list[LineageEdge]:
    """The edges that made one version of a dataset."""
    query = select(LineageEdge).where(
        LineageEdge.dataset_id == dataset_id, LineageEdge.version == version
    )
    return list(session.scalars(query.order_by(LineageEdge.source_dataset_id)))


def _newest(session: Session, dataset_ids: set[int]) -> dict[int, int]:
    if not dataset_ids:
        return {}
    query = (
        select(DatasetVersion.dataset_id, func.max(DatasetVersion.number))
        .where(DatasetVersion.dataset_id.in_(dataset_ids))
        .group_by(DatasetVersion.dataset_id)
    )
    return {row[0]: row[1] for row in session.execute(query)}


def _readers_of(session: Session, dataset_id: int) -> list[LineageEdge]:
    """Edges from ``dataset_id`` into the newest version of each derived dataset."""
    edges = list(
        session.scalars(select(LineageEdge).where(LineageEdge.source_dataset_id == dataset_id))
    )
    newest = _newest(session, {e.dataset_id for e in edges})
    return [e for e in edges if newest.get(e.dataset_id) == e.version]


def downstream_ids(session: Session, dataset_id: int) -> set[int]:
    """Every derived dataset made from this one now, directly or through others."""
    found: set[int] = set()
    queue = deque([dataset_id])
    while queue:
        for edge in _readers_of(session, queue.popleft()):
            if edge.dataset_id not in found:
                found.add(edge.dataset_id)
                queue.append(edge.dataset_id)
    return found


def _upstream(session: Session, dataset_id: int, version: int) -> list[LineageEdge]:
    found: list[LineageEdge] = []
    seen: set[tuple[int, int]] = set()
    queue = deque([(dataset_id, version)])
    while queue:
        key = queue.popleft()
        if key in seen:
            continue
        seen.add(key)
        for edge in edges_of(session, *key):
            found.append(edge)
            queue.append((edge.source_dataset_id, edge.source_version))
    return found


def _downstream(session: Session, dataset_id: int) -> list[LineageEdge]:
    found: list[LineageEdge] = []
    seen = {dataset_id}
    queue = deque([dataset_id])
    while queue:
        for edge in _readers_of(session, queue.popleft()):
            found.append(edge)
            if edge.dataset_id not in seen:
                seen.add(edge.dataset_id)
                queue.append(edge.dataset_id)
    return found


def lineage(db: Database, actor: Actor, name: str) -> Lineage:
    """The lineage graph of a dataset: its sources (transitively) and the datasets made from it.

    Visible where the catalogue entry is; datasets the actor may not see are left out.
    """
    dataset = catalog.get_dataset(db, actor, name)
    with db.reading() as session:
        newest = _newest(session, {dataset.id}).get(dataset.id)
        up = _upstream(session, dataset.id, newest) if newest is not None else []
        down = _downstream(session, dataset.id)
        roles = {dataset.id: "self"}
        roles |= {e.source_dataset_id: "upstream" for e in up if e.source_dataset_id not in roles}
        roles |= {e.dataset_id: "downstream" for e in down if e.dataset_id not in roles}
        datasets = {d.id: d for d in session.scalars(select(Dataset).where(Dataset.id.in_(roles)))}
        versions = _newest(session, set(roles))
        derived = set(
            session.scalars(
                select(DerivedDefinition.dataset_id).where(DerivedDefinition.dataset_id.in_(roles))
            )
        )
    visible = {i for i, d in datasets.items() if catalog.can_see(actor, d)}
    nodes = [
        LineageNode(
            name=datasets[i].name,
            title=datasets[i].title,
            department=datasets[i].department.code,
            department_name=datasets[i].department.name_zh,
            department_name_en=datasets[i].department.name_en,
            version=versions.get(i),
            derived=i in derived,
            role=role,
        )
        for i, role in roles.items()
        if i in visible
    ]
    unique = {(e.dataset_id, e.version, e.source_dataset_id): e for e in [*up, *down]}
    links = [
        LineageLink(
            datasets[e.source_dataset_id].name,
            datasets[e.dataset_id].name,
            e.source_version,
            e.version,
        )
        for e in unique.values()
        if e.dataset_id in visible and e.source_dataset_id in visible
    ]
    return Lineage(dataset.name, nodes, links)
