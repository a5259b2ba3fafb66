"""Linking runs end to end: the same enterprise written three ways, the link table, refusals."""

from __future__ import annotations

from typing import Any

import pytest

from cityhub import audit, auth, catalog, linking
from cityhub.auth import Actor
from cityhub.catalog import ShareType
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from cityhub.linking import LinkSpec
from cityhub.linking.synthetic import KnownTruth
from cityhub.pool.service import Pool, read_rows
from cityhub.query.rows import RowQuery
from tests.conftest import PASSWORD
from tests.linking.conftest import BRANCH_CODE, FIELDS, PARENT, Stewards, actor_of

THREE = ("scjgj-enterprises", "swuj-taxpayers", "gxj-industry")
COLUMNS = ["source_dataset", "source_key", "cluster_id", "match_probability", "linked_by"]


def spec(
    output: str = "enterprise-links",
    *,
    sources: tuple[str, ...] = THREE,
    personal: bool = True,
    **more: Any,
) -> LinkSpec:
    fields = {k: v for k, v in FIELDS.items() if personal or k not in {"legal_rep", "phone"}}
    return LinkSpec.parse(
        {"output": output, "sources": [{"dataset": n, **fields} for n in sources], **more}
    )


def admin_of(db: Database) -> Actor:
    return actor_of(db, "admin")


def links_of(pool: Pool, name: str = "enterprise-links") -> dict[tuple[str, str], dict[str, Any]]:
    page = read_rows(pool, admin_of(pool.db), name, RowQuery(limit=10_000))
    records = [dict(zip(page.columns, row, strict=True)) for row in page.rows]
    return {(r["source_dataset"], r["source_key"]): r for r in records}


def test_one_enterprise_written_three_ways_is_one_cluster(
    db: Database, pool: Pool, three_ways: KnownTruth
) -> None:
    run = linking.run_linking(db, admin_of(db), pool, spec())
    assert (run.status, run.output_version, run.department) == ("finished", 1, "DSJJ")
    links = links_of(pool)
    showcase = [("scjgj-enterprises", "SC-LUXI"), ("swuj-taxpayers", "SW-LUXI"),
                ("gxj-industry", "GX-LUXI")]  # fmt: skip
    assert {links[r]["cluster_id"] for r in showcase} == {PARENT}  # named by its credit code
    assert {r: links[r]["linked_by"] for r in showcase[1:]} == dict.fromkeys(
        showcase[1:], "probabilistic"
    )
    assert min(links[r]["match_probability"] for r in showcase) >= 0.9
    # 临清分公司 is an entity of its own, though its name only adds a branch suffix.
    branch = [("scjgj-enterprises", "SC-LUXI-LQ"), ("swuj-taxpayers", "SW-LUXI-LQ")]
    assert {links[r]["cluster_id"] for r in branch} == {BRANCH_CODE}
    alone = [r for r in links.values() if r["linked_by"] is None]
    assert alone and all(r["match_probability"] is None for r in alone)
    assert run.figures["clusters"] == len({r["cluster_id"] for r in links.values()})
    versions = catalog.list_versions(db, admin_of(db), "enterprise-links")
    assert [c["name"] for c in versions[0].schema] == COLUMNS
    assert versions[0].row_count == len(links) == sum(run.figures["records"].values())


def test_a_rerun_is_a_new_version_with_decisions_and_the_sources_ceiling(
    db: Database, pool: Pool, three_ways: KnownTruth
) -> None:
    admin = admin_of(db)
    catalog.update_dataset(db, admin, "swuj-taxpayers", catalog.DatasetPatch(
        share_type=ShareType.CONDITIONAL, share_conditions="仅用于税收征管"))  # fmt: skip
    catalog.grant(db, admin, "swuj-taxpayers", "DSJJ")
    two = ("scjgj-enterprises", "swuj-taxpayers")
    first = linking.run_linking(db, admin, pool, spec(sources=two, review_upper=1.0))
    pairs = linking.pairs_for_review(db, admin, first.id)
    assert len(pairs) == first.figures["review_band"] > 0
    apart, together = pairs[0], pairs[-1]
    linking.decide(db, admin, apart.id, "different")
    linking.decide(db, admin, together.id, "same")
    again = linking.rerun(db, admin, pool, first.id)
    assert (first.output_version, again.output_version) == (1, 2)
    assert again.figures["decisions_applied"] == 2
    carried = {p.left_key: p.decision for p in linking.pairs_for_review(db, admin, again.id)}
    assert carried[apart.left_key] == "different"
    links = links_of(pool)
    assert (
        links[(apart.left_dataset, apart.left_key)]["cluster_id"]
        != links[(apart.right_dataset, apart.right_key)]["cluster_id"]
    )
    with db.reading() as session:
        dataset = catalog.dataset_by_name(session, "enterprise-links")
    assert dataset.share_type == ShareType.CONDITIONAL.value
    assert "仅用于税收征管" in dataset.share_conditions
    decided = audit.list_events(db, admin, audit.AuditFilter(action="linking.decide"))
    assert len(decided.events) == 2


def _masked(value: str | None) -> bool:
    return value is None or "*" in value


