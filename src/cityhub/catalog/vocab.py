"""Controlled vocabularies of the catalogue (政务信息资源目录编制指南 fields)."""

from __future__ import annotations

from datetime import timedelta
from enum import StrEnum


class DataCategory(StrEnum):
    """Where the data comes from (政务数据 / 民用数据 / 商用数据, clause 二)."""

    GOVERNMENT = "government"  # 政务数据
    CIVIL = "civil"  # 民用数据
    COMMERCIAL = "commercial"  # 商用数据


class ResourceClass(StrEnum):
    """The "6+N" resource system: the six base databases, thematic and departmental resources."""

    POPULATION = "population"  # 人口基础库
    LEGAL_ENTITY = "legal_entity"  # 法人单位基础库
    PUBLIC_CREDIT = "public_credit"  # 公共信用基础库
    MACRO_ECONOMY = "macro_economy"  # 宏观经济基础库
    SPATIAL = "spatial"  # 空间地理基础库
    CERTIFICATE = "certificate"  # 电子证照基础库
    THEMATIC = "thematic"  # 主题数据库
    DEPARTMENTAL = "departmental"  # 部门数据


class UpdateCycle(StrEnum):
    """How often the data is updated (更新周期)."""

    REALTIME = "realtime"
    DAILY = "daily"
    WEEKLY = "weekly"
    MONTHLY = "monthly"
    QUARTERLY = "quarterly"
    YEARLY = "yearly"
    IRREGULAR = "irregular"


# How long after the last version a dataset of each cycle is still on time (更新及时).
CYCLE_PERIOD: dict[UpdateCycle, timedelta | None] = {
    UpdateCycle.REALTIME: timedelta(days=1),
    UpdateCycle.DAILY: timedelta(days=1),
    UpdateCycle.WEEKLY: timedelta(days=7),
    UpdateCycle.MONTHLY: timedelta(days=31),
    UpdateCycle.QUARTERLY: timedelta(days=92),
    UpdateCycle.YEARLY: timedelta(days=366),
    UpdateCycle.IRREGULAR: None,
}


class ShareType(StrEnum):
    """Sharing between departments (共享类型, 国发〔2016〕51号)."""

    UNCONDITIONAL = "unconditional"  # 无条件共享: every department
    CONDITIONAL = "conditional"  # 有条件共享: departments holding a grant
    NONE = "none"  # 不予共享: the owner department only


class OpenType(StrEnum):
    """Opening to the public (开放属性)."""

    OPEN = "open"  # 无条件开放
    CONDITIONAL = "conditional"  # 有条件开放
    CLOSED = "closed"  # 不予开放


class SecurityLevel(StrEnum):
    """Data classification (数据分级), lowest to highest."""

    PUBLIC = "public"  # 公开
    INTERNAL = "internal"  # 内部
    SENSITIVE = "sensitive"  # 敏感
    RESTRICTED = "restricted"  # 重要


class ColumnType(StrEnum):
    """Logical column types; each maps to one Arrow/Iceberg type."""

    STRING = "string"
    INTEGER = "integer"
    FLOAT = "float"
    BOOLEAN = "boolean"
    DATE = "date"
    TIMESTAMP = "timestamp"
    GEOMETRY = "geometry"  # GeoJSON geometry kept as its JSON text


class PersonalKind(StrEnum):
    """Classes of personal information (个人信息), each with its masking rule."""

    NAME = "name"  # 张*
    ID_NUMBER = "id_number"  # 371502********1234
    PHONE = "phone"  # 138****5678
    ADDRESS = "address"  # first 6 characters, then ****
    OTHER = "other"  # fully masked
