"""Generated source files of the demo city's departmental datasets, in the shapes departments send.

All values are invented (clearly demo data) but well-formed; region codes are Liaocheng's (GB/T
2260, 3715xx). The base databases' files are in ``basedb_sources``, the enterprise lists of the
linking scenario in ``linking_sources``.
"""

from __future__ import annotations

import csv
import json
import random
from pathlib import Path

from openpyxl import Workbook

from cityhub.demo.city import COUNTIES, GIVEN, SURNAMES


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
