"""Two ``cityhub serve`` processes over one PostgreSQL database and one data directory stay
correct when they write the same things at the same moment (issue 8, item 3).

Two real processes are started together on a new database (``conftest``), the platform is
prepared through the Python API (``city``), and each test hammers the processes over HTTP from
many threads, alternating them and releasing the requests that compete together (a barrier).
What it proves, from the answers and from the database:

- start: both processes, started at the same moment on the new database, migrate it, make its
  first start and come up, and the one background worker left on runs in one of them;
- ingests: appends of N files to one dataset at once all succeed, as versions 1..N without
  gap or duplicate; each version adds its own file's rows and holds exactly the rows of the
  files of the versions up to it, each once (no ingest built on a stale version, nothing lost);
- sharing: approving and refusing one request at once in two processes: one wins, the other
  gets 409; the request ends as the winner left it, grants exist exactly for the approved
  requests, and each request has one decision audit row;
- alarms: a breaching value posted to a Datastream through both processes at once opens
  exactly one alarm per (rule, source), round after round (a normal value clears it between);
- trace log: key registrations through both processes at once (the new log's first leaves
  among them) make one log: leaves 0..N-1, each the registration its answer names, every
  append's proof bundle verifies against a checkpoint the log published, and every published
  checkpoint's root is that of its first leaves;
- trace log, read: each process soon serves the newest checkpoint any process published, proves
  every published checkpoint consistent with it, and serves tiles and entry bundles a C2SP
  client rebuilds it from.

No process logs an error or a traceback meanwhile.
"""

from __future__ import annotations

import base64
import threading
from collections import Counter
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import UTC, datetime, timedelta
from functools import partial
from typing import Any, TypeVar

import httpx2
import pytest
from sqlalchemy import func, select

from cityhub.audit.models import AuditEvent
from cityhub.catalog.models import SharingGrant
from cityhub.sensing.alarms import Alarm, AlarmEvent, AlarmStatus, EventKind
from cityhub.sharing.models import SharingRequest
from cityhub.trace.epcis import envelope_hash
from cityhub.trace.leaves import KeyLeaf, format_leaf
from cityhub.trace.note import Policy, generate_signer, parse_policy
from cityhub.trace.statements import key_statement, sign_statement
from tests.scale import tracecheck
from tests.scale.city import INGESTED, RECORDER, STATION, STEWARD, THRESHOLD
from tests.scale.conftest import Cluster

pytestmark = pytest.mark.scale

T = TypeVar("T")
INGESTS = 12
ALARM_ROUNDS = 6
POSTS_PER_STREAM = 4  # per round and phase: half through each process
KEY_REGISTRATIONS = 264  # past the first full tile of 256 leaves
REGISTRATION_THREADS = 16


def at_once(calls: Sequence[Callable[[], T]]) -> list[T]:
    """Run each call in a thread of its own, all released together; the results in order."""
    barrier = threading.Barrier(len(calls))

    def run(call: Callable[[], T]) -> T:
        barrier.wait(timeout=60)
        return call()

    with ThreadPoolExecutor(max_workers=len(calls)) as pool:
        return [future.result() for future in [pool.submit(run, call) for call in calls]]


def _no_errors_logged(cluster: Cluster, since: list[int]) -> None:
    errors = cluster.errors_logged(since)
    assert not errors, "\n".join(errors[:40])


def test_processes_started_together_on_a_new_database_all_come_up(cluster: Cluster) -> None:
    if cluster.first_start_failures:
        pytest.fail("\n\n".join(cluster.first_start_failures), pytrace=False)
    running = [cluster.client(n).get("/healthz").json()["workers"] for n in range(2)]
    # Of the workers the settings leave on, only the alarm sweeper and notifier: elected once.
    assert sorted(name for names in running for name in names) == ["alarms"], running


# a. ingests ------------------------------------------------------------------------------------


