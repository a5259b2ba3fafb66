"""The registry pages: filters, the screening buttons for admins (CSRF), park tiers with their
explanation, masked attendee lists, talent entries, and the message catalogs."""

from __future__ import annotations

import json
import re
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from cityhub.auth import Actor
from cityhub.db import Database
from cityhub.programme import parks, projects, talent, training
from cityhub.programme.attendees import AttendeeSpec
from cityhub.programme.tiering import CRITERIA
from cityhub.web.i18n import LANGUAGES, catalog
from tests.conftest import ADMIN_PASSWORD, PASSWORD, People
from tests.programme.test_projects import SPEC, STEWARD, credit, id_no
from tests.web.test_pages import csrf_of, log_in

TEMPLATES = Path(__file__).parents[2] / "src" / "cityhub" / "web" / "templates" / "programme"
LOCALES = Path(__file__).parents[2] / "src" / "cityhub" / "web" / "locales"
LITERAL_ID = re.compile(r"""\bt\(\s*["']([a-z_.0-9-]+)["']\s*[,)]""")
ADMIN = Actor.system()


@pytest.fixture
def seeded(db: Database, people: People) -> Database:
    projects.register_project(db, STEWARD, SPEC, submitted_on=date(2020, 5, 1))
    projects.register_project(
        db, STEWARD, replace(SPEC, name="临清轴承云平台", domain="manufacturing", county="371581")
    )
    park = parks.register_park(db, ADMIN, "聊城数字经济产业园", "371502", department="DSJJ")
    parks.evaluate_park(db, ADMIN, park.id, dict(zip(CRITERIA, (95, 92, 90, 64), strict=True)))
    event = training.create_event(db, STEWARD, "数字技能培训班", date(2021, 5, 1), 16, "course")
    training.add_attendees(db, STEWARD, event.id, [AttendeeSpec("张三丰", id_no(1), "13812345678")])
    talent.add_talent(db, STEWARD, "王晓明", "provincial", "泰山产业领军人才", credit(7), 2020)
    return db


def test_the_pages_need_a_login(client: TestClient, seeded: Database) -> None:
    for path in ("/programme/projects", "/programme/parks", "/programme/training"):
        response = client.get(path, follow_redirects=False)
        assert response.status_code == 303 and response.headers["location"].startswith("/login")


def test_the_project_list_filters_and_readers_get_no_buttons(
    client: TestClient, seeded: Database
) -> None:
    log_in(client, "slj.analyst", PASSWORD)
    page = client.get("/programme/projects").text
    assert "智慧灌区数字孪生" in page and "临清轴承云平台" in page and "农业数字化" in page
    assert "/decide" not in page
    filtered = client.get("/programme/projects?domain=manufacturing&county=371581").text
    assert "临清轴承云平台" in filtered and "智慧灌区数字孪生" not in filtered
    english = client.get("/programme/projects?lang=en").text
    assert "Agricultural digitalisation" in english and "Linqing City" in english


def test_an_admin_screens_selects_and_a_bad_rejection_comes_back(
    client: TestClient, seeded: Database
) -> None:
    log_in(client, "admin", ADMIN_PASSWORD)
    page = client.get("/programme/projects").text
    assert 'action="/programme/projects/1/decide"' in page
    token = csrf_of(page)
    screened = client.post(
        "/programme/projects/1/decide", data={"to": "screened", "csrf_token": token}
    )
    assert screened.status_code == 200 and 'id="project-screening">已初审' in screened.text
    refused = client.post(
        "/programme/projects/1/decide", data={"to": "rejected", "reason": "", "csrf_token": token}
    )
    assert refused.status_code == 400 and 'id="form-error"' in refused.text
    conflict = client.post(
        "/programme/projects/2/decide", data={"to": "selected", "csrf_token": token}
    )
    assert conflict.status_code == 400
    rejected = client.post(
        "/programme/projects/1/decide",
        data={"to": "rejected", "reason": "材料不全", "csrf_token": token},
    )
    assert "材料不全" in rejected.text and "已初审 → 未通过" in rejected.text


def test_decisions_need_the_csrf_token_and_an_admin(client: TestClient, seeded: Database) -> None:
    log_in(client, "slj.steward", PASSWORD)
    token = csrf_of(client.get("/login").text)
    assert (
        client.post(
            "/programme/projects/1/decide", data={"to": "screened", "csrf_token": token}
        ).status_code
        == 403
    )
    log_in(client, "admin", ADMIN_PASSWORD)
    bad = client.post(
        "/programme/projects/1/decide", data={"to": "screened", "csrf_token": "0" * 64}
    )
    assert bad.status_code in (400, 403)


def test_the_parks_page_shows_scores_tier_and_why(client: TestClient, seeded: Database) -> None:
    log_in(client, "slj.analyst", PASSWORD)
    page = client.get("/programme/parks").text
    assert "成长型" in page and "发展环境 64 分" in page and 'data-tier="growth"' in page
    assert "development environment 64" in client.get("/programme/parks?lang=en").text


def test_attendees_are_masked_outside_the_organiser(client: TestClient, seeded: Database) -> None:
    log_in(client, "nyncj.steward", PASSWORD)
    listing = client.get("/programme/training").text
    assert "数字技能培训班" in listing and 'id="training-summary"' in listing
    masked = client.get("/programme/training/1").text
    assert "张**" in masked and "138****5678" in masked and "张三丰" not in masked
    assert 'id="masked-note"' in masked
    log_in(client, "slj.analyst", PASSWORD)
    own = client.get("/programme/training/1").text
    assert "张三丰" in own and id_no(1) in own


def test_the_talent_page_filters_by_level(client: TestClient, seeded: Database) -> None:
    log_in(client, "slj.analyst", PASSWORD)
    assert "王晓明" in client.get("/programme/talent").text
    assert "王晓明" not in client.get("/programme/talent?level=municipal").text


OWN_TEMPLATES = sorted(
    p
    for stem in ("projects", "parks", "training", "talent")
    for p in TEMPLATES.glob(f"{stem}*.html")
)


@pytest.mark.parametrize("template", OWN_TEMPLATES, ids=lambda p: p.name)
def test_templates_use_known_ids_and_no_inline_script_or_style(template: Path) -> None:
    text = template.read_text(encoding="utf-8")
    assert set(LITERAL_ID.findall(text)) - set(catalog("zh-CN")) == set()
    assert "<script" not in text and "style=" not in text


def test_the_catalogs_have_the_same_ids_and_the_dynamic_ones() -> None:
    own = [
        set(json.loads((LOCALES / "programme_registries" / f"{lang}.json").read_text("utf-8")))
        for lang in LANGUAGES
    ]
    assert own[0] == own[1] and all(i.startswith("programme.registries.") for i in own[0])
    dynamic = {f"programme.registries.screening.{s}" for s in projects.SCREENING}
    dynamic |= {f"programme.registries.to.{s}" for s in ("screened", "selected", "rejected")}
    dynamic |= {f"programme.registries.domain.{d}" for d in projects.DOMAINS}
    dynamic |= {f"programme.registries.kind.{k}" for k in projects.KINDS}
    dynamic |= {f"programme.registries.status.{s}" for s in projects.STATUSES}
    dynamic |= {f"programme.registries.criterion.{c}" for c in CRITERIA}
    dynamic |= {f"programme.registries.event_kind.{k}" for k in training.EVENT_KINDS}
    dynamic |= {f"programme.registries.level.{lv}" for lv in talent.LEVELS}
    assert dynamic <= own[0]
