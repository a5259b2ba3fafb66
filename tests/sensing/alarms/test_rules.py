"""Rule service: who may make and change rules, and what a change does to open alarms."""

from __future__ import annotations

from dataclasses import replace

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor
from cityhub.auth.departments import department_by_code
from cityhub.db import Database
from cityhub.errors import (
    CityhubError,
    Conflict,
    InvalidInput,
    NotAuthenticated,
    NotFound,
    PermissionDenied,
)
from cityhub.sensing.alarms import (
    AlarmEngine,
    AlarmStatus,
    create_rule,
    delete_rule,
    gas_rule,
    list_alarms,
    list_rules,
    offline_rule,
    rules_for_datastream,
    set_rule_enabled,
    spec_of,
    update_rule,
    water_level_rule,
)
from tests.sensing.alarms.conftest import (
    ADMIN,
    ANALYST,
    METHANE_LEL,
    OTHER_STEWARD,
    PUBLIC,
    STATION,
    STEWARD,
    T0,
    WATER_LEVEL,
    City,
    Clock,
    minutes,
    obs,
)


@pytest.mark.parametrize(
    ("actor", "refusal"),
    [
        pytest.param(PUBLIC, NotAuthenticated, id="public"),
        pytest.param(ANALYST, PermissionDenied, id="analyst"),
        pytest.param(STATION, PermissionDenied, id="station-account"),
        pytest.param(OTHER_STEWARD, PermissionDenied, id="steward-of-another-department"),
        pytest.param(STEWARD, None, id="steward-of-the-station"),
        pytest.param(ADMIN, None, id="admin"),
    ],
)
def test_who_may_make_a_rule_on_a_datastream(
    db: Database, city: City, actor: Actor, refusal: type[CityhubError] | None
) -> None:
    spec = water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0)
    if refusal is not None:
        with pytest.raises(refusal):
            create_rule(db, actor, spec)
        return
    rule = create_rule(db, actor, spec)
    with db.reading() as session:
        slj = department_by_code(session, "SLJ").id
        audited = session.scalars(
            select(AuditEvent.action).where(AuditEvent.object_id == str(rule.id))
        ).all()
    assert rule.department_id == slj  # the station's department, whoever wrote the rule
    assert audited == ["alarm_rule.create"]
    assert spec_of(rule) == spec


def test_class_rules_belong_to_a_department(db: Database, city: City) -> None:
    spec = gas_rule(None, observed_property=METHANE_LEL, station_class="tunnel")
    with db.reading() as session:
        slj, zjj = (department_by_code(session, c).id for c in ("SLJ", "ZJJ"))
    assert create_rule(db, STEWARD, spec).department_id == slj
    assert create_rule(db, ADMIN, spec).department_id is None  # every department's tunnels
    assert create_rule(db, ADMIN, replace(spec, department="ZJJ")).department_id == zjj
    with pytest.raises(PermissionDenied):
        create_rule(db, STEWARD, replace(spec, department="ZJJ"))
    with pytest.raises(NotFound):
        create_rule(db, ADMIN, replace(spec, department="NOPE"))
    with pytest.raises(NotFound):
        create_rule(db, ADMIN, water_level_rule(9999, 30.0, 31.0, 32.0))


def test_rules_are_listed_per_department(db: Database, city: City) -> None:
    mine = create_rule(db, STEWARD, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    theirs = create_rule(db, OTHER_STEWARD, water_level_rule(city.majia_level, 3.0, 4.0, 5.0))
    assert [r.id for r in list_rules(db, STEWARD)] == [mine.id]
    assert [r.id for r in list_rules(db, ADMIN)] == [mine.id, theirs.id]
    assert list_rules(db, ANALYST) == []


def test_rules_of_a_datastream_for_its_chart(db: Database, city: City) -> None:
    own = create_rule(db, STEWARD, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    river = offline_rule(station_class="river")
    offline = create_rule(db, ADMIN, river)
    levels = water_level_rule(None, 30.0, 31.0, 32.0)
    by_class = create_rule(
        db, ADMIN, replace(levels, observed_property=WATER_LEVEL, station_class="lake")
    )
    mine = rules_for_datastream(db, ANALYST, city.tuhai_level)
    assert [r.id for r in mine] == [own.id, offline.id]
    assert [r.id for r in rules_for_datastream(db, ANALYST, city.lake_level)] == [by_class.id]
    with pytest.raises(NotFound):
        rules_for_datastream(db, PUBLIC, city.tuhai_level)  # not open to the public


def test_update_keeps_kind_and_target(db: Database, city: City) -> None:
    rule = create_rule(db, STEWARD, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    higher = water_level_rule(city.tuhai_level, 30.5, 31.5, 32.5, name="raised levels")
    assert update_rule(db, STEWARD, rule.id, higher).name == "raised levels"
    for changed in (replace(higher, datastream_id=city.lake_level), offline_rule(city.tuhai_level)):
        with pytest.raises(InvalidInput):
            update_rule(db, STEWARD, rule.id, changed)
    with pytest.raises(PermissionDenied):
        update_rule(db, OTHER_STEWARD, rule.id, higher)
    with pytest.raises(NotFound):
        update_rule(db, STEWARD, 9999, higher)


def test_disabling_a_rule_clears_its_alarms_and_stops_it(
    db: Database, city: City, clock: Clock
) -> None:
    engine = AlarmEngine(db, clock)
    rule = create_rule(db, STEWARD, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0), now=T0)
    engine.observe([obs(city, city.tuhai_level, minutes(0), 31.5)])
    set_rule_enabled(db, STEWARD, rule.id, False)
    (alarm,) = list_alarms(db, ADMIN)
    assert alarm.status == AlarmStatus.CLEARED.value
    assert engine.observe([obs(city, city.tuhai_level, minutes(5), 31.6)]) == []
    set_rule_enabled(db, STEWARD, rule.id, True)
    assert len(engine.observe([obs(city, city.tuhai_level, minutes(10), 31.6)])) == 1


def test_a_rule_with_history_is_disabled_not_deleted(
    db: Database, city: City, clock: Clock
) -> None:
    unused = create_rule(db, STEWARD, water_level_rule(city.tuhai_level, 40.0, 41.0, 42.0))
    used = create_rule(db, STEWARD, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0), now=T0)
    AlarmEngine(db, clock).observe([obs(city, city.tuhai_level, minutes(0), 31.5)])
    with pytest.raises(Conflict):
        delete_rule(db, STEWARD, used.id)
    with pytest.raises(PermissionDenied):
        delete_rule(db, OTHER_STEWARD, unused.id)
    delete_rule(db, STEWARD, unused.id)
    assert [r.id for r in list_rules(db, STEWARD)] == [used.id]
