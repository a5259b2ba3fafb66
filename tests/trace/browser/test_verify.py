"""verify.js in real Chromium: a genuine 20-event batch passes, and each kind of tampering is
caught and named precisely, on WebCrypto and on the vendored noble fallback."""

from __future__ import annotations

import base64
import copy
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trace.browser.conftest import verify
from tests.trace.browser.evidence_builder import Options, build, log_index

pytestmark = pytest.mark.browser

Doc = dict[str, Any]


@pytest.fixture(scope="module")
def valid() -> Doc:
    return build()


def _bundles(doc: Doc) -> list[dict[str, Any]]:
    return [*doc["events"], *doc["keys"].values()]


def _edit_checkpoints(doc: Doc, edit: Callable[[str], str]) -> None:
    """Applies ``edit`` to the signed checkpoint of every bundle (they must stay identical)."""
    for entry in _bundles(doc):
        head, note = entry["bundle"].split("\n\n", 1)
        entry["bundle"] = f"{head}\n\n{edit(note)}"


def _flip_char(text: str, at: int) -> str:
    """One character changed, to another of the same base64/hex alphabet class."""
    new = "B" if text[at] == "A" else "A"
    return text[:at] + new + text[at + 1 :]


def tamper_payload(doc: Doc) -> str:
    event = doc["events"][2]
    payload = bytearray(base64.b64decode(event["envelope"]["payload"]))
    payload[payload.index(b"OBSERVE") + 6] ^= 0x01  # "OBSERVE" -> "OBSERVD": one byte
    event["envelope"]["payload"] = base64.b64encode(bytes(payload)).decode()
    return f"event 3 (log index {log_index(event)}): signature invalid"


def tamper_leaf(doc: Doc) -> str:
    event = doc["events"][4]
    at = event["leaf"].index("\nsigner ") - 3  # a character of the envelope hash
    event["leaf"] = _flip_char(event["leaf"], at)
    return f"event 5 (log index {log_index(event)}): not included in the log (leaf hash ≠ proof)"


def tamper_checkpoint(doc: Doc) -> str:
    def edit(note: str) -> str:
        origin, size, root, rest = note.split("\n", 3)
        return "\n".join([origin, size, _flip_char(root, 0), rest])

    _edit_checkpoints(doc, edit)
    return "checkpoint signature invalid"


def forge_cosignature(doc: Doc) -> str:
    def edit(note: str) -> str:
        lines = note.split("\n")
        i = next(n for n, line in enumerate(lines) if line.startswith("— witness2."))
        dash, name, sig = lines[i].split(" ")
        raw = bytearray(base64.b64decode(sig))
        raw[-1] ^= 0x80
        lines[i] = f"{dash} {name} {base64.b64encode(bytes(raw)).decode()}"
        return "\n".join(lines)

    _edit_checkpoints(doc, edit)
    return "witness w2: cosignature invalid"


def drop_cosignatures(doc: Doc) -> str:
    def edit(note: str) -> str:
        keep = [
            line for line in note.split("\n") if not line.startswith(("— witness2.", "— witness3."))
        ]
        return "\n".join(keep)

    _edit_checkpoints(doc, edit)
    return "witness quorum not met: 1 of 2"


def drop_event(doc: Doc) -> str:
    dropped = doc["events"].pop(9)
    return f"event at log index {log_index(dropped)} missing (batch chain gap)"


def swap_events(doc: Doc) -> str:
    events = doc["events"]
    events[5], events[6] = events[6], events[5]
    return (
        f"events out of order: event 7 (log index {log_index(events[6])}) "
        f"after log index {log_index(events[5])}"
    )


TAMPERING: dict[str, Callable[[Doc], str]] = {
    "payload byte": tamper_payload,
    "leaf byte": tamper_leaf,
    "checkpoint byte": tamper_checkpoint,
    "forged cosignature": forge_cosignature,
    "quorum 1 of 2": drop_cosignatures,
    "dropped event": drop_event,
    "swapped events": swap_events,
}


