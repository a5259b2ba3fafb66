"""CSV and TSV: encoding and delimiter detection, a checked header, and pyarrow's streaming parser.

Every column is read as text; typing is the job of :mod:`cityhub.pool.infer`. Rows are counted
the way the errors report them: the header is line 1, so data row ``n`` is line ``n + 1`` (a
quoted value spanning lines, or blank lines skipped, make the physical line number larger).
"""

from __future__ import annotations

import codecs
import csv
import io
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO, Literal

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]
import pyarrow.csv as pacsv  # type: ignore[import-untyped, unused-ignore]

from cityhub.errors import InvalidInput
from cityhub.pool.encoding import detect_encoding, open_text_stream, validate_stream
from cityhub.pool.headers import check_headers, column_name
from cityhub.pool.source import SourceTable

NULL_VALUES = ["", "NULL", "null", "NA", "N/A", "-"]
DELIMITERS = (",", "\t", ";", "|")  # the order breaks ties in sniffing
HEAD = 1 << 20  # UTF-8 bytes read first for the header and for sniffing
MAX_HEADER = 16 << 20  # a header row longer than this is refused
SNIFF_ROWS = 50
_RAGGED = re.compile(r"(?:Row #(\d+): )?Expected (\d+) columns, got (\d+): (.*)", re.DOTALL)
_DELIMITER_NAMES = {",": "comma", "\t": "tab", ";": "semicolon", "|": "vertical bar"}


@dataclass(frozen=True)
class _Plan:
    """What the batch stream needs to know to read (and to re-read, to locate an error)."""

    path: Path
    file: str
    encoding: str
    header_bytes: int  # UTF-8 bytes of the header record, skipped before pyarrow reads
    names: list[str]
    delimiter: str
    block_size: int
    schema: pa.Schema


def open_delimited(
    path: Path, *, display_name: str, delimiter: str | None = None, block_size: int = 16 << 20
) -> SourceTable:
    """A CSV or TSV file as a :class:`SourceTable` of all-string columns, streamed in blocks.

    Header, encoding and delimiter problems raise here; problems in the data (a row with the
    wrong number of fields, a byte that does not decode) raise while iterating the batches,
    except that a byte in the first few MiB that does not decode may raise here already.
    """
    file = display_name
    if path.stat().st_size == 0:
        raise InvalidInput(f"{file} is empty (0 bytes)", details={"file": file})
    guess = detect_encoding(path, display_name=file)
    text, at_eof = _head(path, guess.encoding, file)
    notes = []
    if guess.encoding != "utf-8":
        notes.append(f"decoded as {guess.encoding}: {guess.reason}")
    if delimiter is None and path.suffix.lower() == ".tsv":
        delimiter = "\t"
    elif delimiter is None:
        delimiter = _sniff(text, at_eof)
        if delimiter != ",":
            notes.append(f"columns separated by {_DELIMITER_NAMES[delimiter]}")
    if len(delimiter) != 1 or delimiter in '"\r\n':
        raise InvalidInput(f"{delimiter!r} cannot separate columns", details={"file": file})
    raw, header_chars = _header(text, delimiter, at_eof, file)
    labels, names = check_headers(list(raw), file=file)
    notes += [
        f"column {i} ({label!r}) is stored as {name!r}: another column has that name"
        for i, (label, name) in enumerate(zip(labels, names, strict=True), start=1)
        if name != column_name(label)
    ]
    fields = zip(labels, names, strict=True)
    schema = pa.schema(
        [pa.field(n, pa.string(), metadata={b"label": lb.encode()}) for lb, n in fields]
    )
    plan = _Plan(
        path=path,
        file=file,
        encoding=guess.encoding,
        header_bytes=len(text[:header_chars].encode("utf-8")),
        names=names,
        delimiter=delimiter,
        block_size=block_size,
        schema=schema,
    )
    return SourceTable(
        path_name=file,
        format="tsv" if delimiter == "\t" else "csv",
        schema=schema,
        batches=_batches(plan),
        encoding=guess.encoding,
        notes=notes,
    )


def _head(path: Path, encoding: str, file: str) -> tuple[str, bool]:
    """The start of the file as text (at least HEAD bytes, more while the header is open)."""
    decoder = codecs.getincrementaldecoder("utf-8")(errors="strict")
    parts: list[str] = []
    size = 0
    with open_text_stream(path, encoding, display_name=file) as stream:
        while True:
            data = stream.read(HEAD)
            at_eof = len(data) < HEAD
            size += len(data)
            try:
                parts.append(decoder.decode(data, final=at_eof))
            except UnicodeDecodeError:
                validate_stream(path, encoding, display_name=file)  # raises with the offset
                raise
            text = "".join(parts)
            if at_eof or size >= MAX_HEADER or _header_closed(text):
                return text, at_eof


def _header_closed(text: str) -> bool:
    """Whether ``text`` holds the end of the first record: a line break outside quotes.

    Jumps from quote to quote with str.find, so a long unclosed quote costs one C-speed scan.
    """
    start = 0
    while True:
        quote = text.find('"', start)
        end = len(text) if quote < 0 else quote
        if text.find("\n", start, end) >= 0 or text.find("\r", start, end) >= 0:
            return True
        close = text.find('"', quote + 1) if quote >= 0 else -1
        if close < 0:
            return False
        start = close + 1  # a doubled quote "" closes and reopens: still inside


