"""The batching ingester against the real database: what is stored, refused, audited."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor, Role, actor_for_token
from cityhub.db import Database
from cityhub.errors import CityhubError, InvalidInput, NotAuthenticated, PermissionDenied
from cityhub.sensing.bus import Bus
from cityhub.sensing.models import Datastream, Observation, Thing
from cityhub.sensing.mqtt import Incoming, ObservationIngester
from cityhub.sensing.mqtt.batch import Pending
from cityhub.sensing.observations import NewObservation, StoredObservation
from tests.sensing.mqtt.conftest import Network, observation_count


def actor_of(db: Database, credentials: tuple[str, str]) -> Actor:
    return actor_for_token(db, credentials[1], "127.0.0.1")


def message(actor: Actor, topic: str, body: Any, client_id: str = "c1") -> Incoming:
    payload = body if isinstance(body, bytes) else json.dumps(body).encode()
    return Incoming(actor, topic, payload, client_id)


@pytest.fixture
def refusals() -> list[tuple[Incoming, CityhubError]]:
    return []


@pytest.fixture
def ingester(db: Database, refusals: list[tuple[Incoming, CityhubError]]) -> ObservationIngester:
    return ObservationIngester(db, Bus(), on_error=lambda m, e: refusals.append((m, e)))


def audit_rows(db: Database, action: str) -> list[AuditEvent]:
    with db.reading() as session:
        return list(session.scalars(select(AuditEvent).where(AuditEvent.action == action)))


def test_a_batch_is_stored_in_one_ingest(
    db: Database, network: Network, ingester: ObservationIngester
) -> None:
    station = actor_of(db, network.station)
    stored: list[StoredObservation] = []
    assert ingester.bus is not None
    ingester.bus.subscribe(stored.extend)
    topic = f"v1.1/Datastreams({network.level})/Observations"
    ingester.handle(
        [
            message(station, topic, {"result": 1.5, "phenomenonTime": "2024-06-01T00:00:00Z"}),
            message(station, topic, {"result": 2, "phenomenonTime": "2024-06-01T00:01:00Z"}),
            message(
                station,
                "v1.1/Observations",
                {"result": 7, "Datastream": {"@iot.id": network.count}},
            ),
            message(
                station,
                f"v1.1/FeaturesOfInterest({network.feature})/Observations",
                {"result": True, "Datastream": {"@iot.id": network.flag}},
            ),
        ]
    )
    assert ingester.stats.stored == 4 and ingester.stats.refused == 0
    assert [item.result for item in stored] == [1.5, 2, 7, True]
    with db.reading() as session:
        features = set(session.scalars(select(Observation.feature_id)))
    assert network.feature in features and len(features) == 2  # the named one and the Location's
    ingests = audit_rows(db, "sta.ingest")
    assert len(ingests) == 1
    assert ingests[0].actor == "slj.station" and ingests[0].details["source"] == "mqtt"


def test_an_array_payload_stores_its_good_elements(
    db: Database, network: Network, ingester: ObservationIngester, refusals: list[Any]
) -> None:
    station = actor_of(db, network.station)
    topic = f"v1.1/Datastreams({network.level})/Observations"
    ingester.handle([message(station, topic, [{"result": 1}, {"result": "high"}, {"result": 3}])])
    assert observation_count(db, network.level) == 2
    assert [error.details.get("index") for _, error in refusals] == [1]


BAD: list[tuple[str, str, Any, type[CityhubError]]] = [
    ("malformed JSON", "v1.1/Observations", b'{"result": ', InvalidInput),
    ("not a create topic", "v1.1/Datastreams({level})", {"result": 1}, InvalidInput),
    ("no Datastream", "v1.1/Observations", {"result": 1}, InvalidInput),
    ("unknown Datastream", "v1.1/Datastreams(999)/Observations", {"result": 1}, InvalidInput),
    ("id beyond INTEGER", "v1.1/Datastreams(9999999999)/Observations", {"result": 1}, InvalidInput),
    ("wrong type", "v1.1/Datastreams({level})/Observations", {"result": "high"}, InvalidInput),
    ("not an integer", "v1.1/Datastreams({count})/Observations", {"result": 1.5}, InvalidInput),
    ("not a boolean", "v1.1/Datastreams({flag})/Observations", {"result": 1}, InvalidInput),
    (
        "unknown property",
        "v1.1/Datastreams({level})/Observations",
        {"result": 1, "x": 2},
        InvalidInput,
    ),
    (
        "unknown FeatureOfInterest",
        "v1.1/Datastreams({level})/Observations",
        {"result": 1, "FeatureOfInterest": {"@iot.id": 999}},
        InvalidInput,
    ),
    (
        "unknown FeatureOfInterest topic",
        "v1.1/FeaturesOfInterest(999)/Observations",
        {"result": 1, "Datastream": {"@iot.id": 1}},
        InvalidInput,
    ),
    (
        "another department",
        "v1.1/Datastreams({other})/Observations",
        {"result": 1},
        PermissionDenied,
    ),
]


@pytest.mark.parametrize(("why", "topic", "body", "error"), BAD, ids=[case[0] for case in BAD])
def test_bad_messages_are_refused_and_the_rest_stored(
    db: Database,
    network: Network,
    ingester: ObservationIngester,
    refusals: list[tuple[Incoming, CityhubError]],
    why: str,
    topic: str,
    body: Any,
    error: type[CityhubError],
) -> None:
    station = actor_of(db, network.station)
    good = f"v1.1/Datastreams({network.level})/Observations"
    bad = message(station, topic.format(**network.__dict__), body, client_id="bad")
    ingester.handle(
        [message(station, good, {"result": 1}), bad, message(station, good, {"result": 2})]
    )
    assert observation_count(db) == 2
    assert [(m.client_id, type(e)) for m, e in refusals] == [("bad", error)]
    assert ingester.stats.refused == 1


@pytest.mark.parametrize(
    ("who", "error"),
    [("public", NotAuthenticated), ("analyst", PermissionDenied), ("outsider", PermissionDenied)],
)
def test_publishers_without_write_access_store_nothing_and_are_audited(
    db: Database,
    network: Network,
    ingester: ObservationIngester,
    refusals: list[tuple[Incoming, CityhubError]],
    who: str,
    error: type[CityhubError],
) -> None:
    actor = Actor.public("10.0.0.9") if who == "public" else actor_of(db, getattr(network, who))
    topic = f"v1.1/Datastreams({network.level})/Observations"
    ingester.handle([message(actor, topic, {"result": 1}) for _ in range(3)])
    assert observation_count(db) == 0
    assert {type(e) for _, e in refusals} == {error}
    denials = [row for row in audit_rows(db, "sta.ingest") if row.outcome != "success"]
    assert len(denials) == 1  # one per publisher and department in a batch, not per message
    assert denials[0].details["source"] == "mqtt"


def test_an_admin_writes_everywhere(
    db: Database, network: Network, ingester: ObservationIngester
) -> None:
    admin = Actor(None, "mqtt-bridge", Role.ADMIN, None, "mqtt")
    ingester.handle(
        [
            message(admin, f"v1.1/Datastreams({network.level})/Observations", {"result": 1}),
            message(admin, f"v1.1/Datastreams({network.other})/Observations", {"result": 2}),
        ]
    )
    assert observation_count(db) == 2


def test_a_thing_without_location_costs_only_its_rows(
    db: Database, network: Network, ingester: ObservationIngester, refusals: list[Any]
) -> None:
    """A Thing without Location cannot give a FeatureOfInterest: only that row is lost."""
    with db.transaction() as session:
        level = session.get(Datastream, network.level)
        owner = session.get(Thing, level.thing_id) if level is not None else None
        assert level is not None and owner is not None
        homeless = Thing(name="t", description="t", department_id=owner.department_id)
        session.add(homeless)
        session.flush()
        stream = Datastream(
            name="s",
            description="s",
            unit_of_measurement={},
            observation_type=level.observation_type,
            thing_id=homeless.id,
            sensor_id=level.sensor_id,
            observed_property_id=level.observed_property_id,
        )
        session.add(stream)
        session.flush()
        homeless_stream = stream.id
    station = actor_of(db, network.station)
    ingester.handle(
        [
            message(station, f"v1.1/Datastreams({network.level})/Observations", {"result": 1}),
            message(station, f"v1.1/Datastreams({homeless_stream})/Observations", {"result": 2}),
            message(station, f"v1.1/Datastreams({network.level})/Observations", {"result": 3}),
        ]
    )
    assert observation_count(db, network.level) == 2
    assert observation_count(db, homeless_stream) == 0
    assert len(refusals) == 1 and "Location" in refusals[0][1].message


def test_the_worker_thread_batches_and_drains_on_stop(db: Database, network: Network) -> None:
    ingester = ObservationIngester(db, Bus(), max_delay=0.05)
    station = actor_of(db, network.station)
    ingester.start()
    topic = f"v1.1/Datastreams({network.level})/Observations"
    for value in range(50):
        assert ingester.submit(message(station, topic, {"result": value}))
    assert ingester.wait_idle(10)
    assert ingester.stats.stored == 50
    for value in range(20):
        ingester.submit(message(station, topic, {"result": value}))
    ingester.stop()
    assert observation_count(db) == 70


def test_a_full_queue_drops_and_counts(db: Database, network: Network) -> None:
    ingester = ObservationIngester(db, Bus(), max_queue=2)  # not started: nothing drains
    station = actor_of(db, network.station)
    results = [
        ingester.submit(message(station, "v1.1/Observations", {"result": 1})) for _ in range(3)
    ]
    assert results == [True, True, False]
    assert ingester.stats.dropped == 1


def test_a_batch_failing_in_the_database_is_stored_one_by_one(
    db: Database, network: Network, ingester: ObservationIngester, refusals: list[Any]
) -> None:
    """Should the database refuse a checked batch (a Datastream deleted meanwhile), only the
    culprit is lost."""
    station = actor_of(db, network.station)
    topic = f"v1.1/Datastreams({network.level})/Observations"
    when = datetime(2024, 6, 1, tzinfo=UTC)
    group = [
        Pending(message(station, topic, {}), NewObservation(network.level, when, 1.0)),
        Pending(message(station, topic, {}, "gone"), NewObservation(999, when, 2.0), index=4),
        Pending(message(station, topic, {}), NewObservation(network.level, when, 3.0)),
    ]
    ingester._store(station, group)
    assert observation_count(db) == 2
    assert [(m.client_id, e.details.get("index")) for m, e in refusals] == [("gone", 4)]


TOPICS = st.sampled_from(
    [
        "v1.1/Observations",
        "v1.1/Datastreams(1)/Observations",
        "v1.1/Datastreams(5)/Observations",
        "v1.1/Datastreams(99999999999)/Observations",
        "v1.1/FeaturesOfInterest(1)/Observations",
        "v1.1/Datastreams(1)",
        "$SYS/x",
        "",
    ]
)
BODIES = st.one_of(
    st.binary(max_size=60),
    st.fixed_dictionaries(
        {"result": st.one_of(st.floats(), st.integers(), st.text(max_size=5), st.booleans())},
        optional={
            "phenomenonTime": st.sampled_from(["2024-06-01T00:00:00Z", "x", 3]),
            "Datastream": st.sampled_from([{"@iot.id": 1}, {"@iot.id": 2}, {"@iot.id": 10**12}]),
            "FeatureOfInterest": st.sampled_from([{"@iot.id": 1}, {"@iot.id": 77}, {}]),
            "parameters": st.sampled_from([{}, [], None]),
        },
    ).map(lambda body: json.dumps(body).encode()),
)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(TOPICS, BODIES), min_size=1, max_size=8))
def test_random_batches_never_break_the_ingester(
    db: Database, network: Network, batch: list[tuple[str, bytes]]
) -> None:
    station = actor_of(db, network.station)
    ingester = ObservationIngester(db, Bus())
    ingester.handle([Incoming(station, topic, payload, "fuzz") for topic, payload in batch])
    assert ingester.stats.refused + ingester.stats.stored >= len(batch)
