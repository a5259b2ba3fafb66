"""Playing a scenario against a running platform, step by step, over the stations' own paths.

``simulate`` mints an API token for each station account it needs (``slj.station``,
``zjj.station``), finds the demo stations' Datastreams, and sends every step — SL 651 frames for
the river stations, MQTT for the rain gauges, CreateObservations for the reservoirs and the
tunnel — with ``step_seconds`` of real time between steps, printing a line per step. The tokens
are revoked when the run ends.
"""

from __future__ import annotations

import json
import os
import time
import urllib.error
import urllib.request
from collections import defaultdict
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlsplit

from sqlalchemy import func, select

from cityhub import auth
from cityhub.config import Settings, get_settings
from cityhub.db import Database, utcnow
from cityhub.demo.sensing import datastreams_of
from cityhub.demo.simulator.clock import STEP, Pacer, first_step, local
from cityhub.demo.simulator.scenarios import BY_KEY, TUNNEL, Scenario, Step, scenario
from cityhub.demo.simulator.senders import HttpSender, MqttSender, Sl651Sender, sent_time
from cityhub.demo.stations import Station
from cityhub.errors import NotFound
from cityhub.sensing.alarms.models import AlarmRule
from cityhub.sensing.models import Datastream, Thing

ACCOUNTS = {"SLJ": "slj.station", "ZJJ": "zjj.station"}  # department → station account
HELLO_VOLTAGE = 12.6  # V: a healthy battery
Echo = Callable[[str], None]


@dataclass
class RunReport:
    """What a run sent: observations per path (the SL 651 stations' hello included), and the
    simulated time its steps covered."""

    scenario: str
    steps: int = 0
    first: datetime | None = None
    last: datetime | None = None
    sent: dict[str, int] = field(default_factory=lambda: {"sl651": 0, "mqtt": 0, "http": 0})


@dataclass(frozen=True)
class _Directory:
    """The demo stations in the database: key → Datastream id per element key."""

    streams: dict[str, dict[str, int]]

    def datastream(self, station: str, element: str) -> int:
        return self.streams[station][element]


def simulate(
    name: str | Scenario,
    *,
    base_url: str,
    sl651_port: int,
    mqtt_port: int | None,
    step_seconds: float = 2.0,
    db: Database | None = None,
    settings: Settings | None = None,
    echo: Echo | None = None,
    now: Callable[[], datetime] = utcnow,
    sleep: Callable[[float], None] = time.sleep,
) -> RunReport:
    """Play scenario ``name`` (normal, storm, gas-leak) against the platform at ``base_url``.

    ``mqtt_port`` None sends the rain gauges' readings over HTTP instead of MQTT. ``db`` is the
    platform's database (for the tokens and the Datastream ids); without it the one the
    ``settings`` name is opened. ``echo`` receives a line per step. ``now`` and ``sleep`` are
    the real clock (tests replace them).
    """
    plan = scenario(name) if isinstance(name, str) else name
    say: Echo = echo or (lambda line: None)
    with ExitStack() as stack:
        if db is None:
            db = stack.enter_context(_database(settings or get_settings()))
        probe = plan.build(first_step(now(), plan.steps, plan.align))
        directory = _directory(db, {r.station for s in probe for r in s.readings})
        ids = [ds for per in directory.streams.values() for ds in per.values()]
        latest = _latest(db, ids)
        start = first_step(now(), plan.steps, plan.align, after=latest)
        steps = plan.build(start)
        if steps[-1].at > now():
            say(
                f"the stations have data up to {local(latest or start)}: the {plan.name} "
                f"scenario starts after it, at {local(start)}, and its steps wait for their "
                f"time to come (it ends at {local(steps[-1].at)} CST)"
            )
        host = urlsplit(base_url).hostname or "127.0.0.1"
        tokens = stack.enter_context(_tokens(db, steps, plan.steps))
        play = _Player(plan, directory, tokens, base_url, host, sl651_port, mqtt_port, now)
        stack.callback(play.close)
        pacer = Pacer(step_seconds, now=now, sleep=sleep)
        report = RunReport(plan.name)
        rtus = play.hello(report)
        if rtus:
            say(f"{rtus} SL 651 stations online: each sent a timed report of its supply voltage")
        for step in steps:
            pacer.wait_for(step.at)
            say(play.step(step, len(steps), report))
        return report


