"""Source files of the six base databases and the 有条件共享 credit records, with known faults.

Each file has exactly the template's columns and passes the template's rules, except the rows
listed in its ``Fault`` tuple: deliberate failures that show the quality report and the
quarantine with real cases (a credit code with a wrong check character, an ID number whose birth
date cannot exist …). Tests compare the quality report with these lists, so a fault added here
must be listed here.
"""

from __future__ import annotations

import csv
import json
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from cityhub.demo.city import (
    CITY_CODE,
    COUNTIES,
    Enterprise,
    credit_code,
    enterprises,
    id_number,
    person_name,
    residents,
)
from cityhub.registry import CREDIT_ALPHABET


@dataclass(frozen=True)
class Fault:
    """A deliberate failure: data row ``row`` (1-based, header excluded) fails rule ``rule``."""

    row: int
    rule: str
    what: str


# Indexes into enterprises() of the entities whose base-database rows are faulty; no other demo
# dataset refers to them, so that every reference to the base database finds its target.
WRONG_CHECK = (17, 404, 808)
DUPLICATED = 250
BAD_REGION = 600
FLAWED = frozenset({*WRONG_CHECK, DUPLICATED, BAD_REGION})
FULL_WIDTH_CODE, LOWER_CASE_CODE = 33, 34  # fixed by the cleaning steps: not failures
IMPOSSIBLE_BIRTHS = {100: ("19870230", date(1987, 2, 28)), 300: ("20011331", date(2001, 12, 31))}
OUTSIDE_CODES = 2  # credit records of enterprises registered outside the city


def clean_enterprises() -> list[Enterprise]:
    """The enterprises whose base-database rows pass every rule."""
    return [e for i, e in enumerate(enterprises()) if i not in FLAWED]


def _wrong_check(code: str) -> str:
    right = CREDIT_ALPHABET.index(code[-1])
    return code[:-1] + CREDIT_ALPHABET[(right + 7) % len(CREDIT_ALPHABET)]


def _full_width(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


def _registrar(county: str) -> str:
    return f"聊城市{COUNTIES[county]}市场监督管理局"


def _entity_row(e: Enterprise, code: str | None = None, county: str | None = None) -> list[str]:
    return [
        code if code is not None else e.credit_code,
        e.name,
        e.legal_rep,
        e.kind,
        str(e.capital),
        f"{e.founded.year}年{e.founded.month}月{e.founded.day}日",  # as Excel saves them
        e.address,
        county or e.county,
        e.industry,
        e.state,
        _registrar(e.county),
        e.phone,
    ]


LEGAL_ENTITY_HEADER = [
    "统一社会信用代码",
    "单位名称",
    "法定代表人",
    "单位类型",
    "注册资本",
    "成立日期",
    "住所",
    "住所行政区划代码",
    "行业代码",
    "登记状态",
    "登记机关",
    "联系电话",
]


def _legal_entity_rows() -> tuple[list[list[str]], tuple[Fault, ...]]:
    rows: list[list[str]] = []
    faults: list[Fault] = []
    for index, e in enumerate(enterprises()):
        if index in WRONG_CHECK:
            rows.append(_entity_row(e, code=_wrong_check(e.credit_code)))
            faults.append(Fault(len(rows), "credit_code_valid", "统一社会信用代码校验码错误"))
        elif index == BAD_REGION:
            rows.append(_entity_row(e, county="371599"))
            faults.append(Fault(len(rows), "region_code_valid", "住所行政区划代码不存在"))
        elif index == FULL_WIDTH_CODE:
            rows.append(_entity_row(e, code=_full_width(e.credit_code)))
        elif index == LOWER_CASE_CODE:
            rows.append(_entity_row(e, code=f" {e.credit_code.lower()} "))
        else:
            rows.append(_entity_row(e))
        if index == DUPLICATED:  # registered twice: the second row repeats the first's code
            faults.append(Fault(len(rows), "credit_code_unique", "统一社会信用代码重复"))
            rows.append(_entity_row(e))
            faults.append(Fault(len(rows), "credit_code_unique", "统一社会信用代码重复"))
    return rows, tuple(faults)


LEGAL_ENTITY_FAULTS = _legal_entity_rows()[1]


def legal_entities_gb18030(folder: Path) -> Path:
    """法人单位基础信息 as 市场监管局 exports it: GB18030 CSV, dates as Excel saves them."""
    path = folder / "法人单位基本信息.csv"
    with path.open("w", encoding="gb18030", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(LEGAL_ENTITY_HEADER)
        out.writerows(_legal_entity_rows()[0])
    return path


POPULATION_FAULTS = tuple(
    Fault(index + 1, "id_number_valid", f"公民身份号码的出生日期 {born} 不存在")
    for index, (born, _) in sorted(IMPOSSIBLE_BIRTHS.items())
)


def population_utf8(folder: Path) -> Path:
    """人口基础信息 (公安局): UTF-8 CSV; two ID numbers carry impossible birth dates."""
    path = folder / "人口基础信息样本.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "公民身份号码",
                "姓名",
                "性别",
                "民族",
                "出生日期",
                "婚姻状况",
                "户籍地行政区划代码",
                "户籍地址",
                "联系电话",
            ]
        )
        for index, r in enumerate(residents()):
            number, born = r.id_number, r.born
            if index in IMPOSSIBLE_BIRTHS:  # a typo in the birth date; the check still computes
                typo, born = IMPOSSIBLE_BIRTHS[index]
                number = id_number(r.county, typo, int(r.id_number[14:17]))
            sex = "1" if int(number[16]) % 2 else "2"
            out.writerow(
                [
                    number,
                    r.name,
                    sex,
                    r.ethnic,
                    born.isoformat(),
                    r.marital,
                    r.county,
                    r.address,
                    r.phone,
                ]
            )
    return path


