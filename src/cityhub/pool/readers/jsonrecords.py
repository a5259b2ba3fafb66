"""JSON readers: an array of objects (``open_json``) and one object a line (``open_ndjson``).

Both stream through :class:`JsonScanner`, which decodes one value at a time from a sliding text
buffer. Values become text (numbers canonical, booleans ``true``/``false``, nested values
compact JSON) so that types are inferred as for CSV. The columns are the keys of the first
``SAMPLE`` records; a later record with another key is an error, not a dropped value.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterable, Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

import pyarrow as pa  # type: ignore[import-untyped, unused-ignore]

from cityhub.errors import InvalidInput
from cityhub.pool.encoding import detect_encoding, open_text_stream, validate_stream
from cityhub.pool.headers import check_headers, column_name
from cityhub.pool.source import SourceTable

SAMPLE = 1000  # records whose keys make the columns
CHUNK = 1 << 20  # characters read at a time
MAX_VALUE = 64 << 20  # a single record larger than this is refused rather than buffered
_WS = re.compile(r"[ \t\n\r]*")
_compact = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode

Row = list[str | None]
Records = Iterator[tuple[int, dict[str, Any]]]  # (record number, object)


def float_text(value: float) -> str:
    """Canonical text of a float: integral values without '.0', others as the shortest repr."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return repr(value)


def value_text(value: object) -> str | None:
    """A JSON-like value as the text the ingest pipeline infers types from; None stays None."""
    kind = type(value)  # exact types, not isinstance: this runs for every value of the file
    if kind is str or value is None:
        return value  # type: ignore[return-value]  # str or None, as just checked
    if kind is bool:
        return "true" if value else "false"
    if kind is float:
        return float_text(value)  # type: ignore[arg-type]
    if kind is dict or kind is list:
        return _compact(value)
    return str(value)


def text_schema(labels: list[str], names: list[str]) -> pa.Schema:
    """An all-string schema whose fields keep the original labels as metadata."""
    pairs = zip(labels, names, strict=True)
    return pa.schema(
        [pa.field(n, pa.string(), metadata={b"label": lb.encode()}) for lb, n in pairs]
    )


def renamed_notes(labels: list[str], names: list[str]) -> list[str]:
    """Notes for columns whose name had to differ from their label's own (as the CSV reader)."""
    pairs = zip(labels, names, strict=True)
    return [
        f"column {label!r} is stored as {name!r}: another column has that name"
        for label, name in pairs
        if name != column_name(label)
    ]


def string_batches(rows: Iterable[Row], schema: pa.Schema, batch_rows: int) -> Iterator[Any]:
    """Rows of text (as long as the schema) cut into record batches of ``batch_rows`` rows."""
    buffered: list[Row] = []
    for row in rows:
        buffered.append(row)
        if len(buffered) == batch_rows:
            yield _batch(buffered, schema)
            buffered = []
    if buffered:
        yield _batch(buffered, schema)


def _batch(rows: list[Row], schema: pa.Schema) -> pa.RecordBatch:
    columns = zip(*rows, strict=True)  # transposed in C, faster than appending cell by cell
    return pa.RecordBatch.from_arrays([pa.array(c, pa.string()) for c in columns], schema=schema)


