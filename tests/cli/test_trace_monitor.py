"""``cityhub trace monitor`` over real HTTP, and the monitor's checks of entry bundles."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass

import pytest
import uvicorn
from sqlalchemy import delete, func, select

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.trace.log import TraceLog
from cityhub.trace.merkle import TILE_WIDTH, leaf_hash, root_of
from cityhub.trace.models import TraceEventLot
from cityhub.trace.monitor import bundle_widths, left_out, read_log, split_bundle
from cityhub.trace.note import Checkpoint
from cityhub.web import create_app
from tests.cli.test_trace_roundtrip import run
from tests.ports import free_port
from tests.trace.chain import PRODUCT, build_chain


@dataclass(frozen=True)
class Platform:
    url: str
    log: TraceLog


@pytest.fixture
def platform(settings: Settings, db: Database) -> Iterator[Platform]:
    """The platform over real HTTP, and its own trace log (to record the test's chain)."""
    app = create_app(settings, db)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=free_port(), log_level="warning")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert time.monotonic() < deadline, "uvicorn did not start"
        time.sleep(0.05)
    yield Platform(f"http://127.0.0.1:{server.config.port}", app.state.trace.log)
    server.should_exit = True
    thread.join(timeout=10)


def test_a_complete_history_passes_and_a_withheld_tail_is_named(
    platform: Platform, db: Database
) -> None:
    build_chain(db, platform.log)
    code, out, _ = run("monitor", "--url", platform.url)
    assert code == 0, out
    assert f"{PRODUCT}: " in out and "left out" not in out
    # An insider hides the product lot's newest event from its history (the failed inspection,
    # say): the page still verifies, since what it shows was logged in order.
    with db.transaction() as session:
        last = session.scalar(
            select(func.max(TraceEventLot.event_id)).where(TraceEventLot.lot == PRODUCT)
        )
        session.execute(
            delete(TraceEventLot).where(
                TraceEventLot.lot == PRODUCT, TraceEventLot.event_id == last
            )
        )
    code, out, message = run("monitor", "--url", platform.url, "--lot", PRODUCT)
    assert code == 65, out
    assert f"the history of {PRODUCT} leaves out logged events" in message


@pytest.mark.parametrize(
    ("size", "widths"),
    [
        (0, []),
        (1, [(0, 1)]),
        (TILE_WIDTH, [(0, TILE_WIDTH)]),
        (TILE_WIDTH + 3, [(0, TILE_WIDTH), (1, 3)]),
    ],
)
def test_bundle_widths(size: int, widths: list[tuple[int, int]]) -> None:
    assert bundle_widths(size) == widths


@pytest.mark.parametrize(
    ("data", "width", "problem"),
    [
        (b"\x00\x02ab\x00\x01c", 2, None),
        (b"\x00\x02ab\x00", 2, "inside a length"),
        (b"\x00\x05ab", 1, "inside a leaf"),
        (b"\x00\x02ab", 2, "holds 1 leaves, not 2"),
        (b"", 1, "holds 0 leaves"),
    ],
)
def test_split_bundle(data: bytes, width: int, problem: str | None) -> None:
    if problem is None:
        assert split_bundle(data, width, 0) == [b"ab", b"c"]
        return
    with pytest.raises(InvalidInput, match=problem):
        split_bundle(data, width, 0)


def test_entries_that_do_not_hash_to_the_checkpoint_are_refused() -> None:
    leaves = [b"one", b"two", b"three"]
    checkpoint = Checkpoint("example/log", 3, root_of([leaf_hash(x) for x in leaves]))
    with pytest.raises(InvalidInput, match="do not hash"):
        read_log(checkpoint, [b"one", b"twO", b"three"])
    with pytest.raises(InvalidInput, match="2 entries for a checkpoint of size 3"):
        read_log(checkpoint, leaves[:2])


def test_left_out_keeps_log_order() -> None:
    assert left_out([3, 9, 12, 40], {9, 12}) == [3, 40]
