"""空间地理: the spatial-feature base database."""

from __future__ import annotations

from cityhub.catalog.base_databases.model import (
    CODE_STEPS,
    CRS,
    DAY,
    GB2260,
    GEO,
    NUM,
    SPATIAL_CODE_PATTERN,
    TXT,
    Template,
    TemplateColumn,
    clean,
    rule,
)
from cityhub.catalog.vocab import OpenType, ResourceClass, SecurityLevel, ShareType, UpdateCycle

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
        TemplateColumn("要素编号", "要素编号", TXT, "要素的唯一编号"),
        TemplateColumn("要素名称", "要素名称", TXT, "地名或设施名称"),
        TemplateColumn(
            "要素分类代码",
            "要素分类代码",
            TXT,
            "六位数字,首位为大类(1 定位基础 … 8 植被与土质)",
            standard="GB/T 13923-2022",
        ),
        TemplateColumn("要素类别", "要素类别", TXT, "分类代码的名称,如 学校"),
        TemplateColumn("行政区划代码", "行政区划代码", TXT, "要素所在县级区划", standard=GB2260),
        TemplateColumn("地址", "地址", TXT, "标准地址"),
        TemplateColumn("经度", "经度", NUM, "度,CGCS2000"),
        TemplateColumn("纬度", "纬度", NUM, "度,CGCS2000"),
        TemplateColumn("坐标系", "坐标系", TXT, "CGCS2000 或 WGS84"),
        TemplateColumn("更新日期", "更新日期", DAY, "要素最近一次核实的日期"),
        TemplateColumn("geometry", "几何(GeoJSON)", GEO, "GeoJSON 几何,RFC 7946"),
    ),
    rules=(
        rule("feature_id_not_null", "not_null", "要素编号", "要素编号必填"),
        rule("feature_id_unique", "unique", "要素编号", "要素编号不得重复"),
        rule("name_not_null", "not_null", "要素名称", "要素名称必填"),
        rule(
            "feature_code",
            "regex",
            "要素分类代码",
            "要素分类代码为 GB/T 13923 的六位代码",
            pattern=SPATIAL_CODE_PATTERN,
        ),
        rule(
            "region_code_valid",
            "identifier",
            "行政区划代码",
            "行政区划代码存在于 GB/T 2260",
            kind="region_code",
        ),
        rule(
            "longitude_range", "range", "经度", "经度在中国范围内(73.5-135.1)", min=73.5, max=135.1
        ),
        rule("latitude_range", "range", "纬度", "纬度在中国范围内(3.8-53.6)", min=3.8, max=53.6),
        rule(
            "crs", "enum", "坐标系", "坐标系为 CGCS2000 或 WGS84", blocking=False, values=list(CRS)
        ),
    ),
    cleaning=(
        clean("要素编号", "trim", "halfwidth", "upper"),
        clean("要素分类代码", *CODE_STEPS),
        clean("行政区划代码", *CODE_STEPS),
        clean("坐标系", "trim", "halfwidth", "upper"),
    ),
)
