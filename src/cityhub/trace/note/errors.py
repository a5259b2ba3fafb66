"""The one error class of the note package."""

from __future__ import annotations

from cityhub.errors import InvalidInput


class NoteError(InvalidInput):
    """A key, signed note, checkpoint, proof bundle or policy is malformed or does not verify.

    ``details`` says where: the ``line`` (1-based) of the offending text, the ``key``
    (``name+hex8``) whose signature failed, or the ``name`` in a policy.
    """

    code = "note_invalid"
