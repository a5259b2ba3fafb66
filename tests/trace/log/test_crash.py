"""Kill -9 the log mid-append: after restart the tree is consistent with every checkpoint ever
published, and every acknowledged entry is there."""

from __future__ import annotations

import base64
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

from sqlalchemy import select

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.trace.log import TraceLog
from cityhub.trace.log.models import TraceTree
from cityhub.trace.merkle import leaf_hash, verify_consistency

APPENDER = """
import sys, threading
from pathlib import Path
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.trace.log import Pending, TraceLog
from cityhub.trace.note import parse_checkpoint, parse_note

settings = Settings(
    data_dir=Path(sys.argv[1]), database_url=sys.argv[2], trace_origin="test.example/log"
)
log = TraceLog(Database(sys.argv[2]), settings)
log.start()
lock = threading.Lock()

def worker(n):
    i = 0
    while True:
        got = log.append_blocking([Pending(f"w{n} {i} {k}\\n".encode()) for k in range(25)])
        cp = parse_checkpoint(parse_note(log.checkpoint()).text)
        with lock:
            for k, index in enumerate(got):
                print("ack", index, f"w{n} {i} {k}", flush=False)
            print("cp", log.checkpoint().replace("\\n", "|"), flush=True)
        i += 1

for n in range(4):
    threading.Thread(target=worker, args=(n,), daemon=True).start()
threading.Event().wait()
"""


def test_kill_9_mid_append_loses_nothing_acknowledged(
    bare_db: Database, settings: Settings, tmp_path: Path
) -> None:
    url = settings.database_url_effective
    process = subprocess.Popen(
        [sys.executable, "-c", APPENDER, str(tmp_path), url],
        stdout=subprocess.PIPE,
        text=True,
        env=os.environ | {"PYTHONUNBUFFERED": "1"},
    )
    assert process.stdout is not None
    acked: dict[int, str] = {}
    notes: list[str] = []
    deadline = time.monotonic() + 60.0  # the child's imports alone take seconds on a busy machine
    while time.monotonic() < deadline and len(acked) < 400:
        line = process.stdout.readline()
        if not line:
            break
        kind, _, rest = line.rstrip("\n").partition(" ")
        if kind == "ack":
            number, _, leaf = rest.partition(" ")
            acked[int(number)] = leaf + "\n"
        elif kind == "cp":
            notes.append(rest.replace("|", "\n"))
    process.send_signal(signal.SIGKILL)
    process.wait(timeout=10)
    process.stdout.close()
    assert len(acked) > 100, "the appender acknowledged too little before the kill"

    db = Database(url)
    with TraceLog(db, settings.model_copy(update={"trace_origin": "test.example/log"})) as log:
        with db.reading() as session:  # what the killed process had committed
            stored = session.scalar(select(TraceTree.size))
        assert stored is not None and stored > max(acked)
        deadline = time.monotonic() + 10
        while log.published_size() < stored and time.monotonic() < deadline:
            time.sleep(0.05)
        size, current_root = _head(log.checkpoint())
        assert size == stored
        for index, leaf in acked.items():
            assert log.leaf(index) == leaf.encode(), f"acknowledged entry {index} lost"
        for note in notes:  # every checkpoint the killed process ever published
            old_size, old_root = _head(note)
            if 0 < old_size <= size:
                verify_consistency(
                    old_size, size, log.consistency(old_size, size), old_root, current_root
                )
        assert leaf_hash(log.leaf(size - 1))
    db.dispose()


def _head(note: str) -> tuple[int, bytes]:
    lines = note.split("\n")
    return int(lines[1]), base64.b64decode(lines[2])
