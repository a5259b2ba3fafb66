"""The warehouse part of a backup: the Iceberg files a metadata snapshot's catalogue references.

Iceberg never changes a file once a commit has referenced it: a commit writes new data files, new
manifests, a new manifest list and a new metadata JSON, then moves the catalogue's pointer. So
the files reachable from the pointers in a metadata snapshot are complete and unchanging, however
long after the snapshot they are copied; files of later commits are simply not reachable from it.

Iceberg records absolute locations. Restoring into another data directory therefore rewrites
the old warehouse root to the new one in every metadata JSON, manifest list and manifest (the
Parquet data files are copied as they are), the way Iceberg's own ``rewrite_table_path`` does.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping
from pathlib import Path
from typing import Any

from pyiceberg.avro.file import AvroFile, AvroOutputFile
from pyiceberg.io.pyarrow import PyArrowFileIO
from pyiceberg.serializers import FromInputFile
from pyiceberg.typedef import Record
from sqlalchemy import Engine, text

from cityhub.errors import ConfigurationError

PREFIX = "warehouse"
_METADATA_JSON = ".metadata.json"


def local_path(location: str) -> Path:
    """The local path of an Iceberg location (``file://`` URI or plain absolute path)."""
    if location.startswith("file://"):
        from urllib.parse import unquote, urlparse

        return Path(unquote(urlparse(location).path))
    if "://" in location:
        raise ConfigurationError(
            f"the warehouse file {location} is not on the local file system; back it up with "
            "the object store's own tools",
            details={"location": location},
        )
    return Path(location)


def catalogue_locations(engine: Engine) -> list[tuple[str, str | None]]:
    """(metadata location, previous metadata location) of every table in the catalogue."""
    with engine.connect() as connection:
        rows = connection.execute(
            text("SELECT metadata_location, previous_metadata_location FROM iceberg_tables")
        ).all()
    return [(str(row[0]), row[1]) for row in rows if row[0]]


def referenced_files(locations: list[tuple[str, str | None]]) -> Iterator[Path]:
    """Every file reachable from the catalogue pointers: metadata, manifests, data files."""
    io = PyArrowFileIO()
    seen: set[Path] = set()

    def emit(location: str) -> Iterator[Path]:
        path = local_path(location)
        if path not in seen:
            seen.add(path)
            yield path

    for current, previous in locations:
        yield from emit(current)
        metadata = FromInputFile.table_metadata(io.new_input(current))
        # Earlier metadata files are history, not needed to read the table: kept when present.
        for earlier in [previous, *(entry.metadata_file for entry in metadata.metadata_log)]:
            if earlier and local_path(earlier).is_file():
                yield from emit(earlier)
        for snapshot in metadata.snapshots:
            if snapshot.manifest_list:
                yield from emit(snapshot.manifest_list)
            for manifest in snapshot.manifests(io):
                yield from emit(manifest.manifest_path)
                for entry in manifest.fetch_manifest_entry(io, discard_deleted=False):
                    yield from emit(entry.data_file.file_path)


def relative_to_root(path: Path, root: Path) -> str:
    """The path of a warehouse file inside the backup; refused when it lies outside the root."""
    try:
        return f"{PREFIX}/{path.relative_to(root).as_posix()}"
    except ValueError as exc:
        raise ConfigurationError(
            f"the Iceberg file {path} lies outside the warehouse {root}",
            details={"file": str(path)},
        ) from exc


class Relocation:
    """Turns locations under the old warehouse root into the same locations under the new one."""

    def __init__(self, old_root: Path, new_root: Path) -> None:
        self._pairs = [(old_root.as_uri(), new_root.as_uri()), (str(old_root), str(new_root))]
        self.moves = old_root != new_root

    def __call__(self, value: str) -> str:
        for old, new in self._pairs:
            if value == old or value.startswith(old + "/"):
                return new + value[len(old) :]
        return value


def relocate_files(root: Path, files: list[Path], relocation: Relocation) -> None:
    """Rewrite the locations inside the restored metadata files (manifests before their lists)."""
    avro = [f for f in files if f.suffix == ".avro"]
    manifests: list[Path] = []
    lists: list[Path] = []
    for path in avro:
        (manifests if _is_manifest(path) else lists).append(path)
    lengths: dict[str, int] = {}
    for path in manifests:
        _rewrite_avro(path, relocation, None)
        lengths[path.as_uri()] = lengths[str(path)] = path.stat().st_size
    for path in lists:
        _rewrite_avro(path, relocation, lengths)
    for path in files:
        if path.name.endswith(_METADATA_JSON):
            document = json.loads(path.read_text(encoding="utf-8"))
            path.write_text(json.dumps(_walk_json(document, relocation)), encoding="utf-8")


def relocate_catalogue(engine: Engine, relocation: Relocation) -> None:
    """Point the restored catalogue's rows at the relocated metadata files."""
    with engine.begin() as connection:
        rows = connection.execute(
            text(
                "SELECT catalog_name, table_namespace, table_name, metadata_location, "
                "previous_metadata_location FROM iceberg_tables"
            )
        ).all()
        for catalog, namespace, name, current, previous in rows:
            connection.execute(
                text(
                    "UPDATE iceberg_tables SET metadata_location = :current, "
                    "previous_metadata_location = :previous WHERE catalog_name = :catalog "
                    "AND table_namespace = :namespace AND table_name = :name"
                ),
                {
                    "current": relocation(current) if current else current,
                    "previous": relocation(previous) if previous else previous,
                    "catalog": catalog,
                    "namespace": namespace,
                    "name": name,
                },
            )


def _is_manifest(path: Path) -> bool:
    # A manifest's header names its partition spec; a manifest list's does not.
    with AvroFile[Record](PyArrowFileIO().new_input(str(path))) as reader:
        return "partition-spec" in reader.header.meta


def _rewrite_avro(path: Path, relocation: Relocation, lengths: Mapping[str, int] | None) -> None:
    io = PyArrowFileIO()
    with AvroFile[Record](io.new_input(str(path))) as reader:
        meta = dict(reader.header.meta)
        schema = reader.schema
        records = [_walk_record(record, relocation) for record in reader]
    if lengths is not None:
        # The list records each manifest's byte length, which the rewrite changed.
        names = [f.name for f in schema.fields]
        at_path, at_length = names.index("manifest_path"), names.index("manifest_length")
        for record in records:
            record[at_length] = lengths[record[at_path]]
    name = json.loads(meta.pop("avro.schema"))["name"]
    scratch = path.with_name(path.name + ".rewrite")
    with AvroOutputFile[Record](io.new_output(str(scratch)), schema, name, metadata=meta) as out:
        if records:
            out.write_block(records)
    scratch.replace(path)


def _walk_record(value: Any, relocation: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return relocation(value)
    if isinstance(value, Record):
        for index in range(len(value)):
            value[index] = _walk_record(value[index], relocation)
        return value
    if isinstance(value, list):
        return [_walk_record(item, relocation) for item in value]
    if isinstance(value, Mapping):
        return {key: _walk_record(item, relocation) for key, item in value.items()}
    return value


def _walk_json(value: Any, relocation: Callable[[str], str]) -> Any:
    if isinstance(value, str):
        return relocation(value)
    if isinstance(value, list):
        return [_walk_json(item, relocation) for item in value]
    if isinstance(value, dict):
        return {key: _walk_json(item, relocation) for key, item in value.items()}
    return value
