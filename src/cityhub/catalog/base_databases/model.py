"""What a base-database template is, the helpers that write its rules, the code lists they use."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from cityhub.catalog.vocab import (
    ColumnType,
    OpenType,
    PersonalKind,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)

# Short names keep each row of the column tables on one line.
TXT, NUM, DAY, GEO = (
    ColumnType.STRING,
    ColumnType.FLOAT,
    ColumnType.DATE,
    ColumnType.GEOMETRY,
)


@dataclass(frozen=True)
class TemplateColumn:
    """A standard column (信息项): its name in files, label, type, meaning and personal class."""

    name: str
    label: str
    type: ColumnType
    description: str
    personal: PersonalKind | None = None
    standard: str = ""  # the standard defining the data element or its code set


@dataclass(frozen=True)
class Template:
    """A base database: what a dataset created from it starts with."""

    key: str
    title: str
    title_en: str
    resource_class: ResourceClass
    abstract: str
    keywords: tuple[str, ...]
    update_cycle: UpdateCycle
    share_type: ShareType
    share_conditions: str
    open_type: OpenType
    security_level: SecurityLevel
    standards: tuple[str, ...]
    columns: tuple[TemplateColumn, ...]
    rules: tuple[dict[str, Any], ...]
    cleaning: tuple[dict[str, Any], ...] = field(default=())


def rule(
    rule_id: str,
    rule_kind: str,
    target: str,
    description: str,
    *,
    blocking: bool = True,
    **params: Any,
) -> dict[str, Any]:
    return {
        "id": rule_id,
        "kind": rule_kind,
        "column": target,
        "params": params,
        "blocking": blocking,
        "description": description,
    }


def clean(column: str, *steps: str) -> dict[str, Any]:
    return {"column": column, "steps": list(steps)}


IDENTIFIER_STEPS = ("trim", "halfwidth", "upper")  # 18-character codes: 'x' and full width happen
CODE_STEPS = ("trim", "halfwidth")

# GB/T 2261.1-2003 人的性别代码; GB/T 2261.2-2003 婚姻状况代码; GB/T 3304-1991 民族代码.
SEX_CODES = ("0", "1", "2", "9")
MARITAL_CODES = ("10", "20", "21", "22", "23", "30", "40", "90")
# GB/T 3304-1991: 01-56 the 56 peoples, 97 其他未识别民族, 98 外国血统中国籍人士 (as a pattern:
# one rule over 58 values is checked faster than an enumeration).
ETHNIC_PATTERN = r"^(0[1-9]|[1-4][0-9]|5[0-6]|9[78])$"
# GB/T 4754-2017 国民经济行业分类: a section letter A-T, optionally with 2, 3 or 4 digits.
INDUSTRY_PATTERN = r"^[A-T]([0-9]{2}([0-9]{1,2})?)?$"
ENTITY_KINDS = (
    "企业",
    "个体工商户",
    "农民专业合作社",
    "机关",
    "事业单位",
    "社会团体",
    "民办非企业单位",
    "基金会",
    "其他",
)
ENTITY_STATES = ("存续", "在业", "迁出", "停业", "吊销", "注销", "撤销")
CREDIT_CATEGORIES = (
    "行政许可",
    "行政处罚",
    "守信激励",
    "失信惩戒",
    "经营异常名录",
    "严重违法失信名单",
)
PERIOD_KINDS = ("年度", "季度", "月度")
PERIOD_PATTERN = r"^[0-9]{4}(Q[1-4]|-(0[1-9]|1[0-2]))?$"
SPATIAL_CODE_PATTERN = r"^[1-9][0-9]{5}$"  # GB/T 13923-2022: six digits, first the major class
CRS = ("CGCS2000", "WGS84")
HOLDER_KINDS = ("统一社会信用代码", "公民身份号码", "其他")
HOLDER_CODE_PATTERN = r"^([0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}|[0-9]{17}[0-9X])$"
CERTIFICATE_STATES = ("有效", "注销", "废止", "过期")

GB11643 = "GB 11643-1999 公民身份号码"
GB32100 = "GB 32100-2015 法人和其他组织统一社会信用代码编码规则"
GB2260 = "GB/T 2260 中华人民共和国行政区划代码"
GB4754 = "GB/T 4754-2017 国民经济行业分类"
