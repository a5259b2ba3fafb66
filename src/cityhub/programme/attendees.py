"""Attendees of training events: checking one, and reading a CSV of them (pure; no database).

A CSV may be UTF-8 (with or without BOM) or GB18030 (``cityhub.pool.encoding`` decides, as for
dataset uploads). Headers may be Chinese or English (``COLUMNS``). Every row is checked and all
problems are reported together, each with its row (the file's line number, header = 1) and
column; one bad row refuses the whole file, so an import is all-or-nothing.
"""

from __future__ import annotations

import csv
import io
import re
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cityhub.errors import InvalidInput
from cityhub.pool.encoding import detect_encoding
from cityhub.registry.credit_code import validate_credit_code
from cityhub.registry.id_card import validate_id_card

# field → accepted headers (the first is what exports write)
COLUMNS: dict[str, tuple[str, ...]] = {
    "name": ("姓名", "name"),
    "id_number": ("身份证号", "公民身份号码", "id_number"),
    "phone": ("手机号", "联系电话", "phone"),
    "employer_code": ("工作单位统一社会信用代码", "工作单位", "employer_code", "employer"),
    "certificate": ("证书编号", "certificate"),
}
REQUIRED = ("name", "id_number")
PHONE = re.compile(r"1[3-9][0-9]{9}")
MAX_ROWS = 5000


@dataclass(frozen=True)
class AttendeeSpec:
    """One attendee as given; ``check_attendee`` normalises it."""

    name: str
    id_number: str
    phone: str | None = None
    employer_code: str | None = None
    certificate: str | None = None


def attendee_problems(spec: AttendeeSpec) -> tuple[AttendeeSpec, list[dict[str, Any]]]:
    """The normalised attendee and its problems (``field``, ``value``, ``reason``), if any."""
    problems: list[dict[str, Any]] = []
    name = spec.name.strip()
    if not name or len(name) > 100:
        problems.append({"field": "name", "value": spec.name, "reason": "needs 1–100 characters"})
    card = validate_id_card(spec.id_number)
    if not card.valid:
        problems.append({"field": "id_number", "value": spec.id_number, "reason": card.reason_en})
    phone = (spec.phone or "").strip() or None
    if phone is not None and not PHONE.fullmatch(phone):
        problems.append(
            {"field": "phone", "value": phone, "reason": "not an 11-digit mobile number"}
        )
    employer = (spec.employer_code or "").strip() or None
    if employer is not None:
        verdict = validate_credit_code(employer)
        if not verdict.valid:
            problems.append(
                {"field": "employer_code", "value": employer, "reason": verdict.reason_en}
            )
        else:
            employer = verdict.normalised
    certificate = (spec.certificate or "").strip() or None
    if certificate is not None and len(certificate) > 60:
        problems.append({"field": "certificate", "value": certificate, "reason": "longer than 60"})
    clean = AttendeeSpec(name, card.normalised or spec.id_number, phone, employer, certificate)
    return clean, problems


def check_attendees(specs: list[AttendeeSpec], rows: list[int] | None = None) -> list[AttendeeSpec]:
    """All attendees normalised, or one InvalidInput listing every problem with its row
    (``rows`` gives each spec's row number; 1, 2, … when omitted)."""
    errors: list[dict[str, Any]] = []
    clean: list[AttendeeSpec] = []
    seen: dict[str, int] = {}
    numbers = rows or list(range(1, len(specs) + 1))
    for row, spec in zip(numbers, specs, strict=True):
        checked, problems = attendee_problems(spec)
        errors.extend({"row": row, **p} for p in problems)
        if checked.id_number in seen:
            errors.append(
                {
                    "row": row,
                    "field": "id_number",
                    "value": checked.id_number,
                    "reason": f"the same person as row {seen[checked.id_number]}",
                }
            )
        seen.setdefault(checked.id_number, row)
        clean.append(checked)
    if errors:
        first = errors[0]
        raise InvalidInput(
            f"{len(errors)} problem(s); row {first['row']}, {first['field']}: {first['reason']}",
            details={"errors": errors, "row": first["row"], "field": first["field"]},
        )
    return clean


def decode_csv(data: bytes, filename: str) -> str:
    """The text of an uploaded CSV, decoded as ``cityhub.pool.encoding`` detects it."""
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "upload.csv"
        path.write_bytes(data)
        guess = detect_encoding(path, display_name=filename)
    return data.decode(guess.encoding)


def _fields(header: list[str]) -> dict[str, int]:
    where: dict[str, int] = {}
    for index, title in enumerate(header):
        cleaned = title.strip().lstrip("\ufeff")
        for field, names in COLUMNS.items():
            if cleaned in names or cleaned.lower() in names:
                where[field] = index
    missing = [f for f in REQUIRED if f not in where]
    if missing:
        raise InvalidInput(
            f"the header lacks {[COLUMNS[f][0] for f in missing]}",
            details={"row": 1, "column": COLUMNS[missing[0]][0], "header": header},
        )
    return where


def parse_attendees_csv(data: bytes, filename: str = "attendees.csv") -> list[AttendeeSpec]:
    """The attendees of a CSV file (UTF-8 or GB18030), all checked; InvalidInput lists every
    problem with its row and column."""
    text = decode_csv(data, filename)
    rows = list(csv.reader(io.StringIO(text, newline="")))
    if not rows:
        raise InvalidInput(f"{filename} is empty", details={"row": 1})
    where = _fields(rows[0])
    body = [(n, r) for n, r in enumerate(rows[1:], start=2) if any(c.strip() for c in r)]
    if len(body) > MAX_ROWS:
        raise InvalidInput(f"at most {MAX_ROWS} rows per file", details={"rows": len(body)})
    specs: list[AttendeeSpec] = []
    width_errors: list[dict[str, Any]] = []
    for number, row in body:
        if len(row) < len(rows[0]):
            width_errors.append({"row": number, "field": "*", "reason": "too few columns"})
            row = row + [""] * (len(rows[0]) - len(row))

        def cell(field: str, row: list[str] = row) -> str | None:
            return row[where[field]] if field in where else None

        specs.append(
            AttendeeSpec(
                cell("name") or "",
                cell("id_number") or "",
                cell("phone"),
                cell("employer_code"),
                cell("certificate"),
            )
        )
    try:
        checked = check_attendees(specs, [n for n, _ in body])
    except InvalidInput as exc:
        exc.details["errors"] = width_errors + exc.details["errors"]
        raise _named_columns(exc) from None
    if width_errors:
        raise _named_columns(
            InvalidInput(
                f"row {width_errors[0]['row']}: too few columns",
                details={"errors": width_errors, "row": width_errors[0]["row"]},
            )
        )
    return checked


def _named_columns(exc: InvalidInput) -> InvalidInput:
    for error in exc.details["errors"]:
        field = error["field"]
        error["column"] = COLUMNS[field][0] if field in COLUMNS else field
    return exc
