"""The app's sensing runtime: an SL 651 frame over TCP becomes an Observation."""

from __future__ import annotations

import socket
import time

from fastapi.testclient import TestClient
from sqlalchemy import select

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.sensing.models import Datastream, Observation
from cityhub.sensing.sl651.crc import crc16
from cityhub.web import create_app

# reference/sensing.md §4.7: a 32H timed report of station 0011223344, Z = 10.490 m.
TIMED_REPORT = bytes.fromhex(
    "7E7E05001122334403E832002B020034170718110016F1F1001122334448F0F01707181100201900004026"
    "190000403923000104903812109903A421"
)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def test_a_reference_frame_over_tcp_is_acknowledged_and_stored(
    settings: Settings, db: Database
) -> None:
    port = free_port()
    app = create_app(settings.model_copy(update={"sl651_port": port}), db)
    with TestClient(app), socket.create_connection(("127.0.0.1", port), timeout=5) as station:
        station.sendall(TIMED_REPORT)
        answer = station.recv(1024)
        assert answer[:2] == b"\x7e\x7e" and answer[2:7] == bytes.fromhex("0011223344")
        assert answer[-3] == 0x04 and crc16(answer[:-2]) == int.from_bytes(answer[-2:], "big")
        deadline = time.monotonic() + 5
        levels: list[float | None] = []
        while time.monotonic() < deadline and not levels:
            with db.reading() as session:
                levels = list(
                    session.scalars(
                        select(Observation.result_number)
                        .join(Datastream, Datastream.id == Observation.datastream_id)
                        .where(Datastream.name.like("%瞬时河道水位%"))
                    )
                )
            time.sleep(0.05)
    assert levels == [10.49]
