"""The log's side of C2SP tlog-witness: ask a witness to cosign a checkpoint.

The log calls ``request_cosignature`` once per checkpoint per witness, several times a second,
so connections are kept alive and pooled per host (the spec asks clients to use keep-alive),
rather than opening a new one per call as ``urllib`` would.
"""

from __future__ import annotations

import base64
import http.client
import threading
from collections.abc import Sequence
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from cityhub.trace.witness.errors import WitnessUnreachable

SIZE_TYPE = "text/x.tlog.size"
MAX_IDLE_PER_HOST = 8
# A kept-alive connection the server has meanwhile closed fails on first use with one of
# these; such a request never reached the witness, so sending it once more is safe.
_STALE = (http.client.RemoteDisconnected, ConnectionResetError, BrokenPipeError)


@dataclass(frozen=True)
class WitnessReply:
    """A witness's answer to add-checkpoint.

    ``lines``: on 200, the cosignature lines (without their final newline). ``witness_size``: on
    409, the size the witness last cosigned. ``body``: the response text, for messages.
    """

    status: int
    lines: list[str] = field(default_factory=list)
    witness_size: int | None = None
    body: str = ""


_Key = tuple[str, str]  # (scheme, host:port)


class _Pool:
    """Idle keep-alive connections by (scheme, host:port)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._idle: dict[_Key, list[http.client.HTTPConnection]] = {}

    def take(
        self, key: _Key, timeout: float, *, fresh: bool = False
    ) -> tuple[http.client.HTTPConnection, bool]:
        """An idle connection (reused=True) or, if none or ``fresh``, a new one."""
        conn = None
        if not fresh:
            with self._lock:
                idle = self._idle.get(key)
                conn = idle.pop() if idle else None
        if conn is not None:
            conn.timeout = timeout
            if conn.sock is not None:
                conn.sock.settimeout(timeout)
            return conn, True
        scheme, netloc = key
        cls = http.client.HTTPSConnection if scheme == "https" else http.client.HTTPConnection
        return cls(netloc, timeout=timeout), False

    def give_back(self, key: _Key, conn: http.client.HTTPConnection) -> None:
        with self._lock:
            idle = self._idle.setdefault(key, [])
            if len(idle) < MAX_IDLE_PER_HOST:
                idle.append(conn)
                return
        conn.close()

    def close(self) -> None:
        with self._lock:
            conns = [c for idle in self._idle.values() for c in idle]
            self._idle.clear()
        for conn in conns:
            conn.close()


_pool = _Pool()


def request_body(old_size: int, proof: Sequence[bytes], checkpoint_note: str) -> bytes:
    """The add-checkpoint body: old size line, proof lines, empty line, signed checkpoint."""
    lines = [f"old {old_size}\n", *(base64.b64encode(h).decode() + "\n" for h in proof), "\n"]
    return ("".join(lines) + checkpoint_note).encode("utf-8")


def request_cosignature(
    url: str,
    old_size: int,
    proof: Sequence[bytes],
    checkpoint_note: str,
    *,
    timeout: float = 5.0,
) -> WitnessReply:
    """POST add-checkpoint to the witness at ``url`` (its submission prefix) and read the reply.

    Every HTTP status comes back as a ``WitnessReply``; only a missing answer (refused, reset,
    timeout) raises ``WitnessUnreachable``.
    """
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise WitnessUnreachable("witness URL must be http(s)://host[:port][/prefix]")
    path = parts.path.rstrip("/")
    if not path.endswith("/add-checkpoint"):
        path += "/add-checkpoint"
    key = (parts.scheme, parts.netloc)
    body = request_body(old_size, proof, checkpoint_note)
    headers = {"Content-Type": "text/plain; charset=utf-8"}
    for fresh in (False, True):
        conn, reused = _pool.take(key, timeout, fresh=fresh)
        try:
            status, content_type, data = _exchange(conn, key, path, body, headers)
        except _STALE as exc:
            if reused:
                continue
            raise WitnessUnreachable(f"witness {url}: {exc}") from exc
        except (OSError, http.client.HTTPException) as exc:
            raise WitnessUnreachable(f"witness {url}: {exc}") from exc
        return _reply(status, content_type, data)
    raise AssertionError("unreachable: the second attempt uses a new connection")


def _exchange(
    conn: http.client.HTTPConnection, key: _Key, path: str, body: bytes, headers: dict[str, str]
) -> tuple[int, str, bytes]:
    """One request and its whole response; the connection goes back to the pool if reusable."""
    try:
        conn.request("POST", path, body=body, headers=headers)
        response = conn.getresponse()
        data = response.read()
    except BaseException:
        conn.close()
        raise
    if response.will_close:
        conn.close()
    else:
        _pool.give_back(key, conn)
    return response.status, response.getheader("Content-Type", ""), data


def close_connections() -> None:
    """Close every pooled connection (tests, shutdown)."""
    _pool.close()


def _reply(status: int, content_type: str, data: bytes) -> WitnessReply:
    text = data.decode("utf-8", errors="replace")
    if status == 200:
        lines = [line for line in text.split("\n") if line.startswith("— ")]
        return WitnessReply(status, lines=lines, body=text)
    if status == 409 and content_type.split(";")[0].strip() == SIZE_TYPE:
        size = text.strip()
        known = size.isascii() and size.isdigit()
        return WitnessReply(status, witness_size=int(size) if known else None, body=text)
    return WitnessReply(status, body=text)
