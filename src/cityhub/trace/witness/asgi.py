"""The witness over HTTP: a bare ASGI app, so the domain package needs no web framework.

Routes (C2SP tlog-witness, one prefix for submission and monitoring)::

    POST /add-checkpoint           200 cosignature line(s) | 400 | 403 | 404 | 409 | 422
    GET  /<hex sha256(origin)>/checkpoint   latest cosigned checkpoint, or 404
    GET  /evidence                 JSON list of equivocation evidence
    GET  /vkey                     this witness's cosignature vkey
"""

from __future__ import annotations

import asyncio
import json
import logging
import re
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

from cityhub.errors import CityhubError, NotFound
from cityhub.trace.witness import alarm
from cityhub.trace.witness.errors import (
    InconsistentCheckpoint,
    MalformedRequest,
    OldSizeMismatch,
    UnknownLog,
    UntrustedCheckpoint,
)
from cityhub.trace.witness.request import parse_add_checkpoint
from cityhub.trace.witness.witness import Witness

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]

log = logging.getLogger(__name__)

# 63 proof lines and a checkpoint with a few dozen signatures fit many times over.
MAX_BODY_BYTES = 64 * 1024
TEXT = "text/plain; charset=utf-8"
SIZE_TYPE = "text/x.tlog.size"  # the 409 body's type, fixed by the spec
STATUS: dict[type[CityhubError], int] = {
    MalformedRequest: 400,
    UntrustedCheckpoint: 403,
    UnknownLog: 404,
    NotFound: 404,
    OldSizeMismatch: 409,
    InconsistentCheckpoint: 422,
}
_CHECKPOINT_PATH = re.compile(r"/([0-9a-f]{64})/checkpoint")


class _TooLarge(Exception):
    pass


def status_of(error: CityhubError) -> int:
    """The HTTP status of a witness error: its nearest class in ``STATUS``, else 400."""
    for cls in type(error).__mro__:
        if cls in STATUS:
            return STATUS[cls]
    return 400


def create_witness_app(witness: Witness) -> ASGIApp:
    """The ASGI app serving ``witness`` (run it with uvicorn, or call it from a test client)."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await _lifespan(receive, send)
            return
        if scope["type"] != "http":
            return
        method, path = scope["method"], scope["path"]
        if path == "/add-checkpoint":
            if method != "POST":
                await _respond(send, 405, TEXT, b"POST only\n", [(b"allow", b"POST")])
                return
            await _add_checkpoint(witness, receive, send)
            return
        if not _is_read_path(path):
            await _respond(send, 404, TEXT, b"not found\n")
        elif method != "GET":
            await _respond(send, 405, TEXT, b"GET only\n", [(b"allow", b"GET")])
        else:
            await _respond(send, *_read(witness, path))

    return app


async def _add_checkpoint(witness: Witness, receive: Receive, send: Send) -> None:
    try:
        body = await _body(receive)
    except _TooLarge:
        await _respond(send, 413, TEXT, b"request body too large\n")
        return
    try:
        request = parse_add_checkpoint(body)
        # Signing and the fsync'ed commit block: keep them off the event loop.
        lines = await asyncio.to_thread(
            witness.add_checkpoint, request.old_size, request.proof, request.checkpoint_note
        )
    except OldSizeMismatch as exc:
        await _respond(send, 409, SIZE_TYPE, f"{exc.size}\n".encode())
        return
    except CityhubError as exc:
        await _respond(send, status_of(exc), TEXT, f"{exc.message}\n".encode())
        return
    await _respond(send, 200, TEXT, lines.encode("utf-8"))


def _is_read_path(path: str) -> bool:
    return path in ("/vkey", "/evidence") or _CHECKPOINT_PATH.fullmatch(path) is not None


def _read(witness: Witness, path: str) -> tuple[int, str, bytes]:
    if path == "/vkey":
        return 200, TEXT, f"{witness.vkey()}\n".encode()
    if path == "/evidence":
        entries = [
            {**alarm.evidence_payload(witness.name, e), "received_at": e.received_at}
            for e in witness.evidence()
        ]
        return 200, "application/json", json.dumps(entries, ensure_ascii=False).encode("utf-8")
    origin_hash = path.split("/")[1]
    try:
        return 200, TEXT, witness.checkpoint(origin_hash).encode("utf-8")
    except NotFound:
        return 404, TEXT, b"no checkpoint cosigned for this log\n"


async def _body(receive: Receive) -> bytes:
    chunks: list[bytes] = []
    size = 0
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            break
        chunk = message.get("body", b"")
        size += len(chunk)
        if size > MAX_BODY_BYTES:
            raise _TooLarge
        chunks.append(chunk)
        if not message.get("more_body", False):
            break
    return b"".join(chunks)


async def _respond(
    send: Send,
    status: int,
    content_type: str,
    body: bytes,
    extra: list[tuple[bytes, bytes]] | None = None,
) -> None:
    headers = [
        (b"content-type", content_type.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cache-control", b"no-store"),
        *(extra or []),
    ]
    await send({"type": "http.response.start", "status": status, "headers": headers})
    await send({"type": "http.response.body", "body": body})


async def _lifespan(receive: Receive, send: Send) -> None:
    while True:
        message = await receive()
        if message["type"] == "lifespan.startup":
            await send({"type": "lifespan.startup.complete"})
        elif message["type"] == "lifespan.shutdown":
            await send({"type": "lifespan.shutdown.complete"})
            return
