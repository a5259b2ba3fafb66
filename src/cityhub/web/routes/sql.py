"""``POST /api/sql``: one SELECT over the datasets the caller may read, in the sandbox."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool

from cityhub.pool.service import run_sql
from cityhub.web.catalog_schemas import SqlRequest, SqlResult
from cityhub.web.deps import ApiActor, PoolDep
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api", tags=["sql"], responses=ERROR_RESPONSES)


@router.post("/sql")
async def query_sql(body: SqlRequest, pool: PoolDep, actor: ApiActor) -> SqlResult:
    """Run a SELECT; tables are dataset names. Time limit, row cap and masking apply."""
    results = await run_in_threadpool(run_sql, pool, actor, body.sql)
    return SqlResult(
        columns=results.columns, rows=[list(r) for r in results.rows], truncated=results.truncated
    )
