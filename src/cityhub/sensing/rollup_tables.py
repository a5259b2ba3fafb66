"""What the roll-up writes: one pool dataset per (owner department, sharing), and its rows.

A Datastream's history goes to the dataset of its Thing's department (the Big Data Bureau's for
Things of no department) that matches its sharing: ``open`` for Datastreams open to the public,
else its share type. The catalogue then applies the same rules to the history that
``sensing.access`` applies to live values (see docs/sensing.md, "History in the pool").
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from enum import StrEnum
from typing import Any

import pyarrow as pa
from sqlalchemy import Row, Select, and_, exists, or_, select
from sqlalchemy.orm import Session

from cityhub.auth.departments import BIG_DATA_BUREAU, department_by_code
from cityhub.auth.models import Department
from cityhub.catalog import ColumnInfo, DatasetSpec, OpenType, SecurityLevel, ShareType
from cityhub.catalog.vocab import DataCategory, ResourceClass, UpdateCycle
from cityhub.sensing.models import (
    Datastream,
    Latest,
    Observation,
    ObservedProperty,
    ResultType,
    Thing,
)


class Sharing(StrEnum):
    """Which of a department's history datasets a Datastream's Observations go to."""

    OPEN = "open"  # open to the public (whatever its share type)
    UNCONDITIONAL = ShareType.UNCONDITIONAL.value
    CONDITIONAL = ShareType.CONDITIONAL.value
    NONE = ShareType.NONE.value


def sharing_of(share_type: str, open_to_public: bool) -> Sharing:
    """The sharing of a Datastream's history; an unknown share type counts as 不予共享."""
    if open_to_public:
        return Sharing.OPEN
    if share_type in (Sharing.UNCONDITIONAL.value, Sharing.CONDITIONAL.value):
        return Sharing(share_type)
    return Sharing.NONE


_TITLE_SUFFIX = {
    Sharing.OPEN: "(开放)",
    Sharing.UNCONDITIONAL: "",
    Sharing.CONDITIONAL: "(有条件共享)",
    Sharing.NONE: "(不予共享)",
}
_WHICH = {
    Sharing.OPEN: "向社会开放的数据流",
    Sharing.UNCONDITIONAL: "无条件共享的数据流",
    Sharing.CONDITIONAL: "有条件共享的数据流",
    Sharing.NONE: "不予共享的数据流",
}
CONDITIONS = "经本部门审批同意后共享(通过数据共享申请)"

# (name, Chinese label, type); times are UTC without a zone, as the pool stores timestamps.
COLUMNS: list[ColumnInfo] = [
    ColumnInfo("observation_id", "观测编号", "integer"),
    ColumnInfo("datastream_id", "数据流编号", "integer"),
    ColumnInfo("datastream", "数据流名称", "string"),
    ColumnInfo("thing_id", "站点编号", "integer"),
    ColumnInfo("thing", "站点名称", "string"),
    ColumnInfo("observed_property", "观测要素", "string"),
    ColumnInfo("observed_property_definition", "观测要素定义", "string"),
    ColumnInfo("unit", "计量单位", "string"),
    ColumnInfo("phenomenon_time", "观测时间(UTC)", "timestamp"),
    ColumnInfo("phenomenon_time_end", "观测结束时间(UTC)", "timestamp"),
    ColumnInfo("result_time", "结果时间(UTC)", "timestamp"),
    ColumnInfo("result_number", "数值结果", "float"),
    ColumnInfo("result_text", "文本结果", "string"),
    ColumnInfo("parameters", "观测参数(JSON)", "string"),
    ColumnInfo("result_quality", "结果质量(JSON)", "string"),
    ColumnInfo("valid_time_start", "有效期开始(UTC)", "timestamp"),
    ColumnInfo("valid_time_end", "有效期结束(UTC)", "timestamp"),
    ColumnInfo("feature_id", "观测对象编号", "integer"),
]
_ARROW_TYPES = {"integer": pa.int64(), "string": pa.string(), "float": pa.float64()}
_ARROW = pa.schema(
    [pa.field(c.name, _ARROW_TYPES.get(c.type, pa.timestamp("us"))) for c in COLUMNS]
)


