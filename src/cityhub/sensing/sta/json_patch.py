"""JSON Patch (RFC 6902) over plain JSON values, with JSON Pointer (RFC 6901) paths.

Six operations: add, remove, replace, move, copy, test. The document given is not changed; a
patched copy is returned. Every error is InvalidInput naming the operation's index
(``details["operation"]``) — the whole patch is then refused, as RFC 6902 §5 asks.
"""

from __future__ import annotations

import copy
from typing import Any

from cityhub.errors import InvalidInput

_OPERATIONS = frozenset({"add", "remove", "replace", "move", "copy", "test"})


class _Failed(Exception):
    """An operation that cannot apply; turned into InvalidInput with its index."""


def parse_pointer(pointer: Any) -> list[str]:
    """The reference tokens of a JSON Pointer (``""`` is the whole document)."""
    if not isinstance(pointer, str):
        raise _Failed("a path must be a string (a JSON Pointer)")
    if pointer == "":
        return []
    if not pointer.startswith("/"):
        raise _Failed(f"{pointer!r} is not a JSON Pointer: it must start with '/'")
    tokens = []
    for raw in pointer[1:].split("/"):
        if "~" in raw.replace("~0", "").replace("~1", ""):
            raise _Failed(f"{pointer!r}: '~' must be followed by 0 or 1")
        tokens.append(raw.replace("~1", "/").replace("~0", "~"))
    return tokens


def escape(token: str) -> str:
    """A reference token written into a JSON Pointer."""
    return token.replace("~", "~0").replace("/", "~1")


def _index(container: list[Any], token: str, *, for_add: bool) -> int:
    if for_add and token == "-":
        return len(container)
    if not token.isdigit() or (len(token) > 1 and token.startswith("0")) or not token.isascii():
        raise _Failed(f"{token!r} is not an array index")
    index = int(token)
    if index > len(container) or (index == len(container) and not for_add):
        raise _Failed(f"array index {index} is out of range")
    return index


def _get(document: Any, tokens: list[str]) -> Any:
    current = document
    for token in tokens:
        if isinstance(current, dict):
            if token not in current:
                raise _Failed(f"no member {token!r}")
            current = current[token]
        elif isinstance(current, list):
            current = current[_index(current, token, for_add=False)]
        else:
            raise _Failed(f"cannot look up {token!r} in a {type(current).__name__}")
    return current


def _add(document: Any, tokens: list[str], value: Any) -> Any:
    if not tokens:
        return value
    parent = _get(document, tokens[:-1])
    last = tokens[-1]
    if isinstance(parent, dict):
        parent[last] = value
    elif isinstance(parent, list):
        parent.insert(_index(parent, last, for_add=True), value)
    else:
        raise _Failed(f"cannot add {last!r} to a {type(parent).__name__}")
    return document


def _remove(document: Any, tokens: list[str]) -> Any:
    if not tokens:
        raise _Failed("cannot remove the whole document")
    parent = _get(document, tokens[:-1])
    last = tokens[-1]
    if isinstance(parent, dict):
        if last not in parent:
            raise _Failed(f"no member {last!r}")
        del parent[last]
    elif isinstance(parent, list):
        del parent[_index(parent, last, for_add=False)]
    else:
        raise _Failed(f"cannot remove {last!r} from a {type(parent).__name__}")
    return document


def json_equal(left: Any, right: Any) -> bool:
    """Equality of JSON values (RFC 6902 §4.6): numbers by value, but true is not 1."""
    if isinstance(left, bool) or isinstance(right, bool):
        return isinstance(left, bool) and isinstance(right, bool) and left == right
    if isinstance(left, int | float) and isinstance(right, int | float):
        return left == right
    if isinstance(left, dict) and isinstance(right, dict):
        return left.keys() == right.keys() and all(json_equal(left[k], right[k]) for k in left)
    if isinstance(left, list) and isinstance(right, list):
        return len(left) == len(right) and all(
            json_equal(a, b) for a, b in zip(left, right, strict=True)
        )
    return type(left) is type(right) and left == right


def _apply_one(document: Any, operation: Any) -> Any:
    if not isinstance(operation, dict):
        raise _Failed("an operation must be a JSON object")
    op = operation.get("op")
    if op not in _OPERATIONS:
        raise _Failed(f"unknown op {op!r}; use one of {sorted(_OPERATIONS)}")
    tokens = parse_pointer(operation.get("path"))
    if op in ("add", "replace", "test") and "value" not in operation:
        raise _Failed(f"{op} needs a value")
    if op == "add":
        return _add(document, tokens, copy.deepcopy(operation["value"]))
    if op == "remove":
        return _remove(document, tokens)
    if op == "replace":
        _get(document, tokens)  # must exist
        if not tokens:
            return copy.deepcopy(operation["value"])
        return _add(_remove(document, tokens), tokens, copy.deepcopy(operation["value"]))
    if op == "test":
        if not json_equal(_get(document, tokens), operation["value"]):
            raise _Failed(f"test failed: {operation.get('path')!r} differs")
        return document
    source = parse_pointer(operation.get("from"))
    value = copy.deepcopy(_get(document, source))
    if op == "move":
        if tokens[: len(source)] == source and len(tokens) > len(source):
            raise _Failed("cannot move a value into one of its own children")
        if tokens == source:
            return document
        document = _remove(document, source)
    return _add(document, tokens, value)


def apply_patch(document: Any, operations: Any) -> Any:
    """``document`` patched by ``operations`` (a copy); InvalidInput if any operation fails."""
    if not isinstance(operations, list):
        raise InvalidInput(
            "a JSON Patch is a JSON array of operations", details={"path": "", "operation": None}
        )
    patched = copy.deepcopy(document)
    for index, operation in enumerate(operations):
        try:
            patched = _apply_one(patched, operation)
        except _Failed as failed:
            op = operation.get("op") if isinstance(operation, dict) else None
            raise InvalidInput(
                f"JSON Patch operation {index} ({op}): {failed}",
                details={"path": f"[{index}]", "operation": index, "op": op},
            ) from None
    return patched
