"""The sharing pages: 申请共享 on the dataset page, inbox, outbox, notices, the overview."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub import sharing
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.service import Pool
from cityhub.web.i18n import catalog
from tests.conftest import ADMIN_PASSWORD, PASSWORD
from tests.sharing.conftest import ANALYST, DATASET, STEWARD, create_users, publish
from tests.web.test_pages import csrf_of, log_in

PURPOSE = "核对涉农市场主体的登记信息"


@pytest.fixture
def users(db: Database) -> None:
    """Accounts in 农业农村局 and 市场监管局 (see tests/sharing/conftest.py)."""
    create_users(db)


@pytest.fixture
def entities(db: Database, settings: Settings, tmp_path: Path) -> Iterator[str]:
    """市场监管局's 有条件共享 dataset with two rows."""
    pool = Pool(db, settings)
    yield publish(db, pool, tmp_path)
    pool.close()


def as_user(client: TestClient, username: str, password: str = PASSWORD) -> TestClient:
    """A second browser on the same app, logged in as ``username``."""
    other = TestClient(client.app, base_url="http://testserver")
    log_in(other, username, password)
    return other


def post_form(client: TestClient, page: str, action: str, data: dict[str, object]) -> Any:
    token = csrf_of(client.get(page).text)
    return client.post(action, data={"csrf_token": token, **data}, follow_redirects=False)


def test_request_approve_and_read_through_the_pages(
    client: TestClient, users: None, entities: str
) -> None:
    analyst = as_user(client, "nyncj.analyst")
    page = analyst.get(f"/datasets/{DATASET}")
    assert 'id="sharing-request-form"' in page.text and 'id="preview-denied"' in page.text

    sent = post_form(
        analyst,
        f"/datasets/{DATASET}",
        f"/datasets/{DATASET}/sharing-request",
        {"purpose": PURPOSE, "days": "30", "columns": ["企业名称", "法定代表人"]},
    )
    assert (
        sent.status_code == 303 and sent.headers["location"] == "/sharing?tab=outbox&done=requested"
    )
    outbox = analyst.get("/sharing?tab=outbox&done=requested").text
    assert "待答复" in outbox and PURPOSE in outbox and 'id="withdraw-1"' in outbox
    assert 'id="request-pending"' in analyst.get(f"/datasets/{DATASET}").text

    steward = as_user(client, "scjgj.steward")
    assert 'id="notices-count"' in steward.get("/sharing/badge").text
    inbox = steward.get("/sharing").text
    assert 'id="approve-1"' in inbox and "市农业农村局" in inbox
    approved = post_form(
        steward, "/sharing", "/sharing/requests/1/approve", {"columns": ["企业名称"], "days": "30"}
    )
    assert approved.status_code == 303
    assert "已同意" in steward.get("/sharing").text

    preview = analyst.get(f"/datasets/{DATASET}").text
    table = preview[preview.index('id="preview-table"') :]
    heads = re.findall(r'<th title="([^"]+)"', table[: table.index("</thead>")])
    assert heads == ["企业名称"]
    assert 'id="grant-held"' in preview and 'id="sharing-request-form"' in preview  # may ask more
    notices = analyst.get("/sharing?tab=notices").text
    assert "同意了您对“市场主体登记信息”的申请" in notices


def test_form_errors_are_shown_where_they_were_made(
    client: TestClient, users: None, entities: str, db: Database
) -> None:
    analyst = as_user(client, "nyncj.analyst")
    short = post_form(
        analyst,
        f"/datasets/{DATASET}",
        f"/datasets/{DATASET}/sharing-request",
        {"purpose": "看看", "days": "30"},
    )
    assert short.status_code == 400
    assert 'id="sharing-request-error"' in short.text and "看看" in short.text

    request = sharing.request_access(db, ANALYST, DATASET, PURPOSE, 30)
    steward = as_user(client, "scjgj.steward")
    refused = post_form(
        steward, "/sharing", f"/sharing/requests/{request.id}/refuse", {"reason": ""}
    )
    assert refused.status_code == 400 and 'id="sharing-error"' in refused.text
    too_long = post_form(
        steward,
        "/sharing",
        f"/sharing/requests/{request.id}/approve",
        {"columns": ["企业名称"], "days": "90"},
    )
    assert too_long.status_code == 400
    done = post_form(
        steward, "/sharing", f"/sharing/requests/{request.id}/refuse", {"reason": "不符合共享条件"}
    )
    assert done.status_code == 303
    again = post_form(
        steward, "/sharing", f"/sharing/requests/{request.id}/refuse", {"reason": "x"}
    )
    assert again.status_code == 409


def test_withdraw_and_notices(client: TestClient, users: None, entities: str, db: Database) -> None:
    request = sharing.request_access(db, ANALYST, DATASET, PURPOSE, 30)
    analyst = as_user(client, "nyncj.analyst")
    gone = post_form(analyst, "/sharing?tab=outbox", f"/sharing/requests/{request.id}/withdraw", {})
    assert gone.status_code == 303
    assert "已撤回" in analyst.get("/sharing?tab=outbox").text

    steward = as_user(client, "scjgj.steward")
    notices = steward.get("/sharing?tab=notices").text
    assert "撤回了对“市场主体登记信息”的申请" in notices
    first = re.search(r'action="/notifications/(\d+)/read"', notices)
    assert first is not None
    read = post_form(steward, "/sharing?tab=notices", f"/notifications/{first.group(1)}/read", {})
    assert read.status_code == 303
    assert sharing.unread_count(db, STEWARD) == 1


def test_the_admin_overview(client: TestClient, users: None, entities: str, db: Database) -> None:
    sharing.request_access(db, ANALYST, DATASET, PURPOSE, 30)
    admin = as_user(client, "admin", ADMIN_PASSWORD)
    page = admin.get("/sharing/admin")
    assert page.status_code == 200
    assert 'id="sharing-chart-data"' in page.text and "市市场监管局" in page.text
    assert 'id="sharing-admin-link"' in admin.get("/sharing").text
    steward = as_user(client, "scjgj.steward")
    assert steward.get("/sharing/admin").status_code == 403
    assert client.get("/sharing", follow_redirects=False).status_code == 303  # to the login


def test_the_navigation_shows_sharing_to_users(client: TestClient, users: None) -> None:
    assert 'href="/sharing"' not in client.get("/").text
    analyst = as_user(client, "nyncj.analyst")
    assert 'href="/sharing"' in analyst.get("/").text


def test_dynamic_message_ids_exist() -> None:
    ids = set(catalog("zh-CN"))
    dynamic = {f"sharing.status.{s.value}" for s in sharing.RequestStatus}
    dynamic |= {f"sharing.notice.{k.value}" for k in sharing.NoticeKind}
    dynamic |= {f"sharing.tab_{t}" for t in ("inbox", "outbox", "notices")}
    dynamic |= {f"sharing.none_{t}" for t in ("inbox", "outbox")}
    dynamic |= {f"sharing.col_department_{t}" for t in ("inbox", "outbox")}
    dynamic |= {f"sharing.done_{d}" for d in ("approved", "refused", "withdrawn", "requested")}
    assert dynamic <= ids
