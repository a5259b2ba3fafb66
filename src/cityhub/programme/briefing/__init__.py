"""The leading group's periodic report: the cockpit as an Excel workbook or a PDF.

Both are written from one ``Cockpit`` through the same ``sections`` tables, so they carry the
same figures as the page. ``briefing_file`` is what the API, the page and the CLI call.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Literal

from cityhub import audit
from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.programme.briefing.excel import write_xlsx
from cityhub.programme.briefing.pdf import write_pdf
from cityhub.programme.cockpit import build_cockpit

Format = Literal["xlsx", "pdf"]
FORMATS: tuple[Format, ...] = ("xlsx", "pdf")
MEDIA_TYPES = {
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    "pdf": "application/pdf",
}


@dataclass(frozen=True)
class BriefingFile:
    """A generated report: its bytes, media type and file names (UTF-8 and ASCII)."""

    content: bytes
    media_type: str
    filename: str
    ascii_filename: str


def briefing_file(db: Database, actor: Actor, on: date, due_days: int, fmt: Format) -> BriefingFile:
    """The report as of ``on`` in ``fmt``; the export is audited beside the cockpit read."""
    actor.require(Permission.PROGRAMME_READ)
    cockpit = build_cockpit(db, actor, on, due_days)
    content = write_xlsx(cockpit) if fmt == "xlsx" else write_pdf(cockpit)
    with db.transaction() as session:
        audit.record(
            session,
            actor,
            "programme.briefing.export",
            object_type="programme_briefing",
            object_id=on.isoformat(),
            details={"format": fmt, "bytes": len(content)},
        )
    return BriefingFile(
        content=content,
        media_type=MEDIA_TYPES[fmt],
        filename=f"领导小组简报-{on.isoformat()}.{fmt}",
        ascii_filename=f"briefing-{on.isoformat()}.{fmt}",
    )


__all__ = ["FORMATS", "BriefingFile", "Format", "briefing_file", "write_pdf", "write_xlsx"]
