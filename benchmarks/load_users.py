"""The users of the load test (locust), run by ``load.py``: one class, a realistic mix of tasks.

``load.py`` passes what the users need (tokens, names, ids, pre-signed trace events) in a JSON
file named by ``CITYHUB_LOAD_CONTEXT``. Weights are requests per 100: mostly reads — catalogue,
rows, SensorThings, pages — with station writes, the SQL API and trace appends mixed in.
"""

from __future__ import annotations

import itertools
import json
import os
import random
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from locust import HttpUser, between, task

CONTEXT: dict[str, Any] = json.loads(Path(os.environ["CITYHUB_LOAD_CONTEXT"]).read_text())
_EVENTS = itertools.count()
_SECONDS = itertools.count()


def _bearer(kind: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {CONTEXT['tokens'][kind]}"}


class CityUser(HttpUser):
    """An analyst, a station and a recorder in one: each task picks its own credentials."""

    wait_time = between(0.5, 1.5)  # think time between a user's requests

    @task(15)
    def catalogue_search(self) -> None:
        query = random.choice(CONTEXT["queries"])
        self.client.get(
            f"/api/datasets?q={query}", headers=_bearer("analyst"), name="catalogue search"
        )

    @task(5)
    def ckan_package_search(self) -> None:
        query = random.choice(CONTEXT["queries"])
        self.client.get(
            f"/api/3/action/package_search?q={query}&rows=10", name="CKAN package_search"
        )

    @task(15)
    def rows(self) -> None:
        name = random.choice(CONTEXT["datasets"])
        self.client.get(
            f"/api/datasets/{name}/rows?_limit=50", headers=_bearer("analyst"), name="row API"
        )

    @task(4)
    def sql(self) -> None:
        name = random.choice(CONTEXT["datasets"])
        body = {"sql": f'SELECT count(*) AS n FROM "{name}"'}
        self.client.post("/api/sql", json=body, headers=_bearer("analyst"), name="SQL API")

    @task(15)
    def sensing_read(self) -> None:
        stream = random.choice(CONTEXT["datastreams"])
        path = f"/sta/v1.1/Datastreams({stream})/Observations?$top=20&$orderby=phenomenonTime desc"
        self.client.get(path, headers=_bearer("analyst"), name="SensorThings read")

    @task(10)
    def sensing_write(self) -> None:
        stream = random.choice(CONTEXT["writable"])
        second = next(_SECONDS)
        start = datetime.now(UTC).timestamp() - 3600 + (second % 3000)
        rows = [
            [datetime.fromtimestamp(start + i / 100, UTC).isoformat(), 30 + random.random()]
            for i in range(10)
        ]
        body = [
            {
                "Datastream": {"@iot.id": stream},
                "components": ["phenomenonTime", "result"],
                "dataArray": rows,
            }
        ]
        self.client.post(
            "/sta/v1.1/CreateObservations",
            json=body,
            headers=_bearer("station"),
            name="SensorThings CreateObservations",
        )

    @task(3)
    def trace_append(self) -> None:
        events = CONTEXT["events"]
        envelope = events[next(_EVENTS) % len(events)]
        self.client.post(
            "/api/trace/events",
            json={"envelopes": [envelope]},
            headers=_bearer("recorder"),
            name="trace append",
        )

    @task(8)
    def trace_read(self) -> None:
        self.client.get("/api/trace/batches?limit=20", name="trace batches")

    @task(10)
    def page_view(self) -> None:
        page = random.choice(["/", "/datasets", "/sensing", "/departments"])
        self.client.get(page, name=f"page {page}")
