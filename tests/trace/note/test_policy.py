"""tlog-policy: the spec's two-level example, thresholds, syntax rules and ``satisfied``."""

from __future__ import annotations

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.trace.note import COSIGNATURE_V1, NoteError, Policy, parse_policy
from tests.trace.note.conftest import LOG_NAME, make_signer

LOG = make_signer(LOG_NAME, 1).verifier().vkey()
W = {
    name: make_signer(f"{name.lower()}.example", 40 + i, COSIGNATURE_V1).verifier().vkey()
    for i, name in enumerate(["X1", "X2", "X3", "Y1", "Y2", "Y3"])
}

# The example from tlog-policy.md, with real keys.
EXAMPLE = f"""log {LOG}

witness X1 {W["X1"]}
witness X2 {W["X2"]}
witness X3 {W["X3"]}
group X-witnesses 2 X1 X2 X3

witness Y1 {W["Y1"]}
witness Y2 {W["Y2"]}
witness Y3 {W["Y3"]}
group Y-witnesses any Y1 Y2 Y3

group X-and-Y all X-witnesses Y-witnesses
quorum X-and-Y
"""


def _policy(*lines: str) -> str:
    return "\n".join([f"log {LOG}", *(f"witness {n} {W[n]}" for n in ("X1", "X2", "X3")), *lines])


def test_spec_example_parses() -> None:
    policy = parse_policy(EXAMPLE)
    assert policy.log.vkey() == LOG and policy.log_url is None
    assert list(policy.witnesses) == ["X1", "X2", "X3", "Y1", "Y2", "Y3"]
    assert policy.witnesses["Y2"][0].vkey() == W["Y2"]
    assert policy.groups == {
        "X-witnesses": (2, ("X1", "X2", "X3")),
        "Y-witnesses": (1, ("Y1", "Y2", "Y3")),
        "X-and-Y": (2, ("X-witnesses", "Y-witnesses")),
    }
    assert policy.quorum == "X-and-Y"


@pytest.mark.parametrize(
    ("cosigned", "ok"),
    [
        ({"X1", "X2", "Y1"}, True),
        ({"X1", "X3", "Y3"}, True),
        ({"X1", "X2", "X3", "Y1", "Y2", "Y3"}, True),
        ({"X1", "X2"}, False),
        ({"X1", "Y1", "Y2", "Y3"}, False),
        (set(), False),
        ({"X-witnesses", "Y-witnesses"}, False),  # group names are not cosigners
        ({"X1", "X2", "Y1", "unknown"}, True),
    ],
)
def test_spec_example_quorum(cosigned: set[str], ok: bool) -> None:
    assert parse_policy(EXAMPLE).satisfied(cosigned) is ok


@settings(deadline=None)
@given(st.sets(st.sampled_from(["X1", "X2", "X3", "Y1", "Y2", "Y3"])))
def test_spec_example_means_two_x_and_one_y(cosigned: set[str]) -> None:
    want = len(cosigned & {"X1", "X2", "X3"}) >= 2 and len(cosigned & {"Y1", "Y2", "Y3"}) >= 1
    assert parse_policy(EXAMPLE).satisfied(cosigned) is want


@pytest.mark.parametrize(
    ("threshold", "needed"), [("1", 1), ("2", 2), ("3", 3), ("any", 1), ("all", 3)]
)
def test_k_of_n(threshold: str, needed: int) -> None:
    policy = parse_policy(_policy(f"group g {threshold} X1 X2 X3", "quorum g"))
    assert policy.groups["g"] == (needed, ("X1", "X2", "X3"))
    for count in range(4):
        assert policy.satisfied(["X1", "X2", "X3"][:count]) is (count >= needed)


def test_quorum_none_needs_no_witness() -> None:
    policy = parse_policy(f"log {LOG}\nquorum none\n")
    assert policy.quorum is None and policy.witnesses == {} and policy.satisfied([])


def test_quorum_of_a_single_witness() -> None:
    policy = parse_policy(_policy("quorum X2"))
    assert policy.satisfied({"X2"}) and not policy.satisfied({"X1", "X3"})


def test_comments_blank_lines_tabs_and_urls() -> None:
    text = (
        "# trust policy for the 聊城 trace log\n\n"
        f"  log\t{LOG}  https://trace.example/trace/log  \n"
        "\t# witnesses\n"
        f"witness X1 {W['X1']} https://w1.example/\n"
        f"witness\tX2\t{W['X2']}\n   \n"
        "group g any X1 X2\nquorum g"  # no final newline
    )
    policy = parse_policy(text)
    assert policy.log_url == "https://trace.example/trace/log"
    assert policy.witnesses["X1"][1] == "https://w1.example/" and policy.witnesses["X2"][1] is None