class _Player:
    """Sends the readings of each step by the path of their station."""

    def __init__(
        self,
        plan: Scenario,
        directory: _Directory,
        tokens: dict[str, str],
        base_url: str,
        host: str,
        sl651_port: int,
        mqtt_port: int | None,
        now: Callable[[], datetime],
    ) -> None:
        self.plan, self.directory, self.now = plan, directory, now
        self.sl651 = Sl651Sender(host, sl651_port)
        self.http = {user: HttpSender(base_url, user, token) for user, token in tokens.items()}
        self.mqtt: MqttSender | None = None
        if mqtt_port is not None and ACCOUNTS["SLJ"] in tokens:
            user = ACCOUNTS["SLJ"]
            self.mqtt = MqttSender(
                host, mqtt_port, user, tokens[user], client_id=f"cityhub-sim-{os.getpid()}"
            )

    def close(self) -> None:
        if self.mqtt is not None:
            self.mqtt.close()

    def hello(self, report: RunReport) -> int:
        """Each SL 651 station first reports its supply voltage as of now, as an RTU does when
        its link comes up, before it uploads what it recorded. The platform then knows it is
        online: without this, a station silent for longer than its offline rule allows stays
        offline while old readings arrive, and its threshold alarms are held back."""
        at = self.now().replace(second=0, microsecond=0)
        stations = [BY_KEY[key] for key in self.directory.streams]
        rtus = [s for s in stations if s.path == "sl651" and "VT" in self.directory.streams[s.key]]
        for station in rtus:
            self.sl651.report(station, at, [("VT", HELLO_VOLTAGE)], sent_at=self.now())
        report.sent["sl651"] += len(rtus)
        return len(rtus)

    def step(self, step: Step, total: int, report: RunReport) -> str:
        """Send ``step``; the line that says what was sent."""
        by_station: dict[str, list[tuple[str, float, bool]]] = defaultdict(list)
        for reading in step.readings:
            by_station[reading.station].append((reading.element, reading.value, reading.add_report))
        http_rows: dict[str, dict[int, list[tuple[datetime, float]]]] = defaultdict(dict)
        counts = {"sl651": 0, "mqtt": 0, "http": 0}
        for key, values in by_station.items():
            station = BY_KEY[key]
            path = station.path if station.path != "mqtt" or self.mqtt else "http"
            if path == "sl651":
                pairs = [(element, value) for element, value, _ in values]
                add = any(flag for *_, flag in values)
                sent_at = sent_time(step.at, self.now())
                self.sl651.report(station, step.at, pairs, sent_at=sent_at, add_report=add)
            elif path == "mqtt":
                assert self.mqtt is not None
                for element, value, _ in values:
                    self.mqtt.publish(self.directory.datastream(key, element), step.at, value)
            else:
                rows = http_rows[ACCOUNTS[station.department]]
                for element, value, _ in values:
                    rows[self.directory.datastream(key, element)] = [(step.at, value)]
            counts[path] += len(values)
        for user, groups in http_rows.items():
            self.http[user].create(groups)
        for path, count in counts.items():
            report.sent[path] += count
        report.steps += 1
        report.first = report.first or step.at
        report.last = step.at
        return self._line(step, total, counts, by_station)

    def _line(
        self,
        step: Step,
        total: int,
        counts: dict[str, int],
        by_station: dict[str, list[tuple[str, float, bool]]],
    ) -> str:
        width = len(str(total))
        parts = [f"[{step.index + 1:>{width}}/{total}] {local(step.at)} CST"]
        parts.append(" · ".join(f"{path} {count}" for path, count in counts.items()))
        shown = []
        for key, element in self.plan.highlights:
            for name, value, add in by_station.get(key, []):
                if name == element:
                    unit = next(e.unit for e in BY_KEY[key].elements if e.key == element)
                    note = " (add-report)" if add else ""
                    shown.append(f"{BY_KEY[key].name} {element} {value:g} {unit}{note}")
        if self.mqtt is not None:
            shown.extend(f"MQTT refused: {why}" for why in self.mqtt.refusals())
        return "  ".join(parts) + (" | " + " · ".join(shown) if shown else "")


