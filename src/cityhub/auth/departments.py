"""Departments: the responsible units named in the seed policy, and reading them."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub.auth.actor import Actor, Permission
from cityhub.auth.models import Department
from cityhub.db import Database
from cityhub.errors import NotFound


class DepartmentKind(StrEnum):
    """What sort of unit a department is."""

    CITY = "city"  # a municipal department or bureau (市直部门)
    COUNTY = "county"  # a county-level government (县市区人民政府)
    ZONE = "zone"  # a development zone management committee (市属开发区管委会)
    EXTERNAL = "external"  # a unit outside the city government: central agencies, operators


@dataclass(frozen=True)
class DepartmentSpec:
    """One unit of the reference list; ``code`` is stable and never reused."""

    code: str
    name_zh: str
    name_en: str
    kind: DepartmentKind


_C, _K, _Z, _X = (
    DepartmentKind.CITY,
    DepartmentKind.COUNTY,
    DepartmentKind.ZONE,
    DepartmentKind.EXTERNAL,
)

# The responsible units (责任单位) of 聊政办字〔2020〕20号, plus the owners of the base databases
# (公安局: population; 市场监管局: legal entities). City units use pinyin initials, counties their
# GB/T 2260 code, zones a ZONE- prefix; codes are stable identifiers, names may change.
DEPARTMENTS: tuple[DepartmentSpec, ...] = (
    DepartmentSpec("DSJJ", "市大数据局", "Municipal Big Data Bureau", _C),
    DepartmentSpec("GXJ", "市工业和信息化局", "Municipal Bureau of Industry and IT", _C),
    DepartmentSpec("JTYSJ", "市交通运输局", "Municipal Transport Bureau", _C),
    DepartmentSpec("SLJ", "市水利局", "Municipal Water Resources Bureau", _C),
    DepartmentSpec("SWENJ", "市水文局", "Municipal Hydrology Bureau", _C),
    DepartmentSpec(
        "NYNCJ", "市农业农村局", "Municipal Bureau of Agriculture and Rural Affairs", _C
    ),
    DepartmentSpec(
        "SWTCJ", "市商务投资促进局", "Municipal Commerce and Investment Promotion Bureau", _C
    ),
    DepartmentSpec("FGW", "市发展改革委", "Municipal Development and Reform Commission", _C),
    DepartmentSpec(
        "ZJJ", "市住房城乡建设局", "Municipal Housing and Urban-Rural Development Bureau", _C
    ),
    DepartmentSpec("CGJ", "市城管局", "Municipal Urban Management Bureau", _C),
    DepartmentSpec("KJJ", "市科技局", "Municipal Science and Technology Bureau", _C),
    DepartmentSpec("WHLYJ", "市文化和旅游局", "Municipal Culture and Tourism Bureau", _C),
    DepartmentSpec(
        "WXB", "市委网信办", "Cyberspace Affairs Office of the CPC Municipal Committee", _C
    ),
    DepartmentSpec(
        "ZRZYJ", "市自然资源和规划局", "Municipal Natural Resources and Planning Bureau", _C
    ),
    DepartmentSpec("JRJGJ", "市地方金融监管局", "Municipal Local Financial Supervision Bureau", _C),
    DepartmentSpec(
        "ZZB", "市委组织部", "Organisation Department of the CPC Municipal Committee", _C
    ),
    DepartmentSpec("CZJ", "市财政局", "Municipal Finance Bureau", _C),
    DepartmentSpec(
        "RSJ", "市人力资源社会保障局", "Municipal Human Resources and Social Security Bureau", _C
    ),
    DepartmentSpec("SCJGJ", "市市场监管局", "Municipal Market Supervision Administration", _C),
    DepartmentSpec("GAJ", "市公安局", "Municipal Public Security Bureau", _C),
    DepartmentSpec("GOV-371502", "东昌府区人民政府", "Dongchangfu District Government", _K),
    DepartmentSpec("GOV-371503", "茌平区人民政府", "Chiping District Government", _K),
    DepartmentSpec("GOV-371521", "阳谷县人民政府", "Yanggu County Government", _K),
    DepartmentSpec("GOV-371522", "莘县人民政府", "Shen County Government", _K),
    DepartmentSpec("GOV-371524", "东阿县人民政府", "Dong'e County Government", _K),
    DepartmentSpec("GOV-371525", "冠县人民政府", "Guan County Government", _K),
    DepartmentSpec("GOV-371526", "高唐县人民政府", "Gaotang County Government", _K),
    DepartmentSpec("GOV-371581", "临清市人民政府", "Linqing City Government", _K),
    DepartmentSpec(
        "ZONE-JKQ",
        "聊城经济技术开发区管委会",
        "Liaocheng Economic and Technological Development Zone",
        _Z,
    ),
    DepartmentSpec(
        "ZONE-GXQ",
        "聊城高新技术产业开发区管委会",
        "Liaocheng High-tech Industrial Development Zone",
        _Z,
    ),
    DepartmentSpec("ZONE-DJQ", "江北水城旅游度假区管委会", "Jiangbei Shuicheng Tourist Resort", _Z),
    DepartmentSpec(
        "YBJFJ", "聊城银保监分局", "Liaocheng Banking and Insurance Regulatory Branch", _X
    ),
    DepartmentSpec("SWUJ", "市税务局", "Liaocheng Municipal Taxation Bureau", _X),
    DepartmentSpec(
        "RMYH", "人行聊城市中心支行", "People's Bank of China, Liaocheng Central Sub-branch", _X
    ),
    DepartmentSpec("OP-CT", "中国电信聊城分公司", "China Telecom Liaocheng Branch", _X),
    DepartmentSpec("OP-CM", "中国移动聊城分公司", "China Mobile Liaocheng Branch", _X),
    DepartmentSpec("OP-CU", "中国联通聊城分公司", "China Unicom Liaocheng Branch", _X),
)

BIG_DATA_BUREAU = "DSJJ"


def ensure_departments(session: Session) -> int:
    """Add the missing reference departments and refresh names; returns how many were added."""
    existing = {d.code: d for d in session.scalars(select(Department))}
    added = 0
    for spec in DEPARTMENTS:
        row = existing.get(spec.code)
        if row is None:
            session.add(
                Department(
                    code=spec.code, name_zh=spec.name_zh, name_en=spec.name_en, kind=spec.kind
                )
            )
            added += 1
        else:
            row.name_zh, row.name_en, row.kind = spec.name_zh, spec.name_en, spec.kind
    return added


def list_departments(db: Database, actor: Actor) -> list[Department]:
    """Every department, in reference order (city units, counties, zones, others)."""
    actor.require(Permission.DEPARTMENTS_READ)
    order = {spec.code: index for index, spec in enumerate(DEPARTMENTS)}
    with db.reading() as session:
        rows = list(session.scalars(select(Department)))
    return sorted(rows, key=lambda d: (order.get(d.code, len(order)), d.code))


def department_by_code(session: Session, code: str) -> Department:
    """The department with ``code``; raises NotFound naming the code."""
    row = session.scalar(select(Department).where(Department.code == code))
    if row is None:
        raise NotFound(f"no department with code {code!r}", details={"department": code})
    return row
