"""The service root document (usage 1): the entity sets and the conformance classes served."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from cityhub.sensing.sta.entities import ENTITY_TYPES
from cityhub.sensing.sta.serialise import Links

SPEC = "http://www.opengis.net/spec/iot_sensing/1.1/req/"

# Exactly what is implemented (OGC 18-088 §2 and Annex A). Not (yet): batch requests,
# MultiDatastreams; the MQTT classes are added by whoever serves MQTT (``extra`` below).
CONFORMANCE: tuple[str, ...] = (
    SPEC + "datamodel",
    SPEC + "resource-path/resource-path-to-entities",
    SPEC + "request-data",
    SPEC + "create-update-delete",
    SPEC + "data-array/data-array",
)


def root_document(
    links: Links, extra: Mapping[str, Mapping[str, Any]] | None = None
) -> dict[str, Any]:
    """The landing page: one ``{"name", "url"}`` per entity set and ``serverSettings``.

    ``extra`` maps further conformance class URIs to their settings (the MQTT classes with
    their ``endpoints``); they are listed in ``conformance`` too.
    """
    settings: dict[str, Any] = {"conformance": [*CONFORMANCE, *(extra or {})]}
    for uri, values in (extra or {}).items():
        settings[uri] = dict(values)
    return {
        "value": [
            {"name": set_name, "url": links.collection(set_name)} for set_name in ENTITY_TYPES
        ],
        "serverSettings": settings,
    }
