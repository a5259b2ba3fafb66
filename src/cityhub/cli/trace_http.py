"""The trace client's HTTP: JSON and text over ``urllib``, the platform's errors mapped back.

The platform answers errors under ``/api`` as ``{"error": {"code", "message", "details"}}``; the
status becomes the same ``CityhubError`` class the server raised, so the CLI exits with the
code it would have given running on the server.
"""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from typing import Any
from urllib.parse import quote

from cityhub.errors import (
    CityhubError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)

TIMEOUT = 120.0  # an append answers once a checkpoint (and the witnesses) cover it
ERRORS: dict[int, type[CityhubError]] = {
    400: InvalidInput,
    401: NotAuthenticated,
    403: PermissionDenied,
    404: NotFound,
    409: Conflict,
    413: InvalidInput,
    422: InvalidInput,
}


class Unreachable(CityhubError):
    """The platform did not answer (wrong URL, not running, network down)."""

    code = "unreachable"


def join(base: str, path: str) -> str:
    """``base`` (with or without a trailing slash) followed by the absolute ``path``."""
    return base.rstrip("/") + path


def quoted(value: str) -> str:
    """A URL query value, fully escaped (lot URIs contain ``/`` and ``:``)."""
    return quote(value, safe="")


def _error(status: int, body: bytes, url: str) -> CityhubError:
    try:
        parsed = json.loads(body)
        error = parsed["error"]
        message, details = str(error["message"]), error.get("details") or {}
    except (ValueError, KeyError, TypeError):
        # FastAPI's own validation answers {"detail": [...]}; show it as it came.
        message, details = body.decode("utf-8", "replace")[:500] or f"HTTP {status}", {}
    if not isinstance(details, dict):
        details = {"details": details}
    cls = ERRORS.get(status, CityhubError)
    return cls(f"{message} (HTTP {status} from {url})", details=details)


def request(
    method: str,
    url: str,
    *,
    token: str | None = None,
    body: Any = None,
    accept: str = "application/json",
) -> bytes:
    """The response body of a request; an error status raises the matching CityhubError."""
    headers = {"Accept": accept, "User-Agent": "cityhub-trace-cli"}
    data = None
    if body is not None:
        data = json.dumps(body, ensure_ascii=False).encode("utf-8")
        headers["Content-Type"] = "application/json"
    if token:
        headers["Authorization"] = f"Bearer {token}"
    # check_url has refused every scheme but http(s) (urllib would open file: URLs too).
    req = urllib.request.Request(url, data=data, method=method, headers=headers)
    try:
        with urllib.request.urlopen(req, timeout=TIMEOUT) as response:
            payload: bytes = response.read()
            return payload
    except urllib.error.HTTPError as exc:
        raise _error(exc.code, exc.read(), url) from None
    except (urllib.error.URLError, TimeoutError, ConnectionError) as exc:
        reason = getattr(exc, "reason", exc)
        raise Unreachable(f"cannot reach {url}: {reason}", details={"url": url}) from None


def get_json(url: str, token: str | None = None) -> Any:
    """GET a JSON document."""
    return _decode(request("GET", url, token=token), url)


def post_json(url: str, body: Any, token: str | None = None) -> Any:
    """POST a JSON body, the JSON answer."""
    return _decode(request("POST", url, token=token, body=body), url)


def _decode(payload: bytes, url: str) -> Any:
    try:
        return json.loads(payload)
    except ValueError as exc:
        raise InvalidInput(f"{url} did not answer JSON", details={"url": url}) from exc


def check_url(base: str) -> str:
    """Refuse anything but http(s): urllib would open ``file:`` URLs too."""
    if not base.startswith(("http://", "https://")):
        raise InvalidInput("--url must start with http:// or https://", details={"url": base})
    return base
