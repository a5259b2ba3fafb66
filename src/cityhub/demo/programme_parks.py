"""The demo city's ten digital economy parks (九) with their evaluation scores.

Pure data: no database. Scores (0–100) are on the seed's four criteria, 产业特色、发展前景、
创新能力、发展环境; the registry computes the tier from them, so the scores are chosen to give
three demonstration parks (示范: total ≥ 85, no criterion below 70), six growth parks (成长型),
one of them with a high total but a weak criterion to show the explanation, and one that is
only a candidate so far. Resident enterprises are legal entities of the park's county.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date
from functools import cache

from cityhub.demo.city import enterprises


@dataclass(frozen=True)
class DemoPark:
    """A park, when it was registered, its four scores and its resident enterprises."""

    name: str
    county: str  # GB/T 2260 code
    registered_on: date
    industry: float  # 产业特色
    prospects: float  # 发展前景
    innovation: float  # 创新能力
    environment: float  # 发展环境
    residents: tuple[str, ...]  # credit codes
    department: str  # the unit that registered it

    @property
    def scores(self) -> dict[str, float]:
        """The scores by criterion, in the seed's order."""
        return {
            "industry": self.industry,
            "prospects": self.prospects,
            "innovation": self.innovation,
            "environment": self.environment,
        }


# name, county, registered, four scores, resident count, registering unit
_PARKS = (
    ("聊城大数据生态产业园", "371502", date(2020, 7, 16), (93, 90, 88, 91), 24, "DSJJ"),
    ("江北水城软件园", "371502", date(2020, 9, 8), (88, 89, 86, 90), 18, "ZONE-GXQ"),
    ("聊城经开区工业互联网产业园", "371502", date(2021, 3, 22), (87, 86, 84, 89), 15, "ZONE-JKQ"),
    ("临清数字经济产业园", "371581", date(2021, 5, 11), (82, 80, 72, 78), 12, "GOV-371581"),
    ("高唐智能制造数字园区", "371526", date(2021, 8, 30), (79, 81, 75, 77), 10, "GOV-371526"),
    ("东阿阿胶数字农业园", "371524", date(2021, 11, 5), (93, 92, 68, 92), 9, "GOV-371524"),
    ("冠县鸭梨电商产业园", "371525", date(2022, 3, 18), (76, 74, 63, 72), 11, "GOV-371525"),
    ("茌平数字经济创新港", "371503", date(2022, 5, 27), (74, 77, 70, 73), 8, "GOV-371503"),
    ("阳谷电缆产业数字化园区", "371521", date(2022, 8, 9), (71, 69, 62, 70), 7, "GOV-371521"),
    ("莘县数字乡村产业园", "371522", date(2022, 9, 26), (63, 60, 52, 61), 6, "GOV-371522"),
)


@cache
def parks() -> tuple[DemoPark, ...]:
    """The ten parks in the order they were registered."""
    rng = random.Random(9_010)
    live = [e for e in enterprises() if e.state in ("存续", "在业") and e.kind == "企业"]
    taken: set[str] = set()
    found = []
    for name, county, registered, scores, residents, department in _PARKS:
        local = [e.credit_code for e in live if e.county == county and e.credit_code not in taken]
        chosen = tuple(rng.sample(local, min(residents, len(local))))
        taken.update(chosen)
        industry, prospects, innovation, environment = (float(s) for s in scores)
        found.append(
            DemoPark(
                name,
                county,
                registered,
                industry,
                prospects,
                innovation,
                environment,
                chosen,
                department,
            )
        )
    return tuple(found)
