"""Tables of the catalogue: datasets, their columns (信息项), versions and sharing grants."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from cityhub.auth.models import Department
from cityhub.db.base import Base, UTCDateTime, utcnow


def new_uuid() -> str:
    """A random UUID as text: the ids CKAN clients expect for packages and resources."""
    return str(uuid.uuid4())


class Dataset(Base):
    """A catalogued dataset (政务信息资源): metadata, owner department and sharing attributes."""

    __tablename__ = "datasets"

    id: Mapped[int] = mapped_column(primary_key=True)
    uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    resource_uuid: Mapped[str] = mapped_column(String(36), unique=True, default=new_uuid)
    name: Mapped[str] = mapped_column(String(100), unique=True)
    title: Mapped[str] = mapped_column(String(200))
    abstract: Mapped[str] = mapped_column(Text, default="")
    resource_code: Mapped[str | None] = mapped_column(String(64), unique=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), index=True)
    category: Mapped[str] = mapped_column(String(16))
    resource_class: Mapped[str] = mapped_column(String(32))
    keywords: Mapped[list[str]] = mapped_column(JSON, default=list)
    update_cycle: Mapped[str] = mapped_column(String(16))
    share_type: Mapped[str] = mapped_column(String(16))
    share_conditions: Mapped[str] = mapped_column(Text, default="")
    open_type: Mapped[str] = mapped_column(String(16))
    security_level: Mapped[str] = mapped_column(String(16))
    licence: Mapped[str] = mapped_column(String(64), default="")
    contact: Mapped[str] = mapped_column(String(200), default="")
    search_text: Mapped[str] = mapped_column(Text, default="")
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    # The most open sharing allowed, set by what the dataset is made from (catalog/ceiling.py).
    sharing_ceiling: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))

    department: Mapped[Department] = relationship(lazy="joined")
    columns: Mapped[list[DatasetColumn]] = relationship(
        order_by="DatasetColumn.position", lazy="selectin", cascade="all, delete-orphan"
    )


class DatasetColumn(Base):
    """A column (信息项) of a dataset: name, Chinese label, type, and whether it is personal."""

    __tablename__ = "dataset_columns"
    __table_args__ = (UniqueConstraint("dataset_id", "name"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(64))
    label: Mapped[str] = mapped_column(String(200))
    type: Mapped[str] = mapped_column(String(16))
    description: Mapped[str] = mapped_column(Text, default="")
    personal: Mapped[str | None] = mapped_column(String(16))


class DatasetVersion(Base):
    """One upload: the Iceberg snapshot it produced, and how the file was read."""

    __tablename__ = "dataset_versions"
    __table_args__ = (UniqueConstraint("dataset_id", "number"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    snapshot_id: Mapped[int] = mapped_column(BigInteger)
    mode: Mapped[str] = mapped_column(String(16))
    source_name: Mapped[str] = mapped_column(String(255))
    source_format: Mapped[str] = mapped_column(String(16))
    source_encoding: Mapped[str | None] = mapped_column(String(32))
    source_bytes: Mapped[int] = mapped_column(BigInteger)
    rows_added: Mapped[int] = mapped_column(BigInteger)
    row_count: Mapped[int] = mapped_column(BigInteger)
    schema: Mapped[list[dict[str, Any]]] = mapped_column(JSON)
    notes: Mapped[list[str]] = mapped_column(JSON, default=list)
    created_by: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)


class SharingGrant(Base):
    """Permission for a department to read a 有条件共享 dataset: maybe some columns, maybe a while.

    ``columns`` None means every column; ``expires_at`` None means no end. An expired grant stays
    as a record but reads ignore it (compared with the clock at read time, so no job is needed).
    ``request_id`` names the sharing request an approval made it from (None: granted directly).
    """

    __tablename__ = "sharing_grants"
    __table_args__ = (UniqueConstraint("dataset_id", "department_id"),)

    id: Mapped[int] = mapped_column(primary_key=True)
    dataset_id: Mapped[int] = mapped_column(ForeignKey("datasets.id"), index=True)
    department_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    granted_by: Mapped[str] = mapped_column(String(64))
    granted_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    note: Mapped[str] = mapped_column(Text, default="")
    columns: Mapped[list[str] | None] = mapped_column(JSON(none_as_null=True))
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    # A string reference: the sharing package depends on the catalogue, never the other way.
    request_id: Mapped[int | None] = mapped_column(ForeignKey("sharing_requests.id"))

    department: Mapped[Department] = relationship(lazy="joined")
