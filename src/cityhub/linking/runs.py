"""Linking runs as a service: who may start and see them, and what a run records.

A run reads its sources under the sharing rules (``sources``), links them on an engine of its
own, DuckDB or Spark as the settings say (``engine``, ``pipeline``), with the earlier review
decisions applied, writes the link table as the output dataset's next version (``output``), and
in that version's transaction stores its figures and the pairs in its review band. A failed run
is recorded as failed with its error; nothing of it becomes visible.
"""

from __future__ import annotations

import threading
import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from cityhub import audit
from cityhub.auth import Actor, Permission, Role
from cityhub.catalog import DatasetVersion
from cityhub.db import Database, utcnow
from cityhub.errors import CityhubError, InvalidInput, NotFound, PermissionDenied
from cityhub.linking import output, pipeline
from cityhub.linking.engine import open_engine
from cityhub.linking.features import Kind
from cityhub.linking.models import LinkPair, LinkRun
from cityhub.linking.review import carried, earlier_decisions
from cityhub.linking.sources import ACTION, Source, load
from cityhub.linking.spec import LinkSpec, SourceSpec
from cityhub.pool.service import Pool

_locks: dict[str, threading.Lock] = {}
_locks_guard = threading.Lock()


def _lock(output_name: str) -> threading.Lock:
    # Two runs writing the same link table would race for its next version.
    with _locks_guard:
        return _locks.setdefault(output_name, threading.Lock())


def require_steward(db: Database, actor: Actor, action: str, object_id: str | None = None) -> None:
    """Stewards and admins only; a refusal is audited."""
    audit.require(
        db, actor, Permission.DATASETS_PUBLISH, action, object_type="link_run", object_id=object_id
    )


def _department(db: Database, actor: Actor, spec: LinkSpec) -> str:
    department = spec.department or actor.department_code
    if department is None:
        raise InvalidInput(
            "name the department that owns the link table", details={"field": "department"}
        )
    if actor.role is not Role.ADMIN and department != actor.department_code:
        audit.deny(db, actor, ACTION, object_type="dataset", object_id=spec.output)
        raise PermissionDenied(
            "stewards link into datasets of their own department only",
            details={"department": department},
        )
    return department


def _start(
    db: Database, actor: Actor, spec: LinkSpec, department: str, sources: list[Source]
) -> int:
    with db.transaction() as session:
        run = LinkRun(
            kind=spec.kind.value,
            sources=[s.record() for s in sources],
            threshold=spec.threshold,
            review_lower=spec.review_lower,
            review_upper=spec.review_upper,
            status="running",
            figures={},
            department=department,
            output_dataset=spec.output,
            created_by=actor.username,
            started_at=utcnow(),
        )
        session.add(run)
        session.flush()
        audit.record(
            session,
            actor,
            ACTION,
            object_type="link_run",
            object_id=str(run.id),
            details={
                "kind": spec.kind.value,
                "output": spec.output,
                "sources": {s.name: s.readable.version.number for s in sources},
                "unmasked": [s.name for s in sources if s.readable.masked],
            },
        )
        return run.id


def _failed(db: Database, actor: Actor, run_id: int, exc: BaseException) -> None:
    message = exc.message if isinstance(exc, CityhubError) else f"{type(exc).__name__}: {exc}"
    with db.transaction() as session:
        run = session.get(LinkRun, run_id)
        assert run is not None
        run.status, run.error, run.finished_at = "failed", message[:2000], utcnow()
        audit.record(
            session,
            actor,
            ACTION,
            object_type="link_run",
            object_id=str(run_id),
            outcome=audit.Outcome.FAILURE,
            details={"error": message[:500]},
        )


