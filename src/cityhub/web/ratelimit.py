"""Rate limits per client address on logins and on the expensive endpoints.

A token bucket per (kind, address): ``per_minute`` requests, refilled continuously, with a
burst of the same size. The per-account lockout (``auth``) stops guessing one account's
password; this stops one address from trying many accounts, or from starting SQL queries and
exports faster than the machine can run them. Limits are per process: several processes behind
a proxy each count their own, and the proxy (nginx ``limit_req``, docs/deployment.md) is the
place for a global limit.
"""

from __future__ import annotations

import math
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from enum import StrEnum

from fastapi import Request

from cityhub.config import Settings
from cityhub.errors import RateLimited
from cityhub.web.deps import client_address

MAX_TRACKED = 100_000  # addresses remembered per kind; the least recently seen are forgotten


class Kind(StrEnum):
    """What a limited request does."""

    LOGIN = "login"
    EXPENSIVE = "expensive"


# (method, route template) of each limited kind. CKAN's datastore_search_sql shares a template
# with every other action, so the CKAN dispatcher asks for it by name (``enforce``).
LIMITED = {
    ("POST", "/api/auth/token"): Kind.LOGIN,
    ("POST", "/login"): Kind.LOGIN,
    ("POST", "/api/sql"): Kind.EXPENSIVE,
    ("GET", "/api/datasets/{name}/export"): Kind.EXPENSIVE,
}
CKAN_LIMITED = {"datastore_search_sql": Kind.EXPENSIVE}


class TokenBuckets:
    """``per_minute`` requests per key, with a burst of as many; 0 means unlimited."""

    def __init__(self, per_minute: int, clock: Callable[[], float] = time.monotonic) -> None:
        self.per_minute, self.clock = per_minute, clock
        self._buckets: OrderedDict[str, tuple[float, float]] = OrderedDict()  # tokens, when
        self._lock = threading.Lock()

    def take(self, key: str) -> float:
        """Take one token for ``key``: 0 when allowed, else the seconds until one is due."""
        if self.per_minute <= 0:
            return 0.0
        rate = self.per_minute / 60.0
        now = self.clock()
        with self._lock:
            tokens, then = self._buckets.pop(key, (float(self.per_minute), now))
            tokens = min(float(self.per_minute), tokens + (now - then) * rate)
            wait = 0.0 if tokens >= 1 else (1 - tokens) / rate
            self._buckets[key] = (tokens - 1 if tokens >= 1 else tokens, now)
            while len(self._buckets) > MAX_TRACKED:
                self._buckets.popitem(last=False)
        return wait


class RateLimits:
    """The buckets of one app, one per kind."""

    def __init__(self, settings: Settings, clock: Callable[[], float] = time.monotonic) -> None:
        self.buckets = {
            Kind.LOGIN: TokenBuckets(settings.rate_limit_login_per_minute, clock),
            Kind.EXPENSIVE: TokenBuckets(settings.rate_limit_expensive_per_minute, clock),
        }

    def check(self, kind: Kind, address: str | None) -> None:
        """RateLimited when ``address`` has used up its ``kind`` requests for now."""
        wait = self.buckets[kind].take(address or "unknown")
        if wait > 0:
            seconds = max(1, math.ceil(wait))
            raise RateLimited(
                f"too many {kind.value} requests from this address; try again in {seconds} s",
                retry_after=seconds,
            )


def enforce(request: Request, kind: Kind) -> None:
    """Count ``request`` against its address's ``kind`` limit (RateLimited when used up)."""
    limits: RateLimits = request.app.state.rate_limits
    limits.check(kind, client_address(request))


def limit_request(request: Request) -> None:
    """The app-wide dependency: limits the request if its route is in ``LIMITED``."""
    route = request.scope.get("route")
    kind = LIMITED.get((request.method, getattr(route, "path", "")))
    if kind is not None:
        enforce(request, kind)
