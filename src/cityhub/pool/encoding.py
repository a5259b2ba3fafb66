"""Text encodings of uploads: detect UTF-8, UTF-16 or GB18030, and stream any of them as UTF-8.

Chinese spreadsheets saved as CSV are mostly GBK without a BOM. Detectors such as chardet label
GBK text holding common name characters outside GB2312 (镕 喆 昇 堃 燊 旸 璟) as "GB2312", which
then fails to decode, and loaders fall back to a single-byte encoding that turns every byte into
mojibake without an error. The rule here (data-catalog §1.5): a BOM decides; otherwise strict
UTF-8, then strict GB18030 (a superset of GB2312 and GBK); otherwise the file is refused with the
offset of the first byte that decodes in neither. Nothing is ever decoded as a single-byte code.
"""

from __future__ import annotations

import codecs
import io
import re
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, BinaryIO

from cityhub.errors import InvalidInput

if TYPE_CHECKING:
    from _typeshed import WriteableBuffer

CHUNK = 4 << 20  # source bytes transcoded per read: bounded memory, few Python calls
_BOMS = (  # longest first: the UTF-32 BOMs are not supported and start like UTF-16's
    (codecs.BOM_UTF8, "utf-8-sig"),
    (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)
_BOM_OF = {"utf-8": codecs.BOM_UTF8} | {encoding: bom for bom, encoding in _BOMS}
_NON_ASCII = re.compile(rb"[\x80-\xff]")


@dataclass(frozen=True)
class EncodingGuess:
    """The encoding a file will be decoded with, whether it starts with a BOM, and why."""

    encoding: str  # "utf-8", "utf-8-sig", "utf-16-le", "utf-16-be" or "gb18030"
    bom: bool
    reason: str


def detect_encoding(
    path: Path, *, sample_bytes: int = 1 << 20, display_name: str | None = None
) -> EncodingGuess:
    """The encoding of ``path``: BOM, else strict UTF-8, else strict GB18030, else InvalidInput.

    Only ``sample_bytes`` are decoded. A file that is pure ASCII there is scanned on (at disk
    speed) for its first non-ASCII byte and the sample is taken from that point, because a GBK
    export often starts with thousands of rows of numbers. Bytes past the sample are checked
    while streaming (:func:`open_text_stream`, and pyarrow's UTF-8 check).
    """
    name = display_name or path.name
    with path.open("rb") as f:
        sample = f.read(sample_bytes)
        at_eof = not f.read(1)
        start = 0
        for bom, encoding in _BOMS:
            if sample.startswith(bom):
                _check(sample, encoding, len(bom), at_eof=at_eof, file=name)
                return EncodingGuess(encoding, True, f"byte order mark of {encoding}")
        if b"\x00" in sample:
            offset = sample.index(b"\x00")
            raise InvalidInput(
                f"{name} contains a NUL byte at offset {offset} (line {_line(sample, offset)}):"
                " it is not a text file, or UTF-16 without a byte order mark",
                details={"file": name, "offset": offset, "line": _line(sample, offset)},
            )
        if sample.isascii() and not at_eof:
            f.seek(len(sample))
            start = _first_non_ascii(f, len(sample))
            if start < 0:
                return EncodingGuess("utf-8", False, "the whole file is ASCII")
            f.seek(start)
            sample = f.read(sample_bytes)
            at_eof = not f.read(1)
    if _decode_error(sample, "utf-8", at_eof=at_eof) is None:
        return EncodingGuess("utf-8", False, f"{len(sample)} bytes from byte {start} are UTF-8")
    if _decode_error(sample, "gb18030", at_eof=at_eof) is None:
        reason = f"{len(sample)} bytes from byte {start} are GB18030, not UTF-8"
        return EncodingGuess("gb18030", False, reason)
    raise _neither(path, name, sample, start)


def _first_non_ascii(f: BinaryIO, position: int) -> int:
    """The offset of the first byte >= 0x80 from ``position`` on, or -1 if there is none."""
    while chunk := f.read(CHUNK):
        if not chunk.isascii():  # isascii runs at memory speed; the regex only once
            match = _NON_ASCII.search(chunk)
            assert match is not None
            return position + match.start()
        position += len(chunk)
    return -1


def _decode_error(data: bytes, encoding: str, *, at_eof: bool) -> UnicodeDecodeError | None:
    """The strict decoding error of ``data``, if any; a character cut at the end is fine."""
    decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
    try:
        decoder.decode(data, final=at_eof)
    except UnicodeDecodeError as error:
        return error
    return None


def _check(sample: bytes, encoding: str, skip: int, *, at_eof: bool, file: str) -> None:
    error = _decode_error(sample[skip:], encoding, at_eof=at_eof)
    if error is not None:
        offset = skip + error.start
        line = _line(sample, offset, encoding)
        raise InvalidInput(
            f"{file} starts with the byte order mark of {encoding} but byte {offset} (line {line})"
            f" is not {encoding}: {error.reason}",
            details={"file": file, "offset": offset, "line": line, "encoding": encoding},
        )


def _line(data: bytes, offset: int, encoding: str = "ascii") -> int:
    """The 1-based line of ``offset`` in ``data`` (which starts at a line start)."""
    if encoding.startswith("utf-16"):
        return data[:offset].decode(encoding, errors="replace").count("\n") + 1
    return data.count(b"\n", 0, offset) + 1


def _neither(path: Path, name: str, sample: bytes, start: int) -> InvalidInput:
    """The error for a file that is neither UTF-8 nor GB18030, at the furthest failing byte.

    The encoding that decodes further is the likelier one, so its failure is the likelier
    corruption; charset-normalizer only adds a hint to the message.
    """
    utf8 = _decode_error(sample, "utf-8", at_eof=True)
    gb = _decode_error(sample, "gb18030", at_eof=True)
    assert utf8 is not None and gb is not None
    local = max(utf8.start, gb.start)
    offset = start + local
    line = _line(sample, local)
    if start:  # the bytes before the sample are ASCII: count their lines, at disk speed
        with path.open("rb") as f:
            while start - f.tell() > 0 and (chunk := f.read(min(CHUNK, start - f.tell()))):
                line += chunk.count(b"\n")
    hint = _looks_like(sample)
    return InvalidInput(
        f"{name} is neither UTF-8 nor GB18030: byte 0x{sample[local]:02X} at offset {offset}"
        f" (line {line}) cannot be decoded{hint}; save the file as UTF-8 and upload it again",
        details={
            "file": name,
            "offset": offset,
            "line": line,
            "utf8_offset": start + utf8.start,
            "gb18030_offset": start + gb.start,
        },
    )


def _looks_like(sample: bytes) -> str:
    try:
        from charset_normalizer import from_bytes

        best = from_bytes(sample[: 64 << 10]).best()
    except Exception:  # a hint only: never let the detector hide the real error
        return ""
    if best is None or best.encoding in {"utf_8", "gb18030"}:
        return ""
    return f" (it looks like {best.encoding})"


def open_text_stream(
    path: Path, encoding: str, *, display_name: str | None = None, chunk: int = CHUNK
) -> BinaryIO:
    """``path`` as a stream of UTF-8 bytes, without a BOM, in bounded memory.

    UTF-8 files are passed through (pyarrow checks the bytes). Others are transcoded
    ``chunk`` source bytes at a time; a byte that does not decode raises InvalidInput naming the
    file, the byte offset and the line.
    """
    raw = path.open("rb")
    bom = _BOM_OF.get(encoding, b"")
    if raw.read(len(bom)) != bom:
        raw.seek(0)
    if encoding in {"utf-8", "utf-8-sig"}:
        return raw
    name = display_name or path.name
    return io.BufferedReader(_Transcoder(raw, encoding, name, chunk), buffer_size=1 << 20)


def validate_stream(path: Path, encoding: str, *, display_name: str | None = None) -> None:
    """Decode all of ``path`` strictly; the first byte that does not decode raises InvalidInput.

    For the error path of readers whose parser found bad UTF-8 but cannot say where.
    """
    with path.open("rb") as raw:
        if raw.read(len(_BOM_OF.get(encoding, b""))) != _BOM_OF.get(encoding, b""):
            raw.seek(0)
        _Transcoder(raw, encoding, display_name or path.name, CHUNK).drain()


class _Transcoder(io.RawIOBase):
    """A readable raw stream giving the UTF-8 encoding of a file in another encoding."""

    def __init__(self, raw: BinaryIO, encoding: str, name: str, chunk: int) -> None:
        super().__init__()
        self._raw = raw
        self._encoding = encoding
        self._name = name
        self._chunk = chunk
        self._decoder = codecs.getincrementaldecoder(encoding)(errors="strict")
        self._offset = raw.tell()  # source bytes handed to the decoder so far
        self._lines = 1  # the line the decoder is on
        self._out = memoryview(b"")  # UTF-8 bytes not yet read
        self._pos = 0
        self._eof = False

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: WriteableBuffer) -> int:
        while self._pos >= len(self._out) and not self._eof:
            self._fill()
        target = memoryview(buffer).cast("B")
        n = min(len(target), len(self._out) - self._pos)
        target[:n] = self._out[self._pos : self._pos + n]
        self._pos += n
        return n

    def drain(self) -> None:
        """Decode the rest of the source, keeping nothing: a check that it decodes."""
        while not self._eof:
            self._fill()

    def _fill(self) -> None:
        data = self._raw.read(self._chunk)
        self._eof = not data
        try:
            text = self._decoder.decode(data, final=self._eof)
        except UnicodeDecodeError as error:
            raise self._error(data, error) from None
        self._offset += len(data)
        self._lines += text.count("\n")
        self._out = memoryview(text.encode("utf-8"))
        self._pos = 0

    def _error(self, data: bytes, error: UnicodeDecodeError) -> InvalidInput:
        # The decoder reports positions in what it was decoding: this chunk, preceded by the
        # bytes of a character cut at the end of the previous one; those were not counted yet.
        base = self._offset + len(data) - len(error.object)
        offset = base + error.start
        before = error.object[: error.start].decode(self._encoding, errors="replace")
        line = self._lines + before.count("\n")
        return InvalidInput(
            f"{self._name}: byte {offset} (line {line}) is not valid {self._encoding}:"
            f" {error.reason}",
            details={"file": self._name, "offset": offset, "line": line},
        )

    def close(self) -> None:
        self._raw.close()
        super().close()
