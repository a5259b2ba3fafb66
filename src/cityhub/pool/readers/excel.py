"""Excel workbooks (xlsx, xlsm, xlsb, xls) and ODS spreadsheets, read with calamine.

The zip container of xlsx/xlsb/ods is checked for zip bombs before calamine opens it: calamine
inflates the sheet's XML without limit. The first non-empty row of the sheet is the header; every
cell becomes text (as JSON values do) so that types are inferred as for CSV.

Memory: calamine loads the whole sheet into its own (Rust) cell grid when the sheet is opened;
only the conversion to Python and Arrow is row by row. The zip limits bound that grid.
"""

from __future__ import annotations

import datetime as dt
import struct
import zipfile
import zlib
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

from python_calamine import (
    CalamineError,
    CalamineSheet,
    CalamineWorkbook,
    PasswordError,
    SheetTypeEnum,
    SheetVisibleEnum,
)

from cityhub.errors import InvalidInput
from cityhub.pool.headers import check_headers
from cityhub.pool.readers.jsonrecords import (
    Row,
    float_text,
    renamed_notes,
    string_batches,
    text_schema,
)
from cityhub.pool.source import SourceTable

MAX_UNCOMPRESSED = 1 << 30  # all members together, inflated
MAX_RATIO = 200  # inflated / compressed, for members above RATIO_FLOOR
RATIO_FLOOR = 10 << 20  # small members may compress well (shared styles, empty sheets)
MAX_MEMBERS = 10_000
_INFLATE_CHUNK = 1 << 20
_OLE2 = bytes.fromhex("d0cf11e0a1b11ae1")  # .xls, and also password-protected .xlsx
Cell = int | float | str | bool | dt.time | dt.date | dt.datetime | dt.timedelta


def open_excel(
    path: Path, *, display_name: str, batch_rows: int = 65_536, sheet: str | None = None
) -> SourceTable:
    """A workbook's first visible sheet (or ``sheet``); its first non-empty row is the header."""
    file = display_name
    fmt, name, grid, sheets = _open_sheet(path, file, sheet)
    where = {"file": file, "sheet": name}
    first_column = grid.start[1] if grid.start else 0
    # iter_rows pads the empty rows above the data, so enumerate gives Excel's row numbers
    rows = enumerate(grid.iter_rows(), start=1)
    header_row, header = _first_row(rows)
    if not header:
        raise InvalidInput(f"{file}: sheet {name!r} is empty", details=where)
    try:
        labels, names = check_headers(list(header), file=file)
    except InvalidInput as exc:
        details = {**exc.details, **where, "row": header_row}
        if "column" in exc.details:  # the header's column → the sheet's column and cell
            details["column"] = first_column + exc.details["column"]
            details["cell"] = cell_ref(header_row, details["column"] - 1)
        at = f", cell {details['cell']}" if "cell" in details else ""
        message = f"{exc.message} (sheet {name!r}, row {header_row}{at})"
        raise InvalidInput(message, details=details) from exc
    schema = text_schema(labels, names)

    def data() -> Iterator[Row]:
        width = len(names)
        for number, cells in rows:
            row = [cell_text(c) for c in cells]
            for index in range(width, len(row)):
                if row[index] is not None:
                    ref = cell_ref(number, first_column + index)
                    # a title above the header (one merged cell) looks like a 1-column header
                    hint = f"; is row {header_row} a title? delete it" if width == 1 else ""
                    raise InvalidInput(
                        f"{file}: sheet {name!r}, cell {ref} (row {number}) has a value beyond"
                        f" the {width} columns of the header in row {header_row}{hint}",
                        details={
                            **where,
                            "row": number,
                            "column": first_column + index + 1,
                            "cell": ref,
                        },
                    )
            if any(cell is not None for cell in row):  # blank rows are skipped, as in CSV
                yield row[:width] + [None] * (width - len(row))

    notes = renamed_notes(labels, names)
    if len(sheets) > 1:
        notes.append(f"read sheet {name!r} of {len(sheets)}: {', '.join(map(repr, sheets))}")
    batches = string_batches(data(), schema, batch_rows)
    return SourceTable(path_name=file, format=fmt, schema=schema, batches=batches, notes=notes)


def _first_row(rows: Iterator[tuple[int, list[Cell]]]) -> tuple[int, Row]:
    """The number and text of the first row with a value, without trailing empty cells."""
    for number, cells in rows:
        row = [cell_text(c) for c in cells]
        while row and row[-1] is None:
            row.pop()
        if row:
            return number, row
    return 0, []


def _open_sheet(
    path: Path, file: str, sheet: str | None
) -> tuple[str, str, CalamineSheet, list[str]]:
    """Format, sheet name, sheet and all sheet names; zip containers are checked first."""
    with path.open("rb") as raw:
        magic = raw.read(8)
    if magic.startswith(b"PK"):
        members = refuse_zip_bomb(path, file=file)
        fmt = "ods" if "mimetype" in members else "xlsb" if "xl/workbook.bin" in members else "xlsx"
    elif magic == _OLE2:
        fmt = "xls"
    else:
        raise InvalidInput(
            f"{file} is not an Excel workbook: an .xlsx file is a zip archive, an .xls file an"
            " OLE2 compound file, and this is neither",
            details={"file": file, "reason": "not_a_workbook"},
        )
    try:
        with CalamineWorkbook.from_path(path) as book:
            name = _sheet_name(book, sheet, file)
            # the sheet's cells are loaded here, and stay readable once the book is closed
            return fmt, name, book.get_sheet_by_name(name), list(book.sheet_names)
    except PasswordError as exc:
        raise InvalidInput(f"{file} is password-protected", details={"file": file}) from exc
    except CalamineError as exc:
        hint = " (a password-protected .xlsx looks like this)" if fmt == "xls" else ""
        raise InvalidInput(
            f"{file} cannot be read as a workbook{hint}: {exc}",
            details={"file": file, "reason": "unreadable"},
        ) from exc


