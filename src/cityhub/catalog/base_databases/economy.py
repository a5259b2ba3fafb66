"""宏观经济: the macro-indicator base database."""

from __future__ import annotations

from cityhub.catalog.base_databases.model import (
    CODE_STEPS,
    DAY,
    GB2260,
    GB4754,
    INDUSTRY_PATTERN,
    NUM,
    PERIOD_KINDS,
    PERIOD_PATTERN,
    TXT,
    Template,
    TemplateColumn,
    clean,
    rule,
)
from cityhub.catalog.vocab import OpenType, ResourceClass, SecurityLevel, ShareType, UpdateCycle

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
        TemplateColumn("指标代码", "指标代码", TXT, "本市统计指标目录中的代码"),
        TemplateColumn("指标名称", "指标名称", TXT, "如 地区生产总值"),
        TemplateColumn("统计周期", "统计周期", TXT, "年度、季度、月度"),
        TemplateColumn("统计期", "统计期", TXT, "年度 2020,季度 2020Q1,月度 2020-03"),
        TemplateColumn("行政区划代码", "行政区划代码", TXT, "统计范围的区划代码", standard=GB2260),
        TemplateColumn("地区名称", "地区名称", TXT, "如 东昌府区"),
        TemplateColumn(
            "行业代码", "行业代码", TXT, "分行业指标的行业;总量指标为空", standard=GB4754
        ),
        TemplateColumn("指标值", "指标值", NUM, "数值,单位见计量单位"),
        TemplateColumn("计量单位", "计量单位", TXT, "如 亿元、%"),
        TemplateColumn("数据来源", "数据来源", TXT, "发布数据的部门"),
        TemplateColumn("发布日期", "发布日期", DAY, "数据发布的日期"),
    ),
    rules=(
        rule("indicator_not_null", "not_null", "指标代码", "指标代码必填"),
        rule("name_not_null", "not_null", "指标名称", "指标名称必填"),
        rule("cycle", "enum", "统计周期", "统计周期为年度、季度或月度", values=list(PERIOD_KINDS)),
        rule(
            "period_form",
            "regex",
            "统计期",
            "统计期写作 2020、2020Q1 或 2020-03",
            pattern=PERIOD_PATTERN,
        ),
        rule(
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
        rule(
            "region_code_valid",
            "identifier",
            "行政区划代码",
            "行政区划代码存在于 GB/T 2260",
            kind="region_code",
        ),
        rule(
            "industry_code",
            "regex",
            "行业代码",
            "行业代码符合 GB/T 4754-2017",
            blocking=False,
            pattern=INDUSTRY_PATTERN,
        ),
        rule("value_not_null", "not_null", "指标值", "指标值必填"),
    ),
    cleaning=(
        clean("指标代码", "trim", "halfwidth", "upper"),
        clean("统计期", "trim", "halfwidth", "upper"),
        clean("行政区划代码", *CODE_STEPS),
        clean("行业代码", "trim", "halfwidth", "upper"),
    ),
)