def _header(text: str, delimiter: str, at_eof: bool, file: str) -> tuple[list[str], int]:
    """The header row (read by Python's csv module) and its length in characters."""
    consumed = 0

    def lines() -> Iterator[str]:
        nonlocal consumed
        for line in io.StringIO(text, newline=""):
            consumed += len(line)
            yield line

    try:
        row = next(csv.reader(lines(), delimiter=delimiter), [])
    except csv.Error as error:  # say, a header cell longer than csv.field_size_limit()
        raise InvalidInput(
            f"{file}: the header row cannot be read: {error}", details={"file": file, "line": 1}
        ) from None
    # The csv module reads an unclosed quote to the end of what it is given, line breaks and all.
    unclosed = consumed == len(text) and not _header_closed(text)
    if unclosed and (not at_eof or any("\n" in cell or "\r" in cell for cell in row)):
        raise InvalidInput(
            f"{file}: the header row does not end (a quote that is not closed?)",
            details={"file": file, "line": 1},
        )
    return row, consumed


def _sniff(text: str, at_eof: bool) -> str:
    """The delimiter giving the first rows the same number (>1) of fields; comma by default."""
    end = len(text) if at_eof else max(text.rfind("\n"), text.rfind("\r")) + 1
    lines = io.StringIO(text[:end], newline="").readlines()[: SNIFF_ROWS * 2]
    best, best_key = ",", (0.0, 0)
    for candidate in DELIMITERS:
        try:
            rows = [r for r in csv.reader(lines, delimiter=candidate) if r][:SNIFF_ROWS]
        except csv.Error:
            continue
        if not rows or len(rows[0]) < 2:
            continue
        width = len(rows[0])
        key = (sum(len(r) == width for r in rows) / len(rows), width)
        if key > best_key:
            best, best_key = candidate, key
    return best


def _open(
    plan: _Plan,
    on_invalid_row: Callable[[pacsv.InvalidRow], Literal["skip", "error"]] | None = None,
) -> tuple[BinaryIO, pacsv.CSVStreamingReader | None]:
    """The stream past the header, and pyarrow's reader on it (None when there are no rows).

    The header is skipped by bytes, not with pyarrow's ``skip_rows``, which counts line breaks
    even inside quotes and so would cut a header cell holding one. pyarrow numbers rows only
    when it reads on one thread, so that is how the error path reads (``on_invalid_row``).
    """
    stream = open_text_stream(plan.path, plan.encoding, display_name=plan.file)
    try:
        stream.read(plan.header_bytes)
        reader = pacsv.open_csv(
            stream,
            read_options=pacsv.ReadOptions(
                column_names=plan.names,
                block_size=plan.block_size,
                use_threads=on_invalid_row is None,
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=plan.delimiter,
                newlines_in_values=True,
                invalid_row_handler=on_invalid_row,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types=dict.fromkeys(plan.names, pa.string()),
                strings_can_be_null=True,
                null_values=NULL_VALUES,
            ),
        )
        return stream, reader
    except pa.ArrowInvalid as error:
        if str(error).startswith("Empty CSV file"):  # a header and nothing else
            return stream, None
        stream.close()
        raise
    except BaseException:
        stream.close()
        raise


def _batches(plan: _Plan) -> Iterator[pa.RecordBatch]:
    """The data rows as batches with ``plan.schema``; pyarrow errors become InvalidInput."""
    try:
        stream, reader = _open(plan)
    except pa.ArrowInvalid as error:
        raise _translate(plan, error) from None
    with stream:
        if reader is None:
            return
        while True:
            try:
                batch = reader.read_next_batch()
            except StopIteration:
                return
            except pa.ArrowInvalid as error:
                raise _translate(plan, error) from None
            yield pa.RecordBatch.from_arrays(batch.columns, schema=plan.schema)


def _translate(plan: _Plan, error: pa.ArrowInvalid) -> InvalidInput:
    """InvalidInput for a pyarrow error, locating the row or byte by reading the file again."""
    message = str(error)
    file = plan.file
    if "invalid UTF8" in message:
        validate_stream(plan.path, plan.encoding, display_name=file)  # raises with the offset
    match = _RAGGED.search(message)
    if match is None:
        return InvalidInput(f"{file} cannot be read: {message}", details={"file": file})
    expected, found, text = int(match[2]), int(match[3]), match[4]
    row = int(match[1]) if match[1] else _ragged_row(plan)
    where = f"line {row + 1} (data row {row})" if row else "a row"
    return InvalidInput(
        f"{file} {where} has {found} field{'s' * (found != 1)}, the header has {expected}:"
        f" {text[:200]!r}",
        details={
            "file": file,
            "line": row + 1 if row else None,
            "row": row or None,
            "expected": expected,
            "found": found,
            "text": text[:200],
        },
    )


def _ragged_row(plan: _Plan) -> int:
    """The 1-based data row of the first row with the wrong number of fields (0 if unknown)."""
    rows: list[int] = []

    def first(row: pacsv.InvalidRow) -> Literal["skip", "error"]:
        rows.append(row.number or 0)
        return "error"

    try:
        stream, reader = _open(plan, first)
        with stream:
            while reader is not None:
                reader.read_next_batch()
    except (StopIteration, pa.ArrowInvalid):
        pass
    return rows[0] if rows else 0
