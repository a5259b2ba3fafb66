"""The demo city's digital-economy project library (十七): ~120 projects, ~100 of them selected.

Pure data: no database. Owners are legal entities of the demo city (``city.enterprises``, valid
credit codes) whose trade fits the project's domain, and every project lies in its owner's county.
The 2020–2022 history is fixed (one random seed); a handful of projects submitted after the
"十百千" deadline are dated relative to ``today`` so that the screening queue is never empty.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from cityhub.demo.basedb_sources import (
    BAD_REGION,
    DUPLICATED,
    FULL_WIDTH_CODE,
    LOWER_CASE_CODE,
    WRONG_CHECK,
)
from cityhub.demo.city import COUNTIES, Enterprise, enterprises

Domain = str  # 'agri' | 'manufacturing' | 'services' | 'industrialisation'

# Trades of ``city.TRADES`` whose enterprises own projects of each domain.
DOMAIN_TRADES: dict[Domain, tuple[str, ...]] = {
    "agri": ("阿胶", "鸭梨", "蔬菜"),
    "manufacturing": ("轴承", "钢管", "纺织", "化工"),
    "services": ("物流", "电子商务"),
    "industrialisation": ("软件", "大数据"),
}
# (name pattern, land category of 十七); {c} county, {t} trade, {b} the owner's brand.
NAME_PATTERNS: dict[Domain, tuple[tuple[str, str], ...]] = {
    "agri": (
        ("{c}{t}智慧种植基地建设项目", "other"),
        ("{b}{t}全程质量追溯区块链平台项目", "it_services"),
        ("{c}数字农业物联网示范园项目", "other"),
        ("{b}{t}水肥一体化智能灌溉项目", "other"),
        ("{c}{t}农产品电商直播基地项目", "ecommerce"),
        ("{b}智慧农场数字化管理平台项目", "it_services"),
    ),
    "manufacturing": (
        ("{b}{t}智能制造数字化车间改造项目", "other"),
        ("{b}{t}工业互联网标识解析应用项目", "info_network"),
        ("{b}{t}“无人车间”建设项目", "other"),
        ("{b}年产万套{t}智能化生产线项目", "other"),
        ("{b}5G+工业互联网{t}智能工厂项目", "info_network"),
        ("{c}{t}产业集群协同制造平台项目", "it_services"),
    ),
    "services": (
        ("{c}智慧物流园区信息平台项目", "it_services"),
        ("{b}跨境电商服务中心项目", "ecommerce"),
        ("{b}冷链物流数字化管理平台项目", "it_services"),
        ("{c}“聊·胜一筹!”网上商城项目", "ecommerce"),
        ("{b}无接触配送智能柜网络项目", "other"),
        ("{c}区域性物流公共信息平台项目", "it_services"),
    ),
    "industrialisation": (
        ("{b}大数据中心扩容项目", "info_network"),
        ("{b}工业软件研发中心项目", "it_services"),
        ("{c}5G+智慧城市应用场景项目", "info_network"),
        ("{b}数据清洗与标注服务基地项目", "it_services"),
        ("{b}区块链政务服务应用项目", "it_services"),
        ("{b}工业机器人系统集成项目", "other"),
        ("{b}植保无人机研发生产项目", "other"),
        ("{c}云计算边缘节点建设项目", "info_network"),
    ),
}
DOMAIN_COUNTS: dict[Domain, int] = {
    "agri": 28,
    "manufacturing": 38,
    "services": 26,
    "industrialisation": 28,
}
# Why the screening panel turned a project down (reasons are required for a rejection).
REJECTIONS = (
    "项目数字化内容占比低,主要为厂房建设,不符合数字经济项目筛选条件",
    "投资主体近三年存在严重失信记录,暂不纳入项目库",
    "项目用地手续不全,待补齐后重新申报",
    "与已入库项目重复申报",
    "投资估算依据不足,申报材料不完整",
    "项目建设内容以传统设备更新为主,未体现数字化、网络化、智能化",
)
# Projects selected when the "十百千" deadline came; the rest were rejected or are pending.
SELECTED_BY_DEADLINE = 103
REJECTED = len(REJECTIONS) + 4
# Submitted after the deadline (dated relative to today): still 'submitted' or 'screened'.
LATE_SUBMITTED = 4
LATE_SCREENED = 3
GOAL_DEADLINE = date(2022, 12, 31)
# Rows of the base database written wrongly on purpose (basedb_sources): owners are not taken there.
FLAWED = frozenset((*WRONG_CHECK, DUPLICATED, BAD_REGION, FULL_WIDTH_CODE, LOWER_CASE_CODE))


@dataclass(frozen=True)
class DemoProject:
    """A project of the library with its screening outcome and the day it was decided."""

    name: str
    owner: Enterprise
    county: str  # GB/T 2260 code
    domain: Domain
    kind: str  # 'info_network' | 'it_services' | 'ecommerce' | 'other'
    investment: float  # 万元
    start_on: date
    end_on: date
    provincial_major: bool
    city_key: bool
    land_priority: bool
    department: str  # the unit that registered it
    submitted_on: date
    outcome: str  # 'selected' | 'rejected' | 'screened' | 'submitted'
    decided_on: date | None  # screened/selected/rejected on (None: still submitted)
    reason: str | None = None  # why rejected

    def status(self, today: date) -> str:
        """'planned', 'building' or 'done' as seen on ``today``."""
        if today < self.start_on:
            return "planned"
        return "done" if today >= self.end_on else "building"


def _owners(domain: Domain) -> list[Enterprise]:
    """Live companies of the domain's trades whose base-database row is sound."""
    trades = DOMAIN_TRADES[domain]
    return [
        e
        for index, e in enumerate(enterprises())
        if e.trade in trades
        and e.state in ("存续", "在业")
        and e.kind == "企业"
        and index not in FLAWED
    ]


