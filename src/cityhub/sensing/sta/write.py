"""The write side of the SensorThings API: what the HTTP routes call.

Each function is one transaction: all of it happens or none (deep inserts included). Access
follows ``cityhub.sensing.access``: a new Thing belongs to its creator's department; Datastreams,
Observations and HistoricalLocations need write access to their Thing's department; Sensors,
ObservedProperties, Locations and FeaturesOfInterest need ``sensing.write`` (and a Location
linked to Things, access to those Things). Every create, update and delete is audited in the
same transaction (``sta.create``, ``sta.update``, ``sta.delete``); refusals are audited too.
Observations stored here are handed to ``bus`` after the commit, when one is given.
"""

from __future__ import annotations

from typing import Any

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.sensing.bus import Bus
from cityhub.sensing.sta.create import create_in
from cityhub.sensing.sta.delete import delete_in
from cityhub.sensing.sta.entities import entity_set
from cityhub.sensing.sta.update import json_patch_in, update_in
from cityhub.sensing.sta.write_context import run
from cityhub.sensing.sta.write_dataarray import create_observations

__all__ = ["create", "create_observations", "delete", "json_patch", "update"]


def create(
    db: Database,
    actor: Actor,
    set_name: str,
    body: Any,
    *,
    parent: tuple[str, int, str] | None = None,
    bus: Bus | None = None,
) -> int:
    """POST ``body`` to the collection ``set_name``, or to a navigation collection of
    ``parent`` (``("Datastreams", 5, "Observations")``: the new entity is linked to it).
    Returns the new entity's id. Nested entities are created (deep insert) or linked by
    ``@iot.id``; InvalidInput (``details["path"]`` locating the value) for a bad body."""
    name = entity_set(set_name).name
    return run(db, actor, "sta.create", name, lambda c: create_in(c, set_name, body, parent), bus)


def update(
    db: Database,
    actor: Actor,
    set_name: str,
    entity_id: int,
    body: Any,
    *,
    replace: bool,
) -> None:
    """PATCH (merge the given properties and ``@iot.id`` bindings) or, with ``replace``, PUT
    (absent optional properties become null). NotFound for a missing entity."""
    name = entity_set(set_name).name
    run(
        db,
        actor,
        "sta.update",
        name,
        lambda c: update_in(c, set_name, entity_id, body, replace=replace),
    )


def json_patch(db: Database, actor: Actor, set_name: str, entity_id: int, operations: Any) -> None:
    """Apply an RFC 6902 JSON Patch to the entity's JSON; InvalidInput names the failing
    operation's index (a failed ``test`` included), and then nothing changes."""
    name = entity_set(set_name).name
    run(
        db,
        actor,
        "sta.update",
        name,
        lambda c: json_patch_in(c, set_name, entity_id, operations),
    )


def delete(db: Database, actor: Actor, set_name: str, entity_id: int) -> None:
    """DELETE the entity with the cascades of OGC 18-088 §10.4; NotFound if missing."""
    name = entity_set(set_name).name
    run(db, actor, "sta.delete", name, lambda c: delete_in(c, set_name, entity_id))
