"""The six base databases (六大基础库) as data: standard columns, sharing defaults, preset rules.

Each template follows the national standard for its data elements (数据元) where one exists, and
Shandong's provincial standards for 政务信息资源 (DB37/T 4221-4224, 2020) where the national ones
leave the choice open; ``Template.standards`` names them and docs/base-databases.md explains the
choices. Column sets are kept to the elements every department can fill (8-15 columns); a steward
adds department-specific columns simply by uploading them.

Rules and cleaning steps are in the JSON shape of ``cityhub.quality`` (``{"rules": [...],
"cleaning": [...]}``). A ``reference`` rule names the base database it points at by template key
(``"base": "legal_entity"``) instead of a dataset name: the dataset that plays that role is chosen
when a dataset is created from the template (the demo city's is ``legal-entities``).
"""

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

_S, _F, _D, _G = ColumnType.STRING, ColumnType.FLOAT, ColumnType.DATE, ColumnType.GEOMETRY


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


def _rule(
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


def _clean(column: str, *steps: str) -> dict[str, Any]:
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

POPULATION = Template(
    key="population",
    title="人口基础信息",
    title_en="Population base database",
    resource_class=ResourceClass.POPULATION,
    abstract="人口基础库:以公民身份号码为标识的自然人基础信息(姓名、性别、民族、出生日期、"
    "婚姻状况、户籍地、联系电话)。",
    keywords=("人口", "人口基础库", "公民身份号码"),
    update_cycle=UpdateCycle.DAILY,
    share_type=ShareType.CONDITIONAL,
    share_conditions="仅用于法定职责范围内的政务服务事项办理,需经人口基础库责任部门审核",
    open_type=OpenType.CLOSED,
    security_level=SecurityLevel.SENSITIVE,
    standards=(
        GB11643,
        "GB/T 2261.1-2003 个人基本信息分类与代码 第1部分:人的性别代码",
        "GB/T 2261.2-2003 个人基本信息分类与代码 第2部分:婚姻状况代码",
        "GB/T 3304-1991 中国各民族名称的罗马字母拼写法和代码",
        GB2260,
        "DB37/T 4223.1-2020 政务信息资源 数据元 第1部分:人口",
        "DB37/T 4221.2-2020 政务信息资源 数据集 人口 第2部分:户籍人口信息",
    ),
    columns=(
        TemplateColumn(
            "公民身份号码",
            "公民身份号码",
            _S,
            "18位:6位地址码、8位出生日期码、3位顺序码、1位校验码(0-9或X)",
            PersonalKind.ID_NUMBER,
            GB11643,
        ),
        TemplateColumn("姓名", "姓名", _S, "户籍登记的姓名", PersonalKind.NAME),
        TemplateColumn(
            "性别",
            "性别代码",
            _S,
            "0 未知的性别,1 男性,2 女性,9 未说明的性别",
            standard="GB/T 2261.1-2003",
        ),
        TemplateColumn("民族", "民族代码", _S, "两位数字代码,01 汉族", standard="GB/T 3304-1991"),
        TemplateColumn(
            "出生日期", "出生日期", _D, "与公民身份号码的出生日期码一致", PersonalKind.OTHER
        ),
        TemplateColumn(
            "婚姻状况",
            "婚姻状况代码",
            _S,
            "10 未婚,20 已婚,21 初婚,22 再婚,23 复婚,30 丧偶,40 离婚,90 未说明",
            standard="GB/T 2261.2-2003",
        ),
        TemplateColumn(
            "户籍地行政区划代码", "户籍地行政区划代码", _S, "县级六位代码", standard=GB2260
        ),
        TemplateColumn("户籍地址", "户籍地址", _S, "户籍登记的详细地址", PersonalKind.ADDRESS),
        TemplateColumn("联系电话", "联系电话", _S, "手机号码或固定电话", PersonalKind.PHONE),
    ),
    rules=(
        _rule("id_number_not_null", "not_null", "公民身份号码", "公民身份号码必填"),
        _rule("id_number_unique", "unique", "公民身份号码", "公民身份号码不得重复"),
        _rule(
            "id_number_valid",
            "identifier",
            "公民身份号码",
            "公民身份号码校验(校验码、出生日期、地址码)",
            kind="id_card",
        ),
        _rule("name_not_null", "not_null", "姓名", "姓名必填"),
        _rule("sex_code", "enum", "性别", "性别代码取自 GB/T 2261.1", values=list(SEX_CODES)),
        _rule(
            "sex_matches_id_number",
            "sql",
            "性别",
            "性别与公民身份号码第17位(奇数为男)一致",
            blocking=False,
            predicate=(
                "\"性别\" NOT IN ('1', '2') OR "
                'TRY_CAST(substr("公民身份号码", 17, 1) AS INTEGER) % 2 = '
                "CASE \"性别\" WHEN '1' THEN 1 ELSE 0 END"
            ),
        ),
        _rule(
            "ethnic_code",
            "regex",
            "民族",
            "民族代码取自 GB/T 3304(01-56,97,98)",
            blocking=False,
            pattern=ETHNIC_PATTERN,
        ),
        _rule(
            "birth_date_range",
            "range",
            "出生日期",
            "出生日期不早于1900年",
            blocking=False,
            min="1900-01-01",
        ),
        _rule(
            "marital_code",
            "enum",
            "婚姻状况",
            "婚姻状况代码取自 GB/T 2261.2",
            blocking=False,
            values=list(MARITAL_CODES),
        ),
        _rule(
            "region_code_valid",
            "identifier",
            "户籍地行政区划代码",
            "户籍地行政区划代码存在于 GB/T 2260",
            kind="region_code",
        ),
        _rule(
            "phone_valid",
            "identifier",
            "联系电话",
            "联系电话为有效的手机或固定电话号码",
            blocking=False,
            kind="phone",
        ),
    ),
    cleaning=(
        _clean("公民身份号码", *IDENTIFIER_STEPS),
        _clean("姓名", "trim"),
        _clean("户籍地行政区划代码", *CODE_STEPS),
        _clean("联系电话", *CODE_STEPS),
    ),
)

LEGAL_ENTITY = Template(
    key="legal_entity",
    title="法人单位基础信息",
    title_en="Legal entity base database",
    resource_class=ResourceClass.LEGAL_ENTITY,
    abstract="法人单位基础库:以统一社会信用代码为标识的企业、机关、事业单位、社会组织等法人和"
    "其他组织的登记信息。",
    keywords=("法人", "法人单位基础库", "统一社会信用代码", "企业"),
    update_cycle=UpdateCycle.DAILY,
    share_type=ShareType.UNCONDITIONAL,
    share_conditions="",
    open_type=OpenType.CONDITIONAL,
    security_level=SecurityLevel.INTERNAL,
    standards=(
        GB32100,
        "GB/T 36104-2018 法人和其他组织统一社会信用代码基础数据元",
        "DB37/T 4223.2-2020 政务信息资源 数据元 第2部分:法人单位",
        "DB37/T 4222.1-2020 政务信息资源 数据集 法人单位 第1部分:企业登记信息",
        GB4754,
        GB2260,
    ),
    columns=(
        TemplateColumn(
            "统一社会信用代码",
            "统一社会信用代码",
            _S,
            "18位:登记管理部门代码、机构类别代码、登记管理机关行政区划码、主体标识码、校验码",
            standard=GB32100,
        ),
        TemplateColumn("单位名称", "单位名称", _S, "登记的法人单位(机构)名称"),
        TemplateColumn("法定代表人", "法定代表人(负责人)", _S, "姓名", PersonalKind.NAME),
        TemplateColumn("单位类型", "单位类型", _S, "企业、个体工商户、农民专业合作社、机关等"),
        TemplateColumn("注册资本", "注册资本(万元)", _F, "人民币万元;机关和事业单位为开办资金"),
        TemplateColumn("成立日期", "成立日期", _D, "营业执照或登记证书上的成立日期"),
        TemplateColumn("住所", "住所", _S, "登记的住所(经营场所)"),
        TemplateColumn("住所行政区划代码", "住所行政区划代码", _S, "县级六位代码", standard=GB2260),
        TemplateColumn(
            "行业代码",
            "行业代码",
            _S,
            "门类字母,可带大类、中类、小类数字,如 C1511",
            standard=GB4754,
        ),
        TemplateColumn("登记状态", "登记状态", _S, "存续、在业、迁出、停业、吊销、注销、撤销"),
        TemplateColumn("登记机关", "登记机关", _S, "作出登记的机关名称"),
        TemplateColumn("联系电话", "联系电话", _S, "单位联系电话"),
    ),
    rules=(
        _rule("credit_code_not_null", "not_null", "统一社会信用代码", "统一社会信用代码必填"),
        _rule("credit_code_unique", "unique", "统一社会信用代码", "统一社会信用代码不得重复"),
        _rule(
            "credit_code_valid",
            "identifier",
            "统一社会信用代码",
            "统一社会信用代码校验(字符集、校验码、登记管理部门与机构类别)",
            kind="credit_code",
        ),
        _rule("name_not_null", "not_null", "单位名称", "单位名称必填"),
        _rule(
            "entity_kind",
            "enum",
            "单位类型",
            "单位类型取自法人单位类型表",
            blocking=False,
            values=list(ENTITY_KINDS),
        ),
        _rule("capital_range", "range", "注册资本", "注册资本不为负", blocking=False, min=0),
        _rule(
            "founded_range",
            "range",
            "成立日期",
            "成立日期不早于1900年",
            blocking=False,
            min="1900-01-01",
        ),
        _rule(
            "region_code_valid",
            "identifier",
            "住所行政区划代码",
            "住所行政区划代码存在于 GB/T 2260",
            kind="region_code",
        ),
        _rule(
            "industry_code",
            "regex",
            "行业代码",
            "行业代码符合 GB/T 4754-2017",
            blocking=False,
            pattern=INDUSTRY_PATTERN,
        ),
        _rule(
            "state",
            "enum",
            "登记状态",
            "登记状态取自登记状态表",
            blocking=False,
            values=list(ENTITY_STATES),
        ),
        _rule(
            "phone_valid",
            "identifier",
            "联系电话",
            "联系电话为有效的电话号码",
            blocking=False,
            kind="phone",
        ),
    ),
    cleaning=(
        _clean("统一社会信用代码", *IDENTIFIER_STEPS),
        _clean("单位名称", "trim", "collapse_spaces"),
        _clean("住所行政区划代码", *CODE_STEPS),
        _clean("行业代码", "trim", "halfwidth", "upper"),
        _clean("联系电话", *CODE_STEPS),
    ),
)

PUBLIC_CREDIT = Template(
    key="public_credit",
    title="公共信用信息",
    title_en="Public credit base database",
    resource_class=ResourceClass.PUBLIC_CREDIT,
    abstract="公共信用基础库:行政机关在履行职责中产生的行政许可、行政处罚、守信激励和失信惩戒"
    "等公共信用信息,以统一社会信用代码关联法人单位基础库。",
    keywords=("信用", "公共信用信息", "双公示", "行政处罚", "行政许可"),
    update_cycle=UpdateCycle.DAILY,
    share_type=ShareType.UNCONDITIONAL,
    share_conditions="",
    open_type=OpenType.CONDITIONAL,
    security_level=SecurityLevel.INTERNAL,
    standards=(
        "GB/T 22117-2018 信用 基本术语(公共信用信息、信用记录)",
        "全国信用信息共享平台“双公示”行政许可、行政处罚信息数据项",
        GB32100,
    ),
    columns=(
        TemplateColumn("信用记录编号", "信用记录编号", _S, "归集单位内唯一的记录编号"),
        TemplateColumn("行政相对人名称", "行政相对人名称", _S, "法人、其他组织或自然人名称"),
        TemplateColumn(
            "统一社会信用代码",
            "行政相对人统一社会信用代码",
            _S,
            "法人和其他组织必填;自然人为空",
            standard=GB32100,
        ),
        TemplateColumn("法定代表人", "法定代表人", _S, "姓名", PersonalKind.NAME),
        TemplateColumn(
            "信息类别",
            "信息类别",
            _S,
            "行政许可、行政处罚、守信激励、失信惩戒、经营异常名录、严重违法失信名单",
        ),
        TemplateColumn("决定文书号", "决定文书号", _S, "行政许可或行政处罚决定书文号"),
        TemplateColumn("事由", "事由", _S, "许可内容或违法行为类型"),
        TemplateColumn("罚款金额", "罚款金额(万元)", _F, "行政处罚的罚款金额,人民币万元"),
        TemplateColumn("决定日期", "决定日期", _D, "作出决定的日期"),
        TemplateColumn("有效期至", "有效期至", _D, "许可有效期或公示截止日期"),
        TemplateColumn("决定机关", "决定机关", _S, "作出决定的行政机关"),
        TemplateColumn(
            "决定机关统一社会信用代码",
            "决定机关统一社会信用代码",
            _S,
            "作出决定的行政机关的统一社会信用代码",
            standard=GB32100,
        ),
    ),
    rules=(
        _rule("record_id_not_null", "not_null", "信用记录编号", "信用记录编号必填"),
        _rule("record_id_unique", "unique", "信用记录编号", "信用记录编号不得重复"),
        _rule("subject_not_null", "not_null", "行政相对人名称", "行政相对人名称必填"),
        _rule(
            "credit_code_valid",
            "identifier",
            "统一社会信用代码",
            "行政相对人统一社会信用代码校验",
            kind="credit_code",
        ),
        _rule(
            "credit_code_in_legal_entities",
            "reference",
            "统一社会信用代码",
            "行政相对人存在于法人单位基础库",
            blocking=False,
            base="legal_entity",
            column="统一社会信用代码",
        ),
        _rule(
            "category",
            "enum",
            "信息类别",
            "信息类别取自公共信用信息类别表",
            values=list(CREDIT_CATEGORIES),
        ),
        _rule("fine_range", "range", "罚款金额", "罚款金额不为负", blocking=False, min=0),
        _rule(
            "decided_range",
            "range",
            "决定日期",
            "决定日期不早于1990年",
            blocking=False,
            min="1990-01-01",
        ),
        _rule(
            "valid_until_after_decision",
            "sql",
            "有效期至",
            "有效期至不早于决定日期",
            blocking=False,
            predicate='"有效期至" IS NULL OR "决定日期" IS NULL OR "有效期至" >= "决定日期"',
        ),
        _rule(
            "authority_code_valid",
            "identifier",
            "决定机关统一社会信用代码",
            "决定机关统一社会信用代码校验",
            blocking=False,
            kind="credit_code",
        ),
    ),
    cleaning=(
        _clean("统一社会信用代码", *IDENTIFIER_STEPS),
        _clean("决定机关统一社会信用代码", *IDENTIFIER_STEPS),
        _clean("行政相对人名称", "trim", "collapse_spaces"),
        _clean("决定文书号", "trim", "collapse_spaces"),
    ),
)

MACRO_ECONOMY = Template(
    key="macro_economy",
    title="宏观经济指标",
    title_en="Macro-economic base database",
    resource_class=ResourceClass.MACRO_ECONOMY,
    abstract="宏观经济基础库:按地区、行业和统计期发布的经济统计指标(地区生产总值、固定资产"
    "投资、社会消费品零售总额等),一行一个指标值。",
    keywords=("宏观经济", "统计", "经济指标"),
    update_cycle=UpdateCycle.MONTHLY,
    share_type=ShareType.UNCONDITIONAL,
    share_conditions="",
    open_type=OpenType.OPEN,
    security_level=SecurityLevel.PUBLIC,
    standards=(GB2260, GB4754, "国家统计局 统计用区划代码和城乡划分代码"),
    columns=(
        TemplateColumn("指标代码", "指标代码", _S, "本市统计指标目录中的代码"),
        TemplateColumn("指标名称", "指标名称", _S, "如 地区生产总值"),
        TemplateColumn("统计周期", "统计周期", _S, "年度、季度、月度"),
        TemplateColumn("统计期", "统计期", _S, "年度 2020,季度 2020Q1,月度 2020-03"),
        TemplateColumn("行政区划代码", "行政区划代码", _S, "统计范围的区划代码", standard=GB2260),
        TemplateColumn("地区名称", "地区名称", _S, "如 东昌府区"),
        TemplateColumn(
            "行业代码", "行业代码", _S, "分行业指标的行业;总量指标为空", standard=GB4754
        ),
        TemplateColumn("指标值", "指标值", _F, "数值,单位见计量单位"),
        TemplateColumn("计量单位", "计量单位", _S, "如 亿元、%"),
        TemplateColumn("数据来源", "数据来源", _S, "发布数据的部门"),
        TemplateColumn("发布日期", "发布日期", _D, "数据发布的日期"),
    ),
    rules=(
        _rule("indicator_not_null", "not_null", "指标代码", "指标代码必填"),
        _rule("name_not_null", "not_null", "指标名称", "指标名称必填"),
        _rule("cycle", "enum", "统计周期", "统计周期为年度、季度或月度", values=list(PERIOD_KINDS)),
        _rule(
            "period_form",
            "regex",
            "统计期",
            "统计期写作 2020、2020Q1 或 2020-03",
            pattern=PERIOD_PATTERN,
        ),
        _rule(
            "period_matches_cycle",
            "sql",
            "统计期",
            "统计期与统计周期一致",
            blocking=False,
            predicate=(
                '("统计周期" = \'年度\' AND length("统计期") = 4) OR '
                "(\"统计周期\" = '季度' AND \"统计期\" LIKE '____Q_') OR "
                "(\"统计周期\" = '月度' AND \"统计期\" LIKE '____-__')"
            ),
        ),
        _rule(
            "region_code_valid",
            "identifier",
            "行政区划代码",
            "行政区划代码存在于 GB/T 2260",
            kind="region_code",
        ),
        _rule(
            "industry_code",
            "regex",
            "行业代码",
            "行业代码符合 GB/T 4754-2017",
            blocking=False,
            pattern=INDUSTRY_PATTERN,
        ),
        _rule("value_not_null", "not_null", "指标值", "指标值必填"),
    ),
    cleaning=(
        _clean("指标代码", "trim", "halfwidth", "upper"),
        _clean("统计期", "trim", "halfwidth", "upper"),
        _clean("行政区划代码", *CODE_STEPS),
        _clean("行业代码", "trim", "halfwidth", "upper"),
    ),
)

SPATIAL = Template(
    key="spatial",
    title="空间地理要素",
    title_en="Spatial base database",
    resource_class=ResourceClass.SPATIAL,
    abstract="空间地理基础库:按基础地理信息要素分类的点、线、面要素(政府驻地、学校、医院、"
    "道路、水系等)及其位置,坐标为 CGCS2000。",
    keywords=("空间地理", "地理信息", "要素"),
    update_cycle=UpdateCycle.QUARTERLY,
    share_type=ShareType.UNCONDITIONAL,
    share_conditions="",
    open_type=OpenType.CONDITIONAL,
    security_level=SecurityLevel.INTERNAL,
    standards=(
        "GB/T 13923-2022 基础地理信息要素分类与代码",
        "GB/T 35648-2017 地理信息 兴趣点分类与编码",
        GB2260,
        "2000国家大地坐标系(CGCS2000)",
        "RFC 7946 GeoJSON",
    ),
    columns=(
        TemplateColumn("要素编号", "要素编号", _S, "要素的唯一编号"),
        TemplateColumn("要素名称", "要素名称", _S, "地名或设施名称"),
        TemplateColumn(
            "要素分类代码",
            "要素分类代码",
            _S,
            "六位数字,首位为大类(1 定位基础 … 8 植被与土质)",
            standard="GB/T 13923-2022",
        ),
        TemplateColumn("要素类别", "要素类别", _S, "分类代码的名称,如 学校"),
        TemplateColumn("行政区划代码", "行政区划代码", _S, "要素所在县级区划", standard=GB2260),
        TemplateColumn("地址", "地址", _S, "标准地址"),
        TemplateColumn("经度", "经度", _F, "度,CGCS2000"),
        TemplateColumn("纬度", "纬度", _F, "度,CGCS2000"),
        TemplateColumn("坐标系", "坐标系", _S, "CGCS2000 或 WGS84"),
        TemplateColumn("更新日期", "更新日期", _D, "要素最近一次核实的日期"),
        TemplateColumn("geometry", "几何(GeoJSON)", _G, "GeoJSON 几何,RFC 7946"),
    ),
    rules=(
        _rule("feature_id_not_null", "not_null", "要素编号", "要素编号必填"),
        _rule("feature_id_unique", "unique", "要素编号", "要素编号不得重复"),
        _rule("name_not_null", "not_null", "要素名称", "要素名称必填"),
        _rule(
            "feature_code",
            "regex",
            "要素分类代码",
            "要素分类代码为 GB/T 13923 的六位代码",
            pattern=SPATIAL_CODE_PATTERN,
        ),
        _rule(
            "region_code_valid",
            "identifier",
            "行政区划代码",
            "行政区划代码存在于 GB/T 2260",
            kind="region_code",
        ),
        _rule(
            "longitude_range", "range", "经度", "经度在中国范围内(73.5-135.1)", min=73.5, max=135.1
        ),
        _rule("latitude_range", "range", "纬度", "纬度在中国范围内(3.8-53.6)", min=3.8, max=53.6),
        _rule(
            "crs", "enum", "坐标系", "坐标系为 CGCS2000 或 WGS84", blocking=False, values=list(CRS)
        ),
    ),
    cleaning=(
        _clean("要素编号", "trim", "halfwidth", "upper"),
        _clean("要素分类代码", *CODE_STEPS),
        _clean("行政区划代码", *CODE_STEPS),
        _clean("坐标系", "trim", "halfwidth", "upper"),
    ),
)

CERTIFICATE = Template(
    key="certificate",
    title="电子证照目录",
    title_en="Electronic certificate base database",
    resource_class=ResourceClass.CERTIFICATE,
    abstract="电子证照基础库:各部门签发的电子证照目录信息(证照类型、编号、持证主体、发证机构、"
    "有效期),供政务服务“免证办”核验。",
    keywords=("电子证照", "证照", "免证办"),
    update_cycle=UpdateCycle.DAILY,
    share_type=ShareType.CONDITIONAL,
    share_conditions="用于政务服务事项办理中的证照核验,需经电子证照库责任部门审核",
    open_type=OpenType.CLOSED,
    security_level=SecurityLevel.SENSITIVE,
    standards=(
        "GB/T 36901-2018 电子证照 总体技术架构",
        "GB/T 36902-2018 电子证照 目录信息规范",
        "GB/T 36903-2018 电子证照 元数据规范",
        "GB/T 36904-2018 电子证照 标识规范",
        "GB/T 36905-2018 电子证照 文件技术要求",
        GB32100,
        GB11643,
    ),
    columns=(
        TemplateColumn(
            "证照标识", "证照标识", _S, "电子证照的唯一标识", standard="GB/T 36904-2018"
        ),
        TemplateColumn("证照类型名称", "证照类型名称", _S, "如 营业执照、食品经营许可证"),
        TemplateColumn("证照类型代码", "证照类型代码", _S, "电子证照目录中的证照类型代码"),
        TemplateColumn("证照编号", "证照编号", _S, "证照上印制的编号"),
        TemplateColumn("持证主体", "持证主体", _S, "单位名称或自然人姓名", PersonalKind.NAME),
        TemplateColumn(
            "持证主体代码类型", "持证主体代码类型", _S, "统一社会信用代码、公民身份号码或其他"
        ),
        TemplateColumn(
            "持证主体代码",
            "持证主体代码",
            _S,
            "统一社会信用代码或公民身份号码",
            PersonalKind.ID_NUMBER,
        ),
        TemplateColumn("发证机构", "发证机构", _S, "签发证照的机构名称"),
        TemplateColumn(
            "发证机构代码",
            "发证机构代码",
            _S,
            "签发机构的统一社会信用代码",
            standard=GB32100,
        ),
        TemplateColumn("发证日期", "发证日期", _D, "签发日期"),
        TemplateColumn("有效期起始日期", "有效期起始日期", _D, "有效期的第一天"),
        TemplateColumn("有效期截止日期", "有效期截止日期", _D, "有效期的最后一天;长期有效为空"),
        TemplateColumn("证照状态", "证照状态", _S, "有效、注销、废止、过期"),
    ),
    rules=(
        _rule("certificate_id_not_null", "not_null", "证照标识", "证照标识必填"),
        _rule("certificate_id_unique", "unique", "证照标识", "证照标识不得重复"),
        _rule("type_not_null", "not_null", "证照类型名称", "证照类型名称必填"),
        _rule("number_not_null", "not_null", "证照编号", "证照编号必填"),
        _rule("holder_not_null", "not_null", "持证主体", "持证主体必填"),
        _rule(
            "holder_kind",
            "enum",
            "持证主体代码类型",
            "持证主体代码类型取自代码类型表",
            values=list(HOLDER_KINDS),
        ),
        _rule(
            "holder_code_form",
            "regex",
            "持证主体代码",
            "持证主体代码为18位统一社会信用代码或公民身份号码",
            pattern=HOLDER_CODE_PATTERN,
        ),
        _rule("issuer_not_null", "not_null", "发证机构", "发证机构必填"),
        _rule(
            "issuer_code_valid",
            "identifier",
            "发证机构代码",
            "发证机构统一社会信用代码校验",
            blocking=False,
            kind="credit_code",
        ),
        _rule("issued_not_null", "not_null", "发证日期", "发证日期必填"),
        _rule(
            "validity_order",
            "sql",
            "有效期截止日期",
            "有效期截止日期不早于起始日期",
            blocking=False,
            predicate=(
                '"有效期截止日期" IS NULL OR "有效期起始日期" IS NULL OR '
                '"有效期截止日期" >= "有效期起始日期"'
            ),
        ),
        _rule(
            "state",
            "enum",
            "证照状态",
            "证照状态取自证照状态表",
            blocking=False,
            values=list(CERTIFICATE_STATES),
        ),
    ),
    cleaning=(
        _clean("证照标识", "trim", "halfwidth", "upper"),
        _clean("证照编号", "trim", "halfwidth"),
        _clean("持证主体代码", *IDENTIFIER_STEPS),
        _clean("发证机构代码", *IDENTIFIER_STEPS),
    ),
)

TEMPLATES: dict[str, Template] = {
    t.key: t for t in (POPULATION, LEGAL_ENTITY, PUBLIC_CREDIT, MACRO_ECONOMY, SPATIAL, CERTIFICATE)
}
