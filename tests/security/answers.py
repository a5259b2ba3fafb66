"""Reading an answer of the matrix: did it give the outcome, and what text does it carry."""

from __future__ import annotations

import io
import json

import openpyxl
import pyarrow.parquet as pq
from httpx2 import Response

from tests.security.access_rules import Outcome
from tests.security.operations import Api
from tests.security.world import Target

# The status of each refusal, per kind of API.
# - CKAN has no 401: its clients get 403 "Authorization Error" with or without a key, as from
#   CKAN itself; its SQL answers a table it may not read as a bad query (409 ValidationError).
# - The SQL API answers an unreadable table as an unknown one (400), so that a query cannot tell
#   whether a table it may not read exists.
# - A page asks the anonymous to sign in with a redirect; a fragment (loaded by htmx into a page)
#   where the page explains a refusal answers 200 with the explanation (``NOTICE``) in place
#   of the rows.
REFUSALS: dict[Api, dict[Outcome, int]] = {
    "rest": {Outcome.SIGN_IN: 401, Outcome.FORBIDDEN: 403, Outcome.HIDDEN: 404},
    "ckan": {Outcome.SIGN_IN: 403, Outcome.FORBIDDEN: 403, Outcome.HIDDEN: 404},
    "ckan_sql": {Outcome.SIGN_IN: 409, Outcome.FORBIDDEN: 409, Outcome.HIDDEN: 409},
    "sql": {Outcome.SIGN_IN: 400, Outcome.FORBIDDEN: 400, Outcome.HIDDEN: 400},
    "page": {Outcome.SIGN_IN: 303, Outcome.FORBIDDEN: 403, Outcome.HIDDEN: 404},
    "notice": {Outcome.SIGN_IN: 200, Outcome.FORBIDDEN: 200, Outcome.HIDDEN: 404},
}
NOTICE = 'id="preview-denied"'


def body_text(response: Response) -> str:
    """Everything the answer says, as text: cells of a workbook or Parquet file, JSON unescaped."""
    if not response.content:
        return ""
    kind = response.headers.get("content-type", "").split(";")[0].strip()
    if kind.endswith("spreadsheetml.sheet"):
        book = openpyxl.load_workbook(io.BytesIO(response.content), read_only=True)
        return "\n".join(
            str(cell)
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
            for cell in row
        )
    if kind in {
        "application/vnd.apache.parquet",
        "application/x-parquet",
        "application/octet-stream",
    }:
        return json.dumps(
            pq.read_table(io.BytesIO(response.content)).to_pylist(), ensure_ascii=False, default=str
        )
    if "gb18030" in response.headers.get("content-type", "").lower():
        return response.content.decode("gb18030")
    if kind.endswith("json"):
        return json.dumps(response.json(), ensure_ascii=False)
    return response.content.decode("utf-8")


def outcome_problem(api: Api, outcome: Outcome, response: Response, target: Target) -> str | None:
    """Why the answer is not the outcome, or None when it is."""
    status = response.status_code
    if outcome in (Outcome.LISTED, Outcome.UNLISTED):
        if status != 200:
            return f"status {status}, expected 200"
        text = body_text(response)
        listed = any(f'"{key}"' in text or f"/{key}" in text for key in (target.name, target.uuid))
        if listed != (outcome is Outcome.LISTED):
            return "listed" if listed else "not listed"
        return None
    if outcome is Outcome.OK:
        return None if 200 <= status < 300 else f"status {status}: {response.text[:160]}"
    wanted = REFUSALS[api][outcome]
    if status != wanted:
        return f"status {status}, expected {wanted}: {response.text[:160]}"
    if api == "notice" and status == 200:
        return None if NOTICE in response.text else "no refusal notice"
    if api == "page" and outcome is Outcome.SIGN_IN:
        location = response.headers.get("location", "")
        return None if location.startswith("/login") else f"redirected to {location!r}"
    if api in ("rest", "sql") and set(response.json().get("error", {})) != {
        "code",
        "message",
        "details",
    }:
        return "error not in the envelope"
    if api.startswith("ckan") and response.json().get("success") is not False:
        return "CKAN error without success: false"
    return None
