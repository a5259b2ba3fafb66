"""What every API response must satisfy, whatever the request: the rules the fuzzers check.

- no 5xx: bad input is the caller's fault and gets a 4xx that says what is wrong;
- every error in its documented envelope: cityhub's ``{"error": {"code", "message", "details"}}``
  on the JSON API, SensorThings included; CKAN's ``{"success": false, "error": {"message",
  "__type"}}`` on the CKAN Action API, or the JSON string CKAN itself sends for an unknown
  action (docs/api.md);
- no response slower than its limit.
"""

from __future__ import annotations

import json
from dataclasses import dataclass

# Seconds. Generous against a loaded CI machine: a fuzzed request is small, and the slow
# paths (user SQL, exports) have time limits of their own below these.
DEFAULT_LIMIT = 5.0
LIMITS = {"/api/sql": 15.0, "/api/3/action/datastore_search_sql": 15.0}

CKAN_PREFIXES = ("/api/3/", "/api/action/")
JSON_PREFIXES = ("/api/", "/sta/", "/healthz")


@dataclass(frozen=True)
class Reply:
    """What came back for one request."""

    method: str
    path: str
    status: int
    content_type: str
    body: bytes
    seconds: float


def limit_for(path: str) -> float:
    """The slowest acceptable answer for ``path``."""
    return next((s for prefix, s in LIMITS.items() if path.startswith(prefix)), DEFAULT_LIMIT)


def problems(reply: Reply) -> list[str]:
    """What is wrong with ``reply``; empty when it satisfies every rule."""
    found: list[str] = []
    if reply.status >= 500:
        found.append(f"server error {reply.status}: {reply.body[:300]!r}")
    if reply.seconds > limit_for(reply.path):
        found.append(f"took {reply.seconds:.2f} s, limit {limit_for(reply.path)} s")
    if reply.status >= 400 and reply.path.startswith(JSON_PREFIXES):
        found.extend(_envelope_problems(reply))
    return found


def _envelope_problems(reply: Reply) -> list[str]:
    if "json" not in reply.content_type:
        return [f"error {reply.status} is {reply.content_type!r}, not JSON"]
    try:
        document = json.loads(reply.body)
    except ValueError:
        return [f"error {reply.status} is not valid JSON: {reply.body[:200]!r}"]
    # CKAN answers an unknown action or an unreadable body with a JSON string
    # "Bad request - …" (ckan/views/api.py), which ckanapi expects.
    if (
        reply.path.startswith(CKAN_PREFIXES)
        and reply.status == 400
        and isinstance(document, str)
        and document.startswith("Bad request - ")
    ):
        return []
    if not isinstance(document, dict):
        return [f"error {reply.status} is not a JSON object: {document!r:.300}"]
    if reply.path.startswith(CKAN_PREFIXES):
        error = document.get("error")
        if document.get("success") is not False or not isinstance(error, dict):
            return [f"CKAN error without its envelope: {document!r:.300}"]
        if not {"message", "__type"} <= set(error):
            return [f"CKAN error lacks message or __type: {error!r:.300}"]
        return []
    error = document.get("error")
    if not isinstance(error, dict) or set(error) != {"code", "message", "details"}:
        return [f"error without the envelope: {document!r:.300}"]
    if not (isinstance(error["code"], str) and isinstance(error["message"], str)):
        return [f"envelope code and message must be strings: {error!r:.300}"]
    return []
