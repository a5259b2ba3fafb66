"""The programme office's own milestones of the demo city, and when the policy's were met.

Pure data: no database. Admin milestones break tasks into steps with owners; most were done
(some late), two are overdue today (the storage centre's second phase and the city's
underground pipe monitoring), and one lies ahead. The policy's own dated commitments (loaded
by ``ensure_tasks``) were all met, the SME gigabit one half a year late.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date


@dataclass(frozen=True)
class DemoMilestone:
    """An admin milestone; ``done_on`` None: still open."""

    task: int
    title: str
    owner: str
    due_on: date
    done_on: date | None
    clause: str | None = None


def admin_milestones(today: date) -> tuple[DemoMilestone, ...]:
    """The admin milestones; the overdue and future ones are dated relative to ``today``."""
    return (
        DemoMilestone(1, "完成城域传输网和IP城域网扩容工程", "GXJ", date(2020, 10, 31),
                      date(2020, 10, 20)),
        DemoMilestone(1, "重点工业园区5G、NB-IoT场景应用部署验收", "GXJ", date(2020, 12, 31),
                      date(2021, 1, 15)),
        DemoMilestone(2, "电子政务外网扩容改造完成", "DSJJ", date(2020, 12, 31),
                      date(2020, 12, 18)),
        DemoMilestone(2, "存储计算中心一期(100PB)投入使用", "DSJJ", date(2021, 12, 31),
                      date(2022, 6, 30), "打造500PB存储计算中心"),
        DemoMilestone(2, "存储计算中心二期主体工程完工", "DSJJ", date(today.year - 1, 6, 30),
                      None, "打造500PB存储计算中心"),
        DemoMilestone(2, "存储计算中心三期规划获批", "DSJJ", date(today.year + 1, 6, 30), None),
        DemoMilestone(3, "人口、法人单位等六大基础数据库建成", "DSJJ", date(2020, 9, 30),
                      date(2020, 9, 25)),
        DemoMilestone(4, "水利感知网一期站点布设完成(400个)", "SLJ", date(2021, 12, 31),
                      date(2021, 12, 20)),
        DemoMilestone(4, "综合管廊智能监测平台上线", "ZJJ", date(2022, 6, 30),
                      date(2022, 9, 15)),
        DemoMilestone(4, "地下管网实时监测覆盖中心城区", "CGJ", date(today.year - 1, 12, 31),
                      None, "逐步实现地下管网、综合管廊设施的实时监测、自动预警和智能处置"),
        DemoMilestone(5, "区块链农产品质量溯源平台上线", "NYNCJ", date(2021, 6, 30),
                      date(2021, 5, 28)),
        DemoMilestone(7, "“聊·胜一筹!”品牌电商平台上线", "SWTCJ", date(2021, 3, 31),
                      date(2021, 4, 20)),
        DemoMilestone(9, "首批示范数字经济园区认定", "DSJJ", date(2020, 12, 31),
                      date(2020, 12, 10)),
        DemoMilestone(13, "数字图书馆、数字博物馆上线运行", "WHLYJ", date(2022, 6, 30),
                      date(2022, 5, 20)),
        DemoMilestone(17, "首批数字经济项目库(50个)发布", "FGW", date(2021, 6, 30),
                      date(2021, 6, 18)),
        DemoMilestone(17, "数字经济项目库扩充至100个", "FGW", date(2022, 12, 31),
                      date(2022, 11, 30)),
        DemoMilestone(19, "“千人培训”工程年度计划印发", "RSJ", date(2020, 6, 30),
                      date(2020, 6, 12)),
    )  # fmt: skip


# (task, due day of the policy's commitment) → the day it was met
POLICY_DONE: dict[tuple[int, date], date] = {
    (1, date(2020, 12, 31)): date(2021, 6, 30),  # both 2020 commitments of task 1
    (1, date(2022, 12, 31)): date(2022, 12, 26),
    (4, date(2021, 12, 31)): date(2021, 12, 30),
    (4, date(2022, 12, 31)): date(2022, 12, 28),
    (18, date(2021, 12, 31)): date(2021, 12, 31),
}
