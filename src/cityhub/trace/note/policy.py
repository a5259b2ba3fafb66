"""C2SP tlog-policy: which log key and which witness quorum a verifier trusts.

::

    log <vkey> [<url>]
    witness <name> <vkey> [<url>]
    group <name> <k|all|any> <member>...
    quorum <name|none>

Items are separated by spaces and tabs; blank and ``#`` comment lines are ignored.
Names share one namespace and must be defined before use, so groups cannot cycle.
This implementation takes exactly one log (the platform's own): a policy naming several
logs or none is refused rather than half understood.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass

from cityhub.trace.note._text import parse_decimal, require
from cityhub.trace.note.errors import NoteError
from cityhub.trace.note.keys import COSIGNATURE_V1, ED25519, NoteVerifier, verifier_from_vkey

NONE = "none"
_SEPARATOR = re.compile(r"[ \t]+")


@dataclass(frozen=True)
class Policy:
    """A parsed policy; ``quorum`` None means ``quorum none`` (no cosignatures needed)."""

    log: NoteVerifier
    log_url: str | None
    witnesses: dict[str, tuple[NoteVerifier, str | None]]
    groups: dict[str, tuple[int, tuple[str, ...]]]
    quorum: str | None

    def __post_init__(self) -> None:
        require(self.log.kind == ED25519, "the log key must be an Ed25519 note key (type 0x01)")
        for name, (witness, _url) in self.witnesses.items():
            require(witness.kind == COSIGNATURE_V1, f"witness {name} needs a 0x04 key", name=name)
        defined = set(self.witnesses)
        require(NONE not in defined, "the name 'none' is reserved")
        for name, (k, members) in self.groups.items():
            require(name not in defined and name != NONE, f"name {name} defined twice", name=name)
            require(1 <= k <= len(members), f"group {name} needs 1 <= k <= n", name=name)
            require(len(set(members)) == len(members), f"group {name} repeats a member", name=name)
            for member in members:
                require(member in defined, f"group {name}: unknown name {member}", name=member)
            defined.add(name)
        require(self.quorum is None or self.quorum in defined, "quorum names an unknown name")

    def satisfied(self, witness_names: Collection[str]) -> bool:
        """Whether cosignatures from ``witness_names`` meet the quorum."""
        if self.quorum is None:
            return True
        return self._witnessed(self.quorum, frozenset(witness_names))

    def _witnessed(self, name: str, cosigned: frozenset[str]) -> bool:
        if name in self.witnesses:
            return name in cosigned
        k, members = self.groups[name]
        return sum(self._witnessed(member, cosigned) for member in members) >= k

    def count(self, name: str, witness_names: Collection[str]) -> tuple[int, int]:
        """(members witnessed, members needed) for the witness or group ``name``."""
        cosigned = frozenset(witness_names)
        if name in self.witnesses:
            return int(name in cosigned), 1
        k, members = self.groups[name]
        return sum(self._witnessed(member, cosigned) for member in members), k

    def text(self) -> str:
        """The policy in tlog-policy syntax; ``parse_policy(p.text()) == p``."""
        lines = [" ".join(filter(None, ["log", self.log.vkey(), self.log_url]))]
        for name, (witness, url) in self.witnesses.items():
            lines.append(" ".join(filter(None, ["witness", name, witness.vkey(), url])))
        for name, (k, members) in self.groups.items():
            threshold = "all" if k == len(members) else "any" if k == 1 else str(k)
            lines.append(" ".join(["group", name, threshold, *members]))
        lines.append(f"quorum {self.quorum or NONE}")
        return "\n".join(lines) + "\n"


def _check_characters(text: str) -> None:
    # tlog-policy allows tab, newline, printable ASCII and any non-ASCII octet.
    for number, line in enumerate(text.split("\n"), start=1):
        for char in line:
            if (char < " " and char != "\t") or char == "\x7f":
                raise NoteError("policy has a control character", details={"line": number})


def _vkey(text: str, kind: int, what: str, number: int) -> NoteVerifier:
    try:
        verifier = verifier_from_vkey(text)
    except NoteError as error:
        raise NoteError(f"{what}: {error.message}", details={"line": number}) from None
    want = "Ed25519 note key (0x01)" if kind == ED25519 else "Ed25519 cosignature key (0x04)"
    require(verifier.kind == kind, f"{what} must be an {want}", line=number)
    return verifier


class _Parser:
    def __init__(self) -> None:
        self.logs: list[tuple[NoteVerifier, str | None]] = []
        self.witnesses: dict[str, tuple[NoteVerifier, str | None]] = {}
        self.groups: dict[str, tuple[int, tuple[str, ...]]] = {}
        self.quorum: list[str] = []
        self.keys: set[bytes] = set()
        self.idents: set[tuple[str, bytes]] = set()

    def line(self, items: list[str], number: int) -> None:
        keyword, args = items[0], items[1:]
        if keyword == "log":
            require(len(args) in (1, 2), "expected 'log <vkey> [<url>]'", line=number)
            log = _vkey(args[0], ED25519, "log key", number)
            require(not self.logs, "only one log line is supported", line=number)
            self.logs.append((log, args[1] if len(args) == 2 else None))
        elif keyword == "witness":
            require(len(args) in (2, 3), "expected 'witness <name> <vkey> [<url>]'", line=number)
            self.new_name(args[0], number)
            witness = _vkey(args[1], COSIGNATURE_V1, f"witness {args[0]}", number)
            # Two witness lines for one key would let a single witness count twice.
            require(witness.public_key not in self.keys, "duplicate witness key", line=number)
            # Signature lines find their key by (name, key id), so that pair must be unique.
            ident = (witness.name, witness.key_id)
            require(ident not in self.idents, "two witnesses with one key name and id", line=number)
            self.keys.add(witness.public_key)
            self.idents.add(ident)
            self.witnesses[args[0]] = (witness, args[2] if len(args) == 3 else None)
        elif keyword == "group":
            require(len(args) >= 3, "expected 'group <name> <k|all|any> <member>...'", line=number)
            self.group(args[0], args[1], args[2:], number)
        elif keyword == "quorum":
            require(len(args) == 1, "expected 'quorum <name|none>'", line=number)
            require(not self.quorum, "more than one quorum line", line=number)
            name = args[0]
            require(name == NONE or self.defined(name), f"quorum: unknown name {name}", line=number)
            self.quorum.append(name)
        else:
            raise NoteError(f"unknown policy keyword {keyword!r}", details={"line": number})

    def defined(self, name: str) -> bool:
        return name in self.witnesses or name in self.groups

    def new_name(self, name: str, number: int) -> None:
        require(name != NONE, "the name 'none' is reserved", line=number)
        require(not self.defined(name), f"name {name} defined twice", line=number)

    def group(self, name: str, threshold: str, members: list[str], number: int) -> None:
        self.new_name(name, number)
        for member in members:
            require(self.defined(member), f"group {name}: unknown name {member}", line=number)
        require(len(set(members)) == len(members), f"group {name} repeats a member", line=number)
        if threshold == "all":
            k: int | None = len(members)
        elif threshold == "any":
            k = 1
        else:
            k = parse_decimal(threshold, maximum=len(members))
        if k is None or k < 1:
            raise NoteError(f"group {name}: k must be 1..{len(members)}", details={"line": number})
        self.groups[name] = (k, tuple(members))


def parse_policy(text: str) -> Policy:
    """Parse a tlog-policy text with exactly one log and one quorum line."""
    _check_characters(text)
    parser = _Parser()
    for number, raw in enumerate(text.split("\n"), start=1):
        stripped = raw.strip(" \t")
        if stripped and not stripped.startswith("#"):
            parser.line(_SEPARATOR.split(stripped), number)
    require(len(parser.logs) == 1, "policy must name the log")
    require(len(parser.quorum) == 1, "policy must have a quorum line")
    log, url = parser.logs[0]
    # Witness keys must also differ from the log key, or the log could cosign itself.
    require(log.public_key not in parser.keys, "a witness uses the log's key")
    quorum = None if parser.quorum[0] == NONE else parser.quorum[0]
    return Policy(log, url, parser.witnesses, parser.groups, quorum)
