"""Hostile input to the parsers that take files and documents from outside: whatever arrives,
they answer with their documented error (a ``CityhubError`` subclass saying what and where),
never with an unhandled exception. The SL 651 frame, SensorThings ``$filter``, signed note,
checkpoint and proof-bundle parsers have the same property next to their own tests
(tests/sensing/sl651/test_properties.py, tests/sensing/sta/query/test_parser.py,
tests/trace/note/); this file covers CSV sniffing and EPCIS JSON.
"""

from __future__ import annotations

import contextlib
import json
import tempfile
from pathlib import Path
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from cityhub.errors import CityhubError
from cityhub.pool.readers.delimited import open_delimited
from cityhub.trace.epcis.errors import EpcisError
from cityhub.trace.epcis.validate import validate_document, validate_event
from tests.fuzz.budget import PARSER_EXAMPLES

# Bytes that make CSV hard: separators, quotes, line ends, BOMs, GB18030 and UTF-8 Chinese,
# lone continuation bytes, NUL.
CSV_PIECES = st.sampled_from(
    [
        b",", b";", b"\t", b"|", b'"', b'""', b"\n", b"\r\n", b"\r", b"\xef\xbb\xbf", b"\x00",
        "站名".encode(), "水位".encode("gb18030"), b"\x80", b"\xc3", b"\xff\xfe", b"a", b"1.5",
        b"2024-01-01", b" ",
    ]
)  # fmt: skip
CSV_BYTES = st.one_of(
    st.binary(max_size=400),
    st.lists(CSV_PIECES, max_size=80).map(b"".join),
)


@settings(max_examples=PARSER_EXAMPLES, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(content=CSV_BYTES, suffix=st.sampled_from([".csv", ".tsv", ".txt"]))
def test_any_bytes_read_as_csv_or_raise_input_errors(content: bytes, suffix: str) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / f"upload{suffix}"
        path.write_bytes(content)
        try:
            source = open_delimited(path, display_name=path.name, block_size=1 << 10)
            rows = sum(batch.num_rows for batch in source.batches)
        except CityhubError as error:
            assert "upload" in error.message or error.details.get("file") == path.name
            return
        assert rows >= 0 and len(source.schema) >= 1


JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats() | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=4) | st.dictionaries(st.text(max_size=12), inner),
    max_leaves=20,
)
EVENT_KEYS = st.sampled_from(
    [
        "type", "eventTime", "eventTimeZoneOffset", "action", "bizStep", "disposition",
        "epcList", "quantityList", "readPoint", "bizLocation", "sensorElementList",
        "parentID", "childEPCs", "inputEPCList", "outputEPCList", "@context", "eventID",
    ]
)  # fmt: skip
EVENT_LIKE = st.dictionaries(EVENT_KEYS, JSON_VALUES | st.sampled_from(["ObjectEvent", "ADD"]))


@settings(max_examples=PARSER_EXAMPLES, deadline=None)
@given(event=st.one_of(JSON_VALUES, EVENT_LIKE))
def test_any_json_event_validates_or_raises_epcis_errors(event: Any) -> None:
    try:
        validate_event(event)
    except EpcisError as error:
        assert error.details.get("path", "$").startswith("$")


@settings(max_examples=PARSER_EXAMPLES, deadline=None)
@given(events=st.lists(st.one_of(EVENT_LIKE, JSON_VALUES), max_size=3), body=JSON_VALUES)
def test_any_json_document_validates_or_raises_epcis_errors(events: list[Any], body: Any) -> None:
    document = {
        "type": "EPCISDocument",
        "schemaVersion": "2.0",
        "creationDate": "2024-06-01T08:00:00Z",
        "epcisBody": {"eventList": events} if body is None else body,
    }
    with contextlib.suppress(EpcisError):
        validate_document(json.loads(json.dumps(document)))
