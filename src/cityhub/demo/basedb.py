"""The demo city's six base databases, its 有条件共享 credit records, and its thematic groups.

Each base database is created from its template (standard columns, preset quality rules) by the
department that owns it in Liaocheng, then filled from a generated file; with the quality rules in
place, the first ingest screens the file, and the deliberate faults of ``basedb_sources`` end up
in quarantine. ``legal-entities`` comes first: the credit records' reference rule checks against it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cityhub import auth
from cityhub.catalog import OpenType, SecurityLevel, ShareType, UpdateCycle, groups, templates
from cityhub.db import Database
from cityhub.demo import basedb_sources as files
from cityhub.demo import indicator_map_certificate_sources as more_files
from cityhub.errors import Conflict
from cityhub.pool.ingest import ingest
from cityhub.pool.warehouse import Warehouse


@dataclass(frozen=True)
class TemplateDemo:
    """A demo dataset made from a base-database template."""

    template: str
    name: str
    department: str
    make_source: Callable[[Path], Path]
    overrides: dict[str, Any] = field(default_factory=dict)


BASE_DATASETS = (
    TemplateDemo(
        "legal_entity",
        "legal-entities",
        "SCJGJ",
        files.legal_entities_gb18030,
        {
            "title": "法人单位基本信息(演示)",
            "abstract": "全市法人单位登记信息:统一社会信用代码、单位名称、法定代表人、注册资本、"
            "成立日期、住所。含几条有意的错误数据(校验码错误、重复、区划代码不存在),用于展示"
            "质量报告和隔离区。演示数据。",
            "resource_code": "371500-SCJGJ-0001",
            "update_cycle": UpdateCycle.MONTHLY,
            "open_type": OpenType.OPEN,
            "security_level": SecurityLevel.PUBLIC,
            "licence": "CC-BY-4.0",
            "contact": "市市场监管局 信息科",
        },
    ),
    TemplateDemo(
        "population",
        "population-sample",
        "GAJ",
        files.population_utf8,
        {
            "title": "人口基础信息样本(演示)",
            "abstract": "人口基础库样本:公民身份号码、姓名、性别、民族、出生日期、户籍地、"
            "联系电话。含两个出生日期不存在的公民身份号码。演示数据。",
            "resource_code": "371500-GAJ-0001",
            "keywords": ("人口", "身份证", "公民身份号码"),
            "share_conditions": "仅用于政务服务事项办理,需经市公安局审核",
            "contact": "市公安局 人口管理支队",
        },
    ),
    TemplateDemo(
        "public_credit",
        "public-credit-records",
        "FGW",
        files.public_credit_csv,
        {
            "title": "公共信用信息(演示)",
            "abstract": "市信用中心归集的行政许可、行政处罚和经营异常名录信息(“双公示”)。"
            "演示数据。",
            "resource_code": "371500-FGW-0001",
            "contact": "市发展改革委 市社会信用体系建设服务中心",
        },
    ),
    TemplateDemo(
        "macro_economy",
        "macro-indicators",
        "FGW",
        more_files.macro_csv,
        {
            "title": "宏观经济指标(演示)",
            "abstract": "全市和各县(市、区)2019-2022年主要经济指标,地区生产总值另有季度"
            "累计值。演示数据。",
            "resource_code": "371500-FGW-0002",
            "update_cycle": UpdateCycle.QUARTERLY,
            "licence": "CC-BY-4.0",
        },
    ),
    TemplateDemo(
        "spatial",
        "spatial-features",
        "ZRZYJ",
        more_files.spatial_geojson,
        {
            "title": "空间地理要素(演示)",
            "abstract": "政府驻地、学校、医院、主要河流、东昌湖和国道的位置(点、线、面)。"
            "演示数据。",
            "resource_code": "371500-ZRZYJ-0001",
        },
    ),
    TemplateDemo(
        "certificate",
        "e-certificates",
        "DSJJ",
        more_files.certificates_csv,
        {
            "title": "电子证照目录(演示)",
            "abstract": "营业执照、食品经营许可证和不动产权证书的电子证照目录信息。演示数据。",
            "resource_code": "371500-DSJJ-0001",
        },
    ),
    TemplateDemo(
        "public_credit",
        "market-credit-records",
        "SCJGJ",
        files.market_credit_csv,
        {
            "title": "市场主体信用记录(演示)",
            "abstract": "市市场监管局作出的行政处罚、行政许可和经营异常名录记录。有条件共享:"
            "其他部门经申请、审批后可读取批准的信息项。演示数据。",
            "resource_code": "371500-SCJGJ-0002",
            "share_type": ShareType.CONDITIONAL,
            "share_conditions": "用于本部门法定职责范围内的企业信用核查,经市市场监管局审批,"
            "可限定信息项和期限",
            "open_type": OpenType.CLOSED,
            "contact": "市市场监管局 信用监管科",
        },
    ),
)


@dataclass(frozen=True)
class DemoGroup:
    """A thematic group of the demo city and its datasets."""

    name: str
    title: str
    description: str
    department: str
    datasets: tuple[str, ...]


DEMO_GROUPS = (
    DemoGroup(
        "digital-economy",
        "数字经济专题",
        "数字基础设施、数字经济园区、工业企业和宏观经济指标,支撑“十百千”工程。",
        "DSJJ",
        (
            "5g-base-stations",
            "enterprise-broadband",
            "digital-parks",
            "industrial-enterprises",
            "macro-indicators",
        ),
    ),
    DemoGroup(
        "enterprise-services",
        "企业服务专题",
        "企业登记、信用、证照和各部门的企业名录,支撑“一企一档”和惠企政策精准推送。",
        "SCJGJ",
        (
            "legal-entities",
            "market-credit-records",
            "public-credit-records",
            "e-certificates",
            "industrial-enterprises",
            "agri-enterprises",
        ),
    ),
)


def seed_base_databases(db: Database, warehouse: Warehouse, folder: Path) -> list[str]:
    """Create and fill the template-based demo datasets that are missing; the names created."""
    system = auth.Actor.system()
    created = []
    for demo in BASE_DATASETS:
        try:
            templates.create_from_template(
                db, system, demo.template, demo.name, demo.department, **demo.overrides
            )
        except Conflict:
            continue  # seeded by an earlier run
        path = demo.make_source(folder)
        ingest(db, system, warehouse, dataset=demo.name, path=path, file_name=path.name)
        created.append(demo.name)
    return created


def seed_groups(db: Database) -> list[str]:
    """Create the demo groups that are missing and put their datasets in; the names created."""
    system = auth.Actor.system()
    created = []
    for demo in DEMO_GROUPS:
        spec = groups.GroupSpec(demo.name, demo.title, demo.description, demo.department)
        try:
            groups.create_group(db, system, spec)
            created.append(demo.name)
        except Conflict:
            pass  # seeded by an earlier run; its datasets are put in again, which is a no-op
        for dataset in demo.datasets:
            groups.add_dataset(db, system, demo.name, dataset)
    return created
