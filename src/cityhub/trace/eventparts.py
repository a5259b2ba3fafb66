"""Small pure helpers of event checking: error placement, lot roles, payload and field access.

Pure functions over one event or envelope; no database.
"""

from __future__ import annotations

import base64
import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from cityhub.errors import CityhubError, InvalidInput
from cityhub.trace.epcis import EventLots, biz_step_uri, canonical_json, normalise_id
from cityhub.trace.epcis.hash_values import parse_timestamp

AGRI_INPUT = "cityhub:agriInput"


def fail(error: CityhubError, position: int, part: str) -> CityhubError:
    """``error`` with the envelope's position and part added to its details."""
    error.details = {"event": position, "part": part, "path": "$", **error.details}
    error.message = f"event {position}: {error.message}"
    error.args = (error.message,)
    return error


def lot_roles(event: Mapping[str, Any], lots: EventLots) -> dict[str, set[str]]:
    """lot → roles (created, used, input, output, parent, child) in the event.

    The ``cityhub:agriInput`` lot is an ``input``: it goes into the crop or herd, which is what
    recall follows.
    """
    roles: dict[str, set[str]] = {}

    def add(lot: str, role: str) -> None:
        roles.setdefault(lot, set()).add(role)

    for name, members in (
        ("created", lots.created),
        ("input", lots.inputs),
        ("output", lots.outputs),
        ("parent", lots.parents),
        ("child", lots.children),
    ):
        for lot in members:
            add(lot, name)
    agri = event.get(AGRI_INPUT)
    agri_lot = normalise_id(agri["lot"]) if isinstance(agri, Mapping) and "lot" in agri else None
    for lot in lots.used:
        if lot == agri_lot:
            add(lot, "input")
        elif lot not in roles:
            add(lot, "used")
    return roles


def event_of(payload: bytes) -> dict[str, Any]:
    """The event a payload holds: a JSON object in RFC 8785 canonical form."""
    try:
        event = json.loads(payload)
    except ValueError as exc:
        raise InvalidInput("payload is not JSON") from exc
    if not isinstance(event, dict):
        raise InvalidInput("payload must be a JSON object")
    if canonical_json(event) != payload:
        raise InvalidInput("payload must be the RFC 8785 canonical JSON of the event")
    return event


def chunks(values: set[str], size: int = 500) -> list[list[str]]:
    """``values`` sorted, in lists of at most ``size`` (for IN clauses)."""
    ordered = sorted(values)
    return [ordered[i : i + size] for i in range(0, len(ordered), size)]


def event_time_of(event: Mapping[str, Any]) -> datetime:
    """The eventTime of a validated event."""
    moment = parse_timestamp(str(event.get("eventTime")))
    assert moment is not None  # validate_event checked the schema
    return moment


def payload_of(envelope: Mapping[str, Any]) -> dict[str, Any]:
    """The decoded payload of a stored (checked) envelope."""
    decoded: dict[str, Any] = json.loads(base64.b64decode(envelope["payload"]))
    return decoded


def step_of(event: Mapping[str, Any]) -> str | None:
    """The canonical URI of the event's bizStep, if any."""
    step = event.get("bizStep")
    return biz_step_uri(step) if isinstance(step, str) else None


def location_of(event: Mapping[str, Any]) -> str | None:
    """The bizLocation id, canonical where it is a GS1 identifier."""
    place = event.get("bizLocation")
    value = place.get("id") if isinstance(place, Mapping) else None
    if not isinstance(value, str):
        return None
    try:
        return normalise_id(value)
    except InvalidInput:
        return value[:200]


def path_of(event: Any, lot: str, path: str = "$") -> str:
    """The JSON path of the first value in ``event`` naming ``lot`` (any accepted spelling)."""
    if isinstance(event, Mapping):
        items: list[tuple[str, Any]] = [
            (f"{path}.{k}" if k.isidentifier() else f"{path}['{k}']", v) for k, v in event.items()
        ]
    elif isinstance(event, list):
        items = [(f"{path}[{i}]", v) for i, v in enumerate(event)]
    else:
        try:
            return path if isinstance(event, str) and normalise_id(event) == lot else ""
        except InvalidInput:
            return ""
    for child_path, value in items:
        found = path_of(value, lot, child_path)
        if found:
            return found
    return ""