def test_a_genuine_batch_verifies(tab: Any, valid: Doc, record_property: Any) -> None:
    report = verify(tab, valid)
    cold = report["timings"]["total_ms"]  # includes the one-off WebCrypto self-test
    assert report["ok"] is True, report["failure"]
    assert report["failure"] is None
    assert report["crypto"] == "webcrypto"
    assert [c["id"] for c in report["checks"] if not c["ok"]] == []
    assert [e["index"] for e in report["events"]] == [log_index(e) for e in valid["events"]]
    assert all(e["ok"] and e["failures"] == [] for e in report["events"])
    checkpoint = report["checkpoint"]
    assert checkpoint["origin"] == "127.0.0.1:8000/trace/log"
    assert checkpoint["witnesses"] == ["w1", "w2", "w3"]
    assert checkpoint["quorum_ok"] is True
    assert checkpoint["size"] > max(e["index"] for e in report["events"])
    warm = verify(tab, valid)["timings"]["total_ms"]
    record_property("verify_ms", warm)
    # The brief's target is < 200 ms for 20 events; the bound here leaves room for a busy CI box.
    print(f"\nverifyEvidence, 20 events, WebCrypto: {warm} ms ({cold} ms cold)")  # noqa: T201
    assert warm < 1000


@pytest.mark.parametrize("tamper", TAMPERING.values(), ids=TAMPERING.keys())
def test_tampering_is_named(tab: Any, valid: Doc, tamper: Callable[[Doc], str]) -> None:
    doc = copy.deepcopy(valid)
    expected = tamper(doc)
    report = verify(tab, doc)
    assert report["ok"] is False
    assert report["failure"] == expected


def test_only_the_tampered_event_is_marked(tab: Any, valid: Doc) -> None:
    doc = copy.deepcopy(valid)
    tamper_payload(doc)
    report = verify(tab, doc)
    assert [e["position"] for e in report["events"] if not e["ok"]] == [3]
    assert report["events"][2]["failures"][0].endswith("signature invalid")
    assert any("envelope hash ≠ leaf" in f for f in report["events"][2]["failures"])
    assert report["events"][2]["failures_zh"][0].endswith("签名无效")


def test_no_event_is_verified_under_an_unverified_checkpoint(tab: Any, valid: Doc) -> None:
    doc = copy.deepcopy(valid)
    forge_cosignature(doc)
    report = verify(tab, doc)
    assert {tuple(e["failures"]) for e in report["events"]} == {("log checkpoint not verified",)}
    assert not any(e["ok"] for e in report["events"])


def test_a_dropped_event_marks_its_successor(tab: Any, valid: Doc) -> None:
    doc = copy.deepcopy(valid)
    expected = drop_event(doc)
    report = verify(tab, doc)
    assert [e["position"] for e in report["events"] if not e["ok"]] == [10]
    assert report["events"][9]["failures"] == [expected]


@pytest.fixture(scope="module")
def revoked() -> Doc:
    return build(Options(revoke_after=12))


def test_signing_after_revocation_fails(tab: Any, revoked: Doc) -> None:
    key_id, entry = next((k, v) for k, v in revoked["keys"].items() if v["revoked_at_index"])
    late = next(
        (n, e)
        for n, e in enumerate(revoked["events"], start=1)
        if e["signer"] == key_id and log_index(e) > entry["revoked_at_index"]
    )
    report = verify(tab, revoked)
    assert report["ok"] is False
    assert report["failure"] == (
        f"event {late[0]} (log index {log_index(late[1])}): signed by key {key_id} "
        f"after its revocation (log index {entry['revoked_at_index']})"
    )
    before = [e for e in report["events"] if e["index"] < entry["revoked_at_index"]]
    assert before and all(e["ok"] for e in before)


def test_a_registration_naming_another_vkey_fails(tab: Any) -> None:
    doc = build(Options(misregister=True))
    key_id = next(iter(doc["keys"]))
    report = verify(tab, doc)
    assert report["ok"] is False
    assert report["failure"] == f"key {key_id}: registration leaf names another vkey"
    signed = [
        e for e, d in zip(report["events"], doc["events"], strict=True) if d["signer"] == key_id
    ]
    assert signed and all(not e["ok"] for e in signed)


