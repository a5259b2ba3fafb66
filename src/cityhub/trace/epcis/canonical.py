"""RFC 8785 JSON Canonicalization Scheme (JCS), the bytes that get signed and hashed."""

from __future__ import annotations

import json
from typing import Any

import rfc8785

from cityhub.trace.epcis.errors import EpcisError

_INT_MAX = 2**53 - 1  # beyond this RFC 8785 (and rfc8785) refuse an integer
# UTF-16 key order (RFC 8785) and code point order (sort_keys) differ only between a character
# of U+E000..U+FFFF and one above U+FFFF; keys below this bound sort the same either way.
_ORDER_SAFE = "\ue000"
_ENCODER = json.JSONEncoder(
    ensure_ascii=False, sort_keys=True, separators=(",", ":"), allow_nan=False
)


def _plain(value: Any) -> bool:
    """True if the C JSON encoder writes ``value`` exactly as RFC 8785 does: strings, safe
    integers, booleans, null, lists and dicts of those, keys that sort the same. Floats (whose
    ECMAScript form Python does not print) and anything else take the reference path.

    Scalars are tested inline: this walk runs over every payload checked and recursion per
    value would cost as much as the encoding itself."""
    kind = type(value)
    if kind is dict:
        try:
            keys = "".join(value)
        except TypeError:  # a key that is not a string
            return False
        if keys and max(keys) >= _ORDER_SAFE:
            return False
        items: Any = value.values()
    elif kind is list or kind is tuple:
        items = value
    else:
        return _plain_scalar(value)
    for item in items:
        kind = type(item)
        if kind is str or kind is bool or item is None:
            continue
        if kind is int:
            if -_INT_MAX <= item <= _INT_MAX:
                continue
            return False
        if (kind is dict or kind is list or kind is tuple) and _plain(item):
            continue
        return False
    return True


def _plain_scalar(value: Any) -> bool:
    kind = type(value)
    if kind is int:
        return bool(-_INT_MAX <= value <= _INT_MAX)
    return kind is str or kind is bool or value is None


def canonical_json(obj: Any) -> bytes:
    """The RFC 8785 canonical UTF-8 bytes of a JSON value.

    >>> canonical_json({"b": 1, "a": [4.50, "中"]})
    b'{"a":[4.5,"\\xe4\\xb8\\xad"],"b":1}'
    """
    if _plain(obj):
        # The common case, about 20 times faster than the pure-Python reference: for these
        # values Python's escaping (short forms, lowercase \\u00xx, no other escapes) is JCS's.
        try:
            return _ENCODER.encode(obj).encode("utf-8")
        except UnicodeEncodeError:
            pass  # a lone surrogate: let the reference say so
    try:
        return rfc8785.dumps(obj)
    except rfc8785.CanonicalizationError as exc:
        # Integers beyond ±2^53, NaN/Infinity, lone surrogates, non-string keys.
        raise EpcisError(
            f"not representable in canonical JSON: {exc}",
            rule="not_canonical_json",
            reason_zh="无法按 RFC 8785 规范化（超出范围的整数、NaN、非法字符或非字符串键）",
            reason_en=f"not representable in RFC 8785 canonical JSON: {exc}",
        ) from exc