def test_text_round_trips() -> None:
    for text in (
        EXAMPLE,
        _policy("group g 2 X1 X2 X3", "quorum g"),
        f"log {LOG} https://l/\nquorum none",
    ):
        policy = parse_policy(text)
        assert parse_policy(policy.text()) == policy
    lines = parse_policy(EXAMPLE).text().splitlines()
    assert lines[0] == f"log {LOG}" and lines[1] == f"witness X1 {W['X1']}"
    assert lines[-4:] == [
        "group X-witnesses 2 X1 X2 X3",
        "group Y-witnesses any Y1 Y2 Y3",
        "group X-and-Y all X-witnesses Y-witnesses",
        "quorum X-and-Y",
    ]


@pytest.mark.parametrize(
    ("lines", "reason"),
    [
        (["frobnicate x", "quorum none"], "unknown policy keyword"),
        (["group g any X1 later", "quorum g"], "unknown name later"),  # forward reference
        (["group g any X1 X1", "quorum g"], "repeats a member"),
        (["group g 0 X1 X2", "quorum g"], "k must be"),
        (["group g 3 X1 X2", "quorum g"], "k must be"),
        (["group g 01 X1 X2", "quorum g"], "k must be"),
        (["group g -1 X1 X2", "quorum g"], "k must be"),
        (["group g some X1 X2", "quorum g"], "k must be"),
        (["group g any", "quorum g"], "expected 'group"),
        (["group g any none", "quorum g"], "unknown name none"),
        (["group g g", "quorum g"], "expected 'group"),
        (["group g any g", "quorum g"], "unknown name g"),
        ([f"witness none {W['Y1']}", "quorum none"], "reserved"),
        ([f"witness X1 {W['Y1']}", "quorum none"], "defined twice"),
        (["group X1 any X2", "quorum none"], "defined twice"),
        ([f"witness Y1 {W['X1']}", "quorum none"], "duplicate witness key"),
        (["quorum X1", "quorum X2"], "more than one quorum"),
        (["quorum X9"], "unknown name X9"),
        (["quorum"], "expected 'quorum"),
        (["quorum X1 X2"], "expected 'quorum"),
        ([], "quorum line"),
        ([f"log {LOG}", "quorum none"], "only one log"),
        ([f"witness Y1 {LOG}", "quorum none"], "cosignature key"),
        ([f"witness Y1 {W['Y1']} url extra", "quorum none"], "expected 'witness"),
        ([f"witness Y1 {W['Y1'][:-2]}", "quorum none"], "witness Y1"),
        (["quorum none\x00"], "control character"),
        (["quorum none\x7f"], "control character"),
        (["quorum none\r"], "control character"),
    ],
)
def test_bad_policies(lines: list[str], reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        parse_policy(_policy(*lines))


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        ("quorum none\n", "must name the log"),
        (f"log {W['X1']}\nquorum none\n", "Ed25519 note key"),
        (f"log {LOG} a b\nquorum none\n", "expected 'log"),
        (f"log {LOG}\nwitness X1 {LOG.replace(LOG_NAME, 'x1', 1)}\nquorum none\n", "witness X1"),
    ],
)
def test_bad_log_lines(text: str, reason: str) -> None:
    with pytest.raises(NoteError, match=reason):
        parse_policy(text)


def test_errors_name_the_line() -> None:
    with pytest.raises(NoteError) as caught:
        parse_policy(_policy("group g any X1 nope", "quorum g"))
    assert caught.value.details == {"line": 5}


def test_policy_constructor_checks_references() -> None:
    good = parse_policy(_policy("group g any X1", "quorum g"))
    with pytest.raises(NoteError, match="unknown name"):
        Policy(good.log, None, good.witnesses, {"g": (1, ("X9",))}, "g")
    with pytest.raises(NoteError, match="unknown name"):
        Policy(good.log, None, good.witnesses, good.groups, "h")
    with pytest.raises(NoteError, match="1 <= k <= n"):
        Policy(good.log, None, good.witnesses, {"g": (2, ("X1",))}, "g")
    with pytest.raises(NoteError, match="0x04"):
        Policy(good.log, None, {"X1": (good.log, None)}, {}, None)
