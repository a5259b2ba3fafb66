"""The checks a progress report passes before it is stored, and where its files go.

Split from ``cityhub.programme.reports`` to keep each file small; the rules are described there.
"""

from __future__ import annotations

import hashlib
import math
import re
import unicodedata
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub.auth.actor import Actor, Role
from cityhub.auth.models import Department
from cityhub.config import Settings
from cityhub.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from cityhub.programme.models_reports import ProgrammeReport
from cityhub.programme.models_targets import ProgrammeTarget
from cityhub.programme.models_tasks import ProgrammeTask, ProgrammeTaskUnit

MAX_ATTACHMENT_BYTES = 20 * 1024 * 1024  # 20 MiB per file
MAX_ATTACHMENTS = 10
MAX_TEXT = 20_000
MAX_FILENAME = 200
DEFAULT_MEDIA_TYPE = "application/octet-stream"
_MEDIA_TYPE = re.compile(r"[A-Za-z0-9][\w.+-]*/[A-Za-z0-9][\w.+-]*")
_UNSAFE_IN_NAME = re.compile(r"[^\w.\-()（）]+")

# (filename, content, media type) as the caller received them
Upload = tuple[str, bytes, str]


def attachment_dir(settings: Settings) -> Path:
    """Where attachment bytes live, one file per sha256."""
    return settings.data_dir / "programme" / "attachments"


def sanitise_filename(name: str) -> str:
    """A safe file name: no directories, no control or shell characters, at most 200 chars."""
    base = re.split(r"[/\\]", name)[-1]
    base = "".join(
        c for c in unicodedata.normalize("NFC", base) if unicodedata.category(c)[0] != "C"
    )
    base = _UNSAFE_IN_NAME.sub("_", base).strip("._ ")
    if len(base) > MAX_FILENAME:
        _stem, dot, suffix = base.rpartition(".")
        keep = suffix if dot and len(suffix) <= 10 else ""
        base = base[: MAX_FILENAME - len(keep) - 1] + "." + keep if keep else base[:MAX_FILENAME]
    return base or "attachment"


def report_row(session: Session, report_id: int, field: str = "id") -> ProgrammeReport:
    """The report row, or NotFound naming ``field``."""
    row = session.get(ProgrammeReport, report_id)
    if row is None:
        raise NotFound(f"no report {report_id}", details={"field": field, "value": report_id})
    return row


def task_row(session: Session, number: int) -> ProgrammeTask:
    """The task row by its number, or NotFound."""
    task = session.scalar(select(ProgrammeTask).where(ProgrammeTask.number == number))
    if task is None:
        raise NotFound(f"no task {number}", details={"field": "task", "value": number})
    return task


def department_row(session: Session, code: str, field: str = "department") -> Department:
    """The department row by its code, or NotFound."""
    department = session.scalar(select(Department).where(Department.code == code))
    if department is None:
        raise NotFound(f"no department {code!r}", details={"field": field, "value": code})
    return department


def unit_for(
    session: Session, actor: Actor, task: ProgrammeTask, department: str | None
) -> Department:
    """The unit the report is for: the steward's own department, or the one an admin names."""
    if actor.role is Role.ADMIN:
        if not department:
            raise InvalidInput(
                "name the unit (department) the report is for",
                details={"field": "department"},
            )
        unit = department_row(session, department)
    else:
        if actor.department_code is None or department not in (None, "", actor.department_code):
            raise PermissionDenied(
                "stewards report for their own department only",
                details={"field": "department", "value": department},
            )
        unit = department_row(session, actor.department_code)
    is_unit = session.scalar(
        select(ProgrammeTaskUnit.id).where(
            ProgrammeTaskUnit.task_id == task.id, ProgrammeTaskUnit.department_id == unit.id
        )
    )
    if is_unit is None:
        message = f"{unit.code} is not a responsible unit of task {task.number}"
        details = {"field": "department", "value": unit.code, "task": task.number}
        if actor.role is Role.ADMIN:
            raise InvalidInput(message, details=details)
        raise PermissionDenied(message, details=details)
    return unit


