"""A C2SP tlog-witness: cosigns a log's checkpoints once they extend what it saw before.

``Witness`` holds the logic and its SQLite state; ``create_witness_app`` serves it over HTTP
(a bare ASGI app); ``client.request_cosignature`` is what the log calls.
"""

from cityhub.trace.witness.asgi import create_witness_app
from cityhub.trace.witness.client import WitnessReply, request_cosignature
from cityhub.trace.witness.errors import (
    Equivocation,
    InconsistentCheckpoint,
    MalformedRequest,
    OldSizeMismatch,
    UnknownLog,
    UntrustedCheckpoint,
    WitnessUnreachable,
)
from cityhub.trace.witness.request import AddCheckpointRequest, parse_add_checkpoint
from cityhub.trace.witness.store import Evidence, Latest
from cityhub.trace.witness.witness import Witness

__all__ = [
    "AddCheckpointRequest",
    "Equivocation",
    "Evidence",
    "InconsistentCheckpoint",
    "Latest",
    "MalformedRequest",
    "OldSizeMismatch",
    "UnknownLog",
    "UntrustedCheckpoint",
    "Witness",
    "WitnessReply",
    "WitnessUnreachable",
    "create_witness_app",
    "parse_add_checkpoint",
    "request_cosignature",
]