class JsonScanner:
    """A JSON text file read incrementally: punctuation and whole values, in order.

    The encoding is detected as for CSV (BOM, strict UTF-8, GB18030) and reported in ``guess``.
    """

    def __init__(self, path: Path, file: str) -> None:
        self.file = file
        self.guess = detect_encoding(path, display_name=file)
        self._path = path
        utf8 = open_text_stream(path, self.guess.encoding, display_name=file)
        # newline='' keeps '\r', so that columns in error messages count every character
        self._stream = io.TextIOWrapper(utf8, "utf-8", newline="")
        self._buf = ""
        self._pos = 0
        self._eof = False
        self._lines = 0  # newlines before the buffer, for line numbers in errors
        self._col = 0  # characters after the last of them
        self._decoder = json.JSONDecoder()
        self.last_start = 0  # buffer position of the last value, valid until the next read

    def close(self) -> None:
        """Closes the file."""
        self._stream.close()

    def notes(self) -> list[str]:
        """A note when the text was not plain UTF-8, as the CSV reader gives."""
        guess = self.guess
        return [] if guess.encoding == "utf-8" else [f"decoded as {guess.encoding}: {guess.reason}"]

    def _more(self, size: int = CHUNK) -> bool:
        if self._eof:
            return False
        try:
            text = self._stream.read(size)
        except UnicodeDecodeError as exc:  # past detect_encoding's sample: find the byte
            validate_stream(self._path, self.guess.encoding, display_name=self.file)
            raise InvalidInput(f"{self.file}: not UTF-8 text", details={"file": self.file}) from exc
        if not text:
            self._eof = True
            return False
        done = self._buf[: self._pos]  # dropped now: remember where it ended
        newlines = done.count("\n")
        self._lines += newlines
        self._col = len(done) - done.rfind("\n") - 1 if newlines else self._col + len(done)
        self._buf = self._buf[self._pos :] + text
        self._pos = self.last_start = 0
        return True

    def where(self, pos: int) -> tuple[int, int]:
        """1-based line and column of a buffer position."""
        newlines = self._buf.count("\n", 0, pos)
        if newlines:
            return self._lines + newlines + 1, pos - self._buf.rfind("\n", 0, pos)
        return self._lines + 1, self._col + pos + 1

    def fail(self, message: str, pos: int | None = None, **details: object) -> InvalidInput:
        """An error naming the file, line and column (of ``pos``, else of the current position)."""
        line, column = self.where(self._pos if pos is None else pos)
        return InvalidInput(
            f"{self.file}: line {line}, column {column}: {message}",
            details={"file": self.file, "line": line, "column": column, **details},
        )

    def peek(self) -> str:
        """The next character after whitespace, not consumed; '' at the end of the text."""
        while True:
            match = _WS.match(self._buf, self._pos)
            self._pos = match.end() if match else self._pos
            if self._pos < len(self._buf):
                return self._buf[self._pos]
            if not self._more():
                return ""

    def expect(self, chars: str, what: str) -> str:
        """Consumes the next character, which must be one of ``chars``."""
        char = self.peek()
        if not char or char not in chars:
            raise self.fail(
                f"expected {what}, found {repr(char) if char else 'the end of the file'}"
            )
        self._pos += 1
        return char

    def value(self) -> Any:
        """The next JSON value, reading on while it may be cut off at the buffer's end."""
        self.peek()
        while True:
            try:
                value, end = self._decoder.raw_decode(self._buf, self._pos)
            except json.JSONDecodeError as exc:
                cut = exc.msg.startswith("Unterminated string") or exc.pos >= len(self._buf) - 16
                if cut and self._grow():
                    continue
                raise self.fail(f"invalid JSON: {exc.msg}", exc.pos) from exc
            except (ValueError, RecursionError) as exc:  # a number of > 4300 digits, deep nesting
                raise self.fail(f"unreadable JSON value: {exc}") from exc
            if end == len(self._buf) and self._grow():
                continue  # a number may go on in the next chunk
            self.last_start, self._pos = self._pos, end
            return value

    def _grow(self) -> bool:
        if len(self._buf) - self._pos > MAX_VALUE:
            raise self.fail(f"a single value is larger than {MAX_VALUE >> 20} MiB")
        return self._more(max(CHUNK, len(self._buf)))  # doubling keeps re-decoding linear

    def elements(self) -> Iterator[Any]:
        """The elements of the array whose '[' was just consumed."""
        if self.peek() == "]":
            self._pos += 1
            return
        while True:
            yield self.value()
            if self.expect(",]", "',' or ']'") == "]":
                return

    def values(self) -> Iterator[Any]:
        """Top-level values one after another up to the end of the text."""
        while self.peek():
            yield self.value()

    def finish(self) -> None:
        """Checks that only whitespace follows the top-level value."""
        if self.peek():
            raise self.fail("unexpected data after the end of the JSON value")


