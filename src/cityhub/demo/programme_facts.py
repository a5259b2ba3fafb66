"""Facts a few hundred demo enterprises declare for the incentive checks (惠企政策, 十七/十八).

Pure data: no database. The enterprises are legal entities of the demo city that are in the
legal-entity base database without a deliberate fault; what they declare varies: small-scale VAT
taxpayers or not (or not said), digital-technology status declared against their industry code,
talent-programme members at both levels (the ``programme_training.talent`` entries' employers,
most of them long-term), and the kinds and key lists of the projects they own in the library.

``showcase()`` is the acceptance case: a software company (a digital-technology enterprise by
its industry code in the base database) that declares itself a small-scale VAT taxpayer, so the
tax-halving check says yes in 2020 and no in 2022, after the period ended.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cache

from cityhub.demo.city import Enterprise, enterprises
from cityhub.demo.programme_projects import FLAWED, library
from cityhub.demo.programme_training import talent

DECLARING = 320  # enterprises that declare facts


@dataclass(frozen=True)
class DemoFacts:
    """What one enterprise declares (None: not declared); mirrors ``incentives.DeclaredFacts``."""

    credit_code: str
    name: str
    small_scale_vat: bool | None
    digital_tech: bool | None
    provincial_members: int
    municipal_members: int
    long_term_employer: bool | None
    project_kinds: frozenset[str]  # ProjectKind values
    key_project_lists: frozenset[str]  # 'provincial' | 'municipal'


def _sound() -> list[Enterprise]:
    return [
        e
        for index, e in enumerate(enterprises())
        if index not in FLAWED and e.state in ("存续", "在业")
    ]


@cache
def showcase() -> Enterprise:
    """The acceptance case's small-scale digital-tech taxpayer: the first sound software firm."""
    return next(e for e in _sound() if e.trade == "软件" and e.kind == "企业")


@cache
def declarations(today: date) -> tuple[DemoFacts, ...]:
    """The declared facts, the showcase first."""
    rng = random.Random(18_018)
    members: dict[str, list[int]] = {}
    for entry in talent():
        counts = members.setdefault(entry.employer, [0, 0])
        counts[0 if entry.level == "provincial" else 1] += 1
    kinds: dict[str, set[str]] = {}
    lists: dict[str, set[str]] = {}
    for project in library(today):
        if project.outcome != "selected":
            continue
        code = project.owner.credit_code
        kinds.setdefault(code, set()).add(project.kind)
        if project.provincial_major:
            lists.setdefault(code, set()).add("provincial")
        if project.city_key:
            lists.setdefault(code, set()).add("municipal")
    first = showcase()
    sound = [e for e in _sound() if e.credit_code != first.credit_code]
    # Everyone with talent or projects declares; the rest are a random sample.
    involved = [e for e in sound if e.credit_code in members or e.credit_code in kinds]
    others = [e for e in sound if e not in involved]
    chosen = involved + rng.sample(others, DECLARING - 1 - len(involved))
    # The showcase declares only that it is a small-scale taxpayer: that it is a digital-tech
    # enterprise follows from its industry code in the base database.
    found = [
        DemoFacts(first.credit_code, first.name, True, None, 0, 0, None, frozenset(), frozenset())
    ]
    for e in chosen:
        digital = e.trade in ("软件", "大数据", "电子商务")
        small = rng.choices([True, False, None], [45, 35, 20])[0]
        declared_digital: bool | None = None
        if not digital and rng.random() < 0.08:
            declared_digital = True  # e.g. a bearing maker's software arm, certified separately
        elif digital and rng.random() < 0.3:
            declared_digital = True
        provincial, municipal = members.get(e.credit_code, [0, 0])
        long_term = None
        if provincial or municipal:
            long_term = rng.random() < 0.85
        found.append(
            DemoFacts(
                e.credit_code,
                e.name,
                small,
                declared_digital,
                provincial,
                municipal,
                long_term,
                frozenset(kinds.get(e.credit_code, ())),
                frozenset(lists.get(e.credit_code, ())),
            )
        )
    return tuple(found)