@dataclass(frozen=True)
class Group:
    """The Datastreams whose history shares one dataset: one department, one sharing."""

    department_id: int
    department_code: str
    department_name: str
    sharing: Sharing
    takes_unowned: bool  # the Big Data Bureau's datasets also hold Things of no department
    datastream_ids: tuple[int, ...] = ()  # those with Observations older than the cutoff

    @property
    def dataset_name(self) -> str:
        """``sensor_observations_<department>[_<sharing>]``: a plain SQL table name."""
        code = self.department_code.lower().replace("-", "_")
        suffix = "" if self.sharing is Sharing.UNCONDITIONAL else f"_{self.sharing.value}"
        return f"sensor_observations_{code}{suffix}"

    def spec(self) -> DatasetSpec:
        """The catalogue entry made on the group's first roll-up."""
        is_open = self.sharing is Sharing.OPEN
        return DatasetSpec(
            name=self.dataset_name,
            title=f"{self.department_name} 传感器观测历史{_TITLE_SUFFIX[self.sharing]}",
            department=self.department_code,
            abstract=(
                f"{self.department_name}监测站点{_WHICH[self.sharing]}中超过保留期的历史观测值,"
                "由物联感知平台(SensorThings)定期从业务库归集,每行一个观测。"
                "时间为协调世界时(UTC,北京时间减8小时)。"
            ),
            category=DataCategory.GOVERNMENT,
            resource_class=ResourceClass.DEPARTMENTAL,
            keywords=("传感器", "物联感知", "观测", "SensorThings"),
            update_cycle=UpdateCycle.REALTIME,
            share_type=ShareType.UNCONDITIONAL if is_open else ShareType(self.sharing.value),
            share_conditions=CONDITIONS if self.sharing is Sharing.CONDITIONAL else "",
            open_type=OpenType.OPEN if is_open else OpenType.CLOSED,
            security_level=SecurityLevel.PUBLIC if is_open else SecurityLevel.INTERNAL,
        )

    def holds(self, session: Session, datastream_ids: set[int]) -> bool:
        """Whether those Datastreams still belong to the group (same department, same sharing):
        checked in the version's transaction, so history never lands in a dataset more open
        than its Datastream is when it moves."""
        found = session.execute(
            select(Thing.department_id, Datastream.share_type, Datastream.open_to_public)
            .join(Thing, Thing.id == Datastream.thing_id)
            .where(Datastream.id.in_(datastream_ids))
        ).all()
        for department_id, share_type, open_to_public in found:
            if department_id is None and self.takes_unowned:
                department_id = self.department_id
            if department_id != self.department_id:
                return False
            if sharing_of(share_type, bool(open_to_public)) is not self.sharing:
                return False
        return True


def groups_with_old_observations(session: Session, cutoff: datetime) -> list[Group]:
    """The groups with Observations older than ``cutoff``, in a stable order, each with the
    Datastreams that have some."""
    old = exists().where(
        Observation.datastream_id == Datastream.id, Observation.phenomenon_time_start < cutoff
    )
    found = session.execute(
        select(Datastream.id, Thing.department_id, Datastream.share_type, Datastream.open_to_public)
        .join(Thing, Thing.id == Datastream.thing_id)
        .where(old)
        .order_by(Datastream.id)
    ).all()
    if not found:
        return []
    bureau = department_by_code(session, BIG_DATA_BUREAU)
    departments = {
        d.id: d
        for d in session.scalars(
            select(Department).where(Department.id.in_({row[1] for row in found} - {None}))
        )
    }
    members: dict[tuple[int, Sharing], list[int]] = {}
    for datastream_id, department_id, share_type, open_to_public in found:
        owner = bureau.id if department_id is None else department_id
        key = (owner, sharing_of(share_type, bool(open_to_public)))
        members.setdefault(key, []).append(datastream_id)
    groups = [
        Group(
            department.id,
            department.code,
            department.name_zh,
            sharing,
            takes_unowned=department.id == bureau.id,
            datastream_ids=tuple(ids),
        )
        for (owner, sharing), ids in members.items()
        for department in [bureau if owner == bureau.id else departments[owner]]
    ]
    return sorted(groups, key=lambda g: (g.department_code, g.sharing.value))


@dataclass(frozen=True)
class Batch:
    """Observations chosen to move, as the rows of the dataset."""

    ids: list[int]  # ascending
    datastream_ids: set[int]
    table: pa.Table
    first_time: datetime
    last_time: datetime


@dataclass
class Cursor:
    """How far ``select_batch`` has gone through a group: its Datastreams one after the other,
    each in (phenomenon time, id) order, as the index ``ix_sta_observations_stream_time``
    holds them (one range scan per Datastream, never a scan of the table)."""

    position: int = 0  # in the group's datastream_ids
    after: tuple[datetime, int] | None = None  # within that Datastream


def select_batch(
    session: Session, group: Group, cutoff: datetime, cursor: Cursor, limit: int
) -> Batch | None:
    """The next ``limit`` Observations of ``group`` older than ``cutoff`` from ``cursor`` on,
    never the one ``sta_latest`` shows; None when there are none. Moves ``cursor`` past them."""
    rows: list[Row[Any]] = []
    while cursor.position < len(group.datastream_ids) and len(rows) < limit:
        datastream_id = group.datastream_ids[cursor.position]
        wanted = limit - len(rows)
        found = session.execute(
            _observations_of(datastream_id, cutoff, cursor.after).limit(wanted)
        ).all()
        rows += found
        if len(found) < wanted:
            cursor.position, cursor.after = cursor.position + 1, None
        else:
            cursor.after = (found[-1].phenomenon_time_start, found[-1].id)
    if not rows:
        return None
    streams = _streams(session, {row.datastream_id for row in rows})
    times = [row.phenomenon_time_start for row in rows]
    return Batch(
        sorted(row.id for row in rows),
        set(streams),
        history_table(rows, streams),
        min(times),
        max(times),
    )


