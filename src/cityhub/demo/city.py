"""The demo city's enterprises and residents: one generated population every dataset draws on.

Departments' datasets describe the same enterprises and people, so that a credit record points at
an enterprise of the legal-entity base database, an electronic business licence names its credit
code, and the same enterprise turns up in 工信局's and 农业农村局's lists written differently.
Everything is invented (clearly demo data) but well-formed: credit codes and ID numbers carry
valid check characters, region codes are Liaocheng's (GB/T 2260), industry codes GB/T 4754-2017's.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from cityhub.registry import CREDIT_ALPHABET, credit_code_check, id_number_check
from cityhub.registry.credit_code import organisation_code_check

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
CITY_CODE = "371500"
SURNAMES = "王李张刘陈杨赵黄周吴徐孙胡朱高林何郭马罗梁宋郑谢韩唐冯于董萧程曹袁邓许傅沈曾彭吕"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰镕喆昇堃燊旸璟"
STREETS = {
    "371502": ["古楼街道", "柳园街道", "新区街道", "湖西街道"],
    "371503": ["振兴街道", "信发街道", "温陈街道"],
    "371521": ["博济桥街道", "侨润街道"],
    "371522": ["燕塔街道", "莘州街道"],
    "371524": ["铜城街道", "新城街道"],
    "371525": ["清泉街道", "烟庄街道"],
    "371526": ["鱼邱湖街道", "汇鑫街道"],
    "371581": ["新华街道", "青年街道", "大辛庄街道"],
}
ROADS = ["兴华路", "东昌路", "柳园路", "建设路", "振兴路", "光明路", "花园路", "新华路"]
# trade → (GB/T 4754-2017 class, is it farming or food: listed by 农业农村局 too)
TRADES: dict[str, tuple[str, bool]] = {
    "阿胶": ("C2740", True),
    "鸭梨": ("A0151", True),
    "蔬菜": ("A0141", True),
    "轴承": ("C3451", False),
    "钢管": ("C3130", False),
    "纺织": ("C1711", False),
    "化工": ("C2614", False),
    "物流": ("G5990", False),
    "软件": ("I6513", False),
    "电子商务": ("F5292", False),
    "大数据": ("I6450", False),
}
COMPANY_SUFFIXES = ("有限公司", "股份有限公司", "有限责任公司")


@dataclass(frozen=True)
class Enterprise:
    """A registered legal entity of the demo city."""

    credit_code: str
    name: str
    legal_rep: str
    kind: str  # 单位类型
    capital: int  # 万元
    founded: date
    county: str  # GB/T 2260 code
    street: str
    road: str
    number: int
    industry: str  # GB/T 4754-2017 code
    trade: str
    state: str
    phone: str

    @property
    def address(self) -> str:
        """The registered address, province first, as 市场监管局 writes it."""
        return f"山东省聊城市{COUNTIES[self.county]}{self.street}{self.road}{self.number}号"

    @property
    def farming(self) -> bool:
        """Whether 农业农村局 lists it (farming, food and traditional medicine)."""
        return TRADES[self.trade][1]


@dataclass(frozen=True)
class Resident:
    """A registered resident of the demo city."""

    id_number: str
    name: str
    sex: str  # GB/T 2261.1 code
    ethnic: str  # GB/T 3304 code
    born: date
    marital: str  # GB/T 2261.2 code
    county: str
    address: str
    phone: str


def credit_code(rng: random.Random, county: str, organ: str) -> str:
    """A valid 统一社会信用代码 of registration department and kind ``organ`` (e.g. ``91``).

    Positions 9-17 are a 组织机构代码 with its own GB 11714 check character.
    """
    organisation = "".join(rng.choice(CREDIT_ALPHABET) for _ in range(8))
    body = organ + county + organisation + organisation_code_check(organisation)
    return body + credit_code_check(body)


def id_number(county: str, born: str, sequence: int) -> str:
    """A 公民身份号码 with a valid check character; ``born`` is YYYYMMDD (possibly impossible)."""
    body = f"{county}{born}{sequence:03d}"
    return body + id_number_check(body)


def person_name(rng: random.Random) -> str:
    """A two- or three-character name."""
    given = rng.choice(GIVEN) + (rng.choice(GIVEN) if rng.random() < 0.7 else "")
    return rng.choice(SURNAMES) + given


def mobile(rng: random.Random) -> str:
    """A mainland mobile number."""
    return f"1{rng.choice('3578')}{rng.randint(0, 999_999_999):09d}"


def landline(rng: random.Random) -> str:
    """A Liaocheng fixed-line number (area code 0635)."""
    return f"0635-{rng.randint(2_000_000, 8_999_999)}"


@cache
def enterprises(count: int = 1200) -> tuple[Enterprise, ...]:
    """The demo city's legal entities, each with a distinct credit code and name."""
    rng = random.Random(2020_04_07)
    found: list[Enterprise] = []
    codes: set[str] = set()
    names: set[str] = set()
    while len(found) < count:
        county = rng.choice(list(COUNTIES))
        trade = rng.choice(list(TRADES))
        cooperative = TRADES[trade][1] and trade != "阿胶" and rng.random() < 0.3
        brand = rng.choice(GIVEN) + rng.choice(GIVEN)
        if cooperative:
            name = f"{COUNTIES[county][:2]}县{brand}{trade}专业合作社"
            organ, kind = "93", "农民专业合作社"
        else:
            name = f"聊城{COUNTIES[county][:2]}{brand}{trade}{rng.choice(COMPANY_SUFFIXES)}"
            organ, kind = "91", "企业"
        code = credit_code(rng, county, organ)
        stem = (
            name.removesuffix("股份有限公司").removesuffix("有限责任公司").removesuffix("有限公司")
        )
        if code in codes or stem in names:  # distinct even when a suffix is written wrongly
            continue
        codes.add(code)
        names.add(stem)
        found.append(
            Enterprise(
                credit_code=code,
                name=name,
                legal_rep=person_name(rng),
                kind=kind,
                capital=rng.choice([50, 100, 200, 500, 1000, 3000, 5000]) * rng.randint(1, 4),
                founded=date(1995, 1, 1) + timedelta(days=rng.randint(0, 10_500)),
                county=county,
                street=rng.choice(STREETS[county]),
                road=rng.choice(ROADS),
                number=rng.randint(1, 399),
                industry=TRADES[trade][0],
                trade=trade,
                state=rng.choices(["存续", "在业", "吊销", "注销"], [70, 20, 5, 5])[0],
                phone=landline(rng) if rng.random() < 0.6 else mobile(rng),
            )
        )
    return tuple(found)


@cache
def residents(count: int = 500) -> tuple[Resident, ...]:
    """The demo city's residents, each with a distinct ID number."""
    rng = random.Random(11643)
    found: list[Resident] = []
    numbers: set[str] = set()
    while len(found) < count:
        county = rng.choice(list(COUNTIES))
        born = date(1940, 1, 1) + timedelta(days=rng.randint(0, 29_000))
        number = id_number(county, f"{born:%Y%m%d}", rng.randint(0, 999))
        if number in numbers:
            continue
        numbers.add(number)
        adult = born < date(2002, 1, 1)
        found.append(
            Resident(
                id_number=number,
                name=person_name(rng),
                sex="1" if int(number[16]) % 2 else "2",
                ethnic="01" if rng.random() < 0.97 else rng.choice(["03", "04", "08"]),
                born=born,
                marital=rng.choice(["10", "21", "22", "30", "40"]) if adult else "10",
                county=county,
                address=(
                    f"山东省聊城市{COUNTIES[county]}{rng.choice(STREETS[county])}"
                    f"{rng.choice(ROADS)}{rng.randint(1, 399)}号"
                ),
                phone=mobile(rng),
            )
        )
    return tuple(found)
