"""Errors of the Merkle layer: bad proofs, bad arguments, bad tile paths, missing tiles."""

from __future__ import annotations

from cityhub.errors import InvalidInput, NotFound


class ProofError(InvalidInput):
    """A proof does not verify, or a proof was asked for with impossible sizes/indices.

    ``details`` names the offending argument (``index``, ``size1``, ``proof[3]`` …) and a
    machine-readable ``reason``.
    """

    code = "proof_invalid"


class TilePathError(InvalidInput):
    """A tile or entry-bundle path that is not in canonical C2SP tlog-tiles form."""

    code = "tile_path_invalid"


class TileMissing(NotFound):
    """Storage returned no tile, or one too narrow for a node the tree size implies."""

    code = "tile_missing"
