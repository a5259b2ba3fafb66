"""Source files of the six base databases and the 有条件共享 credit records, with known faults.

Each file has exactly the template's columns and passes the template's rules, except the rows
listed in its ``Fault`` tuple: deliberate failures that show the quality report and the
quarantine with real cases (a credit code with a wrong check character, an ID number whose birth
date cannot exist …). Tests compare the quality report with these lists, so a fault added here
must be listed here.
"""

from __future__ import annotations

import csv
import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

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


def write_csv(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    """Write a UTF-8 CSV with its header; returns ``path``."""
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path


def public_credit_csv(folder: Path) -> Path:
    """公共信用信息 归集 by the city's credit centre (发改委) from six authorities."""
    rows = _credit_rows(2018, "XY", 500, list(AUTHORITIES), OUTSIDE_CODES)
    return write_csv(folder / "公共信用信息.csv", CREDIT_HEADER, rows)


def market_credit_csv(folder: Path) -> Path:
    """市场主体信用记录 of 市场监管局 (有条件共享): its own decisions only."""
    rows = _credit_rows(3201, "SCJG", 400, ["聊城市市场监督管理局"], 0)
    return write_csv(folder / "市场主体信用记录.csv", CREDIT_HEADER, rows)
