"""The Spark engine: the processing path's queries on Apache Spark, with DuckDB's meaning.

It has the ``Engine`` interface (``query``, ``stream``, ``close``) and takes the same inputs: a
dataset version's ``Relation`` (its Parquet files and masked SELECT list) and DuckDB SQL from the
checked tree, which ``dialect.to_spark`` rewrites. Spark reads the exact files of the Iceberg
snapshot that PyIceberg planned, never a table folder (which holds old snapshots' files too).

Views are registered once per relation or file list and shared, as in the DuckDB engine: their
files never change. A query's time limit cancels its Spark jobs through a tag.
"""

from __future__ import annotations

import threading
import time
import uuid
from collections.abc import Iterator, Sequence
from typing import TYPE_CHECKING, Any

import pyarrow as pa

from cityhub.config import Settings
from cityhub.errors import CityhubError, InvalidInput, QueryTimeout
from cityhub.pool.engine import Relation, Results
from cityhub.pool.spark.dialect import Source, expression_to_spark, to_spark
from cityhub.pool.spark.session import spark_session

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession

_FILE_PREFIX = "file:"
# How long a timed-out query may wait for its cancelled tasks to stop before answering.
DRAIN_SECONDS = 60.0


class SparkEngine:
    """Processing queries on Spark over the pool's files.

    >>> engine = SparkEngine(settings)
    >>> engine.query([relation], 'SELECT count(*) FROM "v_7_1_m"', time_limit_ms=60_000, max_rows=9)
    """

    def __init__(self, settings: Settings) -> None:
        self._settings = settings
        self.root = (settings.data_dir / "warehouse").resolve()
        self.distributed = True
        self._lock = threading.Lock()
        self._views: set[str] = set()

    @property
    def session(self) -> SparkSession:
        """The process's Spark session (started on first use)."""
        return spark_session(self._settings)

    def query(
        self,
        relations: Sequence[Relation],
        sql: str,
        params: Sequence[Any] = (),
        *,
        time_limit_ms: int,
        max_rows: int,
    ) -> Results:
        """Run ``sql`` (DuckDB dialect) with a time limit and a row cap."""
        table = self._run(relations, sql, params, time_limit_ms, max_rows + 1)
        # By column, not by dict: a result may repeat a name (``SELECT a.id, b.id``).
        rows = list(zip(*(column.to_pylist() for column in table.columns), strict=True))
        return Results(list(table.column_names), rows[:max_rows], len(rows) > max_rows)

    def stream(
        self,
        relations: Sequence[Relation],
        sql: str,
        params: Sequence[Any] = (),
        *,
        batch_rows: int = 65_536,
    ) -> tuple[pa.Schema, Iterator[pa.RecordBatch]]:
        """The result as Arrow batches; Spark gathers it in the driver first."""
        table = self._run(relations, sql, params, None, None)
        return table.schema, iter(table.to_batches(max_chunksize=batch_rows))

    def close(self) -> None:
        """Nothing to release: the session is the process's and stops at exit."""

    def _run(
        self,
        relations: Sequence[Relation],
        sql: str,
        params: Sequence[Any],
        time_limit_ms: int | None,
        limit: int | None,
    ) -> pa.Table:
        # File views (a quality plan's staged files, say) belong to one query and go with it;
        # relation views are a dataset version's and are shared, like the DuckDB engine's.
        translated = to_spark(sql, salt=uuid.uuid4().hex)
        self._ensure(relations)
        try:
            for source in translated.sources:
                self._files_view(source)
            try:
                frame = self.session.sql(translated.sql, args=list(params) or None)
            except Exception as exc:  # pyspark raises its own hierarchy, rooted at Exception
                raise _refusal(exc) from exc
            return self._collect(frame if limit is None else frame.limit(limit), time_limit_ms)
        finally:
            for source in translated.sources:
                self.session.catalog.dropTempView(source.view)

    def _collect(self, frame: DataFrame, time_limit_ms: int | None) -> pa.Table:
        context = self.session.sparkContext
        group = f"cityhub-{uuid.uuid4().hex}"
        # A job group, not a session tag: classic Spark 4.0's interruptTag finds no operation
        # of a DataFrame collected to Arrow, while cancelJobGroup stops it within a second.
        context.setJobGroup(group, "cityhub processing query", interruptOnCancel=True)
        stopped = threading.Event()
        expired = threading.Event()

        def cancel_after_deadline() -> None:
            # cancelJobGroup only reaches jobs already submitted: planning a large query can
            # outlast the limit, so keep cancelling until the collect has ended.
            assert time_limit_ms is not None
            if stopped.wait(time_limit_ms / 1000):
                return
            expired.set()
            while not stopped.is_set():
                context.cancelJobGroup(group)
                stopped.wait(0.2)

        canceller = None
        if time_limit_ms is not None:
            canceller = threading.Thread(target=cancel_after_deadline, daemon=True)
            canceller.start()
        try:
            table = frame.toArrow()
        except Exception as exc:
            if expired.is_set():
                self._drain(group)
                raise _timeout(time_limit_ms) from exc
            raise _refusal(exc) from exc
        finally:
            stopped.set()
            if canceller is not None:
                canceller.join()
            context.setLocalProperty("spark.jobGroup.id", None)  # type: ignore[arg-type]
        if expired.is_set():  # finished between the deadline and the first cancel
            raise _timeout(time_limit_ms)
        return table

    def _drain(self, group: str) -> None:
        """Wait (at most DRAIN_SECONDS) until the cancelled group's tasks have really stopped.

        A cancelled job fails at once, but a task notices the kill only between the rows of its
        input: one row of a nested-loop join can take seconds, more on a busy machine. Returning
        while such tasks still hold the cores would charge them to the next query's time limit.
        """
        tracker = self.session.sparkContext.statusTracker()
        deadline = time.monotonic() + DRAIN_SECONDS
        while time.monotonic() < deadline:
            stages = [
                stage
                for job in tracker.getJobIdsForGroup(group)
                if (info := tracker.getJobInfo(job)) is not None
                for stage in info.stageIds
            ]
            active = sum(
                found.numActiveTasks
                for stage in stages
                if (found := tracker.getStageInfo(stage)) is not None
            )
            if not active:
                return
            time.sleep(0.1)

    def _ensure(self, relations: Sequence[Relation]) -> None:
        with self._lock:
            for relation in relations:
                if relation.name not in self._views:
                    self._relation_view(relation)
                    self._views.add(relation.name)

    def _files_view(self, source: Source) -> None:
        reader = self.session.read.option("mergeSchema", "true")
        frame = reader.parquet(*source.files)
        extra = []
        if source.row_numbers:
            extra.append("_metadata.row_index AS file_row_number")
        if source.filenames:
            # Spark names files by URI; DuckDB by the path it was given.
            extra.append(
                f"regexp_replace(_metadata.file_path, '^{_FILE_PREFIX}(//)?', '') AS filename"
            )
        if extra:
            frame = frame.selectExpr("*", *extra)
        frame.createOrReplaceTempView(source.view)

    def _relation_view(self, relation: Relation) -> None:
        session = self.session
        select = ", ".join(expression_to_spark(item) for item in relation.select_list)
        if relation.files:
            base = f"_files_{relation.name}"
            session.read.option("mergeSchema", "true").parquet(
                *relation.files
            ).createOrReplaceTempView(base)
            source = f"`{base}`"
        else:
            source = "(SELECT 1 WHERE false)"
        session.sql(
            f"CREATE OR REPLACE TEMP VIEW `{relation.name}` AS SELECT {select} FROM {source}"
        )


def _timeout(time_limit_ms: int | None) -> QueryTimeout:
    return QueryTimeout(
        f"the query ran longer than {time_limit_ms} ms and was stopped",
        details={"time_limit_ms": time_limit_ms, "engine": "spark"},
    )


def _refusal(exc: Exception) -> CityhubError:
    """A Spark error as the platform's error: its class and first line, no JVM stack."""
    text = str(exc).strip()
    first = text.splitlines()[0] if text else type(exc).__name__
    if len(first) > 500:
        first = first[:500] + "…"
    return InvalidInput(f"the query failed: {first}", details={"engine": "spark"})
