"""What is known of an enterprise: its row of the legal-entity base database and declared facts.

Facts carry where they came from, so every reason can say "base database row" or "declared".
Whether an enterprise is a digital-technology enterprise (数字技术企业) follows from its GB/T 4754
industry code and the core industries 01-04 of 国家统计局《数字经济及其核心产业统计分类(2021)》
(``data/digital_core_industries.json``), unless the enterprise declares otherwise.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cache
from importlib import resources
from typing import Literal

# 登记状态 values after which an enterprise no longer exists for any incentive.
ENDED_STATES = ("注销", "吊销", "撤销")

BaseStatus = Literal["found", "not_found", "unavailable", "not_given"]


class Level(StrEnum):
    """Provincial or municipal: of a talent programme (人才工程) or a key project list."""

    PROVINCIAL = "provincial"
    MUNICIPAL = "municipal"


class ProjectKind(StrEnum):
    """Kinds of project named in 十七 (the first four match the project registry's kinds)."""

    INFO_NETWORK = "info_network"  # 下一代信息网络产业
    IT_SERVICES = "it_services"  # 新型信息技术服务
    ECOMMERCE = "ecommerce"  # 电子商务
    OTHER = "other"
    COMMUNICATION_FACILITY = "communication_facility"  # 通信设施: excluded from commercial land
    BIG_DATA = "big_data"
    CLOUD_COMPUTING = "cloud_computing"
    FIVE_G = "5g"
    IOT = "iot"
    DIGITAL_PARK = "digital_park"  # 数字经济园区


PROJECT_KIND_NAMES: dict[ProjectKind, tuple[str, str]] = {
    ProjectKind.INFO_NETWORK: ("下一代信息网络产业", "next-generation information network"),
    ProjectKind.IT_SERVICES: ("新型信息技术服务", "new information technology services"),
    ProjectKind.ECOMMERCE: ("电子商务", "e-commerce"),
    ProjectKind.OTHER: ("其他", "other"),
    ProjectKind.COMMUNICATION_FACILITY: ("通信设施", "communication facilities"),
    ProjectKind.BIG_DATA: ("大数据", "big data"),
    ProjectKind.CLOUD_COMPUTING: ("云计算", "cloud computing"),
    ProjectKind.FIVE_G: ("5G", "5G"),
    ProjectKind.IOT: ("物联网", "internet of things"),
    ProjectKind.DIGITAL_PARK: ("数字经济园区", "digital economy park"),
}
LEVEL_NAMES: dict[Level, tuple[str, str]] = {
    Level.PROVINCIAL: ("省级", "provincial"),
    Level.MUNICIPAL: ("市级", "municipal"),
}


@dataclass(frozen=True)
class DeclaredFacts:
    """Facts the enterprise declares (None: not declared).

    ``provincial_members``/``municipal_members`` count talent-programme members working at the
    enterprise; ``long_term_employer`` says they work there long-term (长期所在企业), as the
    talent loan requires. ``key_project_lists``: the key project lists (省、市重点项目名录)
    one of its digital-economy projects is in.
    """

    small_scale_vat: bool | None = None
    digital_tech: bool | None = None
    industry_code: str | None = None
    provincial_members: int = 0
    municipal_members: int = 0
    long_term_employer: bool | None = None
    project_kinds: frozenset[ProjectKind] = field(default_factory=frozenset)
    key_project_lists: frozenset[Level] = field(default_factory=frozenset)


@dataclass(frozen=True)
class BaseRecord:
    """An enterprise's row in the legal-entity base database."""

    credit_code: str
    name: str | None
    entity_kind: str | None
    industry_code: str | None
    state: str | None
    region: str | None
    source: str  # "legal-entities@3": dataset and version read


@dataclass(frozen=True)
class EnterpriseFacts:
    """Everything the rules may use about one enterprise.

    ``base_status``: the base database had its row (found), had no such code (not_found), could
    not be read by the caller or does not exist (unavailable), or no code was given (not_given).
    """

    credit_code: str | None
    base: BaseRecord | None
    base_status: BaseStatus
    declared: DeclaredFacts
    base_sources: tuple[str, ...] = ()  # every base dataset@version consulted


@dataclass(frozen=True)
class DigitalCategory:
    """A core-industry category of the 2021 classification that an industry code falls in."""

    number: str  # "01".."04"
    name_zh: str
    name_en: str
    matched: str  # the listed code the industry code starts with


@cache
def _classification() -> dict[str, object]:
    text = (
        resources.files(__package__)
        .joinpath("data/digital_core_industries.json")
        .read_text(encoding="utf-8")
    )
    loaded: dict[str, object] = json.loads(text)
    return loaded


@cache
def digital_prefixes() -> tuple[tuple[str, DigitalCategory], ...]:
    """Every listed GB/T 4754 code prefix with its category, longest first."""
    categories = _classification()["categories"]
    assert isinstance(categories, dict)
    found: list[tuple[str, DigitalCategory]] = []
    for number, entry in categories.items():
        for code in entry["codes"]:
            found.append((code, DigitalCategory(number, entry["zh"], entry["en"], code)))
    return tuple(sorted(found, key=lambda item: -len(item[0])))


def classification_source() -> tuple[str, str]:
    """The classification the mapping follows (Chinese, English)."""
    data = _classification()
    return str(data["source"]), str(data["source_en"])


def normalise_industry(code: str | None) -> str:
    """An industry code as compared: trimmed, upper-case, no spaces or dots."""
    return "".join((code or "").split()).replace(".", "").upper()


def digital_category(industry_code: str | None) -> DigitalCategory | None:
    """The core-industry category an industry code belongs to, or None."""
    code = normalise_industry(industry_code)
    if not code:
        return None
    for prefix, category in digital_prefixes():
        if code.startswith(prefix):
            return category
    return None


def is_ended(state: str | None) -> bool:
    """Whether a 登记状态 means the enterprise no longer exists (注销、吊销、撤销)."""
    return (state or "").strip() in ENDED_STATES
