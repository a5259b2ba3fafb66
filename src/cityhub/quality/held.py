"""Held rows as their viewer may see them: personal values masked outside the owner department.

The quarantine keeps rows as they came in. Its viewers are the owner department's stewards, who
see them whole, and admins, who are not the owner: for them each personal value is masked like
everywhere else (in the values, the fixed values and the reasons' messages that quote it).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from cityhub import catalog
from cityhub.auth import Actor
from cityhub.catalog import Dataset, PersonalKind
from cityhub.pool.masking import mask_value
from cityhub.quality.models import QuarantinedRow


@dataclass(frozen=True)
class HeldRow:
    """A quarantined row as one viewer sees it."""

    id: int
    version_number: int
    row_number: int
    values: dict[str, Any]
    reasons: list[dict[str, Any]]
    status: str
    fixed_values: dict[str, Any] | None
    note: str
    resolved_by: str | None
    resolved_at: datetime | None
    readmitted_in_version: int | None


@dataclass(frozen=True)
class RowMask:
    """The personal columns to mask for one viewer (none for the owner department)."""

    kinds: dict[str, PersonalKind]

    @classmethod
    def for_viewer(cls, actor: Actor, dataset: Dataset) -> RowMask:
        if not catalog.masks_personal_data(actor, dataset):
            return cls({})
        return cls({c.name: PersonalKind(c.personal) for c in dataset.columns if c.personal})

    def value(self, column: str | None, value: Any) -> Any:
        kind = self.kinds.get(column or "")
        return value if kind is None or value is None else mask_value(str(value), kind)

    def values(self, values: dict[str, Any]) -> dict[str, Any]:
        return {name: self.value(name, value) for name, value in values.items()}

    def reasons(self, reasons: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """The reasons with each quoted personal value masked, in the messages too."""
        shown = []
        for reason in reasons:
            raw = reason.get("value")
            if reason.get("column") in self.kinds and raw not in (None, ""):
                masked = str(self.value(reason["column"], raw))
                reason = reason | {
                    "value": masked,
                    "message_zh": str(reason.get("message_zh", "")).replace(str(raw), masked),
                    "message_en": str(reason.get("message_en", "")).replace(str(raw), masked),
                }
            shown.append(reason)
        return shown

    def row(self, row: QuarantinedRow) -> HeldRow:
        return HeldRow(
            id=row.id,
            version_number=row.version_number,
            row_number=row.row_number,
            values=self.values(row.values),
            reasons=self.reasons(row.reasons),
            status=row.status,
            fixed_values=None if row.fixed_values is None else self.values(row.fixed_values),
            note=row.note,
            resolved_by=row.resolved_by,
            resolved_at=row.resolved_at,
            readmitted_in_version=row.readmitted_in_version,
        )

    def changes(self, submitted: dict[str, Any], current: dict[str, Any]) -> dict[str, Any]:
        """The submitted values less the personal ones sent back as shown (their masked form).

        A form shows a masked value and sends it back unchanged; storing it would overwrite
        the real value with asterisks. A new value is taken: masking hides, it does not forbid.
        """
        return {
            name: value
            for name, value in submitted.items()
            if not (
                name in self.kinds
                and current.get(name) is not None
                and value == self.value(name, current[name])
            )
        }
