"""First start: departments from the seed and exactly one first admin."""

from __future__ import annotations

import pytest

from cityhub import auth
from cityhub.db import Database
from cityhub.errors import ConfigurationError

SEED_UNITS = [
    "市大数据局",
    "市工业和信息化局",
    "市交通运输局",
    "市水利局",
    "市水文局",
    "市农业农村局",
    "市商务投资促进局",
    "市发展改革委",
    "市住房城乡建设局",
    "市城管局",
    "市科技局",
    "市文化和旅游局",
    "市委网信办",
    "市自然资源和规划局",
    "市地方金融监管局",
    "聊城银保监分局",
    "市税务局",
    "人行聊城市中心支行",
    "市委组织部",
    "市财政局",
    "市人力资源社会保障局",
]


def test_every_responsible_unit_of_the_seed_is_a_department(db: Database) -> None:
    names = {d.name_zh for d in auth.list_departments(db, auth.Actor.public())}
    assert set(SEED_UNITS) <= names
    kinds = [d.kind for d in auth.list_departments(db, auth.Actor.public())]
    assert kinds.count("county") == 8 and kinds.count("zone") == 3


def test_department_codes_are_unique_and_stable() -> None:
    codes = [d.code for d in auth.DEPARTMENTS]
    assert len(codes) == len(set(codes))
    assert all(code.isascii() and code == code.upper() for code in codes)


def test_bootstrap_is_idempotent_and_generates_a_password_once(bare_db: Database) -> None:
    first = auth.bootstrap(bare_db, admin_password=None)
    assert first.admin_created and first.generated_password and len(first.generated_password) >= 16
    again = auth.bootstrap(bare_db, admin_password=None)
    assert (
        not again.admin_created
        and again.generated_password is None
        and again.departments_added == 0
    )
    user = auth.authenticate(
        bare_db,
        "admin",
        first.generated_password,
        client_address=None,
        policy=auth.LockoutPolicy(),
        channel="api",
    )
    assert user.role == "admin"


def test_short_admin_password_is_a_configuration_error(bare_db: Database) -> None:
    with pytest.raises(ConfigurationError, match="CITYHUB_ADMIN_PASSWORD"):
        auth.bootstrap(bare_db, admin_password="short")
