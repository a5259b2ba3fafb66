"""``cityhub trace``: traceability from the shell.

Client side (a recorder's machine; no database, the private key never leaves it): ``keygen``,
``rotate``, ``sign``, ``submit``, ``fetch``, ``verify``, and ``monitor`` (anyone). Server side
(the platform's database, acting as the platform): ``recall``, ``actors``, ``anchor``,
``check-anchors``, ``log status``. The commands live in ``trace_client``, ``trace_submit``,
``trace_verify``, ``trace_monitor`` and ``trace_server``.
"""

from __future__ import annotations

import typer

from cityhub.cli import trace_client, trace_monitor, trace_server, trace_submit, trace_verify

trace_app = typer.Typer(
    help="Traceability: actor keys, signed EPCIS events, offline verification, recall.",
    no_args_is_help=True,
)
trace_app.command("keygen")(trace_client.keygen)
trace_app.command("rotate")(trace_client.rotate)
trace_app.command("sign")(trace_client.sign)
trace_app.command("submit")(trace_submit.submit)
trace_app.command("fetch")(trace_submit.fetch)
trace_app.command("verify")(trace_verify.verify)
trace_app.command("monitor")(trace_monitor.monitor)
trace_app.command("recall")(trace_server.recall_command)
trace_app.command("anchor")(trace_server.anchor_command)
trace_app.command("check-anchors")(trace_server.check_anchors)
trace_app.add_typer(trace_server.actors_app, name="actors")
trace_app.add_typer(trace_server.log_app, name="log")

__all__ = ["trace_app"]
