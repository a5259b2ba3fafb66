"""The one error class of the SL 651 codec.

Every malformed input — bad CRC, wrong length, invalid BCD digit, truncated element — raises
``FrameError`` (an ``InvalidInput``, so a caller that maps cityhub errors needs no special
case). ``details`` names where: the byte ``position`` in the frame or body, and the ``field``.
"""

from __future__ import annotations

from cityhub.errors import InvalidInput


class FrameError(InvalidInput):
    """An SL 651 frame or body that cannot be accepted."""

    code = "sl651_frame"


class UnsupportedFunction(FrameError):
    """A well-formed frame whose function code this codec does not decode (e.g. 36H pictures)."""

    code = "sl651_unsupported_function"
