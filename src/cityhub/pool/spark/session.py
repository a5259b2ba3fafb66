"""The process's one Spark session, started on first use with the platform's settings.

A JVM takes seconds to start and a driver may hold only one ``SparkContext``, so every engine,
job and test of a process shares one session; it stops when the process exits. The settings that
make Spark agree with DuckDB are fixed here, not left to defaults (see
``../shared/reference/scale-out.md`` and docs/decisions.md, issue 8):

- Arrow transfer on: without it Spark turns string NULLs into the text ``'NaN'``;
- session time zone UTC, and timestamps written as ``TIMESTAMP_MICROS`` (not INT96);
- ANSI mode on, so a bad cast or an overflow is an error as in DuckDB; division gets DuckDB's
  meaning in the dialect instead (``cityhub.pool.spark.dialect``).
"""

from __future__ import annotations

import atexit
import importlib.util
import logging
import os
import shutil
import threading
from pathlib import Path
from typing import TYPE_CHECKING

from cityhub.config import Settings
from cityhub.errors import ConfigurationError

if TYPE_CHECKING:
    from pyspark.sql import SparkSession

_lock = threading.Lock()
_session: SparkSession | None = None


def unavailable_reason() -> str | None:
    """Why Spark cannot start on this machine, or None when it can."""
    if importlib.util.find_spec("pyspark") is None:
        return "pyspark is not installed (pip install 'cityhub[spark]')"
    java_home = os.environ.get("JAVA_HOME")
    if not (java_home and Path(java_home, "bin", "java").exists()) and not shutil.which("java"):
        return "no Java runtime found (install OpenJDK 17: apt-get install openjdk-17-jre-headless)"
    return None


def spark_session(settings: Settings) -> SparkSession:
    """The process's Spark session, started with ``settings`` the first time.

    Later calls return the same session whatever their settings: a JVM's configuration is fixed
    at start.
    """
    global _session
    with _lock:
        if _session is not None:
            return _session
        reason = unavailable_reason()
        if reason is not None:
            raise ConfigurationError(f"the Spark engine cannot start: {reason}")
        _session = _start(settings)
        atexit.register(stop)
        return _session


def stop() -> None:
    """Stop the session (at process exit; tests that need a fresh JVM call it too)."""
    global _session
    with _lock:
        if _session is not None:
            _session.stop()
            _session = None


def _start(settings: Settings) -> SparkSession:
    from pyspark.sql import SparkSession

    local = settings.spark_master.startswith("local")
    if local:
        # The driver would otherwise bind to the first interface, which a closed network refuses.
        os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    scratch = settings.data_dir / "spark"
    (scratch / "tmp").mkdir(parents=True, exist_ok=True)
    builder = (
        SparkSession.builder.master(settings.spark_master)
        .appName("cityhub")
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.driver.memory", settings.spark_driver_memory)
        .config("spark.sql.shuffle.partitions", str(settings.spark_shuffle_partitions))
        .config("spark.sql.execution.arrow.pyspark.enabled", "true")
        .config("spark.sql.execution.arrow.pyspark.fallback.enabled", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.sql.ansi.enabled", "true")
        .config("spark.sql.parquet.outputTimestampType", "TIMESTAMP_MICROS")
        .config("spark.sql.warehouse.dir", str(scratch / "warehouse"))
        .config("spark.local.dir", str(scratch / "tmp"))
        .config("spark.driver.extraJavaOptions", f"-Djava.io.tmpdir={scratch / 'tmp'}")
    )
    if local:
        builder = builder.config("spark.driver.bindAddress", "127.0.0.1")
    jar = splink_jar()
    if jar is not None:
        builder = builder.config("spark.jars", str(jar))
    session = builder.getOrCreate()
    # Failed queries are raised to the caller as cityhub errors; the JVM need not print them too.
    session.sparkContext.setLogLevel("FATAL")
    logging.getLogger("SQLQueryContextLogger").setLevel(logging.CRITICAL)  # pyspark's own copy
    return session


def splink_jar() -> Path | None:
    """Splink's string-similarity UDFs for Spark 4, shipped inside the splink wheel."""
    spec = importlib.util.find_spec("splink")
    if spec is None or spec.origin is None:
        return None
    jars = sorted(Path(spec.origin).parent.glob("internals/files/spark_jars/*_spark4.x.jar"))
    return jars[-1] if jars else None
