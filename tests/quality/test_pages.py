"""The quality pages: report, quarantine (htmx fix, re-admit, discard) and the rules editor."""

from __future__ import annotations

import json

import pytest
from fastapi.testclient import TestClient

from cityhub import catalog
from cityhub.pool.service import Pool
from tests.conftest import PASSWORD, People
from tests.quality.conftest import rules, upload
from tests.web.test_pages import csrf_of, log_in

TEXT = "站名,水位\n聊城站,32.5\n临清站,999\n"


@pytest.fixture
def water(pool: Pool, firms: catalog.Dataset) -> None:
    rules(
        pool.db,
        {
            "id": "level",
            "kind": "range",
            "column": "水位",
            "params": {"max": 100},
            "blocking": True,
            "description": "水位不超过 100 米",
        },
    )
    upload(pool, TEXT)


def test_steward_sees_the_report_and_runs_the_rules(
    client: TestClient, people: People, water: None
) -> None:
    log_in(client, people.steward, PASSWORD)
    page = client.get("/datasets/firms/quality")
    assert page.status_code == 200
    assert 'id="quality-score">50.0<' in page.text and "水位不超过 100 米" in page.text
    assert '<code class="example">999.0</code>' in page.text
    assert 'id="quality-run"' in page.text and "/datasets/firms/quarantine" in page.text
    ran = client.post(
        "/datasets/firms/quality/run",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert ran.status_code == 303 and "/datasets/firms/quality?report=2" in ran.headers["location"]
    again = client.get(ran.headers["location"])
    assert "按需检查" in again.text and 'id="quality-score">100.0<' in again.text
    english = client.get("/datasets/firms/quality?lang=en")
    assert "quality report" in english.text and "Check now" in english.text


def test_analyst_reads_the_report_but_not_the_quarantine(
    client: TestClient, people: People, water: None
) -> None:
    log_in(client, people.analyst, PASSWORD)
    page = client.get("/datasets/firms/quality")
    assert page.status_code == 200 and 'id="quality-run"' not in page.text
    assert client.get("/datasets/firms/quarantine").status_code == 403
    dataset = client.get("/datasets/firms")
    assert 'id="quality-link"' in dataset.text and 'id="quarantine-link"' not in dataset.text


def test_fix_with_htmx_then_readmit(client: TestClient, people: People, water: None) -> None:
    log_in(client, people.steward, PASSWORD)
    page = client.get("/datasets/firms/quarantine")
    assert page.status_code == 200 and "临清站" in page.text and 'id="row-1"' in page.text
    token = csrf_of(page.text)
    wrong = client.post(
        "/datasets/firms/quarantine/1/fix",
        data={"csrf_token": token, "v:站名": "临清站", "v:水位": "高"},
        headers={"HX-Request": "true"},
    )
    assert wrong.status_code == 200 and 'class="error fix-error"' in wrong.text
    fixed = client.post(
        "/datasets/firms/quarantine/1/fix",
        data={"csrf_token": token, "v:站名": "临清站", "v:水位": "30.5"},
        headers={"HX-Request": "true"},
    )
    assert fixed.text.lstrip().startswith('<article class="card held-row" id="row-1"')
    assert "已通过全部规则" in fixed.text
    done = client.post(
        "/datasets/firms/quarantine/action",
        data={"csrf_token": token, "action": "readmit", "ids": "1"},
        follow_redirects=False,
    )
    assert done.status_code == 303
    shown = client.get(done.headers["location"])
    assert "已重新入库 1 行,生成第 2 版" in shown.text.replace("，", ",")
    assert 'id="quarantine-empty"' in shown.text


def test_discard_needs_a_reason(client: TestClient, people: People, water: None) -> None:
    log_in(client, people.steward, PASSWORD)
    token = csrf_of(client.get("/datasets/firms/quarantine").text)
    form = {"csrf_token": token, "action": "discard", "ids": "1"}
    refused = client.post("/datasets/firms/quarantine/action", data=form | {"reason": ""})
    assert refused.status_code == 400 and 'id="quarantine-error"' in refused.text
    done = client.post(
        "/datasets/firms/quarantine/action",
        data=form | {"reason": "测站故障"},
        follow_redirects=True,
    )
    assert "已弃用 1 行" in done.text
    kept = client.get("/datasets/firms/quarantine?status=discarded")
    assert "测站故障" in kept.text


def test_rules_editor_shows_errors_inline_and_keeps_the_text(
    client: TestClient, people: People, water: None
) -> None:
    log_in(client, people.steward, PASSWORD)
    page = client.get("/datasets/firms/rules")
    assert page.status_code == 200 and "水位不超过 100 米" in page.text
    token = csrf_of(page.text)
    bad = {"rules": [{"id": "x", "kind": "regex", "column": "站名", "params": {"pattern": "("}}]}
    refused = client.post(
        "/datasets/firms/rules", data={"csrf_token": token, "ruleset": json.dumps(bad)}
    )
    assert refused.status_code == 400
    assert "<code>rules[0].params.pattern</code>" in refused.text
    assert "&#34;pattern&#34;: &#34;(&#34;" in refused.text  # the text is kept
    broken = client.post("/datasets/firms/rules", data={"csrf_token": token, "ruleset": "{"})
    assert broken.status_code == 400 and "not valid JSON" in broken.text
    good = {"rules": [{"id": "n", "kind": "not_null", "column": "站名"}]}
    saved = client.post(
        "/datasets/firms/rules",
        data={"csrf_token": token, "ruleset": json.dumps(good)},
        follow_redirects=True,
    )
    assert "已保存为规则集 2" in saved.text
    first = client.get("/datasets/firms/rules?number=1")
    assert (
        "水位不超过 100 米" in first.text and 'href="/datasets/firms/rules?number=2"' in first.text
    )


def test_others_see_rules_read_only(client: TestClient, people: People, water: None) -> None:
    log_in(client, people.other_steward, PASSWORD)
    page = client.get("/datasets/firms/rules")
    assert page.status_code == 200 and 'id="rules-form"' not in page.text
    assert '<pre class="card rules-json" id="rules-text">' in page.text


def test_quarantine_pages_through_many_rows(
    client: TestClient, pool: Pool, people: People, firms: catalog.Dataset
) -> None:
    rules(pool.db, {"id": "n", "kind": "not_null", "column": "名称", "blocking": True})
    upload(pool, "编号,名称\n" + "".join(f"{i},\n" for i in range(60)))
    log_in(client, people.steward, PASSWORD)
    first = client.get("/datasets/firms/quarantine")
    assert first.text.count('class="card held-row"') == 50 and 'rel="next"' in first.text
    second = client.get("/datasets/firms/quarantine?status=held&offset=50")
    assert second.text.count('class="card held-row"') == 10 and 'rel="prev"' in second.text
