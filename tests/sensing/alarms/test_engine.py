"""The engine on a database: alarms raised, moved in place and cleared, exactly once, across
restarts; rules per Datastream and per class of stations."""

from __future__ import annotations

from collections.abc import Callable
from datetime import timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.exc import IntegrityError

from cityhub.audit.models import AuditEvent
from cityhub.db import Database
from cityhub.sensing.alarms import (
    Alarm,
    AlarmEngine,
    AlarmEvent,
    AlarmRule,
    RuleSpec,
    Severity,
    create_rule,
    lifecycle,
    rainstorm_rule,
    rate_rule,
    threshold_rule,
    tiers_to_json,
    water_level_rule,
)
from cityhub.sensing.alarms.vocab import AlarmStatus, EventKind
from tests.sensing.alarms.conftest import (
    ADMIN,
    STEWARD,
    T0,
    WATER_LEVEL,
    City,
    Clock,
    minutes,
    obs,
)

BLUE, YELLOW, ORANGE, RED = Severity.BLUE, Severity.YELLOW, Severity.ORANGE, Severity.RED
RAISED, UP, DOWN, CLEARED = (
    EventKind.RAISED,
    EventKind.ESCALATED,
    EventKind.DEESCALATED,
    EventKind.CLEARED,
)


@pytest.fixture
def engine(db: Database, clock: Clock) -> AlarmEngine:
    return AlarmEngine(db, clock)


def add_rule(db: Database, spec: RuleSpec, actor=ADMIN) -> AlarmRule:
    return create_rule(db, actor, spec, now=T0)


Case = tuple[
    Callable[[City], RuleSpec], str, list[tuple[float, object]], list[tuple[EventKind, Severity]]
]
CASES: dict[str, Case] = {
    "threshold-water-level": (
        lambda c: water_level_rule(c.tuhai_level, 30.0, 31.0, 32.0),
        "tuhai_level",
        [(0, 29.0), (5, 30.1), (10, 31.2), (15, 30.5), (20, 29.0)],
        [(RAISED, YELLOW), (UP, ORANGE), (DOWN, YELLOW), (CLEARED, YELLOW)],
    ),
    "window-sum-rainstorm": (
        lambda c: rainstorm_rule(c.tuhai_rain),
        "tuhai_rain",
        [(60, 30.0), (120, 30.0), (180, 45.0), (240, 0.0), (420, 0.0), (600, 0.0), (1200, 0.0)],
        [
            (RAISED, ORANGE),
            (UP, RED),
            (DOWN, ORANGE),
            (DOWN, YELLOW),
            (DOWN, BLUE),
            (CLEARED, BLUE),
        ],
    ),
    "rate-of-rise": (
        lambda c: rate_rule(c.tuhai_level, {YELLOW: 0.5, ORANGE: 1.0}),
        "tuhai_level",
        [(0, 30.0), (30, 30.3), (60, 30.6), (90, 31.4), (120, 31.5), (150, 31.5)],
        [(RAISED, YELLOW), (UP, ORANGE), (DOWN, YELLOW), (CLEARED, YELLOW)],
    ),
    "boolean-water-ingress": (
        lambda c: threshold_rule(c.tunnel_ingress, {RED: 1.0}),
        "tunnel_ingress",
        [(0, False), (1, True), (2, True), (3, False)],
        [(RAISED, RED), (CLEARED, RED)],
    ),
}


@pytest.mark.parametrize("case", CASES.values(), ids=CASES.keys())
def test_rule_kinds_raise_move_and_clear_one_alarm(
    db: Database, city: City, engine: AlarmEngine, case: Case
) -> None:
    make, stream_name, samples, expected = case
    rule = add_rule(db, make(city))
    stream = getattr(city, stream_name)
    changes = []
    for minute, value in samples:
        changes += engine.observe([obs(city, stream, minutes(minute), value)])
    assert [(c.kind, c.severity) for c in changes] == expected
    assert len({c.alarm_id for c in changes}) == 1  # one alarm, moved in place
    with db.reading() as session:
        alarm = session.scalars(select(Alarm).where(Alarm.rule_id == rule.id)).one()
        events = session.scalars(select(AlarmEvent.kind).order_by(AlarmEvent.id)).all()
    assert alarm.status == AlarmStatus.CLEARED.value and alarm.cleared_by == "system"
    assert events == [kind.value for kind, _ in expected]


