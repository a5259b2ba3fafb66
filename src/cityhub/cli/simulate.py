"""``cityhub simulate``: the demo city's stations report to a running platform.

``normal``, ``storm`` and ``gas-leak`` play a scenario of ``cityhub.demo.simulator`` against the
platform that ``cityhub demo`` serves (same settings: its port, its SL 651 port, its MQTT port,
its database for the station accounts' tokens).
"""

from __future__ import annotations

import time
from typing import Annotated, Any

import typer

from cityhub.cli.context import open_platform
from cityhub.cli.output import console, err_console
from cityhub.config import Settings, get_settings
from cityhub.db import Database
from cityhub.demo.simulator import RunReport, scenario, simulate, ventilation_status
from cityhub.demo.simulator.clock import local

DEFAULT_MQTT_PORT = 1884  # the embedded broker's default port
VENTILATION_WAIT_SECONDS = 15.0

simulate_app = typer.Typer(
    help="Demo stations report over SL 651, MQTT and HTTP: a normal day, a storm, a gas leak.",
    no_args_is_help=True,
)

StepOption = Annotated[
    float, typer.Option(help="Real seconds between two 10-minute steps (0: as fast as it goes).")
]
UrlOption = Annotated[
    str | None,
    typer.Option(help="The platform's web address (default: http://CITYHUB_HOST:CITYHUB_PORT)."),
]
Sl651Option = Annotated[
    int | None, typer.Option(help="Port of the SL 651 gateway (default: CITYHUB_SL651_PORT).")
]
MqttOption = Annotated[
    int | None,
    typer.Option(
        help="Port of the MQTT broker (default: the platform's, 1884); 0 sends the rain gauges' "
        "readings over HTTP instead."
    ),
]


@simulate_app.command("normal")
def normal(
    hours: Annotated[float, typer.Option(help="How many hours up to now the day covers.")] = 6.0,
    step_seconds: StepOption = 2.0,
    base_url: UrlOption = None,
    sl651_port: Sl651Option = None,
    mqtt_port: MqttOption = None,
) -> None:
    """Every station reports its usual values: levels near normal, no rain, a quiet tunnel."""
    _play("normal", hours, step_seconds, base_url, sl651_port, mqtt_port)


@simulate_app.command("storm")
def storm(
    step_seconds: StepOption = 2.0,
    base_url: UrlOption = None,
    sl651_port: Sl651Option = None,
    mqtt_port: MqttOption = None,
) -> None:
    """A rainstorm over 东昌府 (8 h up to now): 徒骇河聊城 raises a yellow, then an orange
    alarm, which clears as the river falls."""
    _play("storm", None, step_seconds, base_url, sl651_port, mqtt_port)


@simulate_app.command("gas-leak")
def gas_leak(
    step_seconds: StepOption = 2.0,
    base_url: UrlOption = None,
    sl651_port: Sl651Option = None,
    mqtt_port: MqttOption = None,
) -> None:
    """Methane in the utility tunnel rises to 25 %LEL: the gas alarm switches the ventilation
    on through its webhook, and off again when it clears."""
    _play("gas-leak", None, step_seconds, base_url, sl651_port, mqtt_port)


def _play(
    name: str,
    hours: float | None,
    step_seconds: float,
    base_url: str | None,
    sl651_port: int | None,
    mqtt_port: int | None,
) -> None:
    settings = get_settings()
    plan = scenario(name, hours=hours)
    mqtt = _mqtt_port(settings) if mqtt_port is None else mqtt_port
    with open_platform(settings) as db:
        err_console.print(f"simulating {plan.name}: {plan.description}", highlight=False)
        if not mqtt:
            err_console.print("MQTT off: the rain gauges report over HTTP", highlight=False)
        report = simulate(
            plan,
            base_url=base_url or f"http://{settings.host}:{settings.port}",
            sl651_port=sl651_port or settings.sl651_port,
            mqtt_port=mqtt or None,
            step_seconds=step_seconds,
            db=db,
            echo=lambda line: console.print(line, highlight=False),
        )
        console.print(_summary(report), highlight=False)
        if name == "gas-leak":
            _show_ventilation(ventilation_status_after(db))


def _mqtt_port(settings: Settings) -> int:
    configured: Any = getattr(settings, "mqtt_port", DEFAULT_MQTT_PORT)
    return int(configured) if configured is not None else 0


def _summary(report: RunReport) -> str:
    total = sum(report.sent.values())
    paths = ", ".join(f"{path} {count}" for path, count in report.sent.items())
    span = ""
    if report.first is not None and report.last is not None:
        span = f"; simulated time {local(report.first)} → {local(report.last)} CST"
    return f"{report.steps} steps, {total} observations sent ({paths}){span}"


def ventilation_status_after(db: Database) -> dict[str, Any] | None:
    """The controller's status once the alarm's last webhook is in (or after a wait)."""
    deadline = time.monotonic() + VENTILATION_WAIT_SECONDS
    status = ventilation_status(db)
    while time.monotonic() < deadline:
        events = (status or {}).get("events") or []
        if events and events[-1].get("fans") == "off":
            break
        time.sleep(0.5)
        status = ventilation_status(db)
    return status


def _show_ventilation(status: dict[str, Any] | None) -> None:
    if status is None:
        err_console.print(
            "the ventilation controller does not answer (it runs inside `cityhub demo`)",
            highlight=False,
        )
        return
    for event in status.get("events", []):
        console.print(
            f"ventilation: fans {event.get('fans')} for zone {event.get('zone')} "
            f"({event.get('event')}, {event.get('severity')}, value {event.get('value')})",
            highlight=False,
        )
