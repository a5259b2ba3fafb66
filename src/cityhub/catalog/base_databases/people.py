"""人口 (population): the person base database."""

from __future__ import annotations

from cityhub.catalog.base_databases.model import (
    CODE_STEPS,
    DAY,
    ETHNIC_PATTERN,
    GB2260,
    GB11643,
    IDENTIFIER_STEPS,
    MARITAL_CODES,
    SEX_CODES,
    TXT,
    Template,
    TemplateColumn,
    clean,
    rule,
)
from cityhub.catalog.vocab import (
    OpenType,
    PersonalKind,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)

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
            TXT,
            "18位:6位地址码、8位出生日期码、3位顺序码、1位校验码(0-9或X)",
            PersonalKind.ID_NUMBER,
            GB11643,
        ),
        TemplateColumn("姓名", "姓名", TXT, "户籍登记的姓名", PersonalKind.NAME),
        TemplateColumn(
            "性别",
            "性别代码",
            TXT,
            "0 未知的性别,1 男性,2 女性,9 未说明的性别",
            standard="GB/T 2261.1-2003",
        ),
        TemplateColumn("民族", "民族代码", TXT, "两位数字代码,01 汉族", standard="GB/T 3304-1991"),
        TemplateColumn(
            "出生日期", "出生日期", DAY, "与公民身份号码的出生日期码一致", PersonalKind.OTHER
        ),
        TemplateColumn(
            "婚姻状况",
            "婚姻状况代码",
            TXT,
            "10 未婚,20 已婚,21 初婚,22 再婚,23 复婚,30 丧偶,40 离婚,90 未说明",
            standard="GB/T 2261.2-2003",
        ),
        TemplateColumn(
            "户籍地行政区划代码", "户籍地行政区划代码", TXT, "县级六位代码", standard=GB2260
        ),
        TemplateColumn("户籍地址", "户籍地址", TXT, "户籍登记的详细地址", PersonalKind.ADDRESS),
        TemplateColumn("联系电话", "联系电话", TXT, "手机号码或固定电话", PersonalKind.PHONE),
    ),
    rules=(
        rule("id_number_not_null", "not_null", "公民身份号码", "公民身份号码必填"),
        rule("id_number_unique", "unique", "公民身份号码", "公民身份号码不得重复"),
        rule(
            "id_number_valid",
            "identifier",
            "公民身份号码",
            "公民身份号码校验(校验码、出生日期、地址码)",
            kind="id_card",
        ),
        rule("name_not_null", "not_null", "姓名", "姓名必填"),
        rule("sex_code", "enum", "性别", "性别代码取自 GB/T 2261.1", values=list(SEX_CODES)),
        rule(
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
        rule(
            "ethnic_code",
            "regex",
            "民族",
            "民族代码取自 GB/T 3304(01-56,97,98)",
            blocking=False,
            pattern=ETHNIC_PATTERN,
        ),
        rule(
            "birth_date_range",
            "range",
            "出生日期",
            "出生日期不早于1900年",
            blocking=False,
            min="1900-01-01",
        ),
        rule(
            "marital_code",
            "enum",
            "婚姻状况",
            "婚姻状况代码取自 GB/T 2261.2",
            blocking=False,
            values=list(MARITAL_CODES),
        ),
        rule(
            "region_code_valid",
            "identifier",
            "户籍地行政区划代码",
            "户籍地行政区划代码存在于 GB/T 2260",
            kind="region_code",
        ),
        rule(
            "phone_valid",
            "identifier",
            "联系电话",
            "联系电话为有效的手机或固定电话号码",
            blocking=False,
            kind="phone",
        ),
    ),
    cleaning=(
        clean("公民身份号码", *IDENTIFIER_STEPS),
        clean("姓名", "trim"),
        clean("户籍地行政区划代码", *CODE_STEPS),
        clean("联系电话", *CODE_STEPS),
    ),
)
