"""policy.js: C2SP tlog-policy parsing and quorum evaluation, groups of groups, k-of-n, and the
policies the spec forbids."""

from __future__ import annotations

from typing import Any

import pytest

from tests.trace.browser.evidence_builder import NoteKey

pytestmark = pytest.mark.browser

LOG = NoteKey.from_label("example.com/log")
W = {n: NoteKey.from_label(f"{n}.example", 0x04) for n in ("X1", "X2", "X3", "Y1", "Y2", "Y3")}
HEAD = f"log {LOG.vkey}\n" + "".join(f"witness {n} {k.vkey}\n" for n, k in W.items())
SPEC_EXAMPLE = HEAD + (
    "group X-witnesses 2 X1 X2 X3\ngroup Y-witnesses any Y1 Y2 Y3\n"
    "group X-and-Y all X-witnesses Y-witnesses\nquorum X-and-Y\n"
)

# parsePolicy(text), then evaluateQuorum for each set of cosigners; a FormatError comes back
# as {"error": message}.
EVALUATE = """async ([text, cosigner_sets]) => {
    const { parsePolicy, evaluateQuorum } = await import("/static/trace/policy.js");
    const { FormatError } = await import("/static/trace/bytes.js");
    const { loadCrypto } = await import("/static/trace/crypto.js");
    const cr = await loadCrypto();
    let policy;
    try {
        policy = await parsePolicy(cr.sha256, text);
    } catch (error) {
        if (error instanceof FormatError) return { error: error.message };
        throw error;
    }
    return cosigner_sets.map((names) => {
        const q = evaluateQuorum(policy.quorum, new Set(names));
        return [q.ok, q.have, q.need];
    });
}"""


def evaluate(tab: Any, text: str, sets: list[list[str]]) -> Any:
    return tab.evaluate(EVALUATE, [text, sets])


@pytest.mark.parametrize(
    ("quorum", "cosigners", "expected"),
    [
        ("quorum none\n", [], [True, 0, 0]),
        ("quorum X1\n", ["X1"], [True, 1, 1]),
        ("quorum X1\n", ["X2", "Y1"], [False, 0, 1]),
        ("group g 2 X1 X2 X3\nquorum g\n", ["X1", "X3"], [True, 2, 2]),
        ("group g 2 X1 X2 X3\nquorum g\n", ["X3"], [False, 1, 2]),
        ("group g all X1 X2\nquorum g\n", ["X1"], [False, 1, 2]),
        ("group g any X1 X2\nquorum g\n", ["X2"], [True, 1, 1]),
    ],
)
def test_simple_quorums(tab: Any, quorum: str, cosigners: list[str], expected: list[Any]) -> None:
    assert evaluate(tab, HEAD + quorum, [cosigners]) == [expected]


def test_the_spec_example_needs_two_x_and_one_y(tab: Any) -> None:
    sets = [
        ["X1", "X2", "Y3"],
        ["X1", "X2", "X3"],  # no Y
        ["X1", "Y1", "Y2", "Y3"],  # one X
        ["X2", "X3", "Y2"],
        [],
    ]
    assert evaluate(tab, SPEC_EXAMPLE, sets) == [
        [True, 2, 2],
        [False, 1, 2],
        [False, 1, 2],
        [True, 2, 2],
        [False, 0, 2],
    ]


def test_comments_tabs_and_urls_are_allowed(tab: Any) -> None:
    text = (
        f"# city witnesses\n  \t\nlog\t{LOG.vkey}   https://example.com/log\n"
        f"  witness X1 {W['X1'].vkey} https://x1.example/\n  # indented comment\n"
        "quorum\tX1  \n"
    )
    assert evaluate(tab, text, [["X1"]]) == [[True, 1, 1]]


ONE = f"witness A {W['X1'].vkey}\n"
OTHER_NAME_SAME_KEY = NoteKey("renamed.example", 0x04, W["X1"].private)
FRESH = NoteKey.from_label("fresh.example", 0x04)


@pytest.mark.parametrize(
    ("text", "reason"),
    [
        (HEAD, "no quorum line"),
        (HEAD + "quorum X1\nquorum X2\n", "a second quorum line"),
        (HEAD + "quorum Z\n", 'quorum "Z" undefined'),
        (HEAD + "group g 1 X1 Z\nquorum g\n", '"Z" is not a witness or group defined above'),
        (HEAD + "group g 1 none\nquorum g\n", '"none" is not a witness or group'),
        (HEAD + "quorum g\ngroup g 1 X1\n", 'quorum "g" undefined'),
        (HEAD + "group g 0 X1 X2\nquorum g\n", "threshold"),
        (HEAD + "group g 3 X1 X2\nquorum g\n", "threshold"),
        (HEAD + "group g 01 X1 X2\nquorum g\n", "threshold"),
        (HEAD + "group g 1 X1 X1\nquorum g\n", "already a group member"),
        (HEAD + "group g 1 X1\ngroup h 1 X1 X2\nquorum h\n", "already a group member"),
        (HEAD + "group X1 1 X2\nquorum X1\n", 'name "X1" already defined'),
        (HEAD + f"witness none {FRESH.vkey}\nquorum none\n", 'name "none" already defined'),
        (HEAD + f"witness Z {OTHER_NAME_SAME_KEY.vkey}\nquorum Z\n", "duplicate witness key"),
        (HEAD + f"log {LOG.vkey}\nquorum none\n", "duplicate log key"),
        (ONE + f"log {W['X2'].vkey}\nquorum A\n", "log key is not Ed25519"),
        (f"witness A {LOG.vkey}\nquorum A\n", "not a cosignature (0x04) key"),
        (ONE + "group g\nquorum g\n", "group <name> <k|all|any>"),
        (ONE + "quorum A extra\n", "quorum <name>"),
        (ONE + "monitor A\nquorum A\n", 'unknown keyword "monitor"'),
        (ONE + "quorum A\r\n", "control character"),
        (ONE.replace("+", "-", 1) + "quorum A\n", "key is not <name>+<hex8>+<base64>"),
    ],
    ids=[
        "no-quorum",
        "two-quorums",
        "undefined-quorum",
        "undefined-member",
        "none-member",
        "forward-reference",
        "k-zero",
        "k-too-big",
        "k-leading-zero",
        "member-twice",
        "member-of-two-groups",
        "name-reused",
        "none-redefined",
        "same-witness-key",
        "same-log-key",
        "log-key-type",
        "witness-key-type",
        "empty-group",
        "quorum-arity",
        "unknown-keyword",
        "carriage-return",
        "bad-vkey",
    ],
)
def test_invalid_policies_are_refused(tab: Any, text: str, reason: str) -> None:
    result = evaluate(tab, text, [])
    assert isinstance(result, dict), f"accepted: {text!r}"
    assert reason in result["error"]
