"""The FastAPI application factory."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager
from pathlib import Path

from fastapi import Depends, FastAPI, Request, Response
from fastapi.staticfiles import StaticFiles

from cityhub import __version__, derived
from cityhub.config import Settings
from cityhub.db import Database
from cityhub.pool.service import Pool
from cityhub.sensing.runtime import Sensing
from cityhub.trace.runtime import Trace
from cityhub.web import ckan, errors, ratelimit
from cityhub.web.csrf import CSRF_COOKIE, new_nonce
from cityhub.web.deps import secure_cookies
from cityhub.web.pages import audit as audit_pages
from cityhub.web.pages import auth as auth_pages
from cityhub.web.pages import catalog as catalog_pages
from cityhub.web.pages import dataset as dataset_pages
from cityhub.web.pages import departments as department_pages
from cityhub.web.pages import derived as derived_pages
from cityhub.web.pages import (
    docs,
    home,
    programme_cockpit,
    programme_incentives,
    programme_registries,
    programme_reports,
    programme_targets,
    programme_tasks,
)
from cityhub.web.pages import groups as group_pages
from cityhub.web.pages import linking as linking_pages
from cityhub.web.pages import quality as quality_pages
from cityhub.web.pages import sensing as sensing_pages
from cityhub.web.pages import sharing as sharing_pages
from cityhub.web.pages import trace as trace_pages
from cityhub.web.routes import accounts, datasets, dcat, exports, health, sql, sta, tokens
from cityhub.web.routes import audit as audit_routes
from cityhub.web.routes import auth as auth_routes
from cityhub.web.routes import derived as derived_routes
from cityhub.web.routes import groups as group_routes
from cityhub.web.routes import linking as linking_routes
from cityhub.web.routes import programme_cockpit as cockpit_routes
from cityhub.web.routes import programme_incentives as incentive_routes
from cityhub.web.routes import programme_registries as registry_routes
from cityhub.web.routes import programme_reports as report_routes
from cityhub.web.routes import programme_targets as target_routes
from cityhub.web.routes import programme_tasks as task_routes
from cityhub.web.routes import quality as quality_routes
from cityhub.web.routes import sensing as sensing_routes
from cityhub.web.routes import sharing as sharing_routes
from cityhub.web.routes import templates as template_routes
from cityhub.web.routes import trace as trace_routes
from cityhub.web.routes import trace_log as trace_log_routes
from cityhub.web.routes import validators as validator_routes
from cityhub.workers import Supervisor, Worker, parse_workers

STATIC = Path(__file__).parent / "static"

# Scripts and styles come only from our own origin: no CDN, no inline script.
CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; frame-ancestors 'none'; base-uri 'self'; form-action 'self'; "
    "object-src 'none'"
)
# Served over TLS (or behind a TLS proxy, CITYHUB_COOKIE_SECURE=true): a year of HTTPS only.
HSTS = "max-age=31536000; includeSubDomains"
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
}


def _derived_workers(db: Database, pool: Pool, settings: Settings) -> list[Worker]:
    """The ``derived`` worker (refreshing derived datasets on their schedules), unless its
    interval is 0."""
    interval = settings.derived_scheduler_seconds
    if interval <= 0:
        return []
    running: list[derived.Scheduler] = []  # a scheduler's thread starts once: a new one each time

    def start() -> None:
        scheduler = derived.start_scheduler(db, pool, interval)
        if scheduler is not None:
            running.append(scheduler)

    def stop() -> None:
        while running:
            running.pop().stop()

    return [Worker.threaded("derived", start, stop)]


def create_app(settings: Settings, db: Database | None = None) -> FastAPI:
    """A cityhub web app over ``db`` (by default the database the settings name).

    Migrations are not run here; ``cityhub serve`` runs them before it starts the app. The
    background workers it may run are ``settings.workers``; ConfigurationError for a bad list.
    """
    allowed = parse_workers(settings.workers)

    @asynccontextmanager
    async def lifespan(app: FastAPI) -> AsyncIterator[None]:
        supervisor: Supervisor = app.state.workers
        app.state.trace.start()  # the log runs in every process; anchoring is a worker
        try:
            await supervisor.start()  # the first election is over when it returns
            try:
                yield
            finally:
                await supervisor.stop()
        finally:
            app.state.trace.stop()
            await app.state.sensing.stop()
            app.state.pool.close()

    app = FastAPI(
        lifespan=lifespan,
        title="cityhub",
        version=__version__,
        summary="The data platform of the Liaocheng Big Data Bureau (聊城市大数据局)",
        docs_url=None,  # served by pages.docs from vendored Swagger UI, not a CDN
        redoc_url=None,
        dependencies=[Depends(ratelimit.limit_request)],
    )
    app.state.settings = settings
    app.state.rate_limits = ratelimit.RateLimits(settings)
    app.state.db = db or Database(settings.database_url_effective)
    app.state.pool = Pool(app.state.db, settings)
    app.state.sensing = Sensing(app.state.db, settings, app.state.pool)
    app.state.trace = Trace(app.state.db, settings)
    app.state.workers = Supervisor(
        app.state.db,
        [
            *_derived_workers(app.state.db, app.state.pool, settings),
            *app.state.sensing.workers(),
            *app.state.trace.workers(),
        ],
        allowed=allowed,
        standby_seconds=settings.worker_standby_seconds,
    )
    errors.install(app)

    @app.middleware("http")
    async def _security(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        set_nonce = (
            not request.url.path.startswith(("/api", "/static", "/sta/"))
            and CSRF_COOKIE not in request.cookies
        )
        if set_nonce:
            request.state.csrf_nonce = new_nonce()
        response = await call_next(request)
        for name, value in SECURITY_HEADERS.items():
            response.headers.setdefault(name, value)
        if secure_cookies(settings, request):  # browsers ignore HSTS over plain HTTP (RFC 6797)
            response.headers.setdefault("Strict-Transport-Security", HSTS)
        if set_nonce:
            response.set_cookie(
                CSRF_COOKIE,
                request.state.csrf_nonce,
                httponly=True,
                samesite="strict",
                secure=secure_cookies(settings, request),
            )
        return response

    for router in (
        health.router,
        auth_routes.router,
        accounts.router,
        tokens.router,
        datasets.router,
        exports.router,
        dcat.router,
        sql.router,
        derived_routes.router,
        ckan.router,
        template_routes.router,
        group_routes.router,
        linking_routes.router,
        quality_routes.router,
        audit_routes.router,
        sharing_routes.router,
        validator_routes.router,
        sta.router,
        sensing_routes.router,
        trace_log_routes.router,
        home.router,
        catalog_pages.router,
        dataset_pages.router,
        auth_pages.router,
        department_pages.router,
        derived_pages.router,
        group_pages.router,
        linking_pages.router,
        quality_pages.router,
        audit_pages.router,
        sharing_pages.router,
        sensing_pages.router,
        docs.router,
        trace_routes.router,
        trace_pages.router,
        task_routes.router,
        target_routes.router,
        registry_routes.router,
        report_routes.router,
        incentive_routes.router,
        cockpit_routes.router,
        programme_tasks.router,
        programme_targets.router,
        programme_registries.router,
        programme_reports.router,
        programme_incentives.router,
        programme_cockpit.router,
    ):
        app.include_router(router)
    app.mount("/static", StaticFiles(directory=STATIC), name="static")
    return app
