"""The progress reports API: multipart submission, downloads, conflicts, overdue, reminders."""

from __future__ import annotations

import hashlib
import json
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from cityhub.db import Database
from cityhub.programme.models_reports import ProgrammeReport
from cityhub.programme.reports import MAX_ATTACHMENT_BYTES
from tests.conftest import People
from tests.programme.test_reports import seed_reports

Headers = dict[str, dict[str, str]]
FORM = {"task": "4", "period": "2021-Q3", "text": "本季度新建水位监测站 12 个。"}


@pytest.fixture
def seeded(db: Database, people: People) -> Database:
    seed_reports(db)
    return db


def post(client: TestClient, headers: dict[str, str], files: Any = None, **fields: str) -> Any:
    return client.post("/api/programme/reports", data=FORM | fields, files=files, headers=headers)


def test_submit_with_figures_and_files_then_download(
    client: TestClient, seeded: Database, headers: Headers
) -> None:
    files = [
        ("files", ("进度 报告.pdf", b"%PDF-1.4 one", "application/pdf")),
        ("files", ("photo.html", b"<script>alert(1)</script>", "text/html")),
    ]
    response = post(client, headers["steward"], files, figures=json.dumps({"T4-STATIONS": 12}))
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["task_number"], body["department"], body["period"]) == (4, "SLJ", "2021-Q3")
    assert body["figures"][0]["target"] == "T4-STATIONS" and body["figures"][0]["value"] == 12
    assert [a["filename"] for a in body["attachments"]] == ["进度_报告.pdf", "photo.html"]
    assert body["chain"] == [body["id"]] and body["late"] is True  # submitted long after due

    first = client.get(body["attachments"][0]["url"], headers=headers["analyst"])
    assert first.status_code == 200 and first.content == b"%PDF-1.4 one"
    assert first.headers["content-type"] == "application/pdf"
    assert first.headers["content-disposition"] == (
        "attachment; filename*=UTF-8''%E8%BF%9B%E5%BA%A6_%E6%8A%A5%E5%91%8A.pdf"
    )
    assert first.headers["etag"] == f'"{hashlib.sha256(b"%PDF-1.4 one").hexdigest()}"'
    second = client.get(body["attachments"][1]["url"], headers=headers["analyst"])
    # An uploaded page is never rendered as the site's own: a download, sandboxed, not sniffed.
    assert second.headers["content-disposition"].startswith("attachment;")
    assert second.headers["x-content-type-options"] == "nosniff"
    assert second.headers["content-security-policy"] == "sandbox"


def test_a_second_report_conflicts_and_a_correction_joins_the_chain(
    client: TestClient, seeded: Database, headers: Headers
) -> None:
    first = post(client, headers["steward"]).json()
    again = post(client, headers["steward"])
    assert again.status_code == 409
    assert again.json()["error"]["details"] == {"field": "corrects", "existing": first["id"]}
    fixed = post(client, headers["steward"], text="更正。", corrects=str(first["id"]))
    assert fixed.status_code == 201, fixed.text
    shown = client.get(f"/api/programme/reports/{first['id']}", headers=headers["analyst"]).json()
    assert shown["chain"] == [first["id"], fixed.json()["id"]]
    assert shown["corrected_by"] == fixed.json()["id"] and shown["text"] == FORM["text"]


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"figures": "{not json"}, "figures"),
        ({"figures": "[1, 2]"}, "figures"),
        ({"figures": '{"T4-STATIONS": "12"}'}, "figures.T4-STATIONS"),
        ({"figures": '{"T4-STATIONS": NaN}'}, "figures.T4-STATIONS"),
        ({"period": "2021-13"}, "period"),
        ({"text": " "}, "text"),
    ],
)
def test_bad_forms_say_which_field(
    client: TestClient, seeded: Database, headers: Headers, fields: dict[str, str], field: str
) -> None:
    response = post(client, headers["steward"], **fields)
    assert response.status_code == 400, response.text
    assert response.json()["error"]["details"]["field"] == field


def test_an_oversized_file_is_refused(
    client: TestClient, seeded: Database, headers: Headers
) -> None:
    big = [("files", ("big.bin", b"\0" * (MAX_ATTACHMENT_BYTES + 1), "application/octet-stream"))]
    response = post(client, headers["steward"], big)
    assert response.status_code == 400
    assert response.json()["error"]["details"]["field"] == "attachments.1"


def test_no_method_changes_a_report(client: TestClient, seeded: Database, headers: Headers) -> None:
    report = post(client, headers["steward"]).json()
    with seeded.reading() as session:
        before = session.get_one(ProgrammeReport, report["id"]).text
    path = f"/api/programme/reports/{report['id']}"
    for method in ("PUT", "PATCH", "DELETE"):
        response = client.request(method, path, json={"text": "改"}, headers=headers["admin"])
        assert response.status_code == 405
    with seeded.reading() as session:
        assert session.scalars(select(ProgrammeReport.text)).all() == [before]


def test_overdue_and_reminders_per_unit(
    client: TestClient, seeded: Database, headers: Headers
) -> None:
    overdue = client.get(
        "/api/programme/reports/overdue?on=2020-10-11&department=SLJ", headers=headers["steward"]
    ).json()
    assert [(o["task_number"], o["period"], o["days_overdue"]) for o in overdue] == [
        (4, "2020-Q2", 93),
        (4, "2020-Q3", 1),
    ]
    reminders = client.get(
        "/api/programme/reports/reminders?on=2020-10-06&department=SLJ", headers=headers["steward"]
    ).json()
    assert [(r["period"], r["due_on"], r["days_left"]) for r in reminders] == [
        ("2020-Q3", "2020-10-10", 4)
    ]
    unknown = client.get(
        "/api/programme/reports/overdue?department=NOPE", headers=headers["analyst"]
    )
    assert unknown.status_code == 404
