"""Tokens of ``$filter`` and ``$orderby`` text.

Operators and keywords (``eq``, ``and``, ``true``) come out as identifiers; the parser decides
what they mean where they stand. A ``-`` written right before a digit is the sign of a number
(``-5``); elsewhere it is the negation operator. Dates and times are recognised before numbers
because they start with digits.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from enum import StrEnum

from cityhub.errors import InvalidInput


class Tok(StrEnum):
    """Kinds of token."""

    IDENT = "identifier"
    STRING = "string"
    NUMBER = "number"
    DATETIME = "date-time"
    DATE = "date"
    TIME = "time of day"
    TYPED = "typed literal"  # geography'…', geometry'…', duration'…'
    LPAREN = "'('"
    RPAREN = "')'"
    COMMA = "','"
    SLASH = "'/'"
    MINUS = "'-'"
    EOF = "the end"


@dataclass(frozen=True)
class Token:
    """One token: its kind, its text (for TYPED the quoted content), where it starts."""

    kind: Tok
    text: str
    pos: int
    prefix: str = ""  # TYPED only: geography, geometry or duration, lower case


_DATETIME = re.compile(
    r"\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?:Z|z|[+-]\d{2}:\d{2})?(?![\w.:])"
)
_DATE = re.compile(r"\d{4}-\d{2}-\d{2}(?![\w.:-])")
_TIME = re.compile(r"\d{2}:\d{2}(?::\d{2}(?:\.\d+)?)?(?![\w.:])")
_NUMBER = re.compile(r"-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?(?![\w.])")
_IDENT = re.compile(r"[A-Za-z_@$][A-Za-z0-9_@$.]*")
_TYPED_PREFIXES = ("geography", "geometry", "duration")
_SINGLE = {"(": Tok.LPAREN, ")": Tok.RPAREN, ",": Tok.COMMA, "/": Tok.SLASH}


def syntax_error(option: str, position: int, expected: str, found: str) -> InvalidInput:
    """The error of a malformed option, naming the position and what was expected there."""
    return InvalidInput(
        f"{option}: expected {expected} at position {position}, found {found}",
        details={"option": option, "position": position},
    )


def describe(text: str, at: int) -> str:
    """How to name what stands at ``at`` in an error message."""
    if at >= len(text):
        return "the end"
    return repr(text[at : at + 12])


def tokenize(text: str, *, option: str = "$filter", base: int = 0) -> list[Token]:
    """The tokens of ``text``, ending with EOF; positions are ``base`` + offset in ``text``."""
    tokens: list[Token] = []
    at = 0
    while True:
        while at < len(text) and text[at].isspace():
            at += 1
        if at >= len(text):
            tokens.append(Token(Tok.EOF, "", base + at))
            return tokens
        char = text[at]
        if char in _SINGLE:
            tokens.append(Token(_SINGLE[char], char, base + at))
            at += 1
        elif char == "'":
            value, at_end = _string(text, at, option, base)
            tokens.append(Token(Tok.STRING, value, base + at))
            at = at_end
        elif char.isdigit() or (char == "-" and text[at + 1 : at + 2].isdigit()):
            at = _numeric(text, at, tokens, option, base)
        elif char == "-":
            tokens.append(Token(Tok.MINUS, char, base + at))
            at += 1
        else:
            match = _IDENT.match(text, at)
            if match is None:
                raise syntax_error(option, base + at, "an expression", describe(text, at))
            word = match.group()
            if word.lower() in _TYPED_PREFIXES and text.startswith("'", match.end()):
                value, at_end = _string(text, match.end(), option, base)
                tokens.append(Token(Tok.TYPED, value, base + at, prefix=word.lower()))
                at = at_end
            else:
                tokens.append(Token(Tok.IDENT, word, base + at))
                at = match.end()


def _numeric(text: str, at: int, tokens: list[Token], option: str, base: int) -> int:
    if text[at] != "-":
        for pattern, kind in ((_DATETIME, Tok.DATETIME), (_DATE, Tok.DATE), (_TIME, Tok.TIME)):
            match = pattern.match(text, at)
            if match:
                tokens.append(Token(kind, match.group(), base + at))
                return match.end()
    match = _NUMBER.match(text, at)
    if match is None:
        raise syntax_error(option, base + at, "a number, date or time", describe(text, at))
    tokens.append(Token(Tok.NUMBER, match.group(), base + at))
    return match.end()


def _string(text: str, at: int, option: str, base: int) -> tuple[str, int]:
    """The content of the quoted string starting at ``at`` and the offset after it."""
    parts: list[str] = []
    index = at + 1
    while True:
        end = text.find("'", index)
        if end < 0:
            raise syntax_error(option, base + at, "a closing quote for the string", "none")
        parts.append(text[index:end])
        if text.startswith("''", end):
            parts.append("'")
            index = end + 2
        else:
            return "".join(parts), end + 1
