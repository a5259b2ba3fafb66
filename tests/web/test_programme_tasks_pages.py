"""The programme hub and task pages: what they show, the admin forms with CSRF, the catalogs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.programme import tasks
from cityhub.web.i18n import LANGUAGES, catalog
from tests.conftest import ADMIN_PASSWORD, PASSWORD, People
from tests.web.test_pages import csrf_of, log_in

TEMPLATES = Path(__file__).parents[2] / "src" / "cityhub" / "web" / "templates" / "programme"
LOCALES = Path(__file__).parents[2] / "src" / "cityhub" / "web" / "locales" / "programme_tasks"
LITERAL_ID = re.compile(r"""\bt\(\s*["']([a-z_.0-9-]+)["']\s*[,)]""")


@pytest.fixture
def loaded(db: Database, people: People) -> Database:
    with db.transaction() as session:
        tasks.ensure_tasks(session)
    return db


def test_the_hub_needs_a_login(client: TestClient, loaded: Database) -> None:
    response = client.get("/programme", follow_redirects=False)
    assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_hub_shows_the_policy_sections_tasks_and_links(
    client: TestClient, loaded: Database
) -> None:
    log_in(client, "slj.analyst", PASSWORD)
    page = client.get("/programme").text
    assert "聊政办字〔2020〕20号" in page and "关于支持数字经济发展的实施意见" in page
    assert "培育10个数字经济园区" in page
    for section in ("二、加强数字经济基础设施建设", "三、大力推进产业数字化", "五、保障措施"):
        assert section in page
    for number in range(1, 20):
        assert f'id="task-{number}"' in page
    assert "市交通运输局" in page  # task 1's lead
    assert "已完成 0 · 逾期 3 · 进行中 0" in page  # task 1's three policy milestones
    for path in ("/programme/targets", "/programme/warnings", "/incentives", "/cockpit"):
        assert f'href="{path}"' in page
    english = client.get("/programme?lang=en").text
    assert "Municipal Transport Bureau" in english and "0 done · 3 overdue · 0 open" in english


def test_the_task_page_for_readers_has_no_forms(client: TestClient, loaded: Database) -> None:
    log_in(client, "slj.steward", PASSWORD)
    page = client.get("/programme/tasks/4").text
    assert "天地一体化水利感知网" in page and "市水文局" in page and "SWENJ" in page
    assert "2019-01-01 – 2021-12-31" in page
    assert 'id="milestone-form"' not in page and "csrf_token" not in page.split("</header>")[-1]


def test_an_admin_adds_and_completes_a_milestone(client: TestClient, loaded: Database) -> None:
    log_in(client, "admin", ADMIN_PASSWORD)
    page = client.get("/programme/tasks/9")
    form = {"title": "首批园区认定", "owner": "DSJJ", "due_on": "2020-12-31"}
    added = client.post(
        "/programme/tasks/9/milestones",
        data=form | {"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert added.status_code == 303 and added.headers["location"] == "/programme/tasks/9"
    (milestone,) = tasks.get_task(loaded, Actor.system(), 9).milestones
    page = client.get("/programme/tasks/9")
    assert "首批园区认定" in page.text
    done = client.post(
        f"/programme/milestones/{milestone.id}/done",
        data={"number": "9", "done_on": "2020-12-20", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert done.status_code == 303
    assert tasks.get_task(loaded, Actor.system(), 9).milestones[0].done_on is not None
    settings = client.post(
        "/programme/tasks/9/settings",
        data={"report_period": "monthly", "csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert settings.status_code == 303
    assert "按月报告" in client.get("/programme/tasks/9").text


def test_a_bad_form_comes_back_with_its_error(client: TestClient, loaded: Database) -> None:
    log_in(client, "admin", ADMIN_PASSWORD)
    page = client.get("/programme/tasks/9")
    refused = client.post(
        "/programme/tasks/9/milestones",
        data={"title": "x", "owner": "DSJJ", "due_on": "31/12", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 400 and 'id="form-error"' in refused.text
    assert 'value="x"' in refused.text


def test_forms_need_the_csrf_token_and_an_admin(client: TestClient, loaded: Database) -> None:
    log_in(client, "admin", ADMIN_PASSWORD)
    forged = client.post(
        "/programme/tasks/9/milestones",
        data={"title": "x", "owner": "DSJJ", "due_on": "2021-01-01", "csrf_token": "0" * 64},
    )
    assert forged.status_code == 403
    client.cookies.clear()
    log_in(client, "slj.steward", PASSWORD)
    page = client.get("/programme/tasks/9")
    refused = client.post(
        "/programme/tasks/9/settings",
        data={"report_period": "monthly", "csrf_token": csrf_of(page.text)},
    )
    assert refused.status_code == 403
    assert tasks.get_task(loaded, Actor.system(), 9).report_period == "quarterly"


def test_an_unknown_task_is_not_found(client: TestClient, loaded: Database) -> None:
    log_in(client, "slj.analyst", PASSWORD)
    assert client.get("/programme/tasks/20").status_code == 404


OWN_TEMPLATES = [TEMPLATES / "hub.html", *sorted(TEMPLATES.glob("tasks*.html"))]


@pytest.mark.parametrize("template", OWN_TEMPLATES, ids=lambda p: p.name)
def test_templates_use_known_ids_and_no_inline_script_or_style(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert set(LITERAL_ID.findall(text)) - set(catalog("zh-CN")) == set()
    assert "<script" not in text and "style=" not in text


def test_catalogs_have_the_same_ids_and_the_nav() -> None:
    ids = [set(catalog(lang)) for lang in LANGUAGES]
    assert ids[0] == ids[1]
    own = [(LOCALES / f"{lang}.json").read_text(encoding="utf-8") for lang in LANGUAGES]
    assert '"programme.nav": "规划推进"' in own[0] and '"programme.nav": "Programme"' in own[1]
    dynamic = {f"programme.tasks.{kind}" for kind in ("period.monthly", "period.quarterly")}
    dynamic |= {f"programme.tasks.status.{s}" for s in ("done", "overdue", "open")}
    dynamic |= {f"programme.tasks.origin.{o}" for o in ("policy", "admin")}
    assert dynamic <= ids[0]
