"""The roll-up: Observations older than the retention move from the metadata database to the pool.

Each batch of a group (one department, one sharing; see ``rollup_tables``) becomes the next
version of that group's dataset, and the same transaction that records the version deletes the
batch from ``sta_observations``: after a crash at any point each Observation is in the database or
in a recorded version, never both and never neither. The newest Observation of each Datastream
(the one ``sta_latest`` shows) always stays, so dashboards and ``$orderby`` queries of a silent
station still find its last value.
"""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from typing import cast

from sqlalchemy import Table, delete, select
from sqlalchemy.orm import Session

from cityhub import audit, catalog
from cityhub.auth import Actor
from cityhub.catalog import Dataset, DatasetVersion
from cityhub.config import Settings
from cityhub.db import Database, utcnow
from cityhub.errors import CityhubError, Conflict, InvalidInput
from cityhub.pool.ingest import append_rows
from cityhub.pool.service import Pool
from cityhub.pool.warehouse import Warehouse
from cityhub.sensing.models import Latest, Observation
from cityhub.sensing.rollup_tables import (
    COLUMNS,
    Batch,
    Cursor,
    Group,
    groups_with_old_observations,
    select_batch,
)

DELETE_CHUNK = 1000  # ids per DELETE statement: well under every database's parameter limit
SYSTEM = Actor.system()
_OBSERVATIONS = cast(Table, Observation.__table__)
_one_at_a_time = threading.Lock()  # roll-ups of one process never overlap
log = logging.getLogger("cityhub.sensing.rollup")


@dataclass(frozen=True)
class RolledBatch:
    """One batch moved: the dataset version it became and how many Observations it holds."""

    dataset: str
    version: int
    rows: int


@dataclass(frozen=True)
class GroupFailure:
    """A group whose roll-up stopped: its dataset and why (its batches before that count)."""

    dataset: str
    error: str


@dataclass(frozen=True)
class RollupReport:
    """What one roll-up moved, batch by batch, the cutoff it used, and the groups that failed."""

    cutoff: datetime
    batches: tuple[RolledBatch, ...]
    failures: tuple[GroupFailure, ...] = ()

    @property
    def rows(self) -> int:
        """Observations moved in all."""
        return sum(batch.rows for batch in self.batches)

    def rows_by_dataset(self) -> dict[str, int]:
        """Observations moved, per dataset."""
        moved: dict[str, int] = {}
        for batch in self.batches:
            moved[batch.dataset] = moved.get(batch.dataset, 0) + batch.rows
        return moved


def rollup_cutoff(now: datetime, retention: timedelta) -> datetime:
    """The start (00:00 UTC, 08:00 Beijing time) of the day in which ``now - retention`` falls.

    Whole days keep each group at about one version a day, however often the roll-up runs, and
    line up with the hydrological day that starts at 08:00 Beijing time.
    """
    if now.tzinfo is None:
        raise InvalidInput("now needs a time zone", details={"field": "now"})
    if retention <= timedelta(0):
        raise InvalidInput("retention must be positive", details={"field": "retention"})
    moment = (now - retention).astimezone(UTC)
    return datetime.combine(moment.date(), time(0), tzinfo=UTC)


def roll_up(
    db: Database,
    pool_or_warehouse: Pool | Warehouse,
    *,
    now: datetime,
    retention: timedelta,
    batch_rows: int = 100_000,
    stop: threading.Event | None = None,
) -> RollupReport:
    """Move every Observation older than ``rollup_cutoff(now, retention)`` into the pool.

    Runs as the platform (``Actor.system()``); each batch of at most ``batch_rows`` is one
    version and one ``sensing.rollup`` audit event. Running it again moves nothing more. A batch
    that fails records nothing and ends its group's roll-up, not the others' (see ``failures``):
    for instance a ``Conflict`` when its Observations or Datastreams changed meanwhile (deleted,
    re-shared, rolled up by another process). The next run takes them again. ``stop``, once
    set, ends the roll-up after the batch under way (a service shutting down).
    """
    if batch_rows < 1:
        raise InvalidInput("batch_rows must be at least 1", details={"field": "batch_rows"})
    cutoff = rollup_cutoff(now, retention)
    warehouse = (
        pool_or_warehouse.warehouse if isinstance(pool_or_warehouse, Pool) else pool_or_warehouse
    )
    moved: list[RolledBatch] = []
    failures: list[GroupFailure] = []
    with _one_at_a_time:
        with db.reading() as session:
            groups = groups_with_old_observations(session, cutoff)
        for group in groups:
            try:
                _roll_group(db, warehouse, group, cutoff, batch_rows, moved, stop)
            except Exception as exc:  # one group's trouble (a name clash, a race) stops no other
                error = exc.message if isinstance(exc, CityhubError) else repr(exc)
                log.warning("roll-up into %s failed: %s", group.dataset_name, error)
                failures.append(GroupFailure(group.dataset_name, error))
    return RollupReport(cutoff, tuple(moved), tuple(failures))


def _roll_group(
    db: Database,
    warehouse: Warehouse,
    group: Group,
    cutoff: datetime,
    batch_rows: int,
    moved: list[RolledBatch],
    stop: threading.Event | None,
) -> None:
    dataset: Dataset | None = None
    cursor = Cursor()
    while stop is None or not stop.is_set():
        with db.reading() as session:
            batch = select_batch(session, group, cutoff, cursor, batch_rows)
        if batch is None:
            return
        dataset = dataset or dataset_for(db, group)
        moved.append(_move(db, warehouse, dataset, group, batch, cutoff))


