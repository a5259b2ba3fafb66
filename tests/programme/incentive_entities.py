"""A legal-entity base database for the incentive tests, made from the catalogue template.

``make_entities`` creates ``legal-entities`` (市场监管局) from the ``legal_entity`` template and
ingests ``ENTITIES`` (plus any extra rows) through the real ingest, so the quality rules, the
catalogue and the pool engine all take part.
"""

from __future__ import annotations

import csv
import random
from contextlib import closing
from pathlib import Path
from typing import Any

from cityhub import auth
from cityhub.catalog import OpenType, templates
from cityhub.db import Database
from cityhub.demo.city import credit_code
from cityhub.pool.ingest import IngestMode, ingest
from cityhub.pool.warehouse import Warehouse

SYSTEM = auth.Actor.system()
_rng = random.Random(7)
DIGITAL = credit_code(_rng, "371502", "91")  # software development, 存续
FACTORY = credit_code(_rng, "371502", "91")  # textile mill: not digital
GONE = credit_code(_rng, "371521", "91")  # software, 注销
REVOKED = credit_code(_rng, "371521", "91")  # internet access, 吊销
COARSE = credit_code(_rng, "371522", "91")  # industry code "I" only
CHIPS = credit_code(_rng, "371581", "91")  # integrated circuits (C3973), 在业
UNKNOWN = credit_code(_rng, "371502", "91")  # valid, but not in the base database

HEADER = [
    "统一社会信用代码",
    "单位名称",
    "单位类型",
    "成立日期",
    "住所行政区划代码",
    "行业代码",
    "登记状态",
]
ENTITIES = [
    [DIGITAL, "聊城数智软件有限公司", "企业", "2016-05-01", "371502", "I6513", "存续"],
    [FACTORY, "聊城棉纺织有限公司", "企业", "2001-03-09", "371502", "C1711", "存续"],
    [GONE, "东阿旧软件有限公司", "企业", "2012-01-10", "371521", "I6513", "注销"],
    [REVOKED, "东阿宽带接入有限公司", "企业", "2014-07-07", "371521", "I6410", "吊销"],
    [COARSE, "阳谷信息有限公司", "企业", "2018-09-09", "371522", "I", "在业"],
    [CHIPS, "临清芯片有限公司", "企业", "2019-02-02", "371581", "C3973", "在业"],
]


def write_csv(folder: Path, rows: list[list[str]]) -> Path:
    """The rows as a UTF-8 CSV with the template's header."""
    path = folder / "法人单位.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        out = csv.writer(handle)
        out.writerow(HEADER)
        out.writerows(rows)
    return path


def make_entities(
    db: Database,
    data_dir: Path,
    folder: Path,
    extra: list[list[str]] | None = None,
    *,
    open_to_public: bool = False,
    name: str = "legal-entities",
) -> int:
    """Create the dataset from the template and ingest the rows; the version number."""
    overrides: dict[str, Any] = {"open_type": OpenType.OPEN} if open_to_public else {}
    templates.create_from_template(db, SYSTEM, "legal_entity", name, "SCJGJ", **overrides)
    return load(db, data_dir, folder, ENTITIES + (extra or []), name=name)


def load(db: Database, data_dir: Path, folder: Path, rows: list[list[str]], *, name: str) -> int:
    """A new (replacing) version of dataset ``name`` holding ``rows``."""
    with closing(Warehouse(db, data_dir)) as warehouse:
        result = ingest(
            db,
            SYSTEM,
            warehouse,
            dataset=name,
            path=write_csv(folder, rows),
            file_name="法人单位.csv",
            mode=IngestMode.REPLACE,
        )
    return result.version
