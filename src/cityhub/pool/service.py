"""Reading the pool under the sharing rules: every read checked, masked and audited."""

from __future__ import annotations

import hashlib
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from functools import cached_property
from typing import Any

from cityhub import audit, catalog
from cityhub.auth import Actor
from cityhub.catalog import ColumnType, Dataset, DatasetVersion, PersonalKind
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.errors import NotAuthenticated, PermissionDenied
from cityhub.pool.engine import Engine, QueryEngine, Relation, Results, quote
from cityhub.pool.masking import mask_expression
from cityhub.pool.warehouse import Warehouse
from cityhub.query import rows as row_query


class Pool:
    """The data pool of one platform: its warehouse and its query engine.

    >>> pool = Pool(db, settings)
    >>> page = read_rows(pool, actor, "legal_entities", RowQuery(limit=10))
    """

    def __init__(self, db: Database, settings: Settings) -> None:
        self.db = db
        self.settings = settings
        self.warehouse = Warehouse(db, settings.data_dir)
        self._files: dict[tuple[int, int], tuple[str, ...]] = {}

    @cached_property
    def engine(self) -> Engine:
        """The locked query engine (started on first use)."""
        return Engine(
            self.warehouse.root,
            memory_limit=self.settings.query_memory_limit,
            threads=self.settings.query_threads,
        )

    @cached_property
    def processing(self) -> QueryEngine:
        """The engine of the platform's own processing: DuckDB, or Spark (``CITYHUB_ENGINE``).

        User SQL and the row API stay on ``engine``, the locked DuckDB, whatever this is.
        """
        if self.settings.engine == "spark":
            from cityhub.pool.spark.engine import SparkEngine  # pyspark is an optional extra

            return SparkEngine(self.settings)
        return self.engine

    def files(self, dataset_id: int, snapshot_id: int) -> tuple[str, ...]:
        """The Parquet files of a snapshot; cached, since a snapshot never changes."""
        key = (dataset_id, snapshot_id)
        if key not in self._files:
            self._files[key] = tuple(self.warehouse.files(dataset_id, snapshot_id))
        return self._files[key]

    def close(self) -> None:
        """Stop the engine and close the warehouse's connections."""
        if "engine" in self.__dict__:
            self.engine.close()
        self.warehouse.close()


@dataclass(frozen=True)
class Readable:
    """A dataset version the actor may read, as an engine relation, with its column types.

    ``types`` holds only the columns the actor may read: a grant limited to some columns leaves
    the others out of the relation, so no API can name them.
    """

    dataset: Dataset
    version: DatasetVersion
    relation: Relation
    types: dict[str, ColumnType]
    masked: bool
    limited: bool = False  # some columns are left out by the department's grant


def _relation(
    pool: Pool,
    actor: Actor,
    dataset: Dataset,
    version: DatasetVersion,
    columns: frozenset[str] | None = None,
) -> Readable:
    masked = catalog.masks_personal_data(actor, dataset)
    personal = {c.name: PersonalKind(c.personal) for c in dataset.columns if c.personal}
    masked = masked and bool(personal)
    names = [c["name"] for c in version.schema if columns is None or c["name"] in columns]
    if not names:
        raise PermissionDenied(
            f"version {version.number} of {dataset.name!r} has none of the granted columns",
            details={"dataset": dataset.name, "version": version.number},
        )
    select_list = tuple(
        f"{mask_expression(quote(n), personal[n])} AS {quote(n)}"
        if masked and n in personal
        else quote(n)
        for n in names
    )
    limited = len(names) < len(version.schema)
    relation = Relation(
        f"v_{dataset.id}_{version.snapshot_id}_{'m' if masked else 'r'}"
        + _columns_tag(names, limited),
        pool.files(dataset.id, version.snapshot_id),
        select_list,
    )
    types = {c["name"]: ColumnType(c["type"]) for c in version.schema if c["name"] in names}
    return Readable(dataset, version, relation, types, masked, limited)


def _columns_tag(names: list[str], limited: bool) -> str:
    """A suffix that tells column sets apart: views are shared, so each set needs its own."""
    if not limited:
        return ""
    digest = hashlib.sha256("\x00".join(names).encode()).hexdigest()
    return f"_c{digest[:12]}"


def readable(pool: Pool, actor: Actor, name: str, version: int | None, action: str) -> Readable:
    """The relation through which the actor reads a dataset version; refusals are audited.

    Reading through an expired grant is refused like reading without one; reading through a
    grant limited to some columns gives a relation of those columns only.
    """
    db = pool.db
    dataset = catalog.get_dataset(db, actor, name)
    with db.reading() as session:
        held = catalog.grant_of(session, dataset.id, actor.department_code)
        chosen = catalog.version_of(session, dataset, version)
    granted = frozenset({actor.department_code}) if held and actor.department_code else frozenset()
    if not catalog.can_read(actor, dataset, granted):
        audit.deny(db, actor, action, object_type="dataset", object_id=dataset.name)
        if not actor.is_authenticated:
            raise NotAuthenticated(
                f"dataset {dataset.name!r} is open to signed-in departments only: sign in",
                details={"dataset": dataset.name, "open_type": dataset.open_type},
            )
        raise PermissionDenied(
            f"dataset {dataset.name!r} is not shared with your department ({dataset.share_type})",
            details={"dataset": dataset.name, "share_type": dataset.share_type},
        )
    columns = catalog.readable_columns(actor, dataset, held.columns if held else None)
    return _relation(pool, actor, dataset, chosen, columns)