class KeyColumns:
    """Columns for the keys of sample records (after ``reserved`` labels), and records as rows."""

    def __init__(
        self,
        sample: Iterable[dict[str, Any]],
        file: str,
        *,
        what: str,
        reserved: tuple[str, ...] = (),
    ) -> None:
        keys = tuple(dict.fromkeys(key for record in sample for key in record))
        if not keys and not reserved:
            message = f"{file}: the {what}s have no keys to make columns of"
            raise InvalidInput(message, details={"file": file})
        try:
            self.labels, self.names = check_headers([*reserved, *keys], file=file)
        except InvalidInput as exc:
            message = f"{exc.message} (the headers are the keys of the {what}s, in order)"
            raise InvalidInput(message, details=exc.details) from exc
        self._keys = keys
        self._index = {key: position for position, key in enumerate(keys)}
        self._file, self._what = file, what

    def row(self, record: dict[str, Any], number: int, scanner: JsonScanner) -> Row:
        """The record's values as text in column order; the scanner must be just past it."""
        if tuple(record) == self._keys:  # the usual case: no lookups, no call for plain text
            return [v if type(v) is str else value_text(v) for v in record.values()]
        row: Row = [None] * len(self._keys)
        for key, value in record.items():
            position = self._index.get(key)
            if position is None:
                file, what, line = self._file, self._what, scanner.where(scanner.last_start)[0]
                raise InvalidInput(
                    f"{file}: {what} {number} (line {line}) has the key {key!r}, which none of"
                    f" the first {SAMPLE} {what}s has",
                    details={"file": file, what: number, "line": line, "key": key},
                )
            row[position] = value_text(value)
        return row


def _table(scanner: JsonScanner, fmt: str, records: Records, batch_rows: int) -> SourceTable:
    """The table of the records; the scanner is closed when they end or fail."""
    file = scanner.file
    sample = list(islice(records, SAMPLE))
    if not sample:
        raise InvalidInput(f"{file}: there are no records", details={"file": file})
    columns = KeyColumns((r for _, r in sample), file, what="record")
    schema = text_schema(columns.labels, columns.names)

    def rows() -> Iterator[Row]:
        try:
            for number, record in chain(sample, records):
                yield columns.row(record, number, scanner)
        finally:
            scanner.close()

    batches = string_batches(rows(), schema, batch_rows)
    notes = scanner.notes() + renamed_notes(columns.labels, columns.names)
    return SourceTable(file, fmt, schema, batches, encoding=scanner.guess.encoding, notes=notes)


def open_json(path: Path, *, display_name: str, batch_rows: int = 65_536) -> SourceTable:
    """A file holding one JSON array of objects, streamed element by element."""
    scanner = JsonScanner(path, display_name)
    try:
        first = scanner.peek()
        if first != "[":
            what = {"{": "an object", "": "nothing"}.get(first, "a single value")
            raise scanner.fail(f"expected a JSON array of objects, but the file holds {what}")
        scanner.expect("[", "'['")
        return _table(scanner, "json", _objects(scanner, scanner.elements()), batch_rows)
    except BaseException:
        scanner.close()
        raise


def open_ndjson(path: Path, *, display_name: str, batch_rows: int = 65_536) -> SourceTable:
    """A file of JSON objects one a line (NDJSON, JSON Lines), streamed; blank lines skipped."""
    scanner = JsonScanner(path, display_name)
    try:
        # the scanner does not insist on one object a line: objects spanning lines pass too
        return _table(scanner, "ndjson", _objects(scanner, scanner.values()), batch_rows)
    except BaseException:
        scanner.close()
        raise


def _objects(scanner: JsonScanner, values: Iterator[Any]) -> Records:
    for number, value in enumerate(values, start=1):
        if not isinstance(value, dict):
            raise scanner.fail(f"record {number} is not a JSON object", scanner.last_start)
        yield number, value
    scanner.finish()