def _observations_of(
    datastream_id: int, cutoff: datetime, after: tuple[datetime, int] | None
) -> Select[Any]:
    time = Observation.phenomenon_time_start
    query = select(
        Observation.id,
        Observation.datastream_id,
        Observation.phenomenon_time_start,
        Observation.phenomenon_time_end,
        Observation.result_time,
        Observation.result_type,
        Observation.result_number,
        Observation.result_boolean,
        Observation.result_string,
        Observation.result_json,
        Observation.parameters,
        Observation.result_quality,
        Observation.valid_time_start,
        Observation.valid_time_end,
        Observation.feature_id,
    ).where(
        Observation.datastream_id == datastream_id,
        time < cutoff,
        Observation.id.not_in(
            select(Latest.observation_id).where(Latest.datastream_id == datastream_id)
        ),
    )
    if after is not None:
        query = query.where(or_(time > after[0], and_(time == after[0], Observation.id > after[1])))
    return query.order_by(time, Observation.id)


@dataclass(frozen=True)
class _Stream:
    name: str
    thing_id: int
    thing: str
    observed_property: str
    definition: str
    unit: str | None


def _streams(session: Session, ids: set[int]) -> dict[int, _Stream]:
    found = session.execute(
        select(
            Datastream.id,
            Datastream.name,
            Datastream.thing_id,
            Thing.name,
            ObservedProperty.name,
            ObservedProperty.definition,
            Datastream.unit_of_measurement,
        )
        .join(Thing, Thing.id == Datastream.thing_id)
        .join(ObservedProperty, ObservedProperty.id == Datastream.observed_property_id)
        .where(Datastream.id.in_(ids))
    )
    return {
        row[0]: _Stream(row[1], row[2], row[3], row[4], row[5], _symbol(row[6])) for row in found
    }


def _symbol(unit: Any) -> str | None:
    symbol = unit.get("symbol") if isinstance(unit, dict) else None
    return symbol if isinstance(symbol, str) and symbol else None


def result_text(kind: int, boolean: bool | None, string: str | None, as_json: Any) -> str | None:
    """A result that is not a number, as text: the string itself, ``true``/``false``, or the
    JSON text of an object, array or large integer; None for numbers and a null result."""
    if kind == ResultType.NUMBER:
        return None
    if kind == ResultType.BOOLEAN:
        return None if boolean is None else ("true" if boolean else "false")
    if kind == ResultType.STRING:
        return string
    return None if as_json is None else json.dumps(as_json, ensure_ascii=False)


def _json_text(value: Any) -> str | None:
    return None if value is None else json.dumps(value, ensure_ascii=False, sort_keys=True)


def _naive_utc(moment: datetime | None) -> datetime | None:
    return None if moment is None else moment.astimezone(UTC).replace(tzinfo=None)


def history_table(rows: Sequence[Row[Any]], streams: dict[int, _Stream]) -> pa.Table:
    """The dataset rows of some Observations, sorted by Datastream and time (so each Parquet
    row group covers few Datastreams and a short span, and filters skip the rest)."""
    meta = [streams[row.datastream_id] for row in rows]
    columns: dict[str, list[Any]] = {
        "observation_id": [row.id for row in rows],
        "datastream_id": [row.datastream_id for row in rows],
        "datastream": [m.name for m in meta],
        "thing_id": [m.thing_id for m in meta],
        "thing": [m.thing for m in meta],
        "observed_property": [m.observed_property for m in meta],
        "observed_property_definition": [m.definition for m in meta],
        "unit": [m.unit for m in meta],
        "phenomenon_time": [_naive_utc(row.phenomenon_time_start) for row in rows],
        "phenomenon_time_end": [_naive_utc(row.phenomenon_time_end) for row in rows],
        "result_time": [_naive_utc(row.result_time) for row in rows],
        "result_number": [
            row.result_number if row.result_type == ResultType.NUMBER else None for row in rows
        ],
        "result_text": [
            result_text(row.result_type, row.result_boolean, row.result_string, row.result_json)
            for row in rows
        ],
        "parameters": [_json_text(row.parameters) for row in rows],
        "result_quality": [_json_text(row.result_quality) for row in rows],
        "valid_time_start": [_naive_utc(row.valid_time_start) for row in rows],
        "valid_time_end": [_naive_utc(row.valid_time_end) for row in rows],
        "feature_id": [row.feature_id for row in rows],
    }
    table = pa.table(columns, schema=_ARROW)
    return table.sort_by(
        [
            ("datastream_id", "ascending"),
            ("phenomenon_time", "ascending"),
            ("observation_id", "ascending"),
        ]
    )
