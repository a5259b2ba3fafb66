"""``cityhub serve``, ``cityhub worker`` and ``cityhub demo``."""

from __future__ import annotations

import asyncio
import logging
import signal
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Annotated

import typer
import uvicorn

from cityhub import auth
from cityhub import demo as demo_city
from cityhub.cli.context import open_platform
from cityhub.cli.output import console, err_console
from cityhub.config import Settings, get_settings
from cityhub.db import Database
from cityhub.demo.simulator import start_ventilation
from cityhub.demo.trace import TraceSeedReport
from cityhub.demo.trace_witness_state import log_tree_size
from cityhub.demo.witnesses import DEFAULT_PORTS, demo_witnesses
from cityhub.web import create_app
from cityhub.workers import parse_workers

HostOption = Annotated[str | None, typer.Option(help="Listen address (default: CITYHUB_HOST).")]
PortOption = Annotated[int | None, typer.Option(help="Listen port (default: CITYHUB_PORT).")]
WitnessPortsOption = Annotated[
    list[int] | None,
    typer.Option(
        "--witness-port",
        help="Ports of the three demo trace-log witnesses, repeated three times "
        f"(default: {', '.join(map(str, DEFAULT_PORTS))}).",
    ),
]

WorkersOption = Annotated[
    str | None,
    typer.Option(
        "--workers",
        help="Background workers this process may run: all, none, or a comma list of sl651, "
        "mqtt, alarms, rollup, derived, anchor (default: CITYHUB_WORKERS).",
    ),
]
LOG_FORMAT = "%(asctime)s %(levelname)s %(name)s %(message)s"


def _with_workers(settings: Settings, workers: str | None) -> Settings:
    """The settings with ``--workers`` in place of CITYHUB_WORKERS; ConfigurationError for a
    bad list, before anything starts."""
    if workers is not None:
        settings = settings.model_copy(update={"workers": workers})
    parse_workers(settings.workers)
    return settings


def _log_to_stderr(settings: Settings) -> None:
    # Which process runs which worker is logged (cityhub.workers): operators must see it.
    # Called after the migrations, whose step-by-step log would be noise at every start.
    logging.basicConfig(level=settings.log_level.upper(), format=LOG_FORMAT)


def _run(settings: Settings, db: Database, host: str | None, port: int | None) -> None:
    host, port = host or settings.host, port or settings.port
    console.print(f"cityhub is serving at [bold]http://{host}:{port}[/bold] (Ctrl+C stops it)")
    # Live-feed (SSE) connections stay open: without a grace limit, shutdown would wait for them.
    uvicorn.run(
        create_app(settings, db),
        host=host,
        port=port,
        log_level=settings.log_level,
        timeout_graceful_shutdown=5,
    )


def serve(host: HostOption = None, port: PortOption = None, workers: WorkersOption = None) -> None:
    """Migrate the database, make sure the first admin exists, and serve the web app (with the
    background workers it is elected for)."""
    settings = _with_workers(get_settings(), workers)
    with open_platform(settings) as db:
        _log_to_stderr(settings)
        _run(settings, db, host, port)


def worker(workers: WorkersOption = None) -> None:
    """Run background workers only, no web server, until Ctrl+C or SIGTERM (a gateway or
    alarm process beside `cityhub serve --workers none`)."""
    settings = _with_workers(get_settings(), workers)
    with open_platform(settings) as db:
        _log_to_stderr(settings)
        names = parse_workers(settings.workers)
        console.print(
            f"cityhub worker for {', '.join(names) or 'no workers'} (Ctrl+C stops it)",
            highlight=False,
        )
        asyncio.run(_work(settings, db))
        err_console.print("cityhub worker stopped", highlight=False)


async def _work(settings: Settings, db: Database) -> None:
    """The app's start-up and shut-down without its HTTP server: the same workers, the trace
    log (anchoring appends to it) and the always-on sensing parts they feed."""
    app = create_app(settings, db)
    stopping = asyncio.Event()
    loop = asyncio.get_running_loop()
    for signum in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(signum, stopping.set)
    try:
        async with app.router.lifespan_context(app):
            await stopping.wait()
    finally:
        for signum in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(signum)


def demo(
    host: HostOption = None,
    port: PortOption = None,
    serve: Annotated[
        bool, typer.Option(help="Serve after seeding (--no-serve only seeds).")
    ] = True,
    witness_port: WitnessPortsOption = None,
) -> None:
    """Bring up the demo city of Liaocheng (idempotent) and serve it."""
    settings = get_settings()
    with open_platform(settings) as db, _witnessed(settings, db, witness_port) as settings:
        report = demo_city.seed(db, settings, trace=True)
        err_console.print(
            f"demo data: {len(report.users_created)} demo users and "
            f"{len(report.datasets_created)} demo datasets, {len(report.groups_created)} "
            f"thematic groups, {len(report.scenes_created)} governance scenes and "
            f"{len(report.stations_created)} monitoring stations created "
            "(the rest were there already)"
        )
        if report.trace is not None:
            _print_trace(report.trace)
        if report.programme is not None:
            planned = report.programme
            err_console.print(
                f"programme demo: {len(planned.targets)} targets, "
                f"{planned.registries.projects} projects, {planned.reports} progress reports and "
                f"{planned.declarations} declarations added in {planned.seconds:.0f} s; "
                "see docs/demo-programme.md",
                highlight=False,
            )
        console.print(
            f"[bold]Demo logins[/bold] (demo data; password for all: {demo_city.DEMO_PASSWORD})",
            highlight=False,
        )
        for user in demo_city.DEMO_USERS:
            row = f"{user.username:<18} {user.role.value:<8} {user.department:<10}"
            console.print(f"  {row} {user.display_name}", highlight=False)
        console.print(
            f"  {auth.ADMIN_USERNAME:<18} admin    DSJJ       "
            "(password: CITYHUB_ADMIN_PASSWORD, or as printed at first start)",
            highlight=False,
        )
        if serve:
            # The demo tunnel's ventilation controller: its gas alarm's webhook goes there.
            ventilation = start_ventilation(
                db=db, echo=lambda line: err_console.print(line, highlight=False)
            )
            try:
                _run(settings, db, host, port)
            finally:
                ventilation.stop()


# The traceability part of the demo: its witnesses and what seeding recorded.


@contextmanager
def _witnessed(settings: Settings, db: Database, ports: list[int] | None) -> Iterator[Settings]:
    """The trace log's three department witnesses run (as child processes) while the demo is
    seeded and served; the settings come back with their trust policy."""
    with demo_witnesses(
        settings,
        ports=tuple(ports or DEFAULT_PORTS),
        tree_size=log_tree_size(db),
        echo=lambda line: err_console.print(line, highlight=False),
    ) as witnessed:
        yield witnessed


def _print_trace(report: TraceSeedReport) -> None:
    err_console.print(
        f"trace demo: {len(report.actors_created)} actors, {len(report.keys_registered)} demo "
        f"keys and {report.events_recorded} of {report.events_total} signed events recorded "
        f"in {report.seconds:.0f} s (the rest were there already); see docs/demo-trace.md",
        highlight=False,
    )
