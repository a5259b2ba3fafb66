"""Sharing pages: the inbox and outbox of requests, notifications, and the admins' overview."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from cityhub import sharing
from cityhub.auth import Actor, Permission
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotAuthenticated
from cityhub.web.csrf import verify_csrf
from cityhub.web.deps import DatabaseDep, Id, PageActor, PoolDep, SettingsDep
from cityhub.web.errors import status_of
from cityhub.web.pages.dataset import RowsFilter, dataset_context
from cityhub.web.pages.render import render

router = APIRouter(include_in_schema=False)

CITY_TIME = ZoneInfo("Asia/Shanghai")
TABS = ("inbox", "outbox", "notices")
# Errors a form can fix by being filled in again: shown on the page, not as an error page.
FIXABLE = (InvalidInput, Conflict)


def _logged_in(actor: Actor) -> None:
    if not actor.is_authenticated:
        raise NotAuthenticated("log in to see sharing requests", details={})


def _page(
    request: Request,
    db: Database,
    actor: Actor,
    tab: str,
    *,
    error: str | None = None,
    done: str | None = None,
    status: int = 200,
) -> HTMLResponse:
    _logged_in(actor)
    tab = tab if tab in TABS else "inbox"
    requests = sharing.list_requests(db, actor, tab) if tab != "notices" else []
    context: dict[str, Any] = {
        "tab": tab,
        "tabs": TABS,
        "requests": requests,
        "notices": sharing.list_notifications(db, actor) if tab == "notices" else [],
        "unread": sharing.unread_count(db, actor),
        "may_decide": actor.can(Permission.SHARING_DECIDE),
        "oversees": actor.can(Permission.SHARING_OVERSEE),
        "error": error,
        "done": done,
        "city_time": CITY_TIME,
    }
    return render(request, "sharing.html", context, status=status)


@router.get("/sharing", response_class=HTMLResponse)
def sharing_page(
    request: Request, db: DatabaseDep, actor: PageActor, tab: str = "inbox", done: str = ""
) -> HTMLResponse:
    """Requests for the department's datasets (inbox), made by it (outbox), notifications."""
    return _page(request, db, actor, tab, done=done or None)


def _act(
    request: Request, db: Database, actor: Actor, tab: str, work: Callable[[], object], done: str
) -> Response:
    """Run a decision from a form: back to the tab on success, the message on a fixable error."""
    _logged_in(actor)
    try:
        work()
    except FIXABLE as exc:
        return _page(request, db, actor, tab, error=exc.message, status=status_of(exc))
    return RedirectResponse(f"/sharing?tab={tab}&done={done}", status_code=303)


@router.post(
    "/sharing/requests/{request_id}/approve",
    dependencies=[Depends(verify_csrf)],
    response_model=None,
)
def approve_form(
    request: Request,
    request_id: Id,
    db: DatabaseDep,
    actor: PageActor,
    days: Annotated[int, Form()],
    columns: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Approve with the ticked columns and the days typed in."""

    def work() -> object:
        return sharing.approve(db, actor, request_id, columns or [], days)

    return _act(request, db, actor, "inbox", work, "approved")


@router.post(
    "/sharing/requests/{request_id}/refuse",
    dependencies=[Depends(verify_csrf)],
    response_model=None,
)
def refuse_form(
    request: Request,
    request_id: Id,
    db: DatabaseDep,
    actor: PageActor,
    reason: Annotated[str, Form()] = "",
) -> Response:
    """Refuse with the reason typed in."""

    def work() -> object:
        return sharing.refuse(db, actor, request_id, reason)

    return _act(request, db, actor, "inbox", work, "refused")


@router.post(
    "/sharing/requests/{request_id}/withdraw",
    dependencies=[Depends(verify_csrf)],
    response_model=None,
)
def withdraw_form(request: Request, request_id: Id, db: DatabaseDep, actor: PageActor) -> Response:
    """Take back one of the department's pending requests."""

    def work() -> object:
        return sharing.withdraw(db, actor, request_id)

    return _act(request, db, actor, "outbox", work, "withdrawn")


@router.post(
    "/notifications/{notification_id}/read",
    dependencies=[Depends(verify_csrf)],
    response_model=None,
)
def read_notice_form(
    request: Request, notification_id: Id, db: DatabaseDep, actor: PageActor
) -> Response:
    """Mark a notification read and go back to the list."""
    _logged_in(actor)
    sharing.mark_read(db, actor, notification_id)
    return RedirectResponse("/sharing?tab=notices", status_code=303)


@router.post(
    "/datasets/{name}/sharing-request",
    dependencies=[Depends(verify_csrf)],
    response_model=None,
)
def request_form(
    request: Request,
    name: str,
    pool: PoolDep,
    settings: SettingsDep,
    actor: PageActor,
    purpose: Annotated[str, Form()] = "",
    days: Annotated[int, Form()] = 30,
    columns: Annotated[list[str] | None, Form()] = None,
) -> Response:
    """Send the dataset page's 申请共享 form; a fixable error shows on the dataset page."""
    _logged_in(actor)
    try:
        sharing.request_access(
            pool.db,
            actor,
            name,
            purpose,
            days,
            columns or None,
            response_days=settings.sharing_response_working_days,
        )
    except FIXABLE as exc:
        context = dataset_context(pool, actor, name, RowsFilter(), "")
        context["sharing_error"] = exc.message
        context["sharing_form"] = {"purpose": purpose, "days": days, "columns": columns or []}
        return render(request, "dataset.html", context, status=status_of(exc))
    return RedirectResponse("/sharing?tab=outbox&done=requested", status_code=303)


@router.get("/sharing/badge", response_class=HTMLResponse)
def notice_badge(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """The unread count beside the user's name (loaded by htmx on every page)."""
    return render(request, "_sharing_badge.html", {"unread": sharing.unread_count(db, actor)})


@router.get("/sharing/admin", response_class=HTMLResponse)
def admin_page(request: Request, db: DatabaseDep, actor: PageActor) -> HTMLResponse:
    """Overdue requests and every department's figures, with a chart (admins)."""
    _logged_in(actor)
    late = sharing.overdue(db, actor)
    context = {"overdue": late, "metrics": sharing.metrics(db, actor), "city_time": CITY_TIME}
    return render(request, "sharing_admin.html", context)
