"""The demo city's "千人培训" (十九): training events, their attendees, and talent entries.

Pure data: no database. Several organisers hold courses, lectures and forums from mid-2020 on;
courses and lectures certify most attendees, forums certify none. Some people attend more than
once, so events' attendance exceeds the distinct people trained: about 1,100 distinct certified
people by the end of 2022, fewer than 500 by mid-2021. Events after 2022 (a few a year) are fixed
too, up to ``today``. Attendees have valid synthetic 公民身份号码 (``city.id_number``) and mobile
numbers; employers are legal entities of the demo city.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from functools import cache

from cityhub.demo.city import COUNTIES, Enterprise, enterprises, id_number, mobile, person_name


@dataclass(frozen=True)
class DemoAttendee:
    """One person at one event; ``certificate`` is None when none was awarded."""

    name: str
    id_number: str
    phone: str
    employer: str  # credit code
    certificate: str | None


@dataclass(frozen=True)
class DemoEvent:
    """A training event and who came."""

    title: str
    organiser: str  # department code
    held_on: date
    hours: float
    kind: str  # 'course' | 'lecture' | 'forum'
    attendees: tuple[DemoAttendee, ...]


@dataclass(frozen=True)
class DemoTalent:
    """A member of a provincial or municipal talent programme (人才工程) and the employer."""

    name: str
    level: str  # 'provincial' | 'municipal'
    programme: str
    employer: str  # credit code
    year: int
    department: str  # the unit that registered the entry


# organiser → (kind, title pattern, hours, size range)
_FORMATS: dict[str, tuple[tuple[str, str, float, tuple[int, int]], ...]] = {
    "DSJJ": (
        ("course", "数字经济人才“千人培训”第{n}期", 24.0, (40, 60)),
        ("forum", "数字聊城建设论坛({y}年第{n}场)", 6.0, (80, 120)),
    ),
    "RSJ": (("course", "数字技能职业培训班(第{n}期)", 40.0, (30, 50)),),
    "KJJ": (("lecture", "大数据与人工智能专家讲座({y}第{n}场)", 4.0, (30, 60)),),
    "GXJ": (("course", "智能制造与工业互联网专题培训班(第{n}期)", 16.0, (30, 45)),),
    "SWTCJ": (("course", "电子商务人才培训班(第{n}期)", 20.0, (35, 55)),),
    "NYNCJ": (("course", "农村电商带头人培训班(第{n}期)", 16.0, (30, 50)),),
    "ZZB": (("lecture", "领导干部数字经济专题讲座(第{n}讲)", 3.0, (40, 70)),),
}
# events per half-year, by organiser (the first half of 2020 had none: the policy came in April)
_PLAN: dict[tuple[int, int], dict[str, int]] = {
    (2020, 2): {"DSJJ": 3, "RSJ": 2, "KJJ": 1, "ZZB": 1, "SWTCJ": 1},
    (2021, 1): {"DSJJ": 2, "RSJ": 1, "GXJ": 1, "NYNCJ": 1, "SWTCJ": 1},
    (2021, 2): {"DSJJ": 3, "RSJ": 2, "KJJ": 1, "GXJ": 1, "NYNCJ": 1, "ZZB": 1},
    (2022, 1): {"DSJJ": 3, "RSJ": 2, "GXJ": 1, "NYNCJ": 1, "SWTCJ": 1, "KJJ": 1},
    (2022, 2): {"DSJJ": 2, "RSJ": 1, "GXJ": 1, "SWTCJ": 1, "NYNCJ": 1, "ZZB": 1},
}
_LATER = {"DSJJ": 1, "RSJ": 1}  # each half-year after 2022
CERTIFIED_SHARE = 0.93  # of course and lecture attendees
RETURNING_SHARE = 0.12  # attendees who had been trained before


def _half_years(today: date) -> list[tuple[int, int]]:
    halves = list(_PLAN)
    year, half = 2023, 1
    while date(year, 1 if half == 1 else 7, 1) < today:
        halves.append((year, half))
        year, half = (year, 2) if half == 1 else (year + 1, 1)
    return halves


def _person(rng: random.Random, employers: list[Enterprise]) -> tuple[str, str, str, str]:
    county = rng.choice(list(COUNTIES))
    born = date(1968, 1, 1) + timedelta(days=rng.randint(0, 12_000))
    number = id_number(county, f"{born:%Y%m%d}", rng.randint(0, 999))
    return person_name(rng), number, mobile(rng), rng.choice(employers).credit_code


@cache
def events(today: date) -> tuple[DemoEvent, ...]:
    """Every event up to ``today``, oldest first."""
    rng = random.Random(1_000)
    employers = [e for e in enterprises() if e.state in ("存续", "在业")]
    seen_numbers: set[str] = set()
    trained: list[tuple[str, str, str, str]] = []
    counters: dict[tuple[str, str], int] = {}
    found: list[DemoEvent] = []
    for year, half in _half_years(today):
        plan = _PLAN.get((year, half), _LATER)
        first = date(year, 1 if half == 1 else 7, 1)
        for organiser, count in plan.items():
            for _ in range(count):
                kind, pattern, hours, (low, high) = rng.choice(_FORMATS[organiser])
                held = first + timedelta(days=rng.randint(10, 170))
                if held >= today:
                    continue
                key = (organiser, pattern)
                counters[key] = counters.get(key, 0) + 1
                title = pattern.format(n=counters[key], y=year)
                people: list[DemoAttendee] = []
                for _ in range(rng.randint(low, high)):
                    if trained and rng.random() < RETURNING_SHARE:
                        person = rng.choice(trained)
                    else:
                        person = _person(rng, employers)
                        if person[1] in seen_numbers:
                            continue
                        seen_numbers.add(person[1])
                        trained.append(person)
                    if any(a.id_number == person[1] for a in people):
                        continue
                    certificate = None
                    if kind != "forum" and rng.random() < CERTIFIED_SHARE:
                        certificate = f"LCSZ-{held:%Y%m%d}-{organiser}-{len(people) + 1:03d}"
                    people.append(DemoAttendee(*person, certificate=certificate))
                found.append(DemoEvent(title, organiser, held, hours, kind, tuple(people)))
    return tuple(sorted(found, key=lambda e: (e.held_on, e.title)))


def certified_people(all_events: tuple[DemoEvent, ...], as_of: date) -> int:
    """Distinct people with a certificate from an event held on or before ``as_of``."""
    return len(
        {
            a.id_number
            for e in all_events
            if e.held_on <= as_of
            for a in e.attendees
            if a.certificate is not None
        }
    )


_PROGRAMMES = {
    "provincial": ("泰山产业领军人才工程", "齐鲁乡村之星"),
    "municipal": ("聊城市“水城优才”计划", "聊城市数字经济领军人才"),
}


@cache
def talent() -> tuple[DemoTalent, ...]:
    """Talent programme members 2019–2022: 9 provincial, 27 municipal, at digital-tech employers."""
    rng = random.Random(19_019)
    digital = [
        e
        for e in enterprises()
        if e.trade in ("软件", "大数据", "电子商务") and e.state in ("存续", "在业")
    ]
    found = []
    for level, count in (("provincial", 9), ("municipal", 27)):
        for _ in range(count):
            employer = rng.choice(digital)
            found.append(
                DemoTalent(
                    name=person_name(rng),
                    level=level,
                    programme=rng.choice(_PROGRAMMES[level]),
                    employer=employer.credit_code,
                    year=rng.randint(2019, 2022),
                    department="ZZB" if level == "provincial" else "RSJ",
                )
            )
    return tuple(found)
