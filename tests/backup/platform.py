"""A small platform for the backup tests: demo city, dataset versions, alarms, trace log entries."""

from __future__ import annotations

import itertools
import threading
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import select

from cityhub import auth, catalog
from cityhub.config import Settings
from cityhub.db import Database, upgrade, utcnow
from cityhub.demo import seed
from cityhub.demo.sensing import datastreams_of
from cityhub.demo.stations import STATIONS
from cityhub.pool.ingest import IngestMode, ingest
from cityhub.pool.warehouse import Warehouse
from cityhub.sensing.alarms import AlarmEngine
from cityhub.sensing.models import Thing
from cityhub.sensing.observations import StoredObservation
from cityhub.trace.log import Pending, TraceLog
from tests.conftest import ADMIN_PASSWORD

SYSTEM = auth.Actor.system()
DATASET = "drill-readings"
ORIGIN = "drill.example/trace/log"


def platform_settings(data_dir: Path, database_url: str) -> Settings:
    """Settings of a test platform: no servers, quick checkpoints, a fixed log origin."""
    return Settings(
        data_dir=data_dir,
        database_url=database_url,
        secret_key="test-secret-key",
        admin_password=ADMIN_PASSWORD,
        derived_scheduler_seconds=0,
        sl651_port=0,
        mqtt_port=0,
        trace_origin=ORIGIN,
        trace_checkpoint_seconds=0.05,
    )


@dataclass
class Platform:
    """An open platform: its database, warehouse and running trace log."""

    settings: Settings
    db: Database
    warehouse: Warehouse
    log: TraceLog
    _lock: threading.Lock = field(default_factory=threading.Lock)
    _numbers: itertools.count[int] = field(default_factory=lambda: itertools.count(1000))

    @classmethod
    def open(cls, settings: Settings, *, migrate: bool) -> Platform:
        db = Database(settings.database_url_effective)
        if migrate:
            upgrade(db)
            auth.bootstrap(db, admin_password=ADMIN_PASSWORD)
        log = TraceLog(db, settings)
        log.start()
        return cls(settings, db, Warehouse(db, settings.data_dir), log)

    def close(self) -> None:
        self.log.stop()
        self.warehouse.close()
        self.db.dispose()

    def ingest_version(self, rows: int, mode: IngestMode = IngestMode.APPEND) -> int:
        """A new version of the drill dataset with ``rows`` new rows; its number."""
        with self._lock:
            start = next(self._numbers) * 100
            path = self.settings.data_dir / f"upload-{start}.csv"
            lines = [f"{start + i},聊城站{i},{(start + i) * 0.5}" for i in range(rows)]
            path.write_text("no,站名,水位\n" + "\n".join(lines) + "\n", encoding="utf-8")
            result = ingest(
                self.db,
                SYSTEM,
                self.warehouse,
                dataset=DATASET,
                path=path,
                file_name="readings.csv",
                mode=mode,
            )
            path.unlink()
            return result.version

    def append_entries(self, count: int) -> list[int]:
        """Append ``count`` log entries; returns once a checkpoint covers them."""
        with self._lock:
            first = next(self._numbers)
        leaves = [Pending(f"drill entry {first}.{i}".encode()) for i in range(count)]
        return self.log.append_blocking(leaves)


def seed_platform(platform: Platform) -> None:
    """Demo city (datasets, stations, rules), a dataset with versions, alarms, log entries."""
    seed(platform.db, platform.settings, programme=False)
    spec = catalog.DatasetSpec(
        name=DATASET,
        title="演练水位",
        department="SLJ",
        share_type=catalog.ShareType.UNCONDITIONAL,
    )
    catalog.create_dataset(platform.db, SYSTEM, spec)
    platform.ingest_version(5)
    platform.ingest_version(7)
    platform.ingest_version(3, IngestMode.REPLACE)
    raise_alarms(platform.db)
    for _ in range(4):
        platform.append_entries(25)


def raise_alarms(db: Database) -> int:
    """Feed every demo water-level station a reading above its historical maximum."""
    with db.reading() as session:
        things: dict[str, int] = {
            str(row.name): int(row.id) for row in session.execute(select(Thing.name, Thing.id))
        }
    engine = AlarmEngine(db)
    ids = itertools.count(1)
    raised = 0
    for station in STATIONS:
        if station.levels is None or station.name not in things:
            continue
        streams = datastreams_of(db, things[station.name])
        level = streams.get("Z") or streams.get("ZU")
        if level is None:
            continue
        value = station.levels[2] + 0.5
        reading = StoredObservation(
            id=next(ids),
            datastream_id=level,
            thing_id=things[station.name],
            phenomenon_time=utcnow(),
            result=value,
            result_number=value,
            parameters=None,
        )
        raised += len(engine.observe([reading]))
    return raised
