"""The world the permission matrix runs in: one dataset per sharing class, one user per role.

水利局 (SLJ) owns nine datasets, one for each share type × open type, each a GeoJSON layer of
gauges whose 联系人 and 电话 are personal data. 发展改革委 (FGW) holds a grant on every one of them
(a grant only matters for 有条件共享 data; holding it elsewhere must change nothing), 农业农村局
(NYNCJ) holds none. A thematic group holds all nine. Each dataset has quality rules: 临清站's
level fails a blocking rule, so each upload after the first holds its row (with the personal
values) in the quarantine, and its contact fails a warning rule, so the quality reports quote a
personal value as an example.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from datetime import timedelta
from itertools import product
from pathlib import Path

from sqlalchemy import select

from cityhub import auth, catalog, quality
from cityhub.catalog import ColumnChange, OpenType, PersonalKind, ShareType, groups
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.ingest import ingest
from cityhub.pool.service import Pool
from cityhub.quality.models import QualityReport, QuarantinedRow
from tests.conftest import ADMIN_PASSWORD, PASSWORD

OWNER = "SLJ"
GRANTED = "FGW"
OTHER = "NYNCJ"
GROUP = "flood-topic"  # a thematic group holding all nine datasets

# The personal values as stored: none may appear in an answer to anyone outside 水利局.
NAMES = ("张三丰", "李四光")
PHONES = ("13812345678", "13987654321")
SECRETS = NAMES + PHONES


@dataclass(frozen=True)
class Role:
    """A kind of caller: who they are relative to the owner department of the data."""

    key: str
    username: str | None  # None: anonymous
    department: str | None
    role: auth.Role | None

    @property
    def password(self) -> str:
        return ADMIN_PASSWORD if self.role is auth.Role.ADMIN else PASSWORD


ROLES = (
    Role("anonymous", None, None, None),
    Role("owner_analyst", "slj.analyst", OWNER, auth.Role.ANALYST),
    Role("owner_steward", "slj.steward", OWNER, auth.Role.STEWARD),
    Role("granted_analyst", "fgw.analyst", GRANTED, auth.Role.ANALYST),
    Role("other_analyst", "nyncj.analyst", OTHER, auth.Role.ANALYST),
    Role("other_steward", "nyncj.steward", OTHER, auth.Role.STEWARD),
    Role("admin", "admin", "DSJJ", auth.Role.ADMIN),
)


RULES = {
    "rules": [
        {"id": "level", "kind": "range", "column": "水位", "params": {"min": 31}, "blocking": True},
        {"id": "contact", "kind": "regex", "column": "联系人", "params": {"pattern": "^张"}},
    ]
}


@dataclass(frozen=True)
class DataClass:
    """A sharing class: the share type and open type of a dataset."""

    share: ShareType
    open: OpenType

    @property
    def dataset(self) -> str:
        return f"gauges-{self.share.value}-{self.open.value}"


@dataclass(frozen=True)
class Target:
    """What a call names: a dataset, one of its held rows and its latest quality report."""

    name: str
    uuid: str  # the id CKAN clients know it by
    held: int
    report: int


CLASSES = tuple(DataClass(share, open_) for share, open_ in product(ShareType, OpenType))


def gauges_geojson() -> str:
    """Two gauges with their contact person and phone."""
    features = [
        {
            "type": "Feature",
            "geometry": {"type": "Point", "coordinates": [115.98 + i / 10, 36.45]},
            "properties": {"站名": station, "水位": level, "联系人": name, "电话": phone},
        }
        for i, (station, level, name, phone) in enumerate(
            zip(("聊城站", "临清站"), (32.5, 30.1), NAMES, PHONES, strict=True)
        )
    ]
    return json.dumps({"type": "FeatureCollection", "features": features}, ensure_ascii=False)


def create_role_users(db: Database) -> None:
    """An account for each role but the anonymous and the admin (which every test database has)."""
    for role in ROLES:
        if role.username is None or role.department is None or role.role in (None, auth.Role.ADMIN):
            continue
        auth.create_user(
            db,
            auth.Actor.system(),
            username=role.username,
            password=PASSWORD,
            department_code=role.department,
            role=role.role,
        )


def role_tokens(db: Database) -> dict[str, str | None]:
    """An API token per role (None for the anonymous)."""
    return {
        role.key: None
        if role.username is None
        else auth.create_token(
            db,
            auth.Actor.system(),
            name="matrix",
            lifetime=timedelta(hours=1),
            username=role.username,
        ).secret
        for role in ROLES
    }


def build_world(db: Database, settings: Settings) -> dict[str, tuple[Target, Target]]:
    """The users (besides the admin) and the nine datasets.

    Returns two targets per dataset, naming different held rows: settling a row twice is a
    conflict, and two roles (the owner's steward, the admin) may settle them.
    """
    create_role_users(db)
    system = auth.Actor.system()
    path = settings.data_dir / "gauges.geojson"
    path.write_text(gauges_geojson(), encoding="utf-8")
    pool = Pool(db, settings)
    try:
        for data_class in CLASSES:
            _publish(db, pool, data_class, path)
    finally:
        pool.close()
    groups.create_group(db, system, groups.GroupSpec(GROUP, "防汛专题", department=OWNER))
    for data_class in CLASSES:
        groups.add_dataset(db, system, GROUP, data_class.dataset)
    with db.reading() as session:
        held = session.execute(select(QuarantinedRow.dataset_id, QuarantinedRow.id)).all()
        reports = session.execute(select(QualityReport.dataset_id, QualityReport.id)).all()
        names = {d.id: (d.name, d.uuid) for d in session.scalars(select(catalog.Dataset))}
    targets = {}
    for key, (name, uuid) in names.items():
        rows = sorted(row for dataset, row in held if dataset == key)
        report = max(report for dataset, report in reports if dataset == key)
        targets[name] = (Target(name, uuid, rows[0], report), Target(name, uuid, rows[1], report))
    return targets


def _publish(db: Database, pool: Pool, data_class: DataClass, path: Path) -> None:
    system = auth.Actor.system()
    name = data_class.dataset
    spec = catalog.DatasetSpec(
        name=name,
        title=f"水位站 {data_class.share.value}/{data_class.open.value}",
        department=OWNER,
        share_type=data_class.share,
        open_type=data_class.open,
        share_conditions="用于防汛会商" if data_class.share is ShareType.CONDITIONAL else "",
    )
    catalog.create_dataset(db, system, spec)
    ingest(db, system, pool.warehouse, dataset=name, path=path, file_name=path.name)
    personal = [
        ColumnChange("联系人", personal=PersonalKind.NAME),
        ColumnChange("电话", personal=PersonalKind.PHONE),
    ]
    catalog.describe_columns(db, system, name, personal)
    quality.set_rules(db, system, name, RULES)
    for _ in range(2):  # two held rows: one for each role that may settle them
        ingest(db, system, pool.warehouse, dataset=name, path=path, file_name=path.name)
    catalog.grant(db, system, name, GRANTED, "矩阵测试")
