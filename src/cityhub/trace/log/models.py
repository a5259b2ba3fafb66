"""The log's own tables: leaves, tiles, the tree head, published checkpoints, witness sizes.

Leaves and full tiles are written once and never changed; the last (partial) tile of each level
grows in place, which is safe because a tile's first ``w`` hashes never change once written.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, LargeBinary, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from cityhub.db.base import Base, UTCDateTime, utcnow

# BIGINT on PostgreSQL; INTEGER on SQLite, where only INTEGER PRIMARY KEY is the row id.
BigId = BigInteger().with_variant(Integer(), "sqlite")


class TraceLeaf(Base):
    """One log entry: the leaf bytes whose hash is SHA-256(0x00 || data)."""

    __tablename__ = "trace_leaves"

    idx: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class TraceTile(Base):
    """A C2SP tile: up to 256 hashes of tree level 8 * ``level``, concatenated."""

    __tablename__ = "trace_tiles"

    level: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    idx: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    data: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)


class TraceTree(Base):
    """The sequenced tree head: one row, locked by the writer for each batch."""

    __tablename__ = "trace_tree"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    size: Mapped[int] = mapped_column(BigId, nullable=False)
    root: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    # The perfect-subtree roots of the right edge, largest first: restart needs no tree walk.
    edge: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class TraceCheckpoint(Base):
    """A published checkpoint: signed by the log and cosigned by a quorum of witnesses."""

    __tablename__ = "trace_checkpoints"

    size: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=False)
    root: Mapped[bytes] = mapped_column(LargeBinary, nullable=False)
    note: Mapped[str] = mapped_column(Text, nullable=False)
    cosigners: Mapped[list[Any]] = mapped_column(JSON, nullable=False)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime(), nullable=False, default=utcnow)


class TraceWitnessSize(Base):
    """The last size each witness cosigned: the ``old`` of the next add-checkpoint request."""

    __tablename__ = "trace_witness_sizes"

    witness: Mapped[str] = mapped_column(String(255), primary_key=True)
    size: Mapped[int] = mapped_column(BigId, nullable=False)
