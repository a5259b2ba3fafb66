"""The alarm console's list, read for each actor: its filters, its paging, the names of what each
alarm is about and whether the actor may handle it.

The network is ``tests.sensing.test_dashboard.build_network``; the fixture ``raised`` adds alarms
on it (see its docstring).
"""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from cityhub import auth
from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.sensing import console
from cityhub.sensing.alarms import AlarmEngine, create_rule, offline_rule, water_level_rule
from cityhub.sensing.console import AlarmFilter
from tests.sensing.test_dashboard import (
    ADMIN,
    ANALYST,
    NOW,
    OTHER_STEWARD,
    PUBLIC,
    STEWARD,
    TUHAI,
    Network,
    build_network,
    store,
)


@pytest.fixture
def network(db: Database) -> Network:
    return build_network(db)


@pytest.fixture
def raised(db: Database, network: Network) -> dict[str, int]:
    """Alarms: 徒骇河 yellow then cleared by hand, 徒骇河 orange now, 马颊河 red, 东昌湖 offline."""
    from cityhub.sensing import alarms

    for stream in (network.tuhai_level, network.majia_level):
        create_rule(db, ADMIN, water_level_rule(stream, 32.0, 33.0, 34.5))
    past = NOW - timedelta(days=2)
    first = AlarmEngine(db, lambda: past).observe(store(db, network.tuhai_level, [(past, 32.1)]))
    alarms.clear(db, STEWARD, first[0].alarm_id, now=past)
    engine = AlarmEngine(db, lambda: NOW)
    second = engine.observe(store(db, network.tuhai_level, [(NOW, 33.2)]))
    red = engine.observe(store(db, network.majia_level, [(NOW, 35.0)]))
    create_rule(db, ADMIN, offline_rule(network.lake_level, offline_seconds=600))
    offline = AlarmEngine(db, lambda: NOW + timedelta(hours=1)).sweep()
    return {
        "cleared": first[0].alarm_id,
        "orange": second[0].alarm_id,
        "red": red[0].alarm_id,
        "offline": offline[0].alarm_id,
    }


@pytest.mark.parametrize(
    ("actor", "wanted", "expected"),
    [
        (ADMIN, AlarmFilter(), ["offline", "red", "orange", "cleared"]),
        (ADMIN, AlarmFilter(status="open"), ["offline", "red", "orange"]),
        (ADMIN, AlarmFilter(status="cleared"), ["cleared"]),
        (ADMIN, AlarmFilter(severity="red"), ["red"]),
        (ADMIN, AlarmFilter(thing_id=-1), []),
        (ADMIN, AlarmFilter(since=NOW - timedelta(days=1)), ["offline", "red", "orange"]),
        (ADMIN, AlarmFilter(until=NOW - timedelta(days=1)), ["cleared"]),
        (ADMIN, AlarmFilter(limit=2), ["offline", "red"]),
        (STEWARD, AlarmFilter(), ["offline", "orange", "cleared"]),
        (OTHER_STEWARD, AlarmFilter(status="active"), ["offline", "red", "orange"]),
        (PUBLIC, AlarmFilter(), ["offline"]),
    ],
)
def test_alarm_rows_follow_filters_and_visibility(
    db: Database,
    raised: dict[str, int],
    actor: auth.Actor,
    wanted: AlarmFilter,
    expected: list[str],
) -> None:
    by_id = {v: k for k, v in raised.items()}
    assert [by_id[row.id] for row in console.alarm_rows(db, actor, wanted)] == expected


def test_alarm_rows_name_their_station_and_who_may_handle_them(
    db: Database, network: Network, raised: dict[str, int]
) -> None:
    rows = {row.id: row for row in console.alarm_rows(db, STEWARD)}
    orange, cleared = rows[raised["orange"]], rows[raised["cleared"]]
    assert (orange.thing_name, orange.datastream_name, orange.rule_kind) == (
        TUHAI,
        f"{TUHAI}水位",
        "threshold",
    )
    assert (cleared.status, cleared.cleared_by) == ("cleared", "slj.steward")
    assert rows[raised["offline"]].datastream_name is None
    assert all(row.may_handle for row in rows.values())
    others = console.alarm_rows(db, OTHER_STEWARD)
    assert {row.id: row.may_handle for row in others} == {
        raised["offline"]: False,
        raised["red"]: True,
        raised["orange"]: False,
        raised["cleared"]: False,
    }
    assert not any(row.may_handle for row in console.alarm_rows(db, ANALYST))
    before = console.alarm_rows(db, ADMIN, AlarmFilter(before_id=raised["orange"]))
    assert [row.id for row in before] == [raised["cleared"]]


@pytest.mark.parametrize(
    ("wanted", "field"),
    [
        (AlarmFilter(status="burning"), "status"),
        (AlarmFilter(severity="purple"), "severity"),
        (AlarmFilter(limit=0), "limit"),
        (AlarmFilter(limit=501), "limit"),
        (AlarmFilter(since=datetime(2024, 7, 1)), "since"),
        (AlarmFilter(until=datetime(2024, 7, 1)), "until"),
    ],
)
def test_bad_alarm_filters_name_the_field(db: Database, wanted: AlarmFilter, field: str) -> None:
    with pytest.raises(InvalidInput) as raised:
        console.alarm_rows(db, ADMIN, wanted)
    assert raised.value.details["field"] == field
