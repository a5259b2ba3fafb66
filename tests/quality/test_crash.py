"""An ingest killed while screening, or while recording, leaves no version, report or held row."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest
from sqlalchemy import func, select

from cityhub import catalog, quality
from cityhub.pool.service import Pool, run_sql
from cityhub.quality.models import QualityReport, QuarantinedRow
from tests.quality.conftest import STEWARD, SYSTEM, rules, upload

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from cityhub import auth
    from cityhub.db import Database
    from cityhub.pool import ingest as module
    from cityhub.pool.warehouse import Warehouse
    from cityhub.quality import screen

    db = Database(sys.argv[1])
    stage = sys.argv[4]

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if stage == "screening":  # after the rules ran, while admitted rows are written
        screen.write = die
    else:  # the report and held rows are flushed in the version's transaction, not committed
        record = screen.Screening.record
        def record_then_die(self, session, version):
            record(self, session, version)
            session.flush()
            die()
        screen.Screening.record = record_then_die
    module.ingest(db, auth.Actor.system(), Warehouse(db, Path(sys.argv[2])),
                  dataset="firms", path=Path(sys.argv[3]), file_name="big.csv")
    """
)


@pytest.mark.parametrize("stage", ["screening", "recording"])
def test_killed_ingest_leaves_nothing_half_done(
    pool: Pool, firms: catalog.Dataset, stage: str
) -> None:
    upload(pool, "code,name\n0,甲\n")
    rules(pool.db, {"id": "n", "kind": "not_null", "column": "name", "blocking": True})
    big = pool.settings.data_dir / "big.csv"
    with big.open("w", encoding="utf-8") as handle:
        handle.write("code,name\n")
        for i in range(1, 20_001):
            handle.write(f"{i},{'' if i % 100 == 0 else f'名称{i}'}\n")
    child = subprocess.run(
        [
            sys.executable,
            "-c",
            KILLER,
            pool.db.url.render_as_string(hide_password=False),
            str(pool.settings.data_dir),
            str(big),
            stage,
        ],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert len(catalog.list_versions(pool.db, SYSTEM, "firms")) == 1
    with pool.db.reading() as session:
        for model in (QualityReport, QuarantinedRow):
            assert session.scalar(select(func.count()).select_from(model)) == 0
    # The next ingest works, and the killed upload's rows are nowhere.
    result = upload(pool, "code,name\n1,乙\n2,\n")
    assert (result.version, result.rows_added, result.row_count) == (2, 1, 2)
    assert run_sql(pool, SYSTEM, "SELECT count(*) FROM firms").rows == [(2,)]
    assert quality.list_quarantine(pool.db, STEWARD, "firms").total == 1
