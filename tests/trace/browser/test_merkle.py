"""merkle.js against the RFC 9162 known answers (the 8-leaf tree, all 36 inclusion proofs),
bit-flipped copies of each, and random trees from the fixture builder's independent tree."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tests.trace.browser.evidence_builder import Tree

pytestmark = pytest.mark.browser

# A copy of the brief's reference file (leaf inputs and roots from transparency-dev/merkle and
# google/certificate-transparency; proofs cross-checked against the transparency-dev probes).
VECTORS = json.loads(
    (Path(__file__).parent / "data" / "rfc9162-8leaf-vectors.json").read_text(encoding="utf-8")
)

Case = dict[str, Any]


def verify_all(tab: Any, cases: list[Case], fallback: bool = False) -> list[bool]:
    """verifyInclusionHex for every case, in one round trip to the browser."""
    results: list[bool] = tab.evaluate(
        """async ([cases, forceFallback]) => {
            const { verifyInclusionHex } = await import("/static/trace/verify.js");
            const out = [];
            for (const c of cases) out.push(await verifyInclusionHex(c, { forceFallback }));
            return out;
        }""",
        [cases, fallback],
    )
    return results


def flip(hex_hash: str, bit: int) -> str:
    raw = bytearray(bytes.fromhex(hex_hash))
    raw[bit // 8] ^= 1 << (bit % 8)
    return raw.hex()


def kat_cases() -> list[Case]:
    return [
        {
            "index": v["index"],
            "size": v["size"],
            "leafHash": VECTORS["leaf_hashes"][v["index"]],
            "proof": v["path"],
            "root": VECTORS["roots_by_size"][str(v["size"])],
        }
        for v in VECTORS["inclusion"]
    ]


def mutants(case: Case) -> list[Case]:
    """Wrong bits in every hash, a wrong index, a wrong level count, a path too long or short.

    Not size + 1: for some (index, size) the path has the same shape one size up, so the same
    hashes legitimately prove the same root there; only the signed checkpoint binds the size.
    """
    out = [
        {**case, "leafHash": flip(case["leafHash"], 7)},
        {**case, "root": flip(case["root"], 255)},
        {**case, "index": case["index"] + 1},
        {**case, "size": case["size"] * 2},
        {**case, "proof": [*case["proof"], case["root"]]},
    ]
    if case["proof"]:
        out.append({**case, "proof": case["proof"][:-1]})
    for i, hash_ in enumerate(case["proof"]):
        for bit in (0, 131):
            proof = list(case["proof"])
            proof[i] = flip(hash_, bit)
            out.append({**case, "proof": proof})
    # A mutant that happens to be another valid proof would prove nothing: drop it.
    return [m for m in out if m != case and not _is_valid_elsewhere(m)]


def _is_valid_elsewhere(case: Case) -> bool:
    if case["size"] > 8 or case["index"] >= case["size"]:
        return False
    v = next(
        v for v in VECTORS["inclusion"] if (v["index"], v["size"]) == (case["index"], case["size"])
    )
    return bool(
        v["path"] == case["proof"]
        and VECTORS["leaf_hashes"][case["index"]] == case["leafHash"]
        and VECTORS["roots_by_size"][str(case["size"])] == case["root"]
    )


def test_all_36_rfc9162_inclusion_vectors_verify(tab: Any) -> None:
    cases = kat_cases()
    assert len(cases) == 36
    assert verify_all(tab, cases) == [True] * 36
    assert verify_all(tab, cases, fallback=True) == [True] * 36


def test_the_step_4b2_cases_are_among_them() -> None:
    # A verifier without the right shifts of step 4.b.ii rejects exactly these valid proofs.
    pairs = {(c["index"], c["size"]) for c in kat_cases()}
    assert {(2, 3), (4, 5), (4, 6), (5, 6), (6, 7)} <= pairs


@pytest.mark.parametrize("case", kat_cases(), ids=lambda c: f"{c['index']}of{c['size']}")
def test_every_bit_flipped_copy_fails(tab: Any, case: Case) -> None:
    bad = mutants(case)
    assert len(bad) >= 5
    assert verify_all(tab, bad) == [False] * len(bad)


def test_malformed_inputs_fail_rather_than_throw(tab: Any) -> None:
    case = kat_cases()[10]
    odd = [
        {**case, "index": case["size"]},
        {**case, "index": -1},
        {**case, "proof": [*case["proof"][:-1], case["proof"][-1][:-2]]},  # a 31-byte hash
        {**case, "leafHash": case["leafHash"] + "00"},
    ]
    assert verify_all(tab, odd) == [False] * len(odd)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(data=st.data())
def test_random_trees_agree_with_an_independent_tree(tab: Any, data: st.DataObject) -> None:
    size = data.draw(st.integers(min_value=1, max_value=300), label="size")
    index = data.draw(st.integers(min_value=0, max_value=size - 1), label="index")
    tree = Tree([f"leaf {n}".encode() for n in range(size)])
    case: Case = {
        "index": index,
        "size": size,
        "leafHash": tree.hashes[index].hex(),
        "proof": [h.hex() for h in tree.path(index, size)],
        "root": tree.root(size).hex(),
    }
    bit = data.draw(st.integers(min_value=0, max_value=255), label="bit")
    wrong_root = {**case, "root": flip(case["root"], bit)}
    assert verify_all(tab, [case, wrong_root]) == [True, False]
