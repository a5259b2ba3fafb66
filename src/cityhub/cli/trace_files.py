"""Local files of the trace client: private keys, JSON inputs, signed outputs.

Nothing here touches the database or the network: these are the pieces ``cityhub trace keygen``,
``rotate``, ``sign`` and ``verify`` run on a recorder's own machine.
"""

from __future__ import annotations

import copy
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from cityhub.errors import Conflict, InvalidInput, NotFound
from cityhub.registry.credit_code import validate_credit_code
from cityhub.trace.actors import SUBJECT_CODE, public_ref
from cityhub.trace.epcis import EpcisError, validate_document, validate_event
from cityhub.trace.leaves import HASHED_REF
from cityhub.trace.note import ED25519, NoteError, NoteSigner, signer_from_skey


def read_text(path: Path, what: str) -> str:
    """The UTF-8 text of ``path``; NotFound names the file when it cannot be read."""
    try:
        return path.read_text(encoding="utf-8")
    except FileNotFoundError as exc:
        raise NotFound(f"no {what} {path}", details={"file": str(path)}) from exc
    except (OSError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            f"cannot read the {what} {path}: {exc}", details={"file": str(path)}
        ) from exc


def read_json(path: Path, what: str) -> Any:
    """The JSON value in ``path``; a syntax error names the line and column."""
    text = read_text(path, what)
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        raise InvalidInput(
            f"{path.name} is not valid JSON: {exc.msg}",
            details={"file": str(path), "line": exc.lineno, "column": exc.colno},
        ) from None


def refuse_existing(*paths: Path) -> None:
    """Conflict if any of ``paths`` exists: checked before anything is written, so a refused
    command leaves no half of its output behind."""
    for path in paths:
        if path.exists():
            raise Conflict(
                f"{path} exists already; refusing to overwrite it", details={"file": str(path)}
            )


def write_new(path: Path, text: str, mode: int = 0o644) -> None:
    """Create ``path`` with ``text``; never overwrites (O_EXCL), so a key is never lost."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, mode)
    except FileExistsError as exc:
        raise Conflict(
            f"{path} exists already; refusing to overwrite it", details={"file": str(path)}
        ) from exc
    except OSError as exc:
        raise InvalidInput(f"cannot create {path}: {exc}", details={"file": str(path)}) from exc
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        handle.write(text)


def write_json(path: Path, value: Any) -> None:
    """Write ``value`` as indented UTF-8 JSON (replacing an older output file)."""
    try:
        path.write_text(json.dumps(value, ensure_ascii=False, indent=2) + "\n", encoding="utf-8")
    except OSError as exc:
        raise InvalidInput(f"cannot write {path}: {exc}", details={"file": str(path)}) from exc


def load_signer(path: Path) -> NoteSigner:
    """An actor's private key from its file (C2SP ``PRIVATE+KEY+…``); an Ed25519 (0x01) key."""
    text = read_text(path, "key file").strip()
    try:
        signer = signer_from_skey(text)
    except NoteError as exc:
        raise InvalidInput(
            f"{path} is not a signing key file: {exc.message}", details={"file": str(path)}
        ) from exc
    if signer.kind != ED25519:
        raise InvalidInput(
            f"{path} holds a cosignature key, not an actor's Ed25519 key",
            details={"file": str(path)},
        )
    return signer


def actor_ref(value: str) -> str:
    """The public ref a key statement names: a 统一社会信用代码 as is (checked), ``sha256:<hex>``
    as is, and a 主体码 hashed here on the client, so that it never leaves the machine."""
    text = value.strip()
    if HASHED_REF.fullmatch(text):
        return text
    verdict = validate_credit_code(text)
    if verdict.valid and verdict.normalised is not None:
        return verdict.normalised
    if SUBJECT_CODE.fullmatch(text) and len(text) != 18:
        return public_ref("subject_code", text)
    raise InvalidInput(
        f"--actor must be a 统一社会信用代码, a 主体码 or sha256:<hex>: {verdict.reason_en}",
        details={"field": "actor", "value": text},
    )


def events_of(data: Any) -> list[tuple[str, dict[str, Any]]]:
    """(JSON path, validated copy) of each event in an input: one event, a list of events, or an
    EPCISDocument. An invalid event raises EpcisError naming its position and JSON path."""
    if isinstance(data, Mapping) and data.get("type") == "EPCISDocument":
        try:
            events = validate_document(data)
        except EpcisError as exc:
            raise _positioned(exc, _position_in(str(exc.details.get("path", "$")))) from None
        return [(f"$.epcisBody.eventList[{i}]", event) for i, event in enumerate(events)]
    if isinstance(data, list):
        items = [(f"$[{i}]", event) for i, event in enumerate(data)]
    elif isinstance(data, Mapping):
        items = [("$", data)]
    else:
        raise InvalidInput(
            "expected an EPCIS event, a list of events or an EPCISDocument", details={"path": "$"}
        )
    if not items:
        raise InvalidInput("no events to sign", details={"path": "$"})
    out = []
    for position, (path, event) in enumerate(items):
        try:
            validate_event(event, path=path)
        except EpcisError as exc:
            raise _positioned(exc, position) from None
        out.append((path, copy.deepcopy(dict(event))))
    return out


def _position_in(path: str) -> int | None:
    marker = "eventList["
    if marker not in path:
        return None
    return int(path.split(marker, 1)[1].split("]", 1)[0])


def _positioned(error: EpcisError, position: int | None) -> EpcisError:
    path = str(error.details.get("path", "$"))
    where = f"event {position} at {path}" if position is not None else f"at {path}"
    reason = str(error.details.get("reason_en") or error.message)
    if reason.startswith(path + " "):  # schema reasons repeat the path; say it once
        reason = reason[len(path) + 1 :]
    return EpcisError(
        f"{where}: {reason}",
        rule=str(error.details.get("rule")),
        path=path,
        reason_zh=str(error.details.get("reason_zh")),
        reason_en=reason,
        details={"event": position} if position is not None else None,
    )