def _investment(rng: random.Random, domain: Domain) -> float:
    """万元, skewed: most projects a few thousand, some data centres and factories far more."""
    scale = {"agri": 1800, "manufacturing": 6000, "services": 3000, "industrialisation": 5000}
    value = rng.lognormvariate(0, 0.9) * scale[domain]
    return float(round(min(max(value, 300), 180_000), -1))


def _registrar(rng: random.Random, county: str, domain: Domain) -> str:
    """Counties register most projects; the zones and city bureaus some."""
    roll = rng.random()
    if roll < 0.7:
        return f"GOV-{county}"
    if roll < 0.82 and county == "371502":
        return rng.choice(("ZONE-JKQ", "ZONE-GXQ"))
    return {"agri": "NYNCJ", "manufacturing": "GXJ", "services": "SWTCJ"}.get(domain, "DSJJ")


def _day(rng: random.Random, start: date, end: date) -> date:
    return start + timedelta(days=rng.randint(0, (end - start).days))


@cache
def library(today: date) -> tuple[DemoProject, ...]:
    """Every demo project, the fixed 2020–2022 ones first, then the late submissions."""
    rng = random.Random(17_100)
    drafts: list[tuple[Domain, Enterprise, str, str]] = []
    names: set[str] = set()
    for domain, count in DOMAIN_COUNTS.items():
        owners = _owners(domain)
        while sum(1 for d in drafts if d[0] == domain) < count:
            owner = rng.choice(owners)
            pattern, kind = rng.choice(NAME_PATTERNS[domain])
            brand = owner.name.removeprefix("聊城")[:4]  # county and brand: 茌平伟明
            name = pattern.format(c=COUNTIES[owner.county], t=owner.trade, b=brand)
            if name in names:
                continue
            names.add(name)
            drafts.append((domain, owner, name, kind))
    rng.shuffle(drafts)
    fixed = len(drafts) - LATE_SUBMITTED - LATE_SCREENED
    found = []
    for index, (domain, owner, name, kind) in enumerate(drafts):
        late = index >= fixed
        if late:  # the queue the office works on now
            submitted = today - timedelta(days=rng.randint(5, 80))
        else:
            submitted = _day(rng, date(2020, 5, 1), date(2022, 9, 30))
        start = submitted + timedelta(days=rng.randint(30, 240))
        end = start + timedelta(days=rng.randint(300, 1100))
        investment = _investment(rng, domain)
        provincial = investment >= 20_000 or (investment >= 8_000 and rng.random() < 0.4)
        city_key = provincial or rng.random() < 0.35
        if late:
            pending = index - fixed
            outcome = "submitted" if pending < LATE_SUBMITTED else "screened"
            decided = None if outcome == "submitted" else submitted + timedelta(days=3)
            reason = None
        elif index < SELECTED_BY_DEADLINE:
            outcome, reason = "selected", None
            decided = min(submitted + timedelta(days=rng.randint(20, 75)), GOAL_DEADLINE)
        else:
            outcome = "rejected"
            reason = REJECTIONS[(index - SELECTED_BY_DEADLINE) % len(REJECTIONS)]
            decided = min(submitted + timedelta(days=rng.randint(20, 60)), GOAL_DEADLINE)
        found.append(
            DemoProject(
                name=name,
                owner=owner,
                county=owner.county,
                domain=domain,
                kind=kind,
                investment=investment,
                start_on=start,
                end_on=end,
                provincial_major=provincial and outcome == "selected",
                city_key=city_key,
                land_priority=city_key and outcome != "rejected",
                department=_registrar(rng, owner.county, domain),
                submitted_on=submitted,
                outcome=outcome,
                decided_on=decided,
                reason=reason,
            )
        )
    return tuple(found)