# Authorities of the credit records, with invented but valid credit codes of 机关 (organ 11).
_AUTHORITY_RNG = random.Random(22117)
AUTHORITIES = {
    name: credit_code(_AUTHORITY_RNG, CITY_CODE, "11")
    for name in (
        "聊城市市场监督管理局",
        "聊城市生态环境局",
        "国家税务总局聊城市税务局",
        "聊城市应急管理局",
        "聊城市交通运输局",
        "聊城市住房和城乡建设局",
    )
}
CREDIT_HEADER = [
    "信用记录编号",
    "行政相对人名称",
    "统一社会信用代码",
    "法定代表人",
    "信息类别",
    "决定文书号",
    "事由",
    "罚款金额",
    "决定日期",
    "有效期至",
    "决定机关",
    "决定机关统一社会信用代码",
]
PENALTIES = ["未按规定公示年度报告", "销售不合格产品", "超标排放大气污染物", "未按期申报纳税"]
PERMITS = ["食品经营许可", "排污许可", "道路运输经营许可", "建筑施工许可"]
SHORT = {
    "聊城市市场监督管理局": "聊市监",
    "聊城市生态环境局": "聊环",
    "国家税务总局聊城市税务局": "聊税",
    "聊城市应急管理局": "聊应急",
    "聊城市交通运输局": "聊交",
    "聊城市住房和城乡建设局": "聊建",
}


def _credit_rows(
    seed: int, prefix: str, count: int, authorities: list[str], outside: int
) -> list[list[str]]:
    rng = random.Random(seed)
    pool = clean_enterprises()
    rows = []
    for number in range(1, count + 1):
        authority = rng.choice(authorities)
        category = rng.choices(["行政处罚", "行政许可", "经营异常名录"], [5, 4, 1])[0]
        decided = date(2019, 1, 1) + timedelta(days=rng.randint(0, 1400))
        if number <= outside:  # an enterprise registered in 济南: valid code, not in the base
            subject, code, rep = "济南历下某科技有限公司", credit_code(rng, "370102", "91"), "张三"
        elif rng.random() < 0.05:  # a natural person: no credit code
            subject, code, rep = person_name(rng), "", ""
        else:
            e = rng.choice(pool)
            subject, code, rep = e.name, e.credit_code, e.legal_rep
        kind = "罚" if category == "行政处罚" else "许"
        document = f"{SHORT[authority]}{kind}〔{decided.year}〕{rng.randint(1, 999)}号"
        if category == "行政处罚":
            reason = rng.choice(PENALTIES)
            fine = f"{rng.choice([0.1, 0.5, 1, 2, 5, 10, 20]):g}"
            until = decided + timedelta(days=365 * rng.choice([1, 3]))
        elif category == "行政许可":
            reason, fine = rng.choice(PERMITS), ""
            until = decided + timedelta(days=365 * rng.choice([3, 5]))
        else:
            reason, fine, until = "通过登记的住所无法联系", "", decided + timedelta(days=365 * 3)
        rows.append(
            [
                f"{prefix}-{decided.year}-{number:05d}",
                subject,
                code,
                rep,
                category,
                document,
                reason,
                fine,
                decided.isoformat(),
                until.isoformat(),
                authority,
                AUTHORITIES[authority],
            ]
        )
    return rows


CREDIT_FAULTS = tuple(
    Fault(n, "credit_code_in_legal_entities", "行政相对人不在法人单位基础库(外地登记)")
    for n in range(1, OUTSIDE_CODES + 1)
)


def _write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path


def public_credit_csv(folder: Path) -> Path:
    """公共信用信息 归集 by the city's credit centre (发改委) from six authorities."""
    rows = _credit_rows(2018, "XY", 500, list(AUTHORITIES), OUTSIDE_CODES)
    return _write_csv(folder / "公共信用信息.csv", CREDIT_HEADER, rows)


def market_credit_csv(folder: Path) -> Path:
    """市场主体信用记录 of 市场监管局 (有条件共享): its own decisions only."""
    rows = _credit_rows(3201, "SCJG", 400, ["聊城市市场监督管理局"], 0)
    return _write_csv(folder / "市场主体信用记录.csv", CREDIT_HEADER, rows)


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
    return _write_csv(folder / "宏观经济指标.csv", header, rows)


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
    return _write_csv(folder / "电子证照目录.csv", header, rows)
