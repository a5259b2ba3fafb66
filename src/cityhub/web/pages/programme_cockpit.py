"""The leading group's cockpit page (驾驶舱) and its report downloads for the logged-in user.

The page embeds the cockpit's JSON (the API's ``CockpitOut``) for ``cockpit.js`` to draw, so the
charts, the tables, the Excel and the PDF all show one ``Cockpit``. ``?screen=1`` is the wall
display mode (dark, large type, no navigation); the print style sheet makes it an A4 handout.
"""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, Response

from cityhub.errors import InvalidInput
from cityhub.programme.briefing import Format, briefing_file
from cityhub.programme.briefing.counties import geojson_bytes
from cityhub.programme.cockpit import build_cockpit
from cityhub.programme.tasks import CITY_TIME, city_today
from cityhub.web.deps import DatabaseDep, PageActor, SettingsDep
from cityhub.web.i18n import Translator, language_of
from cityhub.web.pages.render import render
from cityhub.web.programme_cockpit_schemas import CockpitOut
from cityhub.web.routes.programme_cockpit import download

router = APIRouter(include_in_schema=False)

# The words cockpit.js puts on the charts, by message id suffix.
CHART_WORDS = (
    "progress",
    "expected",
    "on_track",
    "lagging",
    "projects",
    "selected",
    "investment",
    "by_domain",
    "by_county",
    "by_investment",
    "status.on_track",
    "status.lagging",
    "status.reached",
    "status.no_data",
    "tasks",
    "wan_yuan",
)


def _day(value: str) -> date:
    """The ``on`` parameter of the page (today when empty)."""
    if not value:
        return city_today()
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(
            "on must be a date like 2021-06-30", details={"field": "on", "value": value}
        ) from None


@router.get("/cockpit", response_class=HTMLResponse)
def cockpit_page(
    request: Request,
    db: DatabaseDep,
    settings: SettingsDep,
    actor: PageActor,
    on: str = "",
    screen: Annotated[bool, Query()] = False,
) -> HTMLResponse:
    """One page for the leading group: goals, targets, units, warnings, projects, reports."""
    cockpit = build_cockpit(db, actor, _day(on), settings.programme_report_due_days)
    data = CockpitOut.of(cockpit)
    t = Translator(language_of(request))
    context = {
        "cockpit": cockpit,
        "screen": screen,
        "on_param": on,
        "city_time": CITY_TIME,
        "cockpit_data": data.model_dump(mode="json"),
        "labels": {"language": t.language}
        | {word: t(f"programme.cockpit.chart.{word}") for word in CHART_WORDS},
    }
    return render(request, "programme/cockpit.html", context)


@router.get("/cockpit/briefing.{fmt}")
def cockpit_briefing(
    db: DatabaseDep, settings: SettingsDep, actor: PageActor, fmt: Format, on: str = ""
) -> Response:
    """The leading group's report for the page's download links (session cookie)."""
    found = briefing_file(db, actor, _day(on), settings.programme_report_due_days, fmt)
    return download(found)


@router.get("/cockpit/counties.geojson")
def county_boundaries() -> Response:
    """The 8 counties' boundaries the map draws (the PDF's map uses the same file)."""
    return Response(
        geojson_bytes(),
        media_type="application/geo+json",
        headers={"Cache-Control": "public, max-age=86400"},
    )