NESTED = "group bureau 2 w1 w2\ngroup market any w3\ngroup both all bureau market\nquorum both\n"


def test_a_nested_quorum_is_evaluated(tab: Any) -> None:
    doc = build(Options(policy_groups=NESTED))
    assert verify(tab, doc)["ok"] is True
    _edit_checkpoints(doc, lambda note: note.replace(note[note.index("— witness3.") :], ""))
    report = verify(tab, doc)
    assert report["failure"] == "witness quorum not met: 1 of 2"
    assert report["checkpoint"]["witnesses"] == ["w1", "w2"]


@pytest.mark.parametrize("case", ["valid", "payload byte"])
def test_the_noble_fallback_agrees(tab: Any, valid: Doc, case: str) -> None:
    doc = copy.deepcopy(valid)
    if case != "valid":
        TAMPERING[case](doc)
    native = verify(tab, doc)
    fallback = verify(tab, doc, forceFallback=True)
    assert (native["crypto"], fallback["crypto"]) == ("webcrypto", "noble")
    for report in (native, fallback):
        del report["crypto"], report["timings"], report["checkpoint"]["age_s"]
    assert fallback == native
    assert fallback["ok"] is (case == "valid")
    if case == "valid":
        ms = verify(tab, doc, forceFallback=True)["timings"]["total_ms"]
        print(f"\nverifyEvidence, 20 events, noble fallback: {ms} ms")  # noqa: T201


@pytest.mark.parametrize(
    ("mutate", "failure"),
    [
        (lambda d: d.update(format="cityhub.trace/evidence/v0"), "evidence document: format is"),
        (lambda d: d.update(events=[]), "evidence document: no events"),
        (
            lambda d: d.update(policy=d["policy"] + "quorum w1\n"),
            "trust policy invalid: policy line",
        ),
        (lambda d: d["events"][0].update(bundle="index 1\n"), "event 1: proof bundle malformed"),
    ],
    ids=["format", "no events", "two quorum lines", "bundle without magic"],
)
def test_malformed_documents_are_named(tab: Any, valid: Doc, mutate: Any, failure: str) -> None:
    doc = copy.deepcopy(valid)
    mutate(doc)
    report = verify(tab, doc)
    assert report["ok"] is False
    assert failure in report["failure"]
    assert all(c["ok"] is not None for c in report["checks"])  # unrun checks are failures


def _text_fields(doc: Doc) -> list[tuple[Any, Any]]:
    """(container, key) of every string the verifier is meant to authenticate.

    Not the policy (its comments and URLs are free text) nor an actor's display name (personal
    data stays out of the log, so nothing signs it).
    """
    fields: list[tuple[Any, Any]] = [(doc, "batch")]
    for entry in _bundles(doc):
        fields += [(entry, name) for name in ("leaf", "bundle") if name in entry]
        fields += [(entry, "signer")] if "signer" in entry else [(entry, "vkey")]
        env = entry["envelope"]
        fields += [(env, "payload"), (env, "payloadType")]
        fields += [(env["signatures"][0], "keyid"), (env["signatures"][0], "sig")]
    return fields


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_no_single_character_change_goes_unnoticed(tab: Any, valid: Doc, data: Any) -> None:
    doc = copy.deepcopy(valid)
    container, key = data.draw(st.sampled_from(_text_fields(doc)), label="field")
    text = container[key]
    at = data.draw(st.integers(min_value=0, max_value=len(text) - 1), label="at")
    alphabet = "Aa0+/= \n-é" + text[at]
    new = data.draw(st.sampled_from(alphabet).filter(lambda c: c != text[at]), label="new")
    container[key] = text[:at] + new + text[at + 1 :]
    report = verify(tab, doc)
    assert report["ok"] is False, f"{key}[{at}] {text[at]!r} -> {new!r} went unnoticed"
