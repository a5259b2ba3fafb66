"""The demo city's datasets: catalogue entries of several departments, filled from files.

The base databases, made from their templates, are in ``basedb``; the datasets here are the
departments' own (部门数据), described field by field.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from cityhub import auth, catalog
from cityhub.catalog import (
    ColumnChange,
    DataCategory,
    DatasetSpec,
    OpenType,
    PersonalKind,
    ResourceClass,
    SecurityLevel,
    ShareType,
    UpdateCycle,
)
from cityhub.db import Database
from cityhub.demo import linking_sources, sources
from cityhub.demo.basedb import seed_base_databases
from cityhub.errors import Conflict
from cityhub.pool.ingest import ingest
from cityhub.pool.warehouse import Warehouse


@dataclass(frozen=True)
class DemoDataset:
    """A demo dataset: its catalogue entry, its source file, and its personal columns."""

    spec: DatasetSpec
    make_source: Callable[[Path], Path]
    personal: dict[str, PersonalKind]


DEMO_DATASETS = (
    DemoDataset(
        DatasetSpec(
            name="5g-base-stations",
            title="5G基站建设情况(演示)",
            department="GXJ",
            abstract="各县(市、区)5G基站数量与覆盖率,按年份和运营商统计。演示数据。",
            resource_code="371500-GXJ-0001",
            category=DataCategory.COMMERCIAL,
            resource_class=ResourceClass.MACRO_ECONOMY,
            keywords=("5G", "基站", "信息基础设施"),
            update_cycle=UpdateCycle.YEARLY,
            share_type=ShareType.UNCONDITIONAL,
            open_type=OpenType.OPEN,
            security_level=SecurityLevel.PUBLIC,
        ),
        sources.base_stations_xlsx,
        {},
    ),
    DemoDataset(
        DatasetSpec(
            name="enterprise-broadband",
            title="企业宽带接入情况(演示)",
            department="GXJ",
            abstract="重点园区企业千兆、万兆宽带接入情况。演示数据。",
            category=DataCategory.COMMERCIAL,
            resource_class=ResourceClass.THEMATIC,
            keywords=("宽带", "千兆"),
            update_cycle=UpdateCycle.QUARTERLY,
            share_type=ShareType.UNCONDITIONAL,
            open_type=OpenType.CONDITIONAL,
        ),
        sources.broadband_tsv,
        {},
    ),
    DemoDataset(
        DatasetSpec(
            name="digital-parks",
            title="数字经济园区(演示)",
            department="DSJJ",
            abstract="“十百千”工程培育的数字经济园区及其位置、等级。演示数据。",
            resource_class=ResourceClass.SPATIAL,
            keywords=("园区", "十百千"),
            update_cycle=UpdateCycle.IRREGULAR,
            share_type=ShareType.UNCONDITIONAL,
            open_type=OpenType.OPEN,
            security_level=SecurityLevel.PUBLIC,
        ),
        sources.parks_geojson,
        {},
    ),
    DemoDataset(
        DatasetSpec(
            name="flood-control-plans",
            title="防汛预案责任人名单(演示)",
            department="SLJ",
            abstract="河道防汛责任人及联系方式,不予共享。演示数据。",
            resource_class=ResourceClass.DEPARTMENTAL,
            keywords=("防汛", "责任人"),
            update_cycle=UpdateCycle.YEARLY,
            share_type=ShareType.NONE,
            open_type=OpenType.CLOSED,
            security_level=SecurityLevel.RESTRICTED,
        ),
        sources.flood_duty_csv,
        {"责任人": PersonalKind.NAME, "手机号": PersonalKind.PHONE},
    ),
    DemoDataset(
        DatasetSpec(
            name="industrial-enterprises",
            title="规模以上工业企业名录(演示)",
            department="GXJ",
            abstract="规模以上工业企业的名称、地址、行业、从业人员和营业收入。企业名称和地址按工信局"
            "自己的写法,部分缺统一社会信用代码:与法人单位基础库比对需要记录关联。演示数据。",
            resource_code="371500-GXJ-0002",
            resource_class=ResourceClass.DEPARTMENTAL,
            keywords=("工业", "企业", "规上企业"),
            update_cycle=UpdateCycle.MONTHLY,
            share_type=ShareType.UNCONDITIONAL,
            open_type=OpenType.CLOSED,
        ),
        linking_sources.industrial_csv,
        {"法定代表人": PersonalKind.NAME},
    ),
    DemoDataset(
        DatasetSpec(
            name="agri-enterprises",
            title="农业产业化龙头企业和合作社名录(演示)",
            department="NYNCJ",
            abstract="市级、省级农业产业化龙头企业和示范合作社。代码和门牌号常为全角字符,部分缺统一"
            "社会信用代码。演示数据。",
            resource_code="371500-NYNCJ-0001",
            resource_class=ResourceClass.DEPARTMENTAL,
            keywords=("农业", "龙头企业", "合作社"),
            update_cycle=UpdateCycle.QUARTERLY,
            share_type=ShareType.UNCONDITIONAL,
            open_type=OpenType.CLOSED,
        ),
        linking_sources.agricultural_csv,
        {"负责人": PersonalKind.NAME},
    ),
)


def seed_datasets(db: Database, data_dir: Path) -> list[str]:
    """Create and fill the missing demo datasets (base databases first); the names created."""
    system = auth.Actor.system()
    folder = data_dir / "demo-sources"
    folder.mkdir(parents=True, exist_ok=True)
    warehouse = Warehouse(db, data_dir)
    created = []
    try:
        created += seed_base_databases(db, warehouse, folder)
        for demo in DEMO_DATASETS:
            try:
                catalog.create_dataset(db, system, demo.spec)
            except Conflict:
                continue  # seeded by an earlier run
            path = demo.make_source(folder)
            ingest(db, system, warehouse, dataset=demo.spec.name, path=path, file_name=path.name)
            if demo.personal:
                changes = [
                    ColumnChange(name, personal=kind) for name, kind in demo.personal.items()
                ]
                catalog.describe_columns(db, system, demo.spec.name, changes)
            created.append(demo.spec.name)
    finally:
        warehouse.close()
    return created
