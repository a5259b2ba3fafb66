"""Settings: every tunable in one place, read from ``CITYHUB_*`` environment variables."""

from __future__ import annotations

import os
import secrets
from functools import lru_cache
from pathlib import Path
from typing import Any, Literal

from pydantic import Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from cityhub.errors import ConfigurationError


class Settings(BaseSettings):
    """The effective configuration of one cityhub process.

    Every field has a description; ``cityhub config`` prints them, and a test checks that
    ``docs/configuration.md`` names each one.

    >>> Settings(data_dir=Path("/srv/cityhub"), port=8080).database_url_effective
    'sqlite:////srv/cityhub/cityhub.db'
    """

    model_config = SettingsConfigDict(env_prefix="CITYHUB_", env_ignore_empty=True, extra="ignore")

    data_dir: Path = Field(
        default=Path("./var"),
        description="Directory for the metadata database (SQLite), dataset files and keys.",
    )
    database_url: str | None = Field(
        default=None,
        description=(
            "SQLAlchemy URL of the metadata database, e.g. postgresql://user@host/db. "
            "Empty means a SQLite file cityhub.db in the data directory."
        ),
    )
    host: str = Field(default="127.0.0.1", description="Address the web server listens on.")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the web server listens on.")
    secret_key: SecretStr | None = Field(
        default=None,
        description=(
            "Key that signs CSRF tokens. Empty means a random key kept in <data_dir>/secret_key, "
            "created at first start."
        ),
    )
    session_lifetime_minutes: int = Field(
        default=480, ge=5, description="How long a web login lasts, in minutes."
    )
    token_lifetime_days: int = Field(
        default=30,
        ge=1,
        le=3650,
        description="Default lifetime in days of an API token from /api/auth/token or the CLI.",
    )
    admin_password: SecretStr | None = Field(
        default=None,
        description=(
            "Password of the first admin, set when the platform first starts. Empty means a "
            "random one, printed once."
        ),
    )
    login_max_failures: int = Field(
        default=5, ge=1, description="Failed logins in a row that lock an account name."
    )
    login_lockout_minutes: int = Field(
        default=15,
        ge=1,
        description="How long an account name stays locked after too many failures.",
    )
    rate_limit_login_per_minute: int = Field(
        default=30,
        ge=0,
        description=(
            "Login attempts one client address may make per minute (API and page), beyond the "
            "per-account lockout; 0 turns the limit off."
        ),
    )
    rate_limit_expensive_per_minute: int = Field(
        default=60,
        ge=0,
        description=(
            "SQL queries (the SQL API and CKAN datastore_search_sql) and dataset exports one "
            "client address may start per minute; 0 turns the limit off."
        ),
    )
    cookie_secure: bool | None = Field(
        default=None,
        description=(
            "Mark cookies Secure. Empty means: Secure whenever the request came over HTTPS "
            "(set true behind a TLS-terminating proxy)."
        ),
    )
    log_level: str = Field(default="info", description="Log level: debug, info, warning, error.")
    query_time_limit_ms: int = Field(
        default=5000,
        ge=10,
        description="Time limit of one query (row API, SQL API), in milliseconds.",
    )
    query_max_rows: int = Field(
        default=10_000, ge=1, description="Most rows one SQL API query returns; more are cut."
    )
    query_memory_limit: str = Field(
        default="2GB", description="Memory limit of the query engine (DuckDB syntax, e.g. 2GB)."
    )
    query_threads: int = Field(default=2, ge=1, description="Threads of the query engine.")
    engine: Literal["duckdb", "spark"] = Field(
        default="duckdb",
        description=(
            "Engine of the platform's processing over pool data (derived datasets, quality "
            "reports, computed targets, record linking): duckdb (embedded) or spark (needs "
            "`pip install 'cityhub[spark]'` and Java 17). User SQL always runs on the locked "
            "DuckDB."
        ),
    )
    processing_time_limit_ms: int = Field(
        default=3_600_000,
        ge=1000,
        description=(
            "Time limit of one query of the platform's own processing (a computed target), in "
            "milliseconds; a Spark engine needs seconds to start."
        ),
    )
    spark_master: str = Field(
        default="local[2]",
        description="Spark master URL when engine is spark: local[N] or spark://host:7077.",
    )
    spark_driver_memory: str = Field(
        default="2g", description="Memory of the Spark driver JVM (Spark syntax, e.g. 2g)."
    )
    spark_shuffle_partitions: int = Field(
        default=8,
        ge=1,
        description=(
            "Partitions of a Spark shuffle (spark.sql.shuffle.partitions); raise on a cluster."
        ),
    )
    max_upload_mb: int = Field(
        default=10_240, ge=1, description="Largest file accepted by an upload, in megabytes."
    )
    linking_memory_limit: str = Field(
        default="8GB",
        description=(
            "Memory limit of one record-linking run's DuckDB (DuckDB syntax, e.g. 8GB); beyond it "
            "the run spills to <data_dir>/tmp."
        ),
    )
    derived_scheduler_seconds: int = Field(
        default=60,
        ge=0,
        description=(
            "Seconds between two looks of the web app for derived datasets due for a refresh; "
            "0 switches the scheduler off (run `cityhub derived refresh --due` from cron instead)."
        ),
    )
    sharing_response_working_days: int = Field(
        default=10,
        ge=1,
        le=60,
        description=(
            "Working days an owner department has to answer a 有条件共享 request; 10 as "
            "Shandong's rules set it (山东省电子政务和政务数据管理办法: 有关部门应当在10个工作日内"
            "予以答复)."
        ),
    )

    public_url: str | None = Field(
        default=None,
        description=(
            "Base URL the platform is reached at from outside, e.g. https://data.liaocheng.gov.cn; "
            "used for absolute links such as SensorThings selfLinks. Empty means the URL each "
            "request came in on."
        ),
    )
    sta_default_top: int = Field(
        default=100, ge=1, description="SensorThings: entities per page when $top is not given."
    )
    sta_max_top: int = Field(
        default=10_000,
        ge=1,
        description="SensorThings: most entities per page; a larger $top is capped to it.",
    )
    sl651_port: int = Field(
        default=5651,
        ge=0,
        le=65535,
        description=(
            "TCP port of the SL 651-2014 gateway for hydrology stations, started by cityhub serve "
            "and cityhub demo; 0 switches it off."
        ),
    )
    sl651_idle_seconds: int = Field(
        default=300,
        ge=5,
        description="SL 651 gateway: a connection that sends nothing for this long is closed.",
    )

    mqtt_url: str | None = Field(
        default=None,
        description=(
            "External MQTT broker for the SensorThings MQTT extension, e.g. "
            "mqtt://127.0.0.1:1883 (Mosquitto); empty means the embedded broker."
        ),
    )
    mqtt_port: int = Field(
        default=1884,
        ge=0,
        le=65535,
        description=(
            "Port of the embedded MQTT broker (not 1883, which a local Mosquitto may hold); "
            "0 switches MQTT off."
        ),
    )
    mqtt_username: str | None = Field(
        default=None, description="User name of the platform's own login on an external broker."
    )
    mqtt_password: SecretStr | None = Field(
        default=None, description="Password of the platform's own login on an external broker."
    )
    sensing_retention_days: int = Field(
        default=90,
        ge=1,
        description=(
            "Days Observations stay in the metadata database; older ones are rolled up into the "
            "pool (an Iceberg table per department and sharing type) and removed."
        ),
    )
    sensing_rollup_minutes: int = Field(
        default=60,
        ge=0,
        description="Minutes between two roll-ups of old Observations into the pool; 0: never.",
    )
    trace_origin: str | None = Field(
        default=None,
        description=(
            "Origin (identity) of the traceability log, a schema-less URL such as "
            "trace.liaocheng.gov.cn/agri/2026; it is the first line of every checkpoint and the "
            "log key's name. Empty means <host of public_url, else host:port>/trace/log."
        ),
    )
    trace_log_key_file: Path | None = Field(
        default=None,
        description=(
            "File holding the log's signing key (C2SP signed-note PRIVATE+KEY form). Empty means "
            "<data_dir>/trace/log.skey, created on first start; back it up: a lost key means a "
            "new log."
        ),
    )
    key_passphrase: SecretStr | None = Field(
        default=None,
        description=(
            "Passphrase that encrypts signing keys on disk (scrypt, AES-256-GCM): the trace log "
            "key, and witness keys made by `cityhub witness keygen`. A plain key file found at "
            "start is encrypted in place. Empty means key files are plain, mode 0600."
        ),
    )
    trace_policy_file: Path | None = Field(
        default=None,
        description=(
            "C2SP tlog-policy file naming the witnesses (name, verifier key, URL) and the quorum "
            "that makes a checkpoint published, e.g. 2 of 3. Empty means no witnesses: a "
            "checkpoint is published once the log has signed it."
        ),
    )
    trace_checkpoint_seconds: float = Field(
        default=0.5,
        gt=0,
        le=10,
        description=(
            "Longest wait between new entries being sequenced and a checkpoint covering them; "
            "an append returns once a published checkpoint covers it."
        ),
    )
    trace_batch_max: int = Field(
        default=4000,
        ge=1,
        description="Most log entries sequenced in one database transaction.",
    )
    trace_witness_timeout_seconds: float = Field(
        default=5.0,
        gt=0,
        description="How long the log waits for one witness's cosignature before going on without.",
    )
    trace_check_workers: int | None = Field(
        default=None,
        ge=0,
        description=(
            "Worker processes that check large requests of signed events (signatures, schema, "
            "hash IDs) in parallel. Empty means one per core; 0 or 1 checks in-process."
        ),
    )
    trace_future_tolerance_seconds: int = Field(
        default=300,
        ge=0,
        description="How far an event's eventTime may lie in the future (clock skew of recorders).",
    )
    trace_order_tolerance_seconds: int = Field(
        default=3600,
        ge=0,
        description=(
            "How far an event's eventTime may lie before the latest event already recorded for "
            "the same batch; earlier than that is refused as out of order."
        ),
    )
    trace_audit_anchor_minutes: int = Field(
        default=60,
        ge=0,
        description="Minutes between two anchors of new audit rows in the log; 0: never.",
    )
    programme_report_due_days: int = Field(
        default=10,
        ge=0,
        description="Days after a reporting period ends that its progress report is due.",
    )
    programme_reminder_days: int = Field(
        default=5,
        ge=0,
        description="Days before a progress report is due that its unit is reminded.",
    )

    # Several processes (docs/architecture.md, "Several processes").
    workers: str = Field(
        default="all",
        description=(
            "Background workers this process may run: all, none, or a comma list of sl651 (the "
            "SL 651 gateway), mqtt (broker or bridge), alarms (offline sweep and webhooks), "
            "rollup, derived (refresh scheduler), anchor (audit anchoring). On PostgreSQL each "
            "runs in one process at a time, elected by an advisory lock; `cityhub serve "
            "--workers` and `cityhub worker --workers` override it."
        ),
    )
    worker_standby_seconds: float = Field(
        default=5.0,
        gt=0,
        description=(
            "Seconds between two checks of a process standing by for a worker another process "
            "runs: it takes the worker over this long after that process is gone."
        ),
    )

    @field_validator("log_level")
    @classmethod
    def _known_log_level(cls, value: str) -> str:
        if value.lower() not in {"debug", "info", "warning", "error"}:
            raise ValueError("must be one of debug, info, warning, error")
        return value.lower()

    @property
    def database_url_effective(self) -> str:
        """The database URL in use, with the SQLite default filled in."""
        if self.database_url:
            return self.database_url
        return f"sqlite:///{self.data_dir.resolve() / 'cityhub.db'}"

    def signing_key(self) -> bytes:
        """The secret that signs CSRF tokens; created once per data directory when not set."""
        if self.secret_key is not None:
            return self.secret_key.get_secret_value().encode()
        return _stored_secret(self.data_dir / "secret_key")

    def effective(self) -> dict[str, Any]:
        """Every setting with its value as used; secrets hidden."""
        shown: dict[str, Any] = {}
        for name in type(self).model_fields:
            value = getattr(self, name)
            if isinstance(value, SecretStr):
                value = "******"
            elif name == "database_url":
                value = hide_password(self.database_url_effective)
            shown[name] = value
        return shown