def test_reviewers_outside_the_owner_see_personal_values_masked(
    db: Database, pool: Pool, three_ways: KnownTruth
) -> None:
    admin = admin_of(db)
    auth.create_user(db, admin, username="dsjj.steward", password=PASSWORD,
                     department_code="DSJJ", role=auth.Role.STEWARD)  # fmt: skip
    run = linking.run_linking(db, admin, pool, spec(review_upper=1.0))
    clear = linking.pairs_for_review(db, admin, run.id)
    seen = linking.pairs_for_review(db, actor_of(db, "dsjj.steward"), run.id)
    assert clear and len(seen) == len(clear)
    for shown, raw in zip(seen, clear, strict=True):
        for side in ("left", "right"):
            assert _masked(shown.detail[side]["rep"]) and _masked(shown.detail[side]["phone"])
            assert shown.detail[side]["name"] == raw.detail[side]["name"]  # not personal
        assert not _masked(raw.detail["left"]["phone"])


def test_a_steward_links_on_columns_that_are_not_personal(
    db: Database, pool: Pool, three_ways: KnownTruth, stewards: Stewards
) -> None:
    run = linking.run_linking(db, stewards.gxj, pool, spec(personal=False))
    assert run.department == "GXJ"
    assert links_of(pool)[("gxj-industry", "GX-LUXI")]["cluster_id"] == PARENT
    assert [r.id for r in linking.list_runs(db, stewards.gxj)] == [run.id]
    assert linking.list_runs(db, stewards.scjgj) == []
    with pytest.raises(NotFound):
        linking.get_run(db, stewards.scjgj, run.id)
    with pytest.raises(NotFound):
        linking.pairs_for_review(db, stewards.scjgj, run.id)


def test_personal_columns_of_another_department_are_refused_and_audited(
    db: Database, pool: Pool, three_ways: KnownTruth, stewards: Stewards
) -> None:
    with pytest.raises(PermissionDenied) as refused:
        linking.run_linking(db, stewards.gxj, pool, spec())
    assert refused.value.details == {
        "dataset": "scjgj-enterprises", "columns": ["法定代表人", "联系电话"]
    }  # fmt: skip
    denied = audit.list_events(
        db, admin_of(db), audit.AuditFilter(action="linking.run", outcome=audit.Outcome.DENIED)
    )
    assert [e.actor for e in denied.events] == ["gxj.steward"]
    assert linking.list_runs(db, admin_of(db)) == []


def test_who_may_not_link(
    db: Database, pool: Pool, three_ways: KnownTruth, stewards: Stewards
) -> None:
    plain = spec(personal=False)
    with pytest.raises(PermissionDenied):
        linking.run_linking(db, stewards.gxj_analyst, pool, plain)
    with pytest.raises(PermissionDenied):
        linking.list_runs(db, stewards.gxj_analyst)
    with pytest.raises(PermissionDenied, match="own department"):
        linking.run_linking(db, stewards.gxj, pool, spec(personal=False, department="SCJGJ"))
    with pytest.raises(Conflict, match="not a link table"):
        linking.run_linking(db, stewards.scjgj, pool, spec("scjgj-enterprises", personal=False,
                                                           sources=THREE[1:]))  # fmt: skip
    catalog.update_dataset(
        db, admin_of(db), "swuj-taxpayers", catalog.DatasetPatch(share_type=ShareType.NONE)
    )
    with pytest.raises(PermissionDenied, match="not shared"):
        linking.run_linking(db, stewards.gxj, pool, plain)


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"threshold": 0.3}, "spec"),
        ({"output": "Bad Name"}, "spec"),
        ({"sources": []}, "sources"),
        ({"kind": "company"}, "kind"),
    ],
)
def test_a_wrong_spec_names_the_field(change: dict[str, Any], field: str) -> None:
    raw = {"output": "links", "sources": [{"dataset": "a", "key": "k", "name": "n"}]} | change
    with pytest.raises(InvalidInput) as wrong:
        LinkSpec.parse(raw)
    assert wrong.value.details["field"] == field


def test_a_missing_column_is_named(db: Database, pool: Pool, three_ways: KnownTruth) -> None:
    wrong = spec().model_copy(
        update={"sources": [spec().sources[0].model_copy(update={"phone": "电话"})]}
    )
    with pytest.raises(InvalidInput, match="no column '电话'"):
        linking.run_linking(db, admin_of(db), pool, wrong)


def test_a_failed_run_is_recorded_as_failed(
    db: Database, pool: Pool, three_ways: KnownTruth, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(linking.pipeline, "link", broken)
    admin = admin_of(db)
    with pytest.raises(RuntimeError):
        linking.run_linking(db, admin, pool, spec())
    (run,) = linking.list_runs(db, admin)
    assert (run.status, run.error, run.output_version) == (
        "failed",
        "RuntimeError: disk full",
        None,
    )
    failures = audit.list_events(
        db, admin, audit.AuditFilter(action="linking.run", outcome=audit.Outcome.FAILURE)
    )
    assert len(failures.events) == 1
    assert catalog.list_versions(db, admin, "enterprise-links") == []
