"""Rate limits per client address: logins and the expensive endpoints (SQL, exports)."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from cityhub.config import Settings
from cityhub.db import Database
from cityhub.web import create_app
from cityhub.web.ratelimit import TokenBuckets
from tests.conftest import ADMIN_PASSWORD, People, token_for


class Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


def test_a_bucket_allows_its_burst_then_waits_then_refills() -> None:
    clock = Clock()
    buckets = TokenBuckets(6, clock)  # one every 10 s
    assert [buckets.take("a") for _ in range(6)] == [0.0] * 6
    assert buckets.take("a") == pytest.approx(10.0)
    assert buckets.take("b") == 0.0  # another address has its own bucket
    clock.now += 10
    assert buckets.take("a") == 0.0
    assert buckets.take("a") == pytest.approx(10.0)
    clock.now += 3600  # a long pause refills up to the burst, not beyond
    assert [buckets.take("a") for _ in range(7)][-2:] == [0.0, pytest.approx(10.0)]


def test_zero_means_unlimited() -> None:
    buckets = TokenBuckets(0, Clock())
    assert all(buckets.take("a") == 0.0 for _ in range(1000))


def _limited(settings: Settings, db: Database, **limits: int) -> TestClient:
    return TestClient(create_app(settings.model_copy(update=limits), db))


def test_logins_beyond_the_limit_get_429_with_retry_after(
    settings: Settings, db: Database, people: People
) -> None:
    with _limited(settings, db, rate_limit_login_per_minute=3) as client:
        answers = [
            client.post("/api/auth/token", data={"username": f"nobody{i}", "password": "x" * 10})
            for i in range(4)
        ]
        page = client.post("/login", data={"username": "nobody", "password": "x" * 10})
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert answers[3].json()["error"]["code"] == "rate_limited"
    assert int(answers[3].headers["retry-after"]) >= 1
    assert page.status_code == 429  # the page's form shares the address's budget


def test_sql_queries_beyond_the_limit_get_429(
    settings: Settings, db: Database, people: People
) -> None:
    with _limited(settings, db, rate_limit_expensive_per_minute=2) as client:
        admin = token_for(client, people.admin, ADMIN_PASSWORD)
        statuses = [
            client.post("/api/sql", json={"sql": "SELECT 1"}, headers=admin).status_code
            for _ in range(3)
        ]
        other = client.get("/api/datasets", headers=admin)  # cheap endpoints are not limited
    assert statuses == [200, 200, 429] and other.status_code == 200


def test_ckan_sql_beyond_the_limit_gets_a_ckan_429(
    settings: Settings, db: Database, people: People
) -> None:
    with _limited(settings, db, rate_limit_expensive_per_minute=1) as client:
        admin = token_for(client, people.admin, ADMIN_PASSWORD)
        call = "/api/3/action/datastore_search_sql"
        first = client.post(call, json={"sql": "SELECT 1"}, headers=admin)
        second = client.post(call, json={"sql": "SELECT 1"}, headers=admin)
    assert first.status_code != 429
    assert second.status_code == 429 and second.headers["retry-after"]
    body = second.json()
    assert body["success"] is False and body["error"]["__type"] == "Rate Limit Error"