def _sheet_name(book: CalamineWorkbook, sheet: str | None, file: str) -> str:
    if sheet is not None:
        if sheet not in book.sheet_names:
            listed = ", ".join(repr(s) for s in book.sheet_names)
            message = f"{file} has no sheet named {sheet!r}; its sheets are {listed}"
            raise InvalidInput(message, details={"file": file, "sheet": sheet})
        return sheet
    for meta in book.sheets_metadata:
        if meta.visible == SheetVisibleEnum.Visible and meta.typ == SheetTypeEnum.WorkSheet:
            return meta.name
    raise InvalidInput(f"{file} has no visible worksheet", details={"file": file})


def cell_text(value: Cell) -> str | None:
    """A cell as text: numbers canonical (no '.0'), dates ISO, booleans true/false, empty None."""
    if isinstance(value, str):
        return value or None  # calamine gives '' for empty cells
    if isinstance(value, bool):  # before int: bool is an int
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return float_text(value)
    if isinstance(value, dt.timedelta):  # a duration cell, shown by Excel as [h]:mm:ss
        seconds = round(value.total_seconds())
        hours, rest = divmod(abs(seconds), 3600)
        return f"{'-' if seconds < 0 else ''}{hours}:{rest // 60:02d}:{rest % 60:02d}"
    return value.isoformat()  # date, datetime, time


def cell_ref(row: int, column_index: int) -> str:
    """The A1 reference of a 1-based row and a 0-based column."""
    letters = ""
    column = column_index + 1
    while column:
        column, rest = divmod(column - 1, 26)
        letters = chr(65 + rest) + letters
    return f"{letters}{row}"


def refuse_zip_bomb(path: Path, *, file: str) -> set[str]:
    """The member names of a zip file, after refusing it if it inflates too much.

    Declared sizes are checked first; then each member is really inflated (in bounded memory,
    stopping at the limit), because a crafted central directory can declare small sizes.
    """
    try:
        with zipfile.ZipFile(path) as archive:
            members = archive.infolist()
    except (zipfile.BadZipFile, OSError, ValueError) as exc:
        message = f"{file} is not a readable zip archive (as .xlsx files are): {exc}"
        raise InvalidInput(message, details={"file": file, "reason": "bad_zip"}) from exc
    if len(members) > MAX_MEMBERS:
        raise _bomb(file, f"it has {len(members)} members")
    declared = sum(m.file_size for m in members)
    if declared > MAX_UNCOMPRESSED:
        raise _bomb(file, f"its members declare {declared} bytes uncompressed")
    for member in members:  # cheap: before inflating anything
        if member.file_size > _ratio_limit(member):
            raise _bomb(file, f"{member.filename!r} inflates more than {MAX_RATIO} times")
    total = 0
    with path.open("rb") as raw:
        for member in members:
            limit = _ratio_limit(member)
            budget = min(limit, MAX_UNCOMPRESSED - total)  # stop inflating at either limit
            size = _inflated_size(raw, member, budget, file)
            if size > limit:
                raise _bomb(file, f"{member.filename!r} inflates more than {MAX_RATIO} times")
            total += size
            if total > MAX_UNCOMPRESSED:
                raise _bomb(file, f"its members inflate to more than {MAX_UNCOMPRESSED} bytes")
    return {m.filename for m in members}


def _ratio_limit(member: zipfile.ZipInfo) -> int:
    return max(RATIO_FLOOR, MAX_RATIO * member.compress_size)


def _inflated_size(raw: BinaryIO, member: zipfile.ZipInfo, limit: int, file: str) -> int:
    """Bytes the member's compressed data really inflates to, counting up to ``limit`` + 1."""
    raw.seek(member.header_offset)
    header = raw.read(30)
    if len(header) < 30 or not header.startswith(b"PK\x03\x04"):
        message = f"{file}: the zip entry {member.filename!r} is damaged"
        raise InvalidInput(message, details={"file": file, "reason": "bad_zip"})
    name_length, extra_length = struct.unpack("<HH", header[26:30])
    raw.seek(member.header_offset + 30 + name_length + extra_length)
    if member.compress_type == zipfile.ZIP_STORED:
        return member.compress_size
    if member.compress_type != zipfile.ZIP_DEFLATED:
        message = f"{file}: the zip entry {member.filename!r} uses an unsupported compression"
        raise InvalidInput(message, details={"file": file, "reason": "bad_zip"})
    inflater = zlib.decompressobj(-zlib.MAX_WBITS)
    size, left = 0, member.compress_size
    try:
        while left > 0 and size <= limit and not inflater.eof:
            data = raw.read(min(_INFLATE_CHUNK, left))
            if not data:
                break
            left -= len(data)
            while data and size <= limit:  # max_length bounds the memory of each step
                size += len(inflater.decompress(data, _INFLATE_CHUNK))
                data = inflater.unconsumed_tail
    except zlib.error as exc:
        message = f"{file}: the zip entry {member.filename!r} is damaged: {exc}"
        raise InvalidInput(message, details={"file": file, "reason": "bad_zip"}) from exc
    return size


def _bomb(file: str, why: str) -> InvalidInput:
    return InvalidInput(
        f"{file} is refused as a possible zip bomb: {why}",
        details={"file": file, "reason": "zip_bomb"},
    )
