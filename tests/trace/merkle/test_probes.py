"""transparency-dev/merkle probe files (vendored in data/, see data/NOTICE.md).

Read as ``proof/verify_test.go`` does: JSON with base64 byte strings (``null`` = empty),
verifier must fail exactly when ``wantErr``. For the positive probes the prover must also
reproduce the proof, from the 8-leaf tree the generator (``cmd/proofgen``) used.
"""

from __future__ import annotations

import base64
import json
from pathlib import Path
from typing import Any

import pytest

from cityhub.trace.merkle import (
    ProofError,
    consistency_proof,
    inclusion_proof,
    verify_consistency,
    verify_inclusion,
)
from tests.trace.merkle.support import DATA, KAT_LEAVES, KAT_ROOTS, complete_nodes, getter

KAT_GET = getter(complete_nodes(KAT_LEAVES))
INCLUSION = sorted((DATA / "inclusion").rglob("*.json"))
CONSISTENCY = sorted((DATA / "consistency").rglob("*.json"))


def _load(path: Path) -> dict[str, Any]:
    raw = json.loads(path.read_text())
    out: dict[str, Any] = {}
    for key, value in raw.items():
        if key in ("root", "leafHash", "root1", "root2"):
            out[key] = base64.b64decode(value or "", validate=True)
        elif key == "proof":
            out[key] = [base64.b64decode(h, validate=True) for h in value or []]
        else:
            out[key] = value
    return out


def _id(path: Path) -> str:
    return str(path.relative_to(DATA))


def test_probe_counts() -> None:
    assert len(INCLUSION) + len(CONSISTENCY) == 196
    positives = [p for p in INCLUSION + CONSISTENCY if not _load(p)["wantErr"]]
    assert len(positives) == 12, [_id(p) for p in positives]


@pytest.mark.parametrize("path", INCLUSION, ids=_id)
def test_inclusion_probe(path: Path) -> None:
    p = _load(path)
    index, size, leaf, proof = p["leafIdx"], p["treeSize"], p["leafHash"], p["proof"]
    if p["wantErr"]:
        with pytest.raises(ProofError):
            verify_inclusion(leaf, index, size, proof, p["root"])
        return
    verify_inclusion(leaf, index, size, proof, p["root"])
    if size <= 8 and p["root"] == KAT_ROOTS[size] and leaf == KAT_LEAVES[index]:
        assert inclusion_proof(index, size, KAT_GET) == proof
    elif size == 1:  # a one-leaf tree is fully described by the probe
        assert inclusion_proof(0, 1, getter({(0, 0): leaf})) == proof
    else:
        pytest.skip("prover: the probe's tree is not the 8-leaf tree and has no leaves")


@pytest.mark.parametrize("path", CONSISTENCY, ids=_id)
def test_consistency_probe(path: Path) -> None:
    p = _load(path)
    size1, size2, proof, root1, root2 = p["size1"], p["size2"], p["proof"], p["root1"], p["root2"]
    if p["wantErr"]:
        with pytest.raises(ProofError):
            verify_consistency(size1, size2, proof, root1, root2)
        return
    verify_consistency(size1, size2, proof, root1, root2)
    if size1 == size2:  # needs no tree: the proof is always empty

        def no_tree(level: int, index: int) -> bytes:
            raise AssertionError("no lookup expected")

        assert consistency_proof(size1, size2, no_tree) == proof
    elif size2 <= 8 and (root1, root2) == (KAT_ROOTS[size1], KAT_ROOTS[size2]):
        assert consistency_proof(size1, size2, KAT_GET) == proof
    else:
        pytest.skip("prover: the probe's tree is not the 8-leaf tree and has no leaves")
