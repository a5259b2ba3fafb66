"""The demo city's governance scenes: a derived dataset, a linking run and a sharing request.

Each runs as the demo user who would do it in the city, through the same services the web and the
CLI call, and only when its result is not there yet.
"""

from __future__ import annotations

from sqlalchemy import select

from cityhub import auth, derived, sharing
from cityhub.auth.models import User
from cityhub.catalog.models import Dataset
from cityhub.db import Database
from cityhub.linking.runs import run_linking
from cityhub.linking.spec import LinkSpec
from cityhub.pool.service import Pool

CREDIT_SUMMARY = "enterprise-credit-summary"
ENTERPRISE_LINKS = "enterprise-links"
REQUESTED = "market-credit-records"

# 市场监管局 joins its own register with 发展改革委's public credit records (two departments).
CREDIT_SUMMARY_SQL = """
SELECT l."统一社会信用代码", l."单位名称", l."住所行政区划代码",
       count(c."信用记录编号") AS "信用记录数",
       coalesce(sum(c."罚款金额"), 0) AS "罚款合计"
FROM "legal-entities" AS l
LEFT JOIN "public-credit-records" AS c ON c."统一社会信用代码" = l."统一社会信用代码"
GROUP BY ALL
"""

LINK_SPEC = {
    "kind": "legal_entity",
    "output": ENTERPRISE_LINKS,
    "title": "企业主体关联(演示)",
    "department": "DSJJ",
    "sources": [
        {
            "dataset": "legal-entities",
            "key": "统一社会信用代码",
            "name": "单位名称",
            "address": "住所",
            "legal_rep": "法定代表人",
            "phone": "联系电话",
            "credit_code": "统一社会信用代码",
        },
        {
            "dataset": "industrial-enterprises",
            "name": "企业名称",
            "address": "企业地址",
            "legal_rep": "法定代表人",
            "phone": "联系电话",
            "credit_code": "统一社会信用代码",
        },
        {
            "dataset": "agri-enterprises",
            "name": "主体名称",
            "address": "地址",
            "legal_rep": "负责人",
            "phone": "联系电话",
            "credit_code": "统一社会信用代码",
        },
    ],
}


def _actor(db: Database, username: str) -> auth.Actor:
    with db.reading() as session:
        user = session.scalar(select(User).where(User.username == username))
        assert user is not None, f"demo user {username} is seeded first"
        return auth.actor_of(user, "local")


def _exists(db: Database, name: str) -> bool:
    with db.reading() as session:
        return session.scalar(select(Dataset.id).where(Dataset.name == name)) is not None


def seed_governance(db: Database, pool: Pool) -> list[str]:
    """Add the scenes that are missing; returns what was added."""
    added: list[str] = []
    if not _exists(db, CREDIT_SUMMARY):
        derived.define(
            db,
            _actor(db, "scjgj.steward"),
            pool,
            derived.DerivedSpec(
                name=CREDIT_SUMMARY,
                title="企业信用记录汇总(演示)",
                abstract="市场监管局法人库与发展改革委公共信用信息按统一社会信用代码关联汇总。演示数据。",
                sql=CREDIT_SUMMARY_SQL,
                schedule=derived.Schedule.DAILY,
            ),
        )
        added.append(CREDIT_SUMMARY)
    if not _exists(db, ENTERPRISE_LINKS):
        run_linking(db, _actor(db, "dsjj.operator"), pool, LinkSpec.model_validate(LINK_SPEC))
        added.append(ENTERPRISE_LINKS)
    fgw = _actor(db, "fgw.analyst")
    outbox = sharing.list_requests(db, fgw, box="outbox")
    if not any(r.dataset == REQUESTED for r in outbox):
        sharing.request_access(
            db,
            fgw,
            REQUESTED,
            purpose="社会信用体系建设年度评估,核查市场主体信用记录的归集完整性(演示)",
            days=90,
        )
        added.append(f"sharing request {REQUESTED} by FGW")
    return added
