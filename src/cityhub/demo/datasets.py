"""The demo city's datasets: catalogue entries of several departments, filled from files."""

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
from cityhub.demo import sources
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
            name="legal-entities",
            title="法人单位基本信息(演示)",
            department="SCJGJ",
            abstract="全市企业法人登记信息:统一社会信用代码、名称、法定代表人、注册资本、成立日期。演示数据。",
            resource_code="371500-SCJGJ-0001",
            resource_class=ResourceClass.LEGAL_ENTITY,
            keywords=("法人", "企业", "统一社会信用代码"),
            update_cycle=UpdateCycle.MONTHLY,
            share_type=ShareType.UNCONDITIONAL,
            open_type=OpenType.OPEN,
            security_level=SecurityLevel.PUBLIC,
            licence="CC-BY-4.0",
            contact="市市场监管局 信息科",
        ),
        sources.legal_entities_gb18030,
        {"法定代表人": PersonalKind.NAME},
    ),
    DemoDataset(
        DatasetSpec(
            name="population-sample",
            title="人口基础信息样本(演示)",
            department="GAJ",
            abstract="人口基础库样本:公民身份号码、姓名、出生日期、联系电话、户籍地址。演示数据。",
            resource_code="371500-GAJ-0001",
            resource_class=ResourceClass.POPULATION,
            keywords=("人口", "身份证"),
            update_cycle=UpdateCycle.DAILY,
            share_type=ShareType.CONDITIONAL,
            share_conditions="仅用于政务服务事项办理,需经市公安局审核",
            open_type=OpenType.CLOSED,
            security_level=SecurityLevel.SENSITIVE,
            contact="市公安局 人口管理支队",
        ),
        sources.population_utf8,
        {
            "身份证号": PersonalKind.ID_NUMBER,
            "姓名": PersonalKind.NAME,
            "手机号": PersonalKind.PHONE,
            "户籍地址": PersonalKind.ADDRESS,
        },
    ),
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
)


def seed_datasets(db: Database, data_dir: Path) -> list[str]:
    """Create and fill the demo datasets that are missing; returns the names created."""
    system = auth.Actor.system()
    folder = data_dir / "demo-sources"
    folder.mkdir(parents=True, exist_ok=True)
    warehouse = Warehouse(db, data_dir)
    created = []
    try:
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
