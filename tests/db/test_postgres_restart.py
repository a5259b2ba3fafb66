"""PostgreSQL restarted under load: requests during the outage get 503 with Retry-After and the
error envelope, never a stack trace, and the app reconnects by itself once the server is back."""

from __future__ import annotations

import threading
import time
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import timedelta
from pathlib import Path

import pytest
import requests

from cityhub import auth
from cityhub.config import Settings
from cityhub.db import Database, upgrade
from tests.conftest import ADMIN_PASSWORD, isolated_settings
from tests.pg_cluster import Cluster, own_cluster
from tests.web.conftest import live_server  # noqa: F401 (a fixture)

CALLS = (
    ("GET", "/api/me", None),  # the token is looked up in the database
    ("GET", "/api/datasets", None),
    ("GET", "/sta/v1.1/Things", None),
    ("POST", "/api/tokens", {"name": "under load"}),  # a write
)
CLIENTS = 4
EXPECTED = {f"{m} {p}": 201 if m == "POST" else 200 for m, p, _ in CALLS}
RECONNECT_SECONDS = 30.0  # the app has to be back on its own within this after the restart
LEAKS = ("Traceback", "sqlalchemy", "psycopg", 'File "')


@pytest.fixture
def cluster() -> Iterator[Cluster]:
    with own_cluster() as started:
        yield started


@pytest.fixture
def settings(tmp_path: Path, cluster: Cluster) -> Settings:
    return isolated_settings(tmp_path, cluster.url)


@pytest.fixture
def db(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url_effective)
    upgrade(database)
    auth.bootstrap(database, admin_password=ADMIN_PASSWORD)
    yield database
    database.dispose()


@dataclass(frozen=True)
class Answer:
    """One call: when it was sent and when its answer came (monotonic seconds), and the answer."""

    sent: float
    answered: float
    call: str
    response: requests.Response


class Load:
    """Clients calling in a loop until told to stop; every answer is kept for the checks."""

    def __init__(self, base: str, token: str) -> None:
        self.base, self.token = base, token
        self.answers: list[Answer] = []
        self.stopping = threading.Event()
        self.lock = threading.Lock()

    def client(self, offset: int) -> None:
        with requests.Session() as http:
            http.headers["Authorization"] = f"Bearer {self.token}"
            turn = offset
            while not self.stopping.is_set():
                method, path, body = CALLS[turn % len(CALLS)]
                turn += 1
                sent = time.monotonic()
                response = http.request(method, self.base + path, json=body, timeout=30)
                answer = Answer(sent, time.monotonic(), f"{method} {path}", response)
                with self.lock:
                    self.answers.append(answer)

    def recovered(self, since: float) -> set[str]:
        """The calls that succeeded, sent after ``since``."""
        with self.lock:
            return {a.call for a in self.answers if a.sent > since and a.response.ok}


def test_the_app_answers_503_during_a_restart_and_reconnects(
    live_server: str,  # noqa: F811
    db: Database,
    cluster: Cluster,
) -> None:
    token = auth.create_token(
        db, auth.Actor.system(), name="load", lifetime=timedelta(hours=1), username="admin"
    )
    load = Load(live_server, token.secret)
    threads = [threading.Thread(target=load.client, args=(i,)) for i in range(CLIENTS)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    cluster.stop("immediate")  # as abrupt as a crash: every connection dies
    down = time.monotonic()
    time.sleep(1.5)
    starting = time.monotonic()  # it may accept connections before pg_ctl says it is up
    cluster.start()
    up = time.monotonic()
    # Until every call has succeeded again, sent after the restart (a busy machine is slow).
    deadline = up + RECONNECT_SECONDS
    while time.monotonic() < deadline and load.recovered(up) != set(EXPECTED):
        time.sleep(0.2)
    time.sleep(0.5)  # and a little more, to see they stay up
    load.stopping.set()
    for thread in threads:
        thread.join(timeout=60)

    statuses = Counter(answer.response.status_code for answer in load.answers)
    assert set(statuses) <= {200, 201, 503}, statuses
    for answer in load.answers:
        response = answer.response
        assert not any(leak in response.text for leak in LEAKS), (answer.call, response.text)
        if response.status_code == 503:
            assert response.json()["error"]["code"] == "database_unavailable"
            assert response.headers["Retry-After"] == "5"
    # Sent once the server was down, answered before it was started again: nothing else to say.
    # (An answer's arrival alone can be noted late: the server shares this process's GIL.)
    during = [
        a.response.status_code for a in load.answers if down < a.sent and a.answered < starting
    ]
    assert during and set(during) == {503}, statuses
    assert load.recovered(up) == set(EXPECTED), f"not back within {RECONNECT_SECONDS} s: {statuses}"
    last = {a.call: a.response.status_code for a in sorted(load.answers, key=lambda a: a.sent)}
    assert last == EXPECTED, statuses  # and none went back to 503