def _csv(k: int) -> tuple[bytes, list[int]]:
    """File ``k``: 5 + 3k rows with numbers no other file has; (content, numbers)."""
    numbers = [k * 1000 + i for i in range(5 + 3 * k)]
    lines = [f"{n},站{k}-{n % 1000},{n * 0.5 + 0.25:.2f}" for n in numbers]
    return ("no,station,level\n" + "\n".join(lines) + "\n").encode(), numbers


def _numbers(client: httpx2.Client, headers: dict[str, str], version: int | None) -> list[int]:
    params: dict[str, Any] = {"_select": "no", "_sort": "no", "_limit": 10_000}
    if version is not None:
        params["version"] = version
    answer = client.get(f"/api/datasets/{INGESTED}/rows", params=params, headers=headers)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert body["total"] == len(body["rows"])
    return [row[0] for row in body["rows"]]


def test_concurrent_ingests_make_one_gapless_history(cluster: Cluster) -> None:
    since = cluster.mark()
    files = [_csv(k) for k in range(INGESTS)]
    headers = cluster.auth(STEWARD)

    def upload(k: int) -> httpx2.Response:
        return cluster.client(k).post(
            f"/api/datasets/{INGESTED}/versions",
            headers=headers,
            files={"file": (f"part-{k}.csv", files[k][0], "text/csv")},
            data={"mode": "append"},
        )

    answers = at_once([partial(upload, k) for k in range(INGESTS)])
    failed = [(a.status_code, a.text) for a in answers if a.status_code != 201]
    assert not failed, failed
    version_of = {k: int(a.json()["number"]) for k, a in enumerate(answers)}
    assert sorted(version_of.values()) == list(range(1, INGESTS + 1)), version_of
    for k, answer in enumerate(answers):
        assert answer.json()["rows_added"] == len(files[k][1])
    file_at = {number: k for k, number in version_of.items()}

    for reader in range(2):  # both processes list the same history
        listed = cluster.client(reader).get(f"/api/datasets/{INGESTED}/versions", headers=headers)
        assert listed.status_code == 200, listed.text
        by_number = {v["number"]: v for v in listed.json()}
        assert sorted(by_number) == list(range(1, INGESTS + 1))
        running = 0
        for number in range(1, INGESTS + 1):
            added = len(files[file_at[number]][1])
            running += added
            assert (by_number[number]["rows_added"], by_number[number]["row_count"]) == (
                added,
                running,
            ), f"version {number}"

    for number in range(1, INGESTS + 1):  # each version: exactly the files up to it, once
        expected = sorted(n for v in range(1, number + 1) for n in files[file_at[v]][1])
        assert _numbers(cluster.client(number), headers, number) == expected, f"v{number}"
    everything = sorted(n for _, numbers in files for n in numbers)
    for reader in range(2):
        assert _numbers(cluster.client(reader), headers, None) == everything
    _no_errors_logged(cluster, since)


# b. sharing decisions --------------------------------------------------------------------------


