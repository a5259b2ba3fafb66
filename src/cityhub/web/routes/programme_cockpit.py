"""The programme office API: the leading group's cockpit and its report (Excel, PDF)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Response

from cityhub.programme.briefing import BriefingFile, Format, briefing_file
from cityhub.programme.cockpit import build_cockpit
from cityhub.programme.tasks import city_today
from cityhub.web.deps import ApiActor, DatabaseDep, SettingsDep
from cityhub.web.programme_cockpit_schemas import CockpitOut
from cityhub.web.routes.exports import content_disposition
from cityhub.web.schemas import ERROR_RESPONSES

router = APIRouter(prefix="/api/programme", tags=["programme"], responses=ERROR_RESPONSES)

OnQuery = Annotated[
    date | None, Query(description="The day the figures are as of (default: today in 聊城)")
]


def download(found: BriefingFile) -> Response:
    """A generated report as an attachment (shared with the cockpit page's download links)."""
    return Response(
        found.content,
        media_type=found.media_type,
        headers={"Content-Disposition": content_disposition(found.filename, found.ascii_filename)},
    )


@router.get("/cockpit", response_model=CockpitOut)
def get_cockpit(
    db: DatabaseDep, settings: SettingsDep, actor: ApiActor, on: OnQuery = None
) -> CockpitOut:
    """The cockpit's figures: 十百千 goals, targets, units, warnings, projects, recent reports."""
    cockpit = build_cockpit(db, actor, on or city_today(), settings.programme_report_due_days)
    return CockpitOut.of(cockpit)


def _briefing(
    db: DatabaseDep, settings: SettingsDep, actor: ApiActor, on: date | None, fmt: Format
) -> Response:
    day = on or city_today()
    return download(briefing_file(db, actor, day, settings.programme_report_due_days, fmt))


@router.get(
    "/briefing.xlsx",
    response_class=Response,
    responses={
        200: {"content": {"application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": {}}}
    },
)
def get_briefing_xlsx(
    db: DatabaseDep, settings: SettingsDep, actor: ApiActor, on: OnQuery = None
) -> Response:
    """The leading group's report as an Excel workbook (a sheet per section)."""
    return _briefing(db, settings, actor, on, "xlsx")


@router.get(
    "/briefing.pdf",
    response_class=Response,
    responses={200: {"content": {"application/pdf": {}}}},
)
def get_briefing_pdf(
    db: DatabaseDep, settings: SettingsDep, actor: ApiActor, on: OnQuery = None
) -> Response:
    """The leading group's report as a PDF with the cockpit's charts and tables."""
    return _briefing(db, settings, actor, on, "pdf")
