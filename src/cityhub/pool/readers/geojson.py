"""GeoJSON reader: a FeatureCollection, streamed feature by feature, as properties plus geometry.

The columns are the properties' keys (as for JSON records: first ``SAMPLE`` features, values as
text) and a last column ``geometry`` holding each feature's geometry as compact GeoJSON text. The
members of the collection are read in order with :class:`JsonScanner`, so ``features`` is never
held whole, wherever it stands among ``type``, ``crs``, ``bbox`` and the rest.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from itertools import chain, islice
from pathlib import Path
from typing import Any

from cityhub.errors import InvalidInput
from cityhub.pool.readers.jsonrecords import (
    SAMPLE,
    JsonScanner,
    KeyColumns,
    Row,
    renamed_notes,
    string_batches,
    text_schema,
)
from cityhub.pool.source import SourceTable

GEOMETRY = "geometry"
RENAMED = "properties.geometry"  # the label of a property that is itself called 'geometry'
GEOMETRY_TYPES = frozenset(
    {
        "Point",
        "MultiPoint",
        "LineString",
        "MultiLineString",
        "Polygon",
        "MultiPolygon",
        "GeometryCollection",
    }
)
Features = Iterator[tuple[int, dict[str, Any], str | None]]  # (number, properties, geometry)


def open_geojson(path: Path, *, display_name: str, batch_rows: int = 65_536) -> SourceTable:
    """A GeoJSON FeatureCollection: one row per feature, its geometry as GeoJSON text."""
    file = display_name
    scanner = JsonScanner(path, file)
    notes = scanner.notes()
    try:
        features = _features(scanner, notes)
        sample = list(islice(features, SAMPLE))
        if not sample:
            message = f"{file}: the FeatureCollection has no features"
            raise InvalidInput(message, details={"file": file})
        # the geometry label first, so that it keeps the plain name 'geometry' whatever the keys
        properties = (p for _, p, _ in sample)
        columns = KeyColumns(properties, file, what="feature", reserved=(GEOMETRY,))
        labels = [*columns.labels[1:], columns.labels[0]]
        names = [*columns.names[1:], columns.names[0]]
        schema = text_schema(labels, names)
        notes += renamed_notes(labels, names)
    except BaseException:
        scanner.close()
        raise

    def rows() -> Iterator[Row]:
        try:
            for number, props, geometry in chain(sample, features):
                row = columns.row(props, number, scanner)
                row.append(geometry)
                yield row
        finally:
            scanner.close()

    return SourceTable(
        path_name=file,
        format="geojson",
        schema=schema,
        batches=string_batches(rows(), schema, batch_rows),
        encoding=scanner.guess.encoding,
        notes=notes,
        geometry_columns=(names[-1],),
    )


def _features(scanner: JsonScanner, notes: list[str]) -> Features:
    """The checked features of the collection, checking its other members on the way."""
    if scanner.peek() != "{":
        raise scanner.fail("expected a GeoJSON FeatureCollection (a JSON object)")
    scanner.expect("{", "'{'")
    members: set[str] = set()
    renamed = False
    while scanner.peek() != "}":
        name = scanner.value()
        if not isinstance(name, str):
            raise scanner.fail("expected a member name in double quotes", scanner.last_start)
        members.add(name)
        scanner.expect(":", "':'")
        if name == "features":
            scanner.expect("[", "the array of features")
            for number, feature in enumerate(scanner.elements(), start=1):
                properties, geometry = _checked(feature, number, scanner)
                if GEOMETRY in properties:
                    if not renamed:
                        notes.append(f"the property {GEOMETRY!r} is labelled {RENAMED!r}")
                        renamed = True
                    properties = {RENAMED if k == GEOMETRY else k: v for k, v in properties.items()}
                yield number, properties, geometry
        else:
            member = scanner.value()
            if name == "type" and member != "FeatureCollection":
                message = f"the GeoJSON type is {member!r}; only a FeatureCollection can be read"
                raise scanner.fail(message, scanner.last_start)
            if name == "crs":  # GeoJSON 2008; RFC 7946 says WGS 84 (CRS84) always
                crs = json.dumps(member, ensure_ascii=False, separators=(",", ":"))
                notes.append(f"the file declares the coordinate reference system {crs}")
        if scanner.expect(",}", "',' or '}'") == "}":
            break
    scanner.finish()
    for required in ("type", "features"):
        if required not in members:
            raise scanner.fail(f"no {required!r} member: the file is not a FeatureCollection")


def _checked(
    feature: object, number: int, scanner: JsonScanner
) -> tuple[dict[str, Any], str | None]:
    """The properties ({} when null) and geometry text of a feature that was just decoded."""

    def fail(problem: str, **details: object) -> InvalidInput:
        return scanner.fail(
            f"feature {number} {problem}", scanner.last_start, feature=number, **details
        )

    if not isinstance(feature, dict) or feature.get("type") != "Feature":
        raise fail("is not a GeoJSON Feature object")
    properties = feature.get("properties")
    if properties is not None and not isinstance(properties, dict):
        raise fail("has properties that are not an object")
    geometry = feature.get("geometry")
    if geometry is None:
        return properties or {}, None
    kind = geometry.get("type") if isinstance(geometry, dict) else None
    if kind not in GEOMETRY_TYPES:
        shown = f"type {kind!r}" if isinstance(geometry, dict) else "a value that is not an object"
        raise fail(
            f"has a geometry with {shown}; expected one of {', '.join(sorted(GEOMETRY_TYPES))}"
            " or null",
            geometry_type=kind,
        )
    return properties or {}, json.dumps(geometry, ensure_ascii=False, separators=(",", ":"))