def test_concurrent_decisions_on_a_request_let_exactly_one_win(cluster: Cluster) -> None:
    since = cluster.mark()
    headers = cluster.auth(STEWARD)
    requests = cluster.city.requests

    def decide(request_id: int, verb: str, process: int) -> httpx2.Response:
        body = {} if verb == "approve" else {"reason": "该用途不符合共享条件"}
        return cluster.client(process).post(
            f"/api/sharing/requests/{request_id}/{verb}", json=body, headers=headers
        )

    calls: list[Callable[[], httpx2.Response]] = []
    for n, request_id in enumerate(requests):  # the approving process alternates
        calls += [
            partial(decide, request_id, "approve", n),
            partial(decide, request_id, "refuse", n + 1),
        ]
    answers = at_once(calls)

    outcome: dict[int, str] = {}
    for n, request_id in enumerate(requests):
        approval, refusal = answers[2 * n], answers[2 * n + 1]
        codes = sorted([approval.status_code, refusal.status_code])
        assert codes == [200, 409], (request_id, approval.text, refusal.text)
        won, lost = (approval, refusal) if approval.status_code == 200 else (refusal, approval)
        outcome[request_id] = won.json()["status"]
        assert lost.json()["error"]["details"]["status"] == outcome[request_id]
    assert set(outcome.values()) <= {"approved", "refused"}

    for request_id, status in outcome.items():
        for reader in range(2):
            seen = cluster.client(reader).get(
                f"/api/sharing/requests/{request_id}", headers=headers
            )
            assert seen.status_code == 200 and seen.json()["status"] == status
    with cluster.db.reading() as session:
        rows = {r.id: r for r in session.scalars(select(SharingRequest))}
        grants = [
            (g.request_id, g.dataset_id, g.department_id)
            for g in session.scalars(select(SharingGrant))
        ]
        decisions = session.scalars(
            select(AuditEvent).where(AuditEvent.action.in_(["sharing.approve", "sharing.refuse"]))
        ).all()
    approved = sorted(r for r, status in outcome.items() if status == "approved")
    assert sorted(grants) == [(r, rows[r].dataset_id, rows[r].department_id) for r in approved]
    assert {r: rows[r].status for r in requests} == outcome
    verb = {"approved": "sharing.approve", "refused": "sharing.refuse"}
    assert Counter((e.details["request"], e.action, e.outcome) for e in decisions) == Counter(
        {(r, verb[status], "success"): 1 for r, status in outcome.items()}
    )
    _no_errors_logged(cluster, since)


# c. alarms -------------------------------------------------------------------------------------


def _open_alarms(cluster: Cluster) -> Counter[tuple[int, int]]:
    with cluster.db.reading() as session:
        rows = session.execute(
            select(Alarm.rule_id, Alarm.source_id).where(Alarm.status != AlarmStatus.CLEARED.value)
        ).all()
    return Counter((int(rule), int(source)) for rule, source in rows)


def test_concurrent_breaches_open_one_alarm_per_rule_and_source(cluster: Cluster) -> None:
    since = cluster.mark()
    headers = cluster.auth(STATION)
    city = cluster.city
    pairs = Counter({(city.rules[stream], stream): 1 for stream in city.datastreams})
    start = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    def post(stream: int, value: float, at: datetime, process: int) -> httpx2.Response:
        body = {
            "phenomenonTime": at.isoformat(),
            "result": value,
            "Datastream": {"@iot.id": stream},
        }
        return cluster.client(process).post("/sta/v1.1/Observations", json=body, headers=headers)

    def phase(value: float, at: datetime) -> None:
        answers = at_once(
            [
                partial(post, stream, value, at, n)
                for stream in city.datastreams
                for n in range(POSTS_PER_STREAM)
            ]
        )
        failed = [(a.status_code, a.text) for a in answers if a.status_code != 201]
        assert not failed, failed

    for round_ in range(ALARM_ROUNDS):
        phase(THRESHOLD + 1.5, start + timedelta(minutes=2 * round_))
        assert _open_alarms(cluster) == pairs, f"round {round_}: after the breach"
        phase(THRESHOLD - 3.0, start + timedelta(minutes=2 * round_ + 1))
        assert _open_alarms(cluster) == Counter(), f"round {round_}: after the fall"

    with cluster.db.reading() as session:
        raised = session.execute(
            select(Alarm.rule_id, Alarm.source_id, func.count())
            .join(AlarmEvent, AlarmEvent.alarm_id == Alarm.id)
            .where(AlarmEvent.kind == EventKind.RAISED.value)
            .group_by(Alarm.rule_id, Alarm.source_id)
        ).all()
    assert {(r, s): n for r, s, n in raised} == dict.fromkeys(pairs, ALARM_ROUNDS)
    _no_errors_logged(cluster, since)


