"""The validators as a service for other systems (数据清洗 as a service): who may call, how much.

Any signed-in user or API token may validate; nothing is read from the data pool, so calls are
not audited. A batch is capped at ``MAX_VALUES`` values.
"""

from __future__ import annotations

from collections.abc import Sequence

from cityhub.auth import Actor
from cityhub.errors import InvalidInput, NotAuthenticated, NotFound
from cityhub.registry.validators import KINDS, Verdict, validate

MAX_VALUES = 10_000


def _require(actor: Actor, kind: str) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated("log in or send an API token to use the validators")
    if kind not in KINDS:
        raise NotFound(f"no validator {kind!r}", details={"kind": kind, "kinds": list(KINDS)})


def check(actor: Actor, kind: str, value: str) -> Verdict:
    """One value's verdict."""
    _require(actor, kind)
    return validate(kind, value)


def check_many(actor: Actor, kind: str, values: Sequence[str]) -> list[Verdict]:
    """The verdicts of up to ``MAX_VALUES`` values, in order.

    A Python loop: a 10,000-value batch takes about as long as planning the DuckDB expression
    alone (measured in docs/registry.md), and only Python gives the reasons and details.
    """
    _require(actor, kind)
    if len(values) > MAX_VALUES:
        raise InvalidInput(
            f"at most {MAX_VALUES} values per request, got {len(values)}",
            details={"field": "values", "limit": MAX_VALUES, "given": len(values)},
        )
    return [validate(kind, value) for value in values]