def hide_password(url: str) -> str:
    """The URL with any password replaced, safe to print or log."""
    from sqlalchemy.engine import make_url

    try:
        return make_url(url).render_as_string(hide_password=True)
    except Exception:  # an unparsable URL is shown as is: it holds no parsed password
        return url


def _stored_secret(path: Path) -> bytes:
    try:
        return path.read_bytes().strip()
    except FileNotFoundError:
        pass
    try:
        return create_once(path, secrets.token_urlsafe(48).encode()).strip()
    except OSError as exc:
        raise ConfigurationError(f"cannot create the secret key file {path}: {exc}") from exc


def _written_aside(path: Path, content: bytes) -> Path:
    """``content`` in a new private file beside ``path`` (mode 0600, synced): its path."""
    path.parent.mkdir(parents=True, exist_ok=True)
    aside = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(aside, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "wb") as handle:
        handle.write(content)
        handle.flush()
        os.fsync(handle.fileno())
    return aside


def create_once(path: Path, content: bytes) -> bytes:
    """Store ``content`` at ``path`` unless the file exists; what the file then holds.

    Two processes starting at once must not each keep a different key, and neither may read
    the other's file half-written: the content is written aside, then linked into place, which
    fails if the file appeared meanwhile.
    """
    aside = _written_aside(path, content)
    try:
        try:
            os.link(aside, path)
        except FileExistsError:
            return path.read_bytes()
        return content
    finally:
        aside.unlink(missing_ok=True)


def replace_atomically(path: Path, content: bytes) -> None:
    """Replace ``path`` by a private file holding ``content``; a reader sees the old file or
    the new one, never half of it."""
    aside = _written_aside(path, content)
    try:
        os.replace(aside, path)
    finally:
        aside.unlink(missing_ok=True)


@lru_cache
def get_settings() -> Settings:
    """The process-wide settings, read from the environment once."""
    return Settings()
