"""Why a witness refuses a checkpoint, one class per status code of C2SP tlog-witness.

The classes sit in the ``cityhub.errors`` hierarchy; the witness's HTTP front maps them to the
status codes the spec prescribes (``cityhub.trace.witness.asgi.STATUS``)::

    CityhubError
    ├── InvalidInput
    │   ├── MalformedRequest        400  body not as the spec says, or old size > checkpoint size
    │   └── InconsistentCheckpoint  422  bad size-0 root, proof where none belongs, proof fails
    │       └── Equivocation        422  same size as the stored checkpoint, other root (evidence)
    ├── PermissionDenied
    │   └── UntrustedCheckpoint     403  no valid signature by a trusted log key, or a bad one
    ├── NotFound
    │   └── UnknownLog              404  no trusted key for the checkpoint's origin
    ├── Conflict
    │   └── OldSizeMismatch         409  old size is not the latest cosigned size (``size``)
    └── WitnessUnreachable               (client side) no HTTP answer from the witness
"""

from __future__ import annotations

from typing import Any

from cityhub.errors import CityhubError, Conflict, InvalidInput, NotFound, PermissionDenied


class MalformedRequest(InvalidInput):
    """The add-checkpoint body does not follow the spec (400)."""

    code = "witness_malformed_request"


class InconsistentCheckpoint(InvalidInput):
    """The checkpoint is validly signed but cannot be cosigned (422)."""

    code = "witness_inconsistent_checkpoint"


class Equivocation(InconsistentCheckpoint):
    """The log signed two different trees of the same size; both notes are kept as evidence."""

    code = "witness_equivocation"


class UntrustedCheckpoint(PermissionDenied):
    """No trusted log key signed the checkpoint, or a trusted key's signature fails (403)."""

    code = "witness_untrusted_checkpoint"


class UnknownLog(NotFound):
    """The witness trusts no key for this origin (404)."""

    code = "witness_unknown_log"


class OldSizeMismatch(Conflict):
    """The request's old size is not the size the witness last cosigned (409)."""

    code = "witness_old_size_mismatch"

    def __init__(self, message: str, *, size: int, details: dict[str, Any] | None = None) -> None:
        super().__init__(message, details={"size": size, **(details or {})})
        self.size = size


class WitnessUnreachable(CityhubError):
    """The client got no HTTP answer: connection refused or reset, timeout, garbled reply."""

    code = "witness_unreachable"
