"""``cityhub serve`` and ``cityhub demo``."""

from __future__ import annotations

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
from cityhub.web import create_app

HostOption = Annotated[str | None, typer.Option(help="Listen address (default: CITYHUB_HOST).")]
PortOption = Annotated[int | None, typer.Option(help="Listen port (default: CITYHUB_PORT).")]


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


def serve(host: HostOption = None, port: PortOption = None) -> None:
    """Migrate the database, make sure the first admin exists, and serve the web app."""
    settings = get_settings()
    with open_platform(settings) as db:
        _run(settings, db, host, port)


def demo(
    host: HostOption = None,
    port: PortOption = None,
    serve: Annotated[
        bool, typer.Option(help="Serve after seeding (--no-serve only seeds).")
    ] = True,
) -> None:
    """Bring up the demo city of Liaocheng (idempotent) and serve it."""
    settings = get_settings()
    with open_platform(settings) as db:
        report = demo_city.seed(db, settings)
        err_console.print(
            f"demo data: {len(report.users_created)} demo users and "
            f"{len(report.datasets_created)} demo datasets, {len(report.groups_created)} "
            f"thematic groups, {len(report.scenes_created)} governance scenes and "
            f"{len(report.stations_created)} monitoring stations created "
            "(the rest were there already)"
        )
        console.print(
            f"[bold]Demo logins[/bold] (demo data; password for all: {demo_city.DEMO_PASSWORD})",
            highlight=False,
        )
        for user in demo_city.DEMO_USERS:
            row = f"{user.username:<16} {user.role.value:<8} {user.department:<6}"
            console.print(f"  {row} {user.display_name}", highlight=False)
        console.print(
            f"  {auth.ADMIN_USERNAME:<16} admin    DSJJ   "
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
