"""Source files of three base databases without planted faults: 宏观经济, 空间地理, 电子证照.

They pass their templates' rules entirely; the base databases with deliberate faults are in
``basedb_sources``.
"""

from __future__ import annotations

import json
import random
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cityhub.demo.basedb_sources import AUTHORITIES, clean_enterprises, write_csv
from cityhub.demo.city import (
    CITY_CODE,
    COUNTIES,
    credit_code,
    residents,
)

INDICATORS = (  # code, name, unit, base value of the city in 2019, yearly growth
    ("A01", "地区生产总值", "亿元", 2259.0, 0.05),
    ("A02", "第一产业增加值", "亿元", 291.0, 0.03),
    ("A03", "规模以上工业增加值增速", "%", 4.5, 0.0),
    ("A04", "固定资产投资增速", "%", 6.1, 0.0),
    ("A05", "社会消费品零售总额", "亿元", 1007.0, 0.04),
    ("A06", "一般公共预算收入", "亿元", 172.0, 0.06),
    ("A07", "城镇居民人均可支配收入", "元", 30_620.0, 0.06),
    ("A08", "农村居民人均可支配收入", "元", 14_632.0, 0.07),
)
PER_HEAD = {"%", "元"}


def macro_csv(folder: Path) -> Path:
    """宏观经济指标 of the city and its counties, 2019-2022: yearly, GDP also quarterly."""
    rng = random.Random(4754)
    regions = {CITY_CODE: "聊城市", **COUNTIES}
    rows = []
    for year in range(2019, 2023):
        published = date(year + 1, 2, 20).isoformat()
        for code, name, unit, base, growth in INDICATORS:
            for region, region_name in regions.items():
                share = 1.0 if region == CITY_CODE or unit in PER_HEAD else 1 / len(COUNTIES)
                value = base * (1 + growth) ** (year - 2019) * share * rng.uniform(0.85, 1.15)
                fields = [code, name, "年度", str(year), region, region_name, ""]
                rows.append([*fields, f"{value:.2f}", unit, "市统计局", published])
        for quarter in range(1, 5):  # GDP so far this year, city only
            value = 2259.0 * (1.05 ** (year - 2019)) * quarter / 4 * rng.uniform(0.97, 1.03)
            day = date(year, 3 * quarter, 1) + timedelta(days=45)
            fields = ["A01", "地区生产总值(累计)", "季度", f"{year}Q{quarter}", CITY_CODE]
            rows.append(
                [*fields, "聊城市", "", f"{value:.2f}", "亿元", "市统计局", day.isoformat()]
            )
        for industry, share in (("C2740", 0.04), ("C3451", 0.06), ("C1711", 0.05)):
            value = 2259.0 * share * (1.05 ** (year - 2019)) * rng.uniform(0.9, 1.1)
            fields = ["B01", "规模以上工业营业收入", "年度", str(year), CITY_CODE, "聊城市"]
            rows.append([*fields, industry, f"{value:.2f}", "亿元", "市统计局", published])
    header = [
        "指标代码",
        "指标名称",
        "统计周期",
        "统计期",
        "行政区划代码",
        "地区名称",
        "行业代码",
        "指标值",
        "计量单位",
        "数据来源",
        "发布日期",
    ]
    return write_csv(folder / "宏观经济指标.csv", header, rows)


SEATS = {  # county → (lon, lat) of the government seat
    "371502": (115.985, 36.456),
    "371503": (116.255, 36.580),
    "371521": (115.791, 36.119),
    "371522": (115.671, 36.234),
    "371524": (116.248, 36.335),
    "371525": (115.442, 36.484),
    "371526": (116.230, 36.866),
    "371581": (115.705, 36.838),
}
FEATURE_KINDS = {  # demo codes within GB/T 13923's major classes: 2 水系, 3 居民地及设施, 4 交通
    "政府驻地": "310101",
    "学校": "340101",
    "医院": "340201",
    "河流": "210101",
    "湖泊": "230101",
    "公路": "420101",
}


def _feature(
    number: int,
    name: str,
    kind: str,
    county: str,
    geometry: dict[str, Any],
    point: tuple[float, float],
    updated: date,
) -> dict[str, Any]:
    return {
        "type": "Feature",
        "geometry": geometry,
        "properties": {
            "要素编号": f"LC{FEATURE_KINDS[kind]}{number:05d}",
            "要素名称": name,
            "要素分类代码": FEATURE_KINDS[kind],
            "要素类别": kind,
            "行政区划代码": county,
            "地址": f"山东省聊城市{COUNTIES[county]}",
            "经度": round(point[0], 6),
            "纬度": round(point[1], 6),
            "坐标系": "CGCS2000",
            "更新日期": updated.isoformat(),
        },
    }


