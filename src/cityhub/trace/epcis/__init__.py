"""GS1 EPCIS 2.0 events for the trace ledger: identifiers, validation, event hash, signing.

Pure functions, no database and no web code:

* identifiers — GTIN check digits, LGTIN/SSCC Digital Link URIs, EPC URN conversion;
* vocabulary — CBV 2.0 business steps plus the city's farming steps (``Step``);
* validation — the vendored GS1 EPCIS 2.0 JSON Schema and our structural rules;
* the CBV 2.0 Event Hash ID, RFC 8785 canonical JSON and DSSE v1 envelopes;
* which lots an event refers to, and our rules (pesticide safety interval, event time).
"""

from cityhub.trace.epcis.canonical import canonical_json
from cityhub.trace.epcis.envelope import (
    EVENT_PAYLOAD_TYPE,
    KEY_PAYLOAD_TYPE,
    envelope_hash,
    open_envelope,
    pae,
    seal,
    sign_event,
    verify_envelope,
)
from cityhub.trace.epcis.errors import EpcisError
from cityhub.trace.epcis.event_hash import event_hash_id, prehash
from cityhub.trace.epcis.gs1 import gtin_valid, lgtin_uri, normalise_id, parse_lgtin, sscc_uri
from cityhub.trace.epcis.lots import EventLots, event_lots
from cityhub.trace.epcis.rules import Finding, check_event_time, check_safety_interval
from cityhub.trace.epcis.validate import validate_document, validate_event
from cityhub.trace.epcis.vocab import CITY_NS, CITY_VOCAB, Step, biz_step_uri

__all__ = [
    "CITY_NS",
    "CITY_VOCAB",
    "EVENT_PAYLOAD_TYPE",
    "KEY_PAYLOAD_TYPE",
    "EpcisError",
    "EventLots",
    "Finding",
    "Step",
    "biz_step_uri",
    "canonical_json",
    "check_event_time",
    "check_safety_interval",
    "envelope_hash",
    "event_hash_id",
    "event_lots",
    "gtin_valid",
    "lgtin_uri",
    "normalise_id",
    "open_envelope",
    "pae",
    "parse_lgtin",
    "prehash",
    "seal",
    "sign_event",
    "sscc_uri",
    "validate_document",
    "validate_event",
    "verify_envelope",
]
