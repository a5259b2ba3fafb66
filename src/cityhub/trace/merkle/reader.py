"""Node lookups from stored tiles, with an LRU of expanded tiles.

A tile stores tree level 8·L; the 7 levels between it and the next tile level are not
stored (tlog-tiles) and are recomputed by hashing inside the tile. A tile is expanded once
into its 8 levels, each one ``bytes`` of concatenated hashes (one object per level, not
per hash, to keep a 4096-tile cache near 64 MB), so that a warm proof is ~log n dict hits
and slices.
"""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict
from collections.abc import Callable

from cityhub.trace.merkle.errors import TileMissing
from cityhub.trace.merkle.hashing import HASH_SIZE
from cityhub.trace.merkle.tiles import TILE_HEIGHT, TILE_WIDTH

TileFetcher = Callable[[int, int], bytes]
"""``fetch_tile(tile_level, tile_index)`` -> concatenated 32-byte hashes (maybe partial)."""

_sha256 = hashlib.sha256
_PAIR = 2 * HASH_SIZE
_SUB_MASK = TILE_HEIGHT - 1  # TILE_HEIGHT is a power of two
_TILE_SHIFT = TILE_HEIGHT.bit_length() - 1
_HASH_SHIFT = HASH_SIZE.bit_length() - 1


def expand_tile(data: bytes) -> list[bytes]:
    """The 8 tree levels a tile spans: [stored hashes, their parents, …], complete nodes only."""
    levels = [data]
    cur = data
    for _ in range(TILE_HEIGHT - 1):
        end = len(cur) - len(cur) % _PAIR  # an odd last node has no parent inside the tile yet
        cur = b"".join(
            [_sha256(b"\x01" + cur[i : i + _PAIR]).digest() for i in range(0, end, _PAIR)]
        )
        levels.append(cur)
    return levels


class TileReader:
    """A ``NodeGetter`` over tile storage: ``reader.node(level, index)``.

    Safe to share between threads: a cache hit takes no lock; a miss fetches outside the
    lock (two threads may both fetch the same tile, which is harmless).
    """

    def __init__(self, fetch_tile: TileFetcher, cache_tiles: int = 4096) -> None:
        self._fetch = fetch_tile
        self._capacity = max(1, cache_tiles)
        self._cache: OrderedDict[tuple[int, int], list[bytes]] = OrderedDict()
        self._lock = threading.Lock()

    def node(self, level: int, index: int) -> bytes:
        """Hash of complete node (level, index); fetches and expands its tile if needed."""
        # Shifts instead of divmod: this is the innermost call of every proof.
        sub = level & _SUB_MASK
        shift = TILE_HEIGHT - sub
        key = (level >> _TILE_SHIFT, index >> shift)
        start = (index & ((1 << shift) - 1)) << _HASH_SHIFT
        cache = self._cache
        levels = cache.get(key)
        if levels is not None:
            try:  # noqa: SIM105 (contextlib.suppress costs more than the lookup, hot path)
                cache.move_to_end(key)
            except KeyError:  # evicted by another thread meanwhile; the value is still valid
                pass
            h = levels[sub][start : start + HASH_SIZE]
            if len(h) == HASH_SIZE:
                return h
            # Cached partial tile is narrower than this node needs: it has grown since.
        h = self._load(key)[sub][start : start + HASH_SIZE]
        if len(h) != HASH_SIZE:
            raise TileMissing(
                f"tile {key[0]}/{key[1]} has no node for level {level} index {index}",
                details={
                    "tile_level": key[0],
                    "tile_index": key[1],
                    "level": level,
                    "index": index,
                },
            )
        return h

    def invalidate(self, tile_level: int, tile_index: int) -> None:
        """Forget a cached tile (e.g. a partial tile that grew)."""
        with self._lock:
            self._cache.pop((tile_level, tile_index), None)

    def clear(self) -> None:
        with self._lock:
            self._cache.clear()

    def _load(self, key: tuple[int, int]) -> list[bytes]:
        data = self._fetch(*key)
        if not data or len(data) % HASH_SIZE or len(data) > TILE_WIDTH * HASH_SIZE:
            raise TileMissing(
                f"tile {key[0]}/{key[1]} is missing or malformed ({len(data)} bytes)",
                details={"tile_level": key[0], "tile_index": key[1]},
            )
        levels = expand_tile(bytes(data))
        with self._lock:
            self._cache[key] = levels
            self._cache.move_to_end(key)
            while len(self._cache) > self._capacity:
                self._cache.popitem(last=False)
        return levels
