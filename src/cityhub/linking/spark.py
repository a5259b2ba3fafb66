"""Linking on Spark: the same pipeline, its tables as Parquet in the run's scratch folder.

Each run gets a session of its own over the process's Spark context (``newSession``): its temporary
views (``records``, ``edges`` …) and Splink's UDF registrations cannot meet another run's or the
processing engine's. Every table the pipeline materialises is written as Parquet under the
run's scratch folder and read back, which cuts the lineage of the regular-expression-heavy feature
steps (computed once, not again for each later use), as Splink's ``parquet`` lineage breaking
does for its own tables (in ``<scratch>/splink``). Sources are read from their Parquet files,
small inputs (review decisions) go in as Parquet too: no pandas between Python and the JVM.

Splink's string similarity functions (``jaro_winkler`` …) are Scala UDFs in a jar of the splink
wheel, which ``cityhub.pool.spark.session`` puts on ``spark.jars``; ``SparkAPI`` registers them
in the run's session (``register_udfs_automatically``).
"""

from __future__ import annotations

import itertools
import math
import shutil
import uuid
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pyarrow as pa
import pyarrow.parquet as pq
from splink.internals.database_api import DatabaseAPISubClass
from splink.internals.dialects import SparkDialect
from splink.internals.spark.database_api import SparkAPI

from cityhub.config import Settings
from cityhub.errors import ConfigurationError
from cityhub.linking.dialect import SPARK
from cityhub.linking.engine import portable_hash
from cityhub.pool.spark.session import spark_session, splink_jar

if TYPE_CHECKING:
    from pyspark.sql import DataFrame, SparkSession


class _PortableSparkDialect(SparkDialect):
    """Splink's Spark dialect hashing ids as ``portable_hash`` does (as on DuckDB)."""

    def hash_function_expression(self, col_expression: str) -> str:
        return portable_hash(col_expression, SPARK)

    def hash_bucket_expression(self, col_expression: str, modulus: int) -> str:
        return f"pmod({self.hash_function_expression(col_expression)}, {int(modulus)})"


class _SparkAPI(SparkAPI):
    """Splink on the run's session, with its lineage-breaking Parquet in the run's folder."""

    sql_dialect = _PortableSparkDialect()  # type: ignore[no-untyped-call]

    def __init__(self, session: SparkSession, checkpoints: Path, partitions: int) -> None:
        self._checkpoints = checkpoints
        super().__init__(  # type: ignore[no-untyped-call]
            spark_session=session,
            break_lineage_method="parquet",
            num_partitions_on_repartition=partitions,
            register_udfs_automatically=True,
        )

    def _get_checkpoint_dir_path(self, spark_df: DataFrame) -> str:
        # Splink would use (and require) the context's checkpoint directory, which is shared by
        # every session of the process; each run writes into its own folder instead.
        return str(self._checkpoints)


class SparkEngine:
    """Linking on Spark (``settings.engine == "spark"``)."""

    dialect = SPARK

    def __init__(self, session: SparkSession, scratch: Path, partitions: int) -> None:
        self.session = session
        self.scratch = scratch
        self.partitions = partitions
        self._run = uuid.uuid4().hex[:8]  # scratch folders of tests may be shared
        self._serial = itertools.count()

    def _folder(self, name: str) -> Path:
        # A new folder each time: a table may be made from a query that reads its old files.
        return self.scratch / "tables" / f"{name}-{self._run}-{next(self._serial)}"

    def _sql(self, sql: str) -> DataFrame:
        return self.session.sql(sql)

    def _materialise(self, name: str, frame: DataFrame) -> None:
        folder = self._folder(name)
        frame.write.parquet(str(folder))
        self.session.read.parquet(str(folder)).createOrReplaceTempView(name)

    def create(self, table: str, sql: str) -> None:
        self._materialise(table, self._sql(sql))

    def view(self, name: str, sql: str) -> None:
        self._sql(sql).createOrReplaceTempView(name)

    def drop(self, table: str) -> None:
        self.session.catalog.dropTempView(table)

    def source(self, view: str, files: Sequence[str]) -> None:
        frame = self.session.read.option("mergeSchema", "true").parquet(*files)
        frame.createOrReplaceTempView(view)

    def load(self, table: str, data: pa.Table) -> None:
        folder = self._folder(table)
        folder.mkdir(parents=True)
        pq.write_table(data, folder / "part-00000.parquet")
        self.session.read.parquet(str(folder)).createOrReplaceTempView(table)

    def scalar(self, sql: str) -> Any:
        return self._sql(sql).collect()[0][0]

    def arrow(self, sql: str) -> pa.Table:
        table: pa.Table = self._sql(sql).toArrow()
        return table

    def splink(self) -> DatabaseAPISubClass:
        checkpoints = self.scratch / "splink"
        checkpoints.mkdir(parents=True, exist_ok=True)
        # Splink repartitions its big intermediate tables into this many parts (and fractions
        # of it); half the shuffle partitions is its own default.
        api: DatabaseAPISubClass = _SparkAPI(
            self.session, checkpoints, max(1, math.ceil(self.partitions / 2))
        )
        return api

    def write_parquet(self, sql: str, folder: Path) -> list[Path]:
        # A global ORDER BY range-partitions the rows: part files in name order hold the rows in
        # order. Spark writes into a folder of its own (with marker files); the parts move up.
        written = folder / "_spark"
        self._sql(sql).write.parquet(str(written))
        files = []
        for index, part in enumerate(sorted(written.glob("part-*.parquet"))):
            target = folder / f"part-{index:05d}.parquet"
            part.rename(target)
            files.append(target)
        shutil.rmtree(written)
        return files


def _session(settings: Settings) -> SparkSession:
    if splink_jar() is None:
        raise ConfigurationError(
            "linking on Spark needs splink's similarity UDF jar (internals/files/spark_jars in "
            "the splink wheel), and it is missing"
        )
    # A session of the run's own over the process's context: its own temporary views.
    return spark_session(settings).newSession()


@contextmanager
def spark_engine(settings: Settings, scratch: Path) -> Iterator[SparkEngine]:
    """A Spark engine for one run, writing its tables under ``scratch``."""
    session = _session(settings)
    engine = SparkEngine(session, scratch, settings.spark_shuffle_partitions)
    try:
        yield engine
    finally:
        # Only the views: the cache is the context's, shared with every other session.
        for table in session.catalog.listTables():
            if table.isTemporary:
                session.catalog.dropTempView(table.name)
