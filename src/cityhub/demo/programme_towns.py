"""The 5G town-coverage survey (工信局): the pool dataset the 5G coverage target is computed from.

Task （一） promises 5G coverage of county-level urban areas and key towns
(县级以上城区、重点乡镇(街道)) by the end of 2022. 工信局 surveys every town and street at
each year-end and uploads the survey as a new version of ``5g-town-coverage``; the target's
SQL reads the newest version, so each upload moves the target. Pure data and file writing:
the catalogue entry and the ingest are in ``demo.programme``.
"""

from __future__ import annotations

import csv
import random
from datetime import date
from pathlib import Path

from cityhub.demo.city import COUNTIES

DATASET = "5g-town-coverage"
OWNER = "GXJ"
SURVEYS = (date(2020, 12, 31), date(2021, 12, 31), date(2022, 12, 31))
COLUMNS = ("县区", "区划代码", "乡镇街道", "区域类型", "5G基站数", "是否覆盖", "统计日期")
# The share of each area type covered at each survey; urban areas first, then the key towns.
_COVERED: dict[str, tuple[float, float, float]] = {
    "城区": (0.62, 1.0, 1.0),
    "重点乡镇": (0.08, 0.48, 1.0),
    "一般乡镇": (0.0, 0.12, 0.41),
}
# Streets (城区) first, then the key towns, then the other towns of each county.
TOWNS: dict[str, tuple[tuple[str, ...], tuple[str, ...], tuple[str, ...]]] = {
    "371502": (
        ("古楼街道", "柳园街道", "新区街道", "湖西街道", "道口铺街道", "北城街道"),
        ("侯营镇", "沙镇镇", "堂邑镇"),
        ("梁水镇镇", "斗虎屯镇", "郑家镇", "张炉集镇", "于集镇", "许营镇", "朱老庄镇"),
    ),
    "371503": (
        ("振兴街道", "信发街道", "温陈街道"),
        ("博平镇", "乐平铺镇", "杜郎口镇"),
        ("冯官屯镇", "菜屯镇", "韩屯镇", "胡屯镇", "肖家庄镇", "贾寨镇", "洪官屯镇"),
    ),
    "371521": (
        ("博济桥街道", "侨润街道", "狮子楼街道"),
        ("阿城镇", "七级镇", "张秋镇"),
        ("阎楼镇", "安乐镇", "定水镇", "石佛镇", "李台镇", "寿张镇", "西湖镇", "金斗营镇"),
    ),
    "371522": (
        ("燕塔街道", "莘州街道", "东鲁街道", "莘亭街道"),
        ("朝城镇", "观城镇", "张鲁回族镇"),
        ("古城镇", "大张家镇", "古云镇", "十八里铺镇", "燕店镇", "董杜庄镇", "王奉镇"),
    ),
    "371524": (
        ("铜城街道", "新城街道"),
        ("刘集镇", "鱼山镇"),
        ("牛角店镇", "大桥镇", "高集镇", "姜楼镇", "姚寨镇", "陈集镇"),
    ),
    "371525": (
        ("清泉街道", "崇文街道", "烟庄街道"),
        ("柳林镇", "贾镇"),
        ("桑阿镇", "清水镇", "东古城镇", "北馆陶镇", "店子镇", "定远寨镇", "辛集镇"),
    ),
    "371526": (
        ("鱼邱湖街道", "汇鑫街道", "人和街道"),
        ("清平镇", "琉璃寺镇"),
        ("梁村镇", "尹集镇", "固河镇", "三十里铺镇", "赵寨子镇", "姜店镇", "杨屯镇"),
    ),
    "371581": (
        ("新华街道", "青年街道", "先锋街道", "大辛庄街道"),
        ("康庄镇", "烟店镇", "魏湾镇"),
        ("松林镇", "老赵庄镇", "刘垓子镇", "八岔路镇", "潘庄镇", "唐园镇", "金郝庄镇"),
    ),
}
AREA_TYPES = ("城区", "重点乡镇", "一般乡镇")
# What the target reads: the share of urban areas and key towns covered, in per cent (the pool
# reads the 是/否 column as a boolean).
COVERAGE_SQL = (
    'SELECT round(100.0 * sum(CASE WHEN "是否覆盖" THEN 1 ELSE 0 END) / count(*), 1) '
    f"FROM \"{DATASET}\" WHERE \"区域类型\" IN ('城区', '重点乡镇')"
)


def survey_rows(survey: int) -> list[tuple[str, str, str, str, int, str, str]]:
    """The rows of survey ``survey`` (0, 1, 2 for 2020, 2021, 2022); coverage only grows."""
    rng = random.Random(5_000)  # the same order every survey, so a covered town stays covered
    day = SURVEYS[survey].isoformat()
    rows = []
    for code, towns in TOWNS.items():
        for area, names in zip(AREA_TYPES, towns, strict=True):
            for index, town in enumerate(names):
                share = _COVERED[area][survey]
                covered = index < round(share * len(names))
                base = rng.randint(3, 9) if area == "城区" else rng.randint(1, 4)
                stations = base * (survey + 1) if covered else rng.randint(0, 1) * survey
                rows.append(
                    (COUNTIES[code], code, town, area, stations, "是" if covered else "否", day)
                )
    return rows


def coverage(survey: int) -> float:
    """What ``COVERAGE_SQL`` gives for survey ``survey`` (for tests and docs)."""
    counted = [r for r in survey_rows(survey) if r[3] in ("城区", "重点乡镇")]
    return round(100.0 * sum(1 for r in counted if r[5] == "是") / len(counted), 1)


def write_survey(folder: Path, survey: int) -> Path:
    """The survey as the UTF-8 CSV 工信局 uploads."""
    path = folder / f"5G乡镇覆盖情况-{SURVEYS[survey].year}.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(COLUMNS)
        out.writerows(survey_rows(survey))
    return path