def _finish(
    session: Session,
    actor: Actor,
    run_id: int,
    version: DatasetVersion,
    outcome: pipeline.Outcome,
    sources: list[Source],
) -> None:
    """What lands with the link table's version: the run's result and its review pairs."""
    output.land_with_version(session, actor, version, sources)
    run = session.get(LinkRun, run_id)
    assert run is not None
    run.status, run.finished_at = "finished", utcnow()
    run.output_version, run.figures = version.number, outcome.figures
    decided = carried(session, run.kind, [s.name for s in sources])
    for pair in outcome.review:
        left, right = sorted((pair.left, pair.right))
        earlier = decided.get((left, right))
        session.add(
            LinkPair(
                run_id=run_id,
                left_dataset=left[0],
                left_key=left[1],
                right_dataset=right[0],
                right_key=right[1],
                match_probability=pair.match_probability,
                match_weight=pair.match_weight,
                detail=pair.detail if left == pair.left else _swapped(pair.detail),
                decision=earlier.decision if earlier else None,
                decided_by=earlier.decided_by if earlier else None,
                decided_at=earlier.decided_at if earlier else None,
            )
        )


def _swapped(detail: dict[str, object]) -> dict[str, object]:
    return detail | {"left": detail["right"], "right": detail["left"]}


def run_linking(db: Database, actor: Actor, pool: Pool, spec: LinkSpec) -> LinkRun:
    """Link the spec's sources and write the link table; stewards (own department) and admins."""
    require_steward(db, actor, ACTION, spec.output)
    department = _department(db, actor, spec)
    sources = load(pool, actor, spec.sources)
    dataset = output.prepare_dataset(db, actor, spec, department, sources)
    decisions = earlier_decisions(db, spec.kind, [s.name for s in sources])
    run_id = _start(db, actor, spec, department, sources)
    scratch = pool.settings.data_dir / "tmp" / f"linking-{run_id}-{uuid.uuid4().hex[:8]}"
    try:
        with _lock(dataset.name), open_engine(pool, scratch) as engine:
            outcome = pipeline.link(
                engine,
                [s.files(spec.kind) for s in sources],
                spec.kind,
                pipeline.Thresholds(spec.threshold, spec.review_lower, spec.review_upper),
                decisions,
            )
            staging, rows = output.write_files(pool, engine, dataset)
            output.commit(
                pool,
                actor,
                dataset,
                staging,
                rows,
                run_id,
                lambda session, version: _finish(session, actor, run_id, version, outcome, sources),
            )
    except BaseException as exc:
        _failed(db, actor, run_id, exc)
        raise
    return get_run(db, actor, run_id)


def rerun(db: Database, actor: Actor, pool: Pool, run_id: int) -> LinkRun:
    """Run an earlier run's spec again, on the sources' newest versions (unless pinned)."""
    run = get_run(db, actor, run_id)
    spec = LinkSpec(
        kind=Kind(run.kind),
        sources=[
            SourceSpec(dataset=s["dataset"], version=s.get("requested_version"), **s["columns"])
            for s in run.sources
        ],
        output=run.output_dataset,
        department=run.department,
        threshold=run.threshold,
        review_lower=run.review_lower,
        review_upper=run.review_upper,
    )
    return run_linking(db, actor, pool, spec)


def _visible(actor: Actor, run: LinkRun) -> bool:
    return actor.role is Role.ADMIN or run.department == actor.department_code


def list_runs(db: Database, actor: Actor, limit: int = 100) -> list[LinkRun]:
    """Runs newest first: a steward's department's, or all for admins."""
    require_steward(db, actor, "linking.list")
    query = select(LinkRun).order_by(LinkRun.id.desc()).limit(limit)
    if actor.role is not Role.ADMIN:
        query = query.where(LinkRun.department == actor.department_code)
    with db.reading() as session:
        return list(session.scalars(query))


def get_run(db: Database, actor: Actor, run_id: int) -> LinkRun:
    """One run, if the actor may see it (others' runs are NotFound)."""
    require_steward(db, actor, "linking.read", str(run_id))
    with db.reading() as session:
        run = session.get(LinkRun, run_id)
    if run is None or not _visible(actor, run):
        raise NotFound(f"no linking run {run_id}", details={"run": run_id})
    return run
