"""Generated source files of the demo city, in the shapes departments really send.

All values are invented (clearly demo data) but well-formed: credit codes and ID numbers carry
valid check characters, region codes are Liaocheng's (GB/T 2260, 3715xx).
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

from openpyxl import Workbook

from cityhub.registry import CREDIT_ALPHABET, credit_code_check, id_number_check

COUNTIES = {
    "371502": "东昌府区",
    "371503": "茌平区",
    "371521": "阳谷县",
    "371522": "莘县",
    "371524": "东阿县",
    "371525": "冠县",
    "371526": "高唐县",
    "371581": "临清市",
}
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰镕喆昇堃燊旸璟"
STREETS = ["古楼", "柳园", "新区", "湖西"]
TRADES = [
    "阿胶",
    "鸭梨",
    "蔬菜",
    "轴承",
    "钢管",
    "纺织",
    "化工",
    "物流",
    "软件",
    "电子商务",
    "大数据",
]
SUFFIXES = ["有限公司", "股份有限公司", "有限责任公司", "合作社"]


def _credit_code(rng: random.Random, county: str) -> str:
    organ = rng.choice(["91", "92", "93", "12"])  # enterprise, individual, cooperative, institution
    org = "".join(rng.choice(CREDIT_ALPHABET) for _ in range(9))
    body = organ + county + org
    return body + credit_code_check(body)


def _id_number(rng: random.Random, county: str, born: date) -> str:
    body = f"{county}{born:%Y%m%d}{rng.randint(0, 999):03d}"
    return body + id_number_check(body)


def legal_entities_gb18030(folder: Path, rows: int = 1200) -> Path:
    """法人单位 as 市场监管局 exports them: GB18030 CSV, Chinese dates (saved from Excel)."""
    rng = random.Random(2020_04_07)
    path = folder / "法人单位基本信息.csv"
    with path.open("w", encoding="gb18030", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(
            [
                "统一社会信用代码",
                "企业名称",
                "法定代表人",
                "注册资本(万元)",
                "成立日期",
                "所在县区",
                "行业",
            ]
        )
        for _ in range(rows):
            county = rng.choice(list(COUNTIES))
            trade = rng.choice(TRADES)
            brand = rng.choice(GIVEN) + rng.choice(GIVEN)
            name = f"聊城{COUNTIES[county][:2]}{brand}{trade}{rng.choice(SUFFIXES)}"
            founded = date(1995, 1, 1) + timedelta(days=rng.randint(0, 10_500))
            out.writerow(
                [
                    _credit_code(rng, county),
                    name,
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    f"{rng.choice([50, 100, 200, 500, 1000, 3000, 5000]) * rng.randint(1, 4)}",
                    f"{founded.year}年{founded.month}月{founded.day}日",
                    COUNTIES[county],
                    trade,
                ]
            )
    return path


def population_utf8(folder: Path, rows: int = 500) -> Path:
    """A population sample (人口基础信息) of 公安局: UTF-8 CSV with personal columns."""
    rng = random.Random(11643)
    path = folder / "人口基础信息样本.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["身份证号", "姓名", "性别", "出生日期", "手机号", "户籍地址", "所在县区"])
        for _ in range(rows):
            county = rng.choice(list(COUNTIES))
            born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 29_000))
            number = _id_number(rng, county, born)
            sex = "男" if int(number[16]) % 2 else "女"
            out.writerow(
                [
                    number,
                    rng.choice(SURNAMES)
                    + rng.choice(GIVEN)
                    + (rng.choice(GIVEN) if rng.random() < 0.6 else ""),
                    sex,
                    born.isoformat(),
                    f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}",
                    f"山东省聊城市{COUNTIES[county]}{rng.choice(STREETS)}街道{rng.randint(1, 9)}号",
                    COUNTIES[county],
                ]
            )
    return path


def base_stations_xlsx(folder: Path) -> Path:
    """5G base stations by county and year (工信局): an Excel workbook."""
    rng = random.Random(5)
    path = folder / "5G基站建设情况.xlsx"
    book = Workbook()
    sheet = book.active
    sheet.title = "5G基站"
    sheet.append(["年份", "县区", "区划代码", "5G基站数", "覆盖率(%)", "运营商"])
    for year in (2020, 2021, 2022):
        for code, county in COUNTIES.items():
            for operator in ("中国移动", "中国电信", "中国联通"):
                stations = rng.randint(40, 160) * (year - 2019)
                coverage = min(99.5, round(35 + (year - 2020) * 25 + rng.random() * 10, 1))
                sheet.append([year, county, code, stations, coverage, operator])
    book.save(path)
    return path


def broadband_tsv(folder: Path) -> Path:
    """Enterprise broadband access by park (宽带接入): a tab-separated file."""
    rng = random.Random(1000)
    path = folder / "企业宽带接入.tsv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle, delimiter="\t")
        out.writerow(["园区", "县区", "接入企业数", "千兆企业数", "万兆企业数", "统计日期"])
        for county in COUNTIES.values():
            for park in ("经济开发区", "高新区", "工业园"):
                total = rng.randint(80, 600)
                gigabit = rng.randint(total // 3, total)
                out.writerow(
                    [
                        f"{county}{park}",
                        county,
                        total,
                        gigabit,
                        rng.randint(0, gigabit // 5),
                        "2020-12-31",
                    ]
                )
    return path


def parks_geojson(folder: Path) -> Path:
    """The digital economy parks (数字经济园区) as points: a GeoJSON FeatureCollection."""
    parks = [
        ("聊城大数据生态产业园", "东昌府区", 115.985, 36.457, "示范"),
        ("江北水城软件园", "东昌府区", 116.012, 36.441, "示范"),
        ("临清数字经济产业园", "临清市", 115.705, 36.838, "成长型"),
        ("高唐智能制造数字园区", "高唐县", 116.231, 36.866, "成长型"),
        ("东阿阿胶数字农业园", "东阿县", 116.247, 36.335, "成长型"),
        ("冠县鸭梨电商产业园", "冠县", 115.442, 36.484, "成长型"),
    ]
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [lon, lat]},
            "properties": {
                "园区名称": name,
                "县区": county,
                "等级": tier,
                "入驻企业数": 20 + 7 * i,
            },
        }
        for i, (name, county, lon, lat, tier) in enumerate(parks)
    ]
    path = folder / "数字经济园区.geojson"
    path.write_text(
        json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False),
        encoding="utf-8",
    )
    return path


def flood_duty_csv(folder: Path) -> Path:
    """Flood-control duty officers per river reach (水利局, 不予共享): UTF-8 CSV."""
    rng = random.Random(651)
    path = folder / "防汛责任人.csv"
    reaches = [
        "黄河聊城段",
        "徒骇河东昌府段",
        "徒骇河茌平段",
        "马颊河冠县段",
        "马颊河莘县段",
        "东昌湖",
    ]
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(["河段", "责任人", "职务", "手机号", "警戒水位(m)", "保证水位(m)"])
        for reach in reaches:
            warn = round(rng.uniform(30, 40), 2)
            out.writerow(
                [
                    reach,
                    rng.choice(SURNAMES) + rng.choice(GIVEN) + rng.choice(GIVEN),
                    "河长",
                    f"139{rng.randint(0, 99_999_999):08d}",
                    warn,
                    round(warn + 1.5, 2),
                ]
            )
    return path
