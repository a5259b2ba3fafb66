"""Two departments' enterprise lists that name the base database's enterprises their own way.

工信局 lists industrial enterprises, 农业农村局 agricultural ones; enterprises of the 阿胶 trade
(traditional medicine made from farm produce) are on both lists and in the legal-entity base
database, so each of them is written three ways, as departments really do: 有限公司 and
有限责任公司 mixed up, the address written county first and in reverse order, digits and codes
in full-width characters, the credit code left out. ``SHOWCASE`` is one such enterprise, used in
the docs and tests; the truth behind every row is ``cityhub.demo.city.enterprises()``.
"""

from __future__ import annotations

import csv
import random
from pathlib import Path

from cityhub.demo.basedb_sources import clean_enterprises
from cityhub.demo.city import COUNTIES, Enterprise, credit_code, person_name

INDUSTRIAL_TRADES = {"阿胶", "轴承", "钢管", "纺织", "化工"}


def _swapped_suffix(name: str) -> str:
    if name.endswith("有限责任公司"):
        return name.removesuffix("有限责任公司") + "有限公司"
    if name.endswith("有限公司") and not name.endswith("股份有限公司"):
        return name.removesuffix("有限公司") + "有限责任公司"
    return name


def _reversed_address(e: Enterprise) -> str:
    return f"{e.road}{e.number}号 {e.street} {COUNTIES[e.county]} 聊城市"


def _full_width_digits(text: str) -> str:
    return "".join(chr(ord(c) + 0xFEE0) if c.isascii() and c.isalnum() else c for c in text)


def _showcase() -> Enterprise:
    return next(
        e
        for e in clean_enterprises()
        if e.trade == "阿胶" and e.name.endswith("有限公司") and "股份" not in e.name
    )


SHOWCASE = _showcase()


def industrial_rows() -> list[list[str]]:
    """工信局's list: 有限公司/有限责任公司 mixed up, reversed addresses, codes left out."""
    rng = random.Random(3451)
    pool = [e for e in clean_enterprises() if e.trade in INDUSTRIAL_TRADES]
    chosen = [e for e in pool if e.trade == "阿胶"]
    chosen += rng.sample([e for e in pool if e.trade != "阿胶"], 160)
    rows = []
    for e in chosen:
        showcase = e == SHOWCASE
        name = _swapped_suffix(e.name) if showcase or rng.random() < 0.4 else e.name
        address = _reversed_address(e) if showcase or rng.random() < 0.5 else e.address
        code = "" if rng.random() < 0.3 else e.credit_code
        size = [str(rng.randint(20, 900)), str(rng.randint(2_000, 90_000))]
        rows.append([code, name, e.legal_rep, address, e.phone, e.industry, *size])
    for _ in range(20):  # enterprises the base database does not have (registered elsewhere)
        county = rng.choice(list(COUNTIES))
        rows.append(
            [
                credit_code(rng, "371100", "91"),
                f"日照{rng.choice('东西南北')}港{rng.choice(['轴承', '钢管'])}制造有限公司",
                person_name(rng),
                f"山东省聊城市{COUNTIES[county]}经济开发区",
                f"0633-{rng.randint(2_000_000, 8_999_999)}",
                "C3451",
                str(rng.randint(20, 900)),
                str(rng.randint(2_000, 90_000)),
            ]
        )
    rng.shuffle(rows)
    return rows


def agricultural_rows() -> list[list[str]]:
    """农业农村局's list: full-width digits and codes, a suffix mixed up, codes left out."""
    rng = random.Random(2023)
    pool = [e for e in clean_enterprises() if e.farming]
    chosen = [e for e in pool if e.trade == "阿胶"]
    chosen += rng.sample([e for e in pool if e.trade != "阿胶"], 110)
    rows = []
    for e in chosen:
        showcase = e == SHOWCASE
        code = e.credit_code
        if showcase or rng.random() < 0.25:
            code = ""
        elif rng.random() < 0.3:
            code = _full_width_digits(code)
        name = _swapped_suffix(e.name) if not showcase and rng.random() < 0.2 else e.name
        address = f"聊城市{COUNTIES[e.county]}{e.street}{e.road}{e.number}号"
        if showcase or rng.random() < 0.5:
            address = _full_width_digits(address)
        level = rng.choice(["市级龙头企业", "省级龙头企业", "示范合作社"])
        products = {"阿胶": "阿胶、阿胶糕", "鸭梨": "冠县鸭梨", "蔬菜": "设施蔬菜"}[e.trade]
        rows.append([code, name, e.legal_rep, address, e.phone, products, level])
    rng.shuffle(rows)
    return rows


def industrial_csv(folder: Path) -> Path:
    """规模以上工业企业名录 (工信局): UTF-8 CSV."""
    path = folder / "规模以上工业企业名录.csv"
    header = [
        "统一社会信用代码",
        "企业名称",
        "法定代表人",
        "企业地址",
        "联系电话",
        "行业代码",
        "从业人员数",
        "营业收入(万元)",
    ]
    return _write(path, header, industrial_rows())


def agricultural_csv(folder: Path) -> Path:
    """农业产业化龙头企业和合作社名录 (农业农村局): UTF-8 CSV."""
    path = folder / "农业经营主体名录.csv"
    header = ["统一社会信用代码", "主体名称", "负责人", "地址", "联系电话", "主营产品", "认定类别"]
    return _write(path, header, agricultural_rows())


def _write(path: Path, header: list[str], rows: list[list[str]]) -> Path:
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(header)
        out.writerows(rows)
    return path