def ventilation_status(
    db: Database, *, timeout: float = 5.0, station: str = TUNNEL
) -> dict[str, Any] | None:
    """The demo ventilation controller's status (GET on the tunnel gas rule's handling
    action URL); None when no rule names one or the controller does not answer."""
    tunnel = BY_KEY[station]
    with db.reading() as session:
        thing_id = session.scalar(select(Thing.id).where(Thing.name == tunnel.name))
        if thing_id is None:
            return None
        streams = datastreams_of(db, thing_id)
        url = session.scalar(
            select(AlarmRule.action_url).where(
                AlarmRule.datastream_id == streams.get("CH4"), AlarmRule.action_url.is_not(None)
            )
        )
    if url is None:
        return None
    try:
        with urllib.request.urlopen(url, timeout=timeout) as response:
            answer: Any = json.loads(response.read())
    except (urllib.error.URLError, OSError, ValueError):
        return None
    return answer if isinstance(answer, dict) else None


@contextmanager
def _database(settings: Settings) -> Iterator[Database]:
    database = Database(settings.database_url_effective)
    try:
        yield database
    finally:
        database.dispose()


def _directory(db: Database, keys: set[str]) -> _Directory:
    """Datastream ids of the stations ``keys``; NotFound when the demo is not seeded."""
    stations: list[Station] = [BY_KEY[key] for key in sorted(keys)]
    with db.reading() as session:
        things = dict(
            session.execute(
                select(Thing.name, Thing.id).where(Thing.name.in_([s.name for s in stations]))
            ).all()
        )
    missing = [s.name for s in stations if s.name not in things]
    if missing:
        raise NotFound(
            f"demo stations missing: {', '.join(missing[:3])}…; run `cityhub demo` first",
            details={"stations": missing},
        )
    return _Directory({s.key: datastreams_of(db, things[s.name]) for s in stations})


def _latest(db: Database, datastream_ids: list[int]) -> datetime | None:
    """The newest phenomenon time stored for those of these Datastreams that alarm rules
    watch: a rule ignores readings older than the newest it judged, so a scenario must start
    after it. (Others, such as the supply voltage of the stations' hello, do not matter.)"""
    watched = select(AlarmRule.datastream_id).where(AlarmRule.datastream_id.is_not(None))
    with db.reading() as session:
        found: datetime | None = session.scalar(
            select(func.max(Datastream.phenomenon_time_end)).where(
                Datastream.id.in_(datastream_ids), Datastream.id.in_(watched)
            )
        )
    return found


@contextmanager
def _tokens(db: Database, steps: list[Step], count: int) -> Iterator[dict[str, str]]:
    """API tokens of the station accounts the steps need, revoked afterwards."""
    departments = {BY_KEY[r.station].department for step in steps for r in step.readings}
    lifetime = timedelta(days=1) + STEP * count  # a run waiting for real time may be long
    issued = {
        ACCOUNTS[code]: auth.create_token(
            db,
            auth.Actor.system(),
            name="demo simulator",
            lifetime=lifetime,
            username=ACCOUNTS[code],
        )
        for code in sorted(departments)
    }
    try:
        yield {user: token.secret for user, token in issued.items()}
    finally:
        for token in issued.values():
            auth.revoke_token(db, auth.Actor.system(), token.token.id)