def dataset_for(db: Database, group: Group) -> Dataset:
    """The group's dataset, created as its department's on first use."""
    name = group.dataset_name
    dataset = _existing(db, name)
    if dataset is None:
        try:
            dataset = catalog.create_dataset(db, SYSTEM, group.spec())
        except Conflict:  # made meanwhile by another process
            dataset = _existing(db, name)
            assert dataset is not None
    if dataset.department_id != group.department_id:
        raise Conflict(
            f"dataset {name!r} belongs to another department: Observations are not moved there",
            details={"dataset": name, "department": group.department_code},
        )
    return dataset


def _existing(db: Database, name: str) -> Dataset | None:
    with db.reading() as session:
        found: Dataset | None = session.scalar(select(Dataset).where(Dataset.name == name))
        return found


def _move(
    db: Database,
    warehouse: Warehouse,
    dataset: Dataset,
    group: Group,
    batch: Batch,
    cutoff: datetime,
) -> RolledBatch:
    def delete_and_audit(session: Session, version: DatasetVersion) -> None:
        if not group.holds(session, batch.datastream_ids):
            raise Conflict(
                "a Datastream of the roll-up batch changed its sharing or owner; it is retried",
                details={"dataset": dataset.name, "datastreams": sorted(batch.datastream_ids)},
            )
        delete_moved(session, batch.ids)
        audit.record(
            session,
            SYSTEM,
            "sensing.rollup",
            object_type="dataset",
            object_id=dataset.name,
            details={
                "version": version.number,
                "observations": len(batch.ids),
                "first_id": batch.ids[0],
                "last_id": batch.ids[-1],
                "datastreams": len(batch.datastream_ids),
                "from": batch.first_time.isoformat(),
                "to": batch.last_time.isoformat(),
                "cutoff": cutoff.isoformat(),
            },
        )

    result = append_rows(
        db,
        SYSTEM,
        warehouse,
        dataset=dataset.name,
        table=batch.table,
        columns=COLUMNS,
        source_name=f"sta_observations {batch.ids[0]}..{batch.ids[-1]}",
        source_format="sensorthings",
        notes=[
            f"roll-up of {len(batch.ids)} Observations older than {cutoff.isoformat()} "
            f"(phenomenon times {batch.first_time.isoformat()} to {batch.last_time.isoformat()})"
        ],
        also=delete_and_audit,
    )
    return RolledBatch(dataset.name, result.version, len(batch.ids))


def delete_moved(session: Session, ids: Sequence[int]) -> None:
    """Delete the Observations ``ids`` in the caller's transaction, or raise ``Conflict`` (and
    so undo the version) unless every one of them was still there and none is now a
    Datastream's latest: then the version holds exactly what left the database."""
    shown = select(Latest.observation_id)
    deleted = 0
    for start in range(0, len(ids), DELETE_CHUNK):
        chunk = list(ids[start : start + DELETE_CHUNK])
        result = session.execute(
            delete(_OBSERVATIONS).where(
                _OBSERVATIONS.c.id.in_(chunk), _OBSERVATIONS.c.id.not_in(shown)
            )
        )
        deleted += int(getattr(result, "rowcount", 0))
    if deleted != len(ids):
        raise Conflict(
            "Observations of the roll-up batch changed while it was written; it is retried",
            details={"expected": len(ids), "deleted": deleted, "first_id": ids[0]},
        )


class RollupScheduler:
    """A daemon thread that rolls up every ``sensing_rollup_minutes`` (0: never runs).

    >>> scheduler = RollupScheduler(db, pool, settings)
    >>> scheduler.start()  # the first roll-up one interval later
    >>> scheduler.stop()  # a roll-up under way ends after its batch (waits up to ``timeout``)

    Errors are logged and the thread carries on; the next run takes what was left.
    """

    def __init__(
        self,
        db: Database,
        pool: Pool | Warehouse,
        settings: Settings,
        clock: Callable[[], datetime] = utcnow,
    ) -> None:
        self.db, self.pool, self.settings, self.clock = db, pool, settings, clock
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    @property
    def interval(self) -> float:
        """Seconds between two runs; 0 when switched off."""
        return float(self.settings.sensing_rollup_minutes * 60)

    def run_once(self) -> RollupReport:
        """One roll-up now, with the configured retention."""
        report = roll_up(
            self.db,
            self.pool,
            now=self.clock(),
            retention=timedelta(days=self.settings.sensing_retention_days),
            stop=self._stop,
        )
        if report.batches:  # failures are logged by roll_up
            log.info(
                "rolled up %d Observations older than %s: %s",
                report.rows,
                report.cutoff.isoformat(),
                report.rows_by_dataset(),
            )
        return report

    def start(self) -> None:
        """Start the thread, unless switched off or already running."""
        if self.interval <= 0 or (self._thread is not None and self._thread.is_alive()):
            return
        self._stop.clear()
        self._thread = threading.Thread(target=self._loop, name="sensing-rollup", daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        """Ask the thread to stop and wait for it."""
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _loop(self) -> None:
        while not self._stop.wait(self.interval):
            try:
                self.run_once()
            except Exception:  # a failed batch is retried next time; the thread must go on
                log.exception("the roll-up of old Observations failed; it tries again later")