# d. trace log ----------------------------------------------------------------------------------


def _register(cluster: Cluster, n: int, process: int) -> tuple[bytes, int, str]:
    """Register key ``n`` of the trace actor through ``process``: (the leaf that must be in
    the log, the index the answer gave, the proof bundle it gave)."""
    actor = cluster.city.trace_actor
    signer = generate_signer(f"scale.key{n}")
    vkey = signer.verifier().vkey()
    envelope = sign_statement(key_statement("register", actor, vkey=vkey), [signer])
    answer = cluster.client(process).post(
        "/api/trace/keys", json={"envelope": envelope}, headers=cluster.auth(RECORDER)
    )
    assert answer.status_code == 201, answer.text
    body = answer.json()
    digest = base64.b64encode(envelope_hash(envelope)).decode("ascii")
    leaf = format_leaf(KeyLeaf("register", actor, vkey, digest))
    return leaf, int(body["registered_index"]), str(body["bundle"])


def _policy(cluster: Cluster) -> Policy:
    policies = {cluster.client(n).get("/trace/log/policy").text for n in range(2)}
    assert len(policies) == 1, "the processes publish different trust policies"
    return parse_policy(policies.pop())


def test_concurrent_appends_make_one_verifiable_log(cluster: Cluster) -> None:
    since = cluster.mark()
    before = tracecheck.stored_log(cluster.db).tree_size  # 0: the log is new

    def register(n: int) -> tuple[bytes, int, str]:
        return _register(cluster, before + n, n % 2)

    # The first wave is released together: both processes append the new log's first leaves.
    appended = at_once([partial(register, n) for n in range(REGISTRATION_THREADS)])
    with ThreadPoolExecutor(max_workers=REGISTRATION_THREADS) as pool:
        appended += pool.map(register, range(REGISTRATION_THREADS, KEY_REGISTRATIONS))

    policy = _policy(cluster)
    stored = tracecheck.stored_log(cluster.db)  # asserts leaves 0..N-1 and the tree head
    indices = sorted(index for _, index, _ in appended)
    assert indices == list(range(before, before + KEY_REGISTRATIONS)), "indices missing or shared"
    assert stored.tree_size == before + KEY_REGISTRATIONS
    for leaf, index, bundle in appended:
        assert stored.leaves[index] == leaf, f"leaf {index} is not the registration"
        tracecheck.check_bundle(leaf, index, bundle, policy, stored)
    # Each checkpoint's root is that of its first leaves: all are prefixes of the one tree.
    tracecheck.check_checkpoints(stored, policy)
    _no_errors_logged(cluster, since)


def test_every_process_serves_the_newest_checkpoint_with_its_proofs_and_tiles(
    cluster: Cluster,
) -> None:
    """Behind a load balancer a client reads the checkpoint from one process and proofs and
    tiles from another: each process must serve what any process published, soon."""
    since = cluster.mark()
    policy = _policy(cluster)
    size = tracecheck.stored_log(cluster.db).tree_size
    for process in range(2):  # both have appended and published something
        _register(cluster, size + process, process)
    _register(cluster, size + 2, 1)  # the newest checkpoint: process 2's alone
    stored = tracecheck.stored_log(cluster.db)
    newest = tracecheck.check_checkpoints(stored, policy)
    for process in range(2):
        served = tracecheck.served_checkpoint(cluster.client(process), policy, newest)
        assert served == (newest, stored.checkpoints[newest][0]), (
            f"{cluster.servers[process].name} serves checkpoint {served[0]}, not the newest "
            f"({newest}), {tracecheck.CATCH_UP_SECONDS} s after it was published"
        )
    for process in range(2):
        tracecheck.check_consistency(cluster.client(process), stored, newest)
        tracecheck.check_tiles(
            cluster.client(process), newest, stored.checkpoints[newest][0], stored.leaves
        )
    _no_errors_logged(cluster, since)