def test_history_and_audit_record_every_move(db: Database, city: City, engine: AlarmEngine) -> None:
    add_rule(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    for minute, level in ((0, 30.2), (5, 31.1), (10, 30.5), (15, 28.0)):
        engine.observe([obs(city, city.tuhai_level, minutes(minute), level)])
    with db.reading() as session:
        events = session.execute(
            select(AlarmEvent.kind, AlarmEvent.severity, AlarmEvent.previous_severity)
        ).all()
        actions = session.scalars(
            select(AuditEvent.action)
            .where(AuditEvent.object_type == "alarm")
            .order_by(AuditEvent.id)
        ).all()
    assert [tuple(e) for e in events] == [
        ("raised", "yellow", None),
        ("escalated", "orange", "yellow"),
        ("de-escalated", "yellow", "orange"),
        ("cleared", "yellow", None),
    ]
    assert actions == ["alarm.raise", "alarm.escalate", "alarm.deescalate", "alarm.clear"]


def test_message_says_what_was_measured(db: Database, city: City, engine: AlarmEngine) -> None:
    add_rule(db, rainstorm_rule(city.tuhai_rain, name="暴雨"))
    engine.observe([obs(city, city.tuhai_rain, minutes(60), 55.0)])
    with db.reading() as session:
        alarm = session.scalars(select(Alarm)).one()
    assert alarm.message_zh == "暴雨：3 小时累计 55 ≥ 50（橙色预警）"
    assert alarm.message_en == "暴雨: 3 h total 55 ≥ 50 (orange)"


def test_repeated_batches_raise_exactly_once(db: Database, city: City, engine: AlarmEngine) -> None:
    add_rule(db, rainstorm_rule(city.tuhai_rain))
    storm = [obs(city, city.tuhai_rain, minutes(60 * h), mm) for h, mm in ((1, 30), (2, 30))]
    first = engine.observe(storm)
    assert [(c.kind, c.severity) for c in first] == [(RAISED, ORANGE)]
    assert engine.observe(storm) == []  # a retransmitted batch
    assert engine.observe(storm[1:]) == []
    with db.reading() as session:
        assert session.scalar(select(func.count(Alarm.id))) == 1
        assert session.scalar(select(func.count(AlarmEvent.id))) == 1


def test_a_batch_out_of_order_is_judged_in_time_order(
    db: Database, city: City, engine: AlarmEngine
) -> None:
    add_rule(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    batch = [obs(city, city.tuhai_level, minutes(m), v) for m, v in ((10, 29.0), (5, 31.5))]
    changes = engine.observe(batch)
    assert [(c.kind, c.severity) for c in changes] == [(RAISED, ORANGE), (CLEARED, ORANGE)]


def test_an_open_alarm_counts_repeats(db: Database, city: City, engine: AlarmEngine) -> None:
    add_rule(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    batch = [obs(city, city.tuhai_level, minutes(m), 30.2 + m / 100) for m in range(4)]
    engine.observe(batch)
    with db.reading() as session:
        alarm = session.scalars(select(Alarm)).one()
    assert (alarm.repeat_count, alarm.value, alarm.last_value) == (3, 30.2, 30.23)
    assert alarm.last_value_at == minutes(3)


def test_a_new_engine_resumes_sustain_and_window_without_refiring(
    db: Database, city: City, clock: Clock
) -> None:
    add_rule(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0, for_samples=3))
    add_rule(db, rainstorm_rule(city.tuhai_rain))
    first = AlarmEngine(db, clock)
    for minute in (0, 5):
        assert first.observe([obs(city, city.tuhai_level, minutes(minute), 30.5)]) == []
    assert first.observe([obs(city, city.tuhai_rain, minutes(60), 30.0)]) == []

    second = AlarmEngine(db, clock)  # a restart: nothing but the database in common
    level = second.observe([obs(city, city.tuhai_level, minutes(10), 30.5)])
    rain = second.observe([obs(city, city.tuhai_rain, minutes(120), 25.0)])
    assert [(c.kind, c.severity) for c in level + rain] == [(RAISED, YELLOW), (RAISED, ORANGE)]

    third = AlarmEngine(db, clock)
    assert third.observe([obs(city, city.tuhai_level, minutes(15), 30.6)]) == []
    assert third.observe([obs(city, city.tuhai_rain, minutes(120), 25.0)]) == []  # resent
    with db.reading() as session:
        assert session.scalar(select(func.count(Alarm.id))) == 2


def test_one_open_alarm_per_rule_and_source_in_the_database(
    db: Database, city: City, engine: AlarmEngine
) -> None:
    rule = add_rule(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    engine.observe([obs(city, city.tuhai_level, minutes(0), 30.5)])

    def another(status: str) -> None:
        with db.transaction() as session:
            session.add(
                Alarm(
                    rule_id=rule.id,
                    source_id=city.tuhai_level,
                    thing_id=city.tuhai,
                    severity="red",
                    status=status,
                    message_zh="",
                    message_en="",
                    raised_at=T0,
                    updated_at=T0,
                    repeat_count=0,
                )
            )

    with pytest.raises(IntegrityError):
        another(AlarmStatus.ACKNOWLEDGED.value)
    another(AlarmStatus.CLEARED.value)  # history may hold any number of cleared ones


def test_a_rule_on_a_class_covers_its_departments_stations(
    db: Database, city: City, engine: AlarmEngine
) -> None:
    river = threshold_rule(
        None, {YELLOW: 30.0}, observed_property=WATER_LEVEL, station_class="river", name="rivers"
    )
    add_rule(db, river, STEWARD)  # SLJ: 徒骇河 only, not NYNCJ's 马颊河 nor the lake
    add_rule(db, river)  # admin, no department: both rivers
    batch = [
        obs(city, stream, minutes(0), 30.5)
        for stream in (city.tuhai_level, city.lake_level, city.majia_level, city.tuhai_rain)
    ]
    raised = sorted((c.rule_id, c.source_id) for c in engine.observe(batch))
    with db.reading() as session:
        steward_rule, admin_rule = session.scalars(select(AlarmRule.id).order_by(AlarmRule.id))
    assert raised == sorted(
        [
            (steward_rule, city.tuhai_level),
            (admin_rule, city.tuhai_level),
            (admin_rule, city.majia_level),
        ]
    )


def test_rules_made_later_apply_at_once(db: Database, city: City, engine: AlarmEngine) -> None:
    assert engine.observe([obs(city, city.tuhai_level, minutes(0), 31.0)]) == []
    add_rule(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    changes = engine.observe([obs(city, city.tuhai_level, minutes(5), 31.0)])
    assert [(c.kind, c.severity) for c in changes] == [(RAISED, ORANGE)]


def test_rules_made_by_another_process_are_seen_by_the_periodic_check(
    db: Database, city: City, clock: Clock
) -> None:
    engine = AlarmEngine(db, clock, refresh_seconds=0)
    assert engine.observe([obs(city, city.tuhai_level, minutes(0), 31.0)]) == []
    spec = water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0)
    with db.transaction() as session:  # as another process would: no in-process signal
        session.add(
            AlarmRule(
                name="elsewhere",
                kind="threshold",
                datastream_id=city.tuhai_level,
                tiers=tiers_to_json(spec.tiers),
                for_samples=1,
                for_seconds=0,
                options={},
                enabled=True,
                created_by="cli",
                created_at=T0,
                updated_at=T0,
            )
        )
    changes = engine.observe([obs(city, city.tuhai_level, minutes(5), 31.0)])
    assert [(c.kind, c.severity) for c in changes] == [(RAISED, ORANGE)]


def test_non_numeric_results_are_skipped(db: Database, city: City, engine: AlarmEngine) -> None:
    add_rule(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    assert engine.observe([obs(city, city.tuhai_level, minutes(0), "FFFF")]) == []
    assert engine.observe([obs(city, city.tuhai_level, T0 + timedelta(minutes=1), 30.1)])


def test_a_raise_that_loses_a_race_moves_the_winner_instead(
    db: Database, city: City, clock: Clock, monkeypatch: pytest.MonkeyPatch
) -> None:
    add_rule(db, water_level_rule(city.tuhai_level, 30.0, 31.0, 32.0))
    first, second = AlarmEngine(db, clock), AlarmEngine(db, clock)
    assert second.observe([obs(city, city.tuhai_level, minutes(0), 29.0)]) == []
    (raised,) = first.observe([obs(city, city.tuhai_level, minutes(1), 30.5)])

    real = lifecycle.open_alarms_of
    reads: list[object] = []

    def read_before_the_other_commit(session: object, keys: set[tuple[int, int]]) -> object:
        reads.append(keys)
        return {} if len(reads) == 1 else real(session, keys)  # type: ignore[arg-type]

    monkeypatch.setattr(lifecycle, "open_alarms_of", read_before_the_other_commit)
    changes = second.observe([obs(city, city.tuhai_level, minutes(2), 31.5)])
    assert [(c.kind, c.severity, c.alarm_id) for c in changes] == [(UP, ORANGE, raised.alarm_id)]
    assert len(reads) == 2  # the unique index refused the insert; the retry saw the winner
    with db.reading() as session:
        assert session.scalar(select(func.count(Alarm.id))) == 1
