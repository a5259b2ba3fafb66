"""The ACL docs/mqtt.md gives for an external broker, on a Mosquitto of the test's own.

With ``CITYHUB_MQTT_URL`` the platform stores whatever its subscription receives, so who may
publish where is the broker's ACL. The example is read from the docs (its Datastream ids replaced
by the test's), so the documented configuration is the tested one: the station's own Datastream
is stored, another department's is dropped by the broker, and no one gets in without a password.
"""

from __future__ import annotations

import os
import re
import secrets
import shutil
import subprocess
import tempfile
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from cityhub.db import Database
from cityhub.sensing.bus import Bus
from cityhub.sensing.mqtt import BrokerBridge
from tests.ports import answers, free_port
from tests.sensing.mqtt.conftest import (
    SERVICE_ROOT,
    ClientFactory,
    Network,
    observation_count,
    wait_until,
)

DOCS = Path(__file__).parents[3] / "docs" / "mqtt.md"
STATION = "station-0011223344"
PLATFORM = "cityhub"


def documented_acl(allowed: tuple[int, int]) -> str:
    """The ACL example of docs/mqtt.md, for the Datastreams ``allowed``."""
    example = re.search(r"```\n( *# /etc/mosquitto/acl.*?\n) *```", DOCS.read_text(), re.DOTALL)
    assert example, "docs/mqtt.md has no ACL example"
    text = textwrap.dedent(example.group(1))
    return text.replace("Datastreams(7)", f"Datastreams({allowed[0]})").replace(
        "Datastreams(8)", f"Datastreams({allowed[1]})"
    )


@pytest.fixture
def broker(network: Network) -> Iterator[tuple[int, dict[str, str]]]:
    """Mosquitto with passwords and the documented ACL; its port and the passwords."""
    program = shutil.which("mosquitto") or shutil.which("mosquitto", path="/usr/sbin")
    passwd = shutil.which("mosquitto_passwd")
    if program is None or passwd is None:
        reason = "Mosquitto (mosquitto, mosquitto_passwd) is not installed"
        if os.environ.get("CI") == "true":
            pytest.fail(f"Mosquitto is required on CI: {reason}")
        pytest.skip(reason)
    folder = Path(tempfile.mkdtemp(prefix="cityhub-mosquitto-", dir="/tmp"))
    folder.chmod(0o755)  # Mosquitto started as root reads its files as the mosquitto user
    passwords = {PLATFORM: secrets.token_hex(8), STATION: secrets.token_hex(8)}
    for user, password in passwords.items():
        subprocess.run(
            [
                passwd,
                "-b",
                *(() if (folder / "passwd").exists() else ("-c",)),
                str(folder / "passwd"),
                user,
                password,
            ],
            check=True,
            capture_output=True,
        )
    (folder / "acl").write_text(documented_acl((network.level, network.count)))
    port = free_port()
    (folder / "mosquitto.conf").write_text(
        f"listener {port} 127.0.0.1\nallow_anonymous false\npersistence false\n"
        f"password_file {folder / 'passwd'}\nacl_file {folder / 'acl'}\n"
        f"log_dest file {folder / 'mosquitto.log'}\n"
    )
    for name in ("passwd", "acl", "mosquitto.conf"):
        (folder / name).chmod(0o644)
    server = subprocess.Popen([program, "-c", str(folder / "mosquitto.conf")])
    try:
        assert wait_until(lambda: answers(port), timeout=10), "Mosquitto did not start"
        yield port, passwords
    finally:
        server.terminate()
        server.wait(timeout=10)
        shutil.rmtree(folder, ignore_errors=True)


def test_the_documented_acl_lets_a_station_publish_to_its_datastreams_only(
    broker: tuple[int, dict[str, str]], network: Network, mqtt_client: ClientFactory, db: Database
) -> None:
    port, passwords = broker
    bridge = BrokerBridge(
        db,
        Bus(),
        url=f"mqtt://{PLATFORM}:{passwords[PLATFORM]}@127.0.0.1:{port}",
        service_root=SERVICE_ROOT,
        client_id=f"cityhub-acl-{secrets.token_hex(4)}",
    )
    bridge.start()
    try:
        mqtt_client(port, expect_refusal=True)  # no password: no connection
        mqtt_client(port, (STATION, "wrong"), expect_refusal=True)
        station = mqtt_client(port, (STATION, passwords[STATION]))
        reading = {"result": 4.5, "phenomenonTime": "2024-06-01T08:00:00Z"}
        station.publish(f"v1.1/Datastreams({network.other})/Observations", reading)
        station.publish(f"v1.1/Datastreams({network.private})/Observations", reading)
        station.publish(f"v1.1/Datastreams({network.level})/Observations", reading)
        assert wait_until(lambda: observation_count(db, network.level) == 1)
        time.sleep(0.5)  # the refused ones went first: they would be in by now
        assert observation_count(db) == 1
    finally:
        bridge.stop()