def clean_text(text: str) -> str:
    cleaned = text.strip()
    if not cleaned:
        raise InvalidInput("the report needs a text", details={"field": "text"})
    if len(cleaned) > MAX_TEXT:
        raise InvalidInput(
            f"the text is longer than {MAX_TEXT} characters",
            details={"field": "text", "length": len(cleaned)},
        )
    return cleaned


def figure_targets(
    session: Session, task: ProgrammeTask, unit: Department, figures: dict[str, float]
) -> list[tuple[ProgrammeTarget, float]]:
    """The targets the figures are for: each must belong to the task or to the unit."""
    checked = []
    for code, value in sorted(figures.items()):
        field = f"figures.{code}"
        target = session.scalar(select(ProgrammeTarget).where(ProgrammeTarget.code == code))
        if target is None:
            raise InvalidInput(f"no target {code!r}", details={"field": field, "value": code})
        if target.task_id != task.id and target.owner_department_id != unit.id:
            raise InvalidInput(
                f"target {code} belongs neither to task {task.number} nor to {unit.code}",
                details={"field": field, "value": code},
            )
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or not math.isfinite(value)
        ):
            raise InvalidInput(
                f"the figure for {code} must be a finite number",
                details={"field": field, "value": str(value)},
            )
        checked.append((target, float(value)))
    return checked


def clean_uploads(attachments: list[Upload]) -> list[tuple[str, bytes, str, str]]:
    """(safe name, bytes, media type, sha256) per upload, after the count and size limits."""
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput(
            f"at most {MAX_ATTACHMENTS} attachments per report",
            details={"field": "attachments", "count": len(attachments)},
        )
    cleaned = []
    for number, (filename, content, media_type) in enumerate(attachments, start=1):
        field = f"attachments.{number}"
        if not content:
            raise InvalidInput(f"attachment {filename!r} is empty", details={"field": field})
        if len(content) > MAX_ATTACHMENT_BYTES:
            raise InvalidInput(
                f"attachment {filename!r} is larger than {MAX_ATTACHMENT_BYTES // 2**20} MiB",
                details={"field": field, "size": len(content), "limit": MAX_ATTACHMENT_BYTES},
            )
        kind = media_type.split(";")[0].strip().lower()
        kind = kind if _MEDIA_TYPE.fullmatch(kind) and len(kind) <= 100 else DEFAULT_MEDIA_TYPE
        digest = hashlib.sha256(content).hexdigest()
        cleaned.append((sanitise_filename(filename), content, kind, digest))
    return cleaned


def store_file(settings: Settings, digest: str, content: bytes) -> None:
    """Write the bytes once under their sha256; an equal file already there is kept."""
    folder = attachment_dir(settings)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / digest
    if path.is_file():
        return
    partial = folder / f".{digest}.part"
    partial.write_bytes(content)
    partial.replace(path)  # atomic: readers never see half a file


def check_corrects(
    session: Session, task: ProgrammeTask, unit: Department, label: str, corrects: int | None
) -> None:
    """No second original for a period; a correction names the newest report of its period."""
    if corrects is None:
        existing = session.scalar(
            select(ProgrammeReport.id)
            .where(
                ProgrammeReport.task_id == task.id,
                ProgrammeReport.department_id == unit.id,
                ProgrammeReport.period == label,
            )
            .order_by(ProgrammeReport.id)
            .limit(1)
        )
        if existing is not None:
            raise Conflict(
                f"report {existing} already covers task {task.number}, {unit.code}, {label}; "
                "send a correction that names it",
                details={"field": "corrects", "existing": existing},
            )
        return
    old = report_row(session, corrects, field="corrects")
    if (old.task_id, old.department_id, old.period) != (task.id, unit.id, label):
        raise InvalidInput(
            f"report {corrects} is not of task {task.number}, {unit.code}, {label}",
            details={"field": "corrects", "value": corrects},
        )
    newer = session.scalar(
        select(ProgrammeReport.id).where(ProgrammeReport.corrects_id == corrects)
    )
    if newer is not None:
        raise Conflict(
            f"report {corrects} was already corrected by report {newer}; correct that one",
            details={"field": "corrects", "existing": newer},
        )
