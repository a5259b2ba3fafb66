"""Who may call the progress reports API: every endpoint against every role, as a table.

The fixture ``one_report`` seeds the tasks and targets (``seed_reports``) and report 1: SLJ's
2021-Q3 report on task 4 with one attachment. Reads need PROGRAMME_READ; submitting needs
PROGRAMME_REPORT (the steward for SLJ, the admin naming SLJ). There is no route that changes or
deletes a report.
"""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient

from cityhub.config import Settings
from cityhub.db import Database
from tests.conftest import People
from tests.programme.test_reports import PDF, STEWARD, seed_reports, submit
from tests.web.permission_table import ROLES, check_call

SUBMISSION = {"task": "4", "period": "2021-Q2", "text": "本季度进展。", "department": "SLJ"}

# (method, path, form fields or None, expected status per role in ROLES order)
ENDPOINTS: list[tuple[str, str, Any, tuple[int, int, int, int]]] = [
    ("GET", "/api/programme/reports", None, (401, 200, 200, 200)),
    ("GET", "/api/programme/reports?task=4&department=SLJ", None, (401, 200, 200, 200)),
    ("GET", "/api/programme/reports/1", None, (401, 200, 200, 200)),
    ("GET", "/api/programme/reports/1/attachments/1", None, (401, 200, 200, 200)),
    ("GET", "/api/programme/reports/overdue?on=2021-01-01", None, (401, 200, 200, 200)),
    ("GET", "/api/programme/reports/reminders?on=2021-10-06", None, (401, 200, 200, 200)),
    ("POST", "/api/programme/reports", SUBMISSION, (401, 403, 201, 201)),
]
PLACEHOLDERS = {
    "reports/1/attachments/1": "reports/{report_id}/attachments/{position}",
    "reports/1": "reports/{report_id}",
}


@pytest.fixture
def one_report(client: TestClient, db: Database, people: People, settings: Settings) -> None:
    seed_reports(db)
    assert submit(db, settings, STEWARD, attachments=[PDF]).id == 1


@pytest.mark.parametrize(("method", "path", "form", "expected"), ENDPOINTS)
@pytest.mark.parametrize("role", ROLES)
def test_role_may_call_reports_endpoint(
    client: TestClient,
    one_report: None,
    headers: dict[str, dict[str, str]],
    role: str,
    method: str,
    path: str,
    form: dict[str, str] | None,
    expected: tuple[int, int, int, int],
) -> None:
    status = expected[ROLES.index(role)]
    if form is None:
        check_call(client, headers[role], method, path, None, status)
        return
    response = client.post(path, data=form, headers=headers[role])  # multipart form
    assert response.status_code == status, response.text
    if status >= 400:
        assert set(response.json()["error"]) == {"code", "message", "details"}


def _template(path: str) -> str:
    path = path.partition("?")[0]
    for concrete, placeholder in PLACEHOLDERS.items():
        path = path.replace(f"/{concrete}", f"/{placeholder}")
    return path


def test_the_table_covers_every_reports_route_and_none_changes_a_report(
    client: TestClient,
) -> None:
    paths = client.get("/openapi.json").json()["paths"]
    routes = {
        (method.upper(), path)
        for path, operations in paths.items()
        if path.startswith("/api/programme/reports")
        for method in operations
    }
    assert routes == {(m, _template(p)) for m, p, _, _ in ENDPOINTS}
    assert not {m for m, _ in routes} & {"PUT", "PATCH", "DELETE"}
