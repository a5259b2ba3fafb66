"""A refresh killed midway leaves no new version, and the next refresh builds on the last one."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap

import pytest

from cityhub import catalog, derived
from cityhub.derived import DerivedSpec
from cityhub.pool.service import Pool
from tests.derived.conftest import STEWARD, load, rows_of

KILLER = textwrap.dedent(
    """
    import os, signal, sys
    from pathlib import Path
    from cityhub import auth, derived
    from cityhub.config import Settings
    from cityhub.derived import materialise as module
    from cityhub.db import Database
    from cityhub.pool.service import Pool

    db = Database(sys.argv[1])
    pool = Pool(db, Settings(data_dir=Path(sys.argv[2]), database_url=sys.argv[1]))
    stage = sys.argv[3]

    def die(*args, **kwargs):
        os.kill(os.getpid(), signal.SIGKILL)

    if stage == "writing":  # the first Parquet batch is being written
        module._conform = die
    else:  # the Iceberg snapshot is committed, the catalogue has not recorded the version
        module.catalog.record_version = die
    derived.refresh(db, auth.Actor.system(), pool, "river-duty")
    """
)


@pytest.mark.parametrize("stage", ["writing", "after-commit"])
def test_a_killed_refresh_leaves_the_dataset_as_it_was(city: Pool, stage: str) -> None:
    sql = 'SELECT "河道", "责任人" FROM duty'
    derived.define(city.db, STEWARD, city, DerivedSpec(name="river-duty", title="河", sql=sql))
    load(city, "duty", "河道,责任人,手机号\n卫运河,孙八,13700000000\n")
    url = city.db.url.render_as_string(hide_password=False)
    child = subprocess.run(
        [sys.executable, "-c", KILLER, url, str(city.settings.data_dir), stage],
        capture_output=True,
        text=True,
        timeout=300,
        env=os.environ.copy(),
    )
    assert child.returncode == -signal.SIGKILL, child.stderr
    assert [v.number for v in catalog.list_versions(city.db, STEWARD, "river-duty")] == [1]
    assert rows_of(city, STEWARD, "river-duty") == [("徒骇河", "赵六"), ("马颊河", "钱七")]
    # The next refresh builds on the recorded version, not on what the killed one left behind.
    assert derived.refresh(city.db, STEWARD, city, "river-duty").version == 2
    assert rows_of(city, STEWARD, "river-duty") == [("卫运河", "孙八")]
    assert [v.number for v in catalog.list_versions(city.db, STEWARD, "river-duty")] == [2, 1]