@dataclass(frozen=True)
class RowsPage:
    """One page of rows from the row API."""

    dataset: str
    version: int
    columns: list[str]
    rows: list[tuple[Any, ...]]
    total: int
    limit: int
    offset: int
    masked: bool
    limited: bool = False  # the department's grant leaves some columns out


def read_rows(pool: Pool, actor: Actor, name: str, query: row_query.RowQuery) -> RowsPage:
    """A filtered, sorted page of a dataset version; the read is audited."""
    source = readable(pool, actor, name, query.version, "dataset.read")
    built = row_query.build(source.relation.name, source.types, query, quote)
    limit_ms = pool.settings.query_time_limit_ms
    relations = [source.relation]
    # The page and the total scan the same files: run them side by side on two cursors.
    with ThreadPoolExecutor(max_workers=2) as both:
        counting = both.submit(
            pool.engine.query,
            relations,
            built.count_sql,
            built.params,
            time_limit_ms=limit_ms,
            max_rows=1,
        )
        page = pool.engine.query(
            relations, built.page_sql, built.params, time_limit_ms=limit_ms, max_rows=query.limit
        )
        total = counting.result()
    audit.record_alone(
        pool.db,
        actor,
        "dataset.read",
        object_type="dataset",
        object_id=source.dataset.name,
        outcome=audit.Outcome.SUCCESS,
        details={
            "version": source.version.number,
            "filters": [f"{f.column}__{f.op}" for f in query.filters],
            "rows": len(page.rows),
            "masked": source.masked,
        },
    )
    return RowsPage(
        source.dataset.name,
        source.version.number,
        page.columns,
        page.rows,
        int(total.rows[0][0]),
        query.limit,
        query.offset,
        source.masked,
        source.limited,
    )


@dataclass(frozen=True)
class SandboxedQuery:
    """A user's SELECT that passed the sandbox for one actor.

    ``sql`` is what to run instead of the text sent; ``sources`` are the dataset versions it
    reads, as the actor reads them (masked, limited to granted columns).
    """

    sql: str
    sources: tuple[Readable, ...]

    @property
    def relations(self) -> list[Relation]:
        """The engine relations the query reads."""
        return [source.relation for source in self.sources]


def sandboxed(pool: Pool, actor: Actor, sql: str, *, aliases: str = "name") -> SandboxedQuery:
    """Check a user's SELECT over the newest versions of the datasets the actor may read.

    Raises ``QueryRefused`` (see ``cityhub.query.sqlcheck``); runs nothing and audits nothing.
    """
    from cityhub.query.sqlcheck import check_select

    readable_now = _readable_all(pool, actor, aliases)
    mapping = {key: quote(src.relation.name) for key, src in readable_now.items()}
    checked = check_select(sql, tables=mapping)
    used = {readable_now[t].relation.name: readable_now[t] for t in sorted(checked.tables)}
    return SandboxedQuery(checked.sql, tuple(used.values()))


def run_sql(
    pool: Pool,
    actor: Actor,
    sql: str,
    *,
    aliases: str = "name",
    max_rows: int | None = None,
    processing: bool = False,
) -> Results:
    """Run a user's SELECT over the datasets the actor may read (see ``cityhub.query.sqlcheck``).

    ``max_rows`` may only lower the configured row cap. ``processing`` runs it as the platform's
    own job (a computed target) on the processing engine, with the processing time limit.
    """
    query = sandboxed(pool, actor, sql, aliases=aliases)
    settings = pool.settings
    cap = settings.query_max_rows if max_rows is None else min(max_rows, settings.query_max_rows)
    engine = pool.processing if processing else pool.engine
    limit = settings.processing_time_limit_ms if processing else settings.query_time_limit_ms
    try:
        results = engine.query(
            query.relations,
            query.sql,
            time_limit_ms=limit,
            max_rows=cap,
        )
    except Exception as exc:
        audit.record_alone(
            pool.db,
            actor,
            "sql.query",
            outcome=audit.Outcome.FAILURE,
            details={"sql": sql[:2000], "error": str(exc)[:500]},
        )
        raise
    audit.record_alone(
        pool.db,
        actor,
        "sql.query",
        outcome=audit.Outcome.SUCCESS,
        details={
            "sql": sql[:2000],
            "datasets": sorted({source.dataset.name for source in query.sources}),
            "rows": len(results.rows),
        },
    )
    return results


def _readable_all(pool: Pool, actor: Actor, aliases: str) -> dict[str, Readable]:
    found: dict[str, Readable] = {}
    for readable_source in catalog.readable_sources(pool.db, actor):
        dataset = readable_source.dataset
        try:
            source = _relation(
                pool, actor, dataset, readable_source.version, readable_source.columns
            )
        except PermissionDenied:  # a grant whose columns the newest version lacks
            continue
        found[dataset.name] = source
        if aliases == "resource_id":
            found[dataset.resource_uuid] = source
    return found
