"""Catalogue fixtures: a few datasets of different departments and sharing types."""

from __future__ import annotations

import pytest

from cityhub import auth, catalog
from cityhub.catalog import DatasetSpec, OpenType, ShareType, UpdateCycle
from cityhub.db import Database
from tests.conftest import People

SPECS = [
    DatasetSpec(
        name="legal-entities",
        title="法人单位基本信息",
        department="SCJGJ",
        abstract="全市企业法人登记信息,含统一社会信用代码",
        keywords=("法人", "企业"),
        resource_class=catalog.ResourceClass.LEGAL_ENTITY,
        update_cycle=UpdateCycle.MONTHLY,
        share_type=ShareType.UNCONDITIONAL,
        open_type=OpenType.OPEN,
    ),
    DatasetSpec(
        name="population-sample",
        title="人口基础信息(样本)",
        department="GAJ",
        keywords=("人口",),
        resource_class=catalog.ResourceClass.POPULATION,
        share_type=ShareType.CONDITIONAL,
        share_conditions="仅用于政务服务办理",
    ),
    DatasetSpec(
        name="water-levels",
        title="河道水位监测",
        department="SLJ",
        update_cycle=UpdateCycle.DAILY,
        share_type=ShareType.NONE,
    ),
]


@pytest.fixture
def datasets(db: Database, people: People) -> list[catalog.Dataset]:
    """Three catalogue entries: unconditional+open, conditional, not shared."""
    return [catalog.create_dataset(db, auth.Actor.system(), spec) for spec in SPECS]
