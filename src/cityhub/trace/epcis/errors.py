"""The one error class of the EPCIS package.

::

    InvalidInput (cityhub.errors)
    └── EpcisError      an event, document, identifier or envelope is not acceptable

``details`` always carries ``rule`` (a stable machine name such as ``schema``,
``identifier_not_gs1`` or ``event_time_in_future``), ``path`` (a JSON path into the
object that was checked, ``$`` for the whole object), ``reason_zh`` and ``reason_en``.
"""

from __future__ import annotations

from typing import Any

from cityhub.errors import InvalidInput


class EpcisError(InvalidInput):
    """An EPCIS event, document, GS1 identifier or signed envelope is not acceptable.

    >>> err = EpcisError("no eventTime", rule="schema", path="$.eventTime")
    >>> err.details["path"]
    '$.eventTime'
    """

    code = "epcis_invalid"

    def __init__(
        self,
        message: str,
        *,
        rule: str | None = None,
        path: str = "$",
        reason_zh: str | None = None,
        reason_en: str | None = None,
        details: dict[str, Any] | None = None,
    ) -> None:
        merged: dict[str, Any] = {
            "rule": rule or message,
            "path": path,
            "reason_zh": reason_zh or message,
            "reason_en": reason_en or message,
        }
        merged.update(details or {})
        super().__init__(message, details=merged)
