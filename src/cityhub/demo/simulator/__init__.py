"""The demo city's sensing simulator: its stations report over SL 651, MQTT and HTTP.

- ``scenarios``: what every station measures per 10-minute step in a normal day, a rainstorm
  and a gas leak in the utility tunnel (pure functions, tables for tests);
- ``senders``: SL 651 frames over TCP, MQTT publishes, ``CreateObservations`` over HTTP;
- ``run.simulate``: plays a scenario against a running platform, step by step;
- ``ventilation``: the simulated fan controller the tunnel's gas alarm calls by webhook.

See docs/demo-sensing.md.
"""

from cityhub.demo.simulator.run import RunReport, simulate, ventilation_status
from cityhub.demo.simulator.scenarios import SCENARIO_NAMES, Reading, Scenario, Step, scenario
from cityhub.demo.simulator.ventilation import (
    VENTILATION_PATH,
    VENTILATION_PORT,
    VentilationController,
    start_ventilation,
)

__all__ = [
    "SCENARIO_NAMES",
    "VENTILATION_PATH",
    "VENTILATION_PORT",
    "Reading",
    "RunReport",
    "Scenario",
    "Step",
    "VentilationController",
    "scenario",
    "simulate",
    "start_ventilation",
    "ventilation_status",
]
