"""The GS1 reference event hash (epcis-event-hash-generator 1.9.3) as a test oracle, offline.

The library loads the EPCIS JSON-LD context from files it bundles (its package import sets
PyLD's document loader, as its command line does); any other context URL would need the
network, so documents built here only use the standard context plus inline prefixes.
"""

from __future__ import annotations

import ast
import copy
import inspect
import logging
import warnings
from collections.abc import Mapping
from typing import Any

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from epcis_event_hash_generator import (  # type: ignore[import-untyped]
        dl_normaliser,
        hash_generator,
        json_to_py,
    )

from cityhub.trace.epcis.vocab import CITY_NS, EPCIS_CONTEXT_URL

EXAMPLE_NS = "https://ns.example.com/epcis/"
# Prefixes the test documents declare; our prehash gets the same ones.
PREFIXES = {"cityhub": CITY_NS, "example": EXAMPLE_NS, "cbvmda": "urn:epcglobal:cbv:mda:"}


def document(*events: Mapping[str, Any], prefixes: Mapping[str, str] = PREFIXES) -> dict[str, Any]:
    """An EPCISDocument around the events, declaring ``prefixes`` inline."""
    return {
        "@context": [EPCIS_CONTEXT_URL, *({k: v} for k, v in prefixes.items())],
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2025-06-01T08:00:00+08:00",
        "epcisBody": {"eventList": [copy.deepcopy(dict(e)) for e in events]},
    }


def reference_prehashes(doc: Mapping[str, Any]) -> list[str]:
    """Pre-hash strings of a document's events by the reference (events it fails on are absent)."""
    logging.disable(logging.CRITICAL)  # it logs (and skips) events it cannot parse
    json_to_py._namespaces.clear()  # module-global prefixes would leak between documents
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # importlib.resources.open_text is deprecated
            events = json_to_py.event_list_from_epcis_document_json(copy.deepcopy(dict(doc)))
            prehashes: list[str] = hash_generator.derive_prehashes_from_events(events)
    finally:
        logging.disable(logging.NOTSET)
    return prehashes


def reference_hashes(doc: Mapping[str, Any]) -> list[str]:
    """Event hash IDs of a document's events by the reference."""
    hashes: list[str] = hash_generator.calculate_hashes_from_pre_hashes(reference_prehashes(doc))
    return hashes


def reference_normaliser(value: str) -> str | None:
    """The reference's GS1 identifier normaliser (URN or Digital Link → canonical DL)."""
    logging.disable(logging.CRITICAL)
    try:
        result: str | None = dl_normaliser.normaliser(value)
    finally:
        logging.disable(logging.NOTSET)
    return result


def reference_patterns(prefix: str) -> list[str]:
    """The regular expressions the reference normaliser matches with, in source order."""
    tree = ast.parse(inspect.getsource(dl_normaliser))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "match":
            pattern = node.args[0]
            if isinstance(pattern, ast.Constant) and isinstance(pattern.value, str):
                found.append((node.lineno, pattern.value))
    return [pattern for _, pattern in sorted(found) if pattern.startswith(prefix)]