def spatial_geojson(folder: Path) -> Path:
    """空间地理要素 (自然资源和规划局): seats, schools, hospitals, rivers, a lake, a road."""
    rng = random.Random(13923)
    features: list[dict[str, Any]] = []
    for county, (lon, lat) in SEATS.items():
        name = f"{COUNTIES[county]}人民政府"
        point = {"type": "Point", "coordinates": [lon, lat]}
        features.append(
            _feature(
                len(features) + 1, name, "政府驻地", county, point, (lon, lat), date(2023, 6, 30)
            )
        )
        for kind, count, label in (("学校", 8, "第{}中学"), ("医院", 4, "第{}人民医院")):
            for n in range(1, count + 1):
                x, y = lon + rng.uniform(-0.05, 0.05), lat + rng.uniform(-0.05, 0.05)
                where = {"type": "Point", "coordinates": [round(x, 6), round(y, 6)]}
                title = f"{COUNTIES[county]}{label.format(n)}"
                updated = date(2023, 1, 1) + timedelta(days=rng.randint(0, 364))
                features.append(
                    _feature(len(features) + 1, title, kind, county, where, (x, y), updated)
                )
    lines = (
        ("徒骇河(东昌府段)", "河流", "371502", [[115.90, 36.52], [116.00, 36.47], [116.12, 36.43]]),
        ("马颊河(冠县段)", "河流", "371525", [[115.38, 36.40], [115.45, 36.49], [115.52, 36.58]]),
        (
            "G309 国道(聊城段)",
            "公路",
            "371502",
            [[115.80, 36.45], [115.98, 36.46], [116.20, 36.47]],
        ),
    )
    for name, kind, county, coordinates in lines:
        line = {"type": "LineString", "coordinates": coordinates}
        middle = (coordinates[1][0], coordinates[1][1])
        features.append(
            _feature(len(features) + 1, name, kind, county, line, middle, date(2023, 3, 31))
        )
    lake = [[[115.96, 36.44], [116.00, 36.44], [116.00, 36.47], [115.96, 36.47], [115.96, 36.44]]]
    polygon = {"type": "Polygon", "coordinates": lake}
    features.append(
        _feature(
            len(features) + 1,
            "东昌湖",
            "湖泊",
            "371502",
            polygon,
            (115.98, 36.455),
            date(2023, 3, 31),
        )
    )
    path = folder / "空间地理要素.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


CERTIFICATE_TYPES = {  # demo type codes: the issuing ministry's code and a serial
    "营业执照": ("SCJG001", "聊城市市场监督管理局"),
    "食品经营许可证": ("SCJG002", "聊城市市场监督管理局"),
    "不动产权证书": ("ZRZY001", "聊城市自然资源和规划局"),
}
_ISSUER_RNG = random.Random(36904)
ISSUERS = {
    "聊城市市场监督管理局": AUTHORITIES["聊城市市场监督管理局"],
    "聊城市自然资源和规划局": credit_code(_ISSUER_RNG, CITY_CODE, "11"),
}


def _certificate(
    serial: int,
    kind: str,
    number: str,
    holder: str,
    holder_kind: str,
    holder_code: str,
    issued: date,
    until: date | None,
    state: str,
) -> list[str]:
    type_code, issuer = CERTIFICATE_TYPES[kind]
    identifier = f"1.2.156.3005.2.{type_code}.{ISSUERS[issuer]}.{serial:07d}"
    return [
        identifier,
        kind,
        type_code,
        number,
        holder,
        holder_kind,
        holder_code,
        issuer,
        ISSUERS[issuer],
        issued.isoformat(),
        issued.isoformat(),
        until.isoformat() if until else "",
        state,
    ]


def certificates_csv(folder: Path) -> Path:
    """电子证照目录: business licences, food permits and property certificates."""
    rng = random.Random(36903)
    rows: list[list[str]] = []
    pool = clean_enterprises()
    for e in pool[:600]:
        issued = max(e.founded, date(2016, 1, 1)) + timedelta(days=rng.randint(0, 300))
        state = "注销" if e.state == "注销" else "有效"
        rows.append(
            _certificate(
                len(rows) + 1, "营业执照", e.credit_code, e.name, "统一社会信用代码",
                e.credit_code, issued, None, state,
            )
        )  # fmt: skip
    for e in [e for e in pool if e.farming][:100]:
        issued = date(2019, 1, 1) + timedelta(days=rng.randint(0, 1000))
        until = issued + timedelta(days=5 * 365)
        state = "有效" if until > date(2024, 1, 1) else "过期"
        number = f"JY{e.county}{rng.randint(0, 99_999_999):08d}"
        rows.append(
            _certificate(
                len(rows) + 1, "食品经营许可证", number, e.name, "统一社会信用代码",
                e.credit_code, issued, until, state,
            )
        )  # fmt: skip
    for r in residents()[:150]:
        issued = date(2017, 1, 1) + timedelta(days=rng.randint(0, 2000))
        number = f"鲁({issued.year})聊城市不动产权第{rng.randint(1, 99_999):07d}号"
        rows.append(
            _certificate(
                len(rows) + 1, "不动产权证书", number, r.name, "公民身份号码",
                r.id_number, issued, None, "有效",
            )
        )  # fmt: skip
    header = [
        "证照标识",
        "证照类型名称",
        "证照类型代码",
        "证照编号",
        "持证主体",
        "持证主体代码类型",
        "持证主体代码",
        "发证机构",
        "发证机构代码",
        "发证日期",
        "有效期起始日期",
        "有效期截止日期",
        "证照状态",
    ]
    return write_csv(folder / "电子证照目录.csv", header, rows)
