"""Demo users: one or more per role, in the departments the later modules will use."""

from __future__ import annotations

from dataclasses import dataclass

from cityhub import auth
from cityhub.db import Database
from cityhub.errors import Conflict

# Demo accounts share one documented password; it is demo data and says so.
DEMO_PASSWORD = "demo-liaocheng-2020"


@dataclass(frozen=True)
class DemoUser:
    """A demo account."""

    username: str
    display_name: str
    department: str
    role: auth.Role


DEMO_USERS: tuple[DemoUser, ...] = (
    DemoUser("dsjj.operator", "大数据局运维(演示)", "DSJJ", auth.Role.ADMIN),
    DemoUser("slj.steward", "水利局数据管理员(演示)", "SLJ", auth.Role.STEWARD),
    DemoUser("nyncj.steward", "农业农村局数据管理员(演示)", "NYNCJ", auth.Role.STEWARD),
    DemoUser("scjgj.steward", "市场监管局数据管理员(演示)", "SCJGJ", auth.Role.STEWARD),
    DemoUser("gaj.steward", "公安局数据管理员(演示)", "GAJ", auth.Role.STEWARD),
    DemoUser("swenj.analyst", "水文局分析员(演示)", "SWENJ", auth.Role.ANALYST),
    DemoUser("fgw.analyst", "发展改革委分析员(演示)", "FGW", auth.Role.ANALYST),
    DemoUser("nyncj.analyst", "农业农村局分析员(演示)", "NYNCJ", auth.Role.ANALYST),
    DemoUser("zjj.steward", "住建局管廊管理员(演示)", "ZJJ", auth.Role.STEWARD),
    DemoUser("slj.station", "水利局测站网关(演示)", "SLJ", auth.Role.STATION),
    DemoUser("zjj.station", "管廊监测网关(演示)", "ZJJ", auth.Role.STATION),
    # Programme office: the leading group's viewer and units that report progress.
    DemoUser("ldxz.viewer", "数字聊城建设领导小组(演示)", "DSJJ", auth.Role.ANALYST),
    DemoUser("dsjj.steward", "大数据局规划推进专员(演示)", "DSJJ", auth.Role.STEWARD),
    DemoUser("gxj.steward", "工业和信息化局数据管理员(演示)", "GXJ", auth.Role.STEWARD),
    DemoUser("op-cu.steward", "联通聊城分公司联络员(演示)", "OP-CU", auth.Role.STEWARD),
    DemoUser("gov-371522.steward", "莘县政府数据管理员(演示)", "GOV-371522", auth.Role.STEWARD),
    DemoUser("rsj.steward", "人社局数据管理员(演示)", "RSJ", auth.Role.STEWARD),
    DemoUser("swuj.steward", "税务局数据管理员(演示)", "SWUJ", auth.Role.STEWARD),
    # Traceability: enterprise accounts that record events for one actor each (linked to it by
    # ``demo.trace_actors``); the department is the one supervising the enterprise.
    DemoUser("ejiao.recorder", "胶源堂阿胶 追溯记录员(演示)", "SCJGJ", auth.Role.RECORDER),
    DemoUser("pear.recorder", "清泉梨园合作社 追溯记录员(演示)", "NYNCJ", auth.Role.RECORDER),
    DemoUser("veg.recorder", "绿圃蔬菜合作社 追溯记录员(演示)", "NYNCJ", auth.Role.RECORDER),
    DemoUser("market.recorder", "湖西农产品批发市场 追溯记录员(演示)", "SCJGJ", auth.Role.RECORDER),
)


def seed_accounts(db: Database) -> list[DemoUser]:
    """Create the demo users that are missing; returns those created."""
    created = []
    for demo in DEMO_USERS:
        try:
            auth.create_user(
                db,
                auth.Actor.system(),
                username=demo.username,
                password=DEMO_PASSWORD,
                department_code=demo.department,
                role=demo.role,
                display_name=demo.display_name,
            )
        except Conflict:
            continue  # seeded by an earlier run
        created.append(demo)
    return created
