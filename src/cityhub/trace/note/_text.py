"""Strict text helpers shared by the note formats.

Every format here is signed or hashed as text, so each value must have exactly one
spelling: canonical base64, decimal without leading zeros, no stray control characters.
"""

from __future__ import annotations

import base64
import binascii
import re

from cityhub.trace.note.errors import NoteError

# The Unicode White_Space property, which Go's unicode.IsSpace (and so the reference
# signed-note implementation) uses. Spelled out rather than taken from unicodedata so
# that the accepted names do not drift with the Python version's Unicode tables.
_WHITE_SPACE = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006"
    "\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000"
)
_BASE64 = re.compile(r"[A-Za-z0-9+/]*={0,2}")
_DECIMAL = re.compile(r"0|[1-9][0-9]*")
U64_MAX = 2**64 - 1


def b64encode(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def b64decode(text: str) -> bytes | None:
    """Standard base64 with padding, or None. Non-canonical spellings (stray bits in the
    last character) are refused, so a signature line has one form and dedupes by text."""
    if not _BASE64.fullmatch(text) or len(text) % 4:
        return None
    try:
        data = base64.b64decode(text, validate=True)
    except binascii.Error:
        return None
    return data if b64encode(data) == text else None


def parse_decimal(text: str, *, maximum: int = U64_MAX) -> int | None:
    """ASCII decimal without leading zeros (``0`` itself allowed), at most ``maximum``."""
    if len(text) > 20 or not _DECIMAL.fullmatch(text):
        return None
    value = int(text)
    return value if value <= maximum else None


def is_valid_key_name(name: str) -> bool:
    """C2SP signed-note: non-empty, no Unicode spaces, no ``+``; and, since names sit
    inside notes, valid UTF-8 without control characters."""
    if not name or "+" in name or not is_note_text(name):
        return False
    return not any(char in _WHITE_SPACE for char in name)


def is_note_text(text: str) -> bool:
    """Encodable as UTF-8 (no lone surrogates) and no control characters but newline."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return not any(char < " " and char != "\n" for char in text)


def first_bad_line(text: str) -> int:
    """1-based number of the first line that is not valid note text (for error details)."""
    for number, line in enumerate(text.split("\n"), start=1):
        if not is_note_text(line):
            return number
    return 0


def require(condition: bool, message: str, **details: object) -> None:
    if not condition:
        raise NoteError(message, details=dict(details))
