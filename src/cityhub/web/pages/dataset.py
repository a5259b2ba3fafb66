"""The dataset page: catalogue entry, columns, versions, a filtered preview, a chart, downloads."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Annotated, Any
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

from fastapi import APIRouter, Depends, Request
from fastapi.responses import HTMLResponse

from cityhub import catalog
from cityhub.auth import Actor
from cityhub.catalog import ColumnType, ShareType
from cityhub.db import utcnow
from cityhub.errors import InvalidInput, NotAuthenticated, NotFound, PermissionDenied
from cityhub.pool.engine import quote
from cityhub.pool.service import Pool, RowsPage, read_rows, readable, run_sql
from cityhub.query.rows import OPERATORS, row_query_from
from cityhub.web.deps import PageActor, PoolDep
from cityhub.web.pages.derived import lineage_context
from cityhub.web.pages.render import render
from cityhub.web.pages.sharing_panel import sharing_panel

router = APIRouter(include_in_schema=False)

CITY_TIME = ZoneInfo("Asia/Shanghai")  # times on the page are China Standard Time
PREVIEW_ROWS = 20
TOP_VALUES = 20
BINS = 10
NUMERIC = (ColumnType.INTEGER.value, ColumnType.FLOAT.value)
EXPORTS = (
    ("dataset.download_csv", "format=csv"),
    ("dataset.download_csv_gb", "format=csv&encoding=gb18030"),
    ("dataset.download_xlsx", "format=xlsx"),
    ("dataset.download_parquet", "format=parquet"),
)


@dataclass(frozen=True)
class RowsFilter:
    """The preview form: one column condition, the version and the page offset."""

    version: int | None = None
    column: str = ""
    op: str = "eq"
    value: str = ""
    offset: int = 0

    def query(self, offset: int | None = None) -> str:
        """These settings as a query string, at ``offset`` (default: this one)."""
        pairs: list[tuple[str, Any]] = [("version", self.version)] if self.version else []
        if self.column:
            pairs += [("column", self.column), ("op", self.op), ("value", self.value)]
        at = self.offset if offset is None else offset
        return urlencode(pairs + ([("offset", at)] if at else []))

    def filters(self) -> list[tuple[str, str]]:
        """The condition as the row API's ``column__op=value`` pair, if there is one."""
        return [(f"{self.column}__{self.op}", self.value)] if self.column else []


def rows_filter(
    version: int | None = None,
    column: str = "",
    op: str = "eq",
    value: str = "",
    offset: int = 0,
) -> RowsFilter:
    """The preview form from the query string (a negative offset is 0)."""
    return RowsFilter(version, column, op, value, max(0, offset))


RowsFilterDep = Annotated[RowsFilter, Depends(rows_filter)]


@dataclass(frozen=True)
class Preview:
    """The preview part of the page: a page of rows, or why there is none (``denied``/``error``)."""

    dataset: catalog.Dataset
    form: RowsFilter
    columns: list[dict[str, str]]
    page: RowsPage | None = None
    denied: str | None = None
    error: str | None = None
    personal: list[str] = field(default_factory=list)
    prev_query: str | None = None
    next_query: str | None = None

    @property
    def labels(self) -> dict[str, str]:
        """Column labels (中文名称) by column name."""
        return {c["name"]: c["label"] for c in self.columns}


def _columns(dataset: catalog.Dataset, version: catalog.DatasetVersion) -> list[dict[str, str]]:
    """The version's columns, labelled as the catalogue labels them now."""
    labels = {c.name: c.label for c in dataset.columns}
    return [c | {"label": labels.get(c["name"], c["label"])} for c in version.schema]


def _denial(actor: Actor, dataset: catalog.Dataset) -> str:
    if not actor.is_authenticated:
        return "public"
    return "conditional" if dataset.share_type == ShareType.CONDITIONAL.value else "none"


def preview(
    pool: Pool,
    actor: Actor,
    dataset: catalog.Dataset,
    versions: list[catalog.DatasetVersion],
    form: RowsFilter,
) -> Preview:
    """A page of the rows the actor may read under the filter, or the reason it may not."""
    shown = next(
        (v for v in versions if v.number == form.version), versions[0] if versions else None
    )
    columns = _columns(dataset, shown) if shown else []
    personal = [c.label for c in dataset.columns if c.personal]
    base = Preview(dataset, form, columns, personal=personal)
    if not versions:
        return base
    try:
        query = row_query_from(
            form.filters(), limit=PREVIEW_ROWS, offset=form.offset, version=form.version
        )
        page = read_rows(pool, actor, dataset.name, query)
    except (NotAuthenticated, PermissionDenied):  # the public is asked to sign in, others to apply
        return Preview(dataset, form, columns, denied=_denial(actor, dataset))
    except (InvalidInput, NotFound) as exc:
        return Preview(dataset, form, columns, error=exc.message, personal=personal)
    after = form.offset + PREVIEW_ROWS
    # A grant may cover some columns only: filter and note just those the reader sees.
    columns = [c for c in columns if c["name"] in page.columns]
    personal = [c.label for c in dataset.columns if c.personal and c.name in page.columns]
    return Preview(
        dataset,
        form,
        columns,
        page=page,
        personal=personal,
        prev_query=form.query(max(0, form.offset - PREVIEW_ROWS)) if form.offset > 0 else None,
        next_query=form.query(after) if after < page.total else None,
    )


def preview_of(pool: Pool, actor: Actor, name: str, form: RowsFilter) -> Preview:
    """The preview of the dataset called ``name``, for the actor."""
    dataset = catalog.get_dataset(pool.db, actor, name)
    return preview(pool, actor, dataset, catalog.list_versions(pool.db, actor, name), form)


@dataclass(frozen=True)
class Chart:
    """Counts of one column's values (top values) or of numeric ranges (a histogram)."""

    column: str
    label: str
    kind: str  # "top" or "histogram"
    labels: list[str | None]  # None: the NULL value
    values: list[int]


def chart_columns(
    dataset: catalog.Dataset, version: catalog.DatasetVersion
) -> list[dict[str, str]]:
    """Columns worth a chart: neither personal nor geometry."""
    personal = {c.name for c in dataset.columns if c.personal}
    return [
        c
        for c in _columns(dataset, version)
        if c["name"] not in personal and c["type"] != ColumnType.GEOMETRY.value
    ]


def _number(value: float) -> str:
    return f"{value + 0.0:.6g}"


def _top_values(pool: Pool, actor: Actor, table: str, column: dict[str, str]) -> Chart:
    col = quote(column["name"])
    sql = (
        f"SELECT {col} AS v, count(*) AS n FROM {table} "
        f"GROUP BY 1 ORDER BY 2 DESC, 1 LIMIT {TOP_VALUES}"
    )
    rows = run_sql(pool, actor, sql).rows
    labels = [None if v is None else str(v) for v, _ in rows]
    return Chart(column["name"], column["label"], "top", labels, [int(n) for _, n in rows])


def _histogram(pool: Pool, actor: Actor, table: str, column: dict[str, str]) -> Chart:
    x = f"CAST({quote(column['name'])} AS DOUBLE)"
    sql = (
        f"WITH b AS (SELECT min({x}) AS lo, max({x}) AS hi FROM {table}) "
        f"SELECT least(floor(({x} - lo) * {BINS} / nullif(hi - lo, 0)), {BINS - 1}) AS k, "
        f"count(*) AS n, min(lo) AS lo, min(hi) AS hi FROM {table}, b "
        f"WHERE {x} IS NOT NULL GROUP BY 1 ORDER BY 1"
    )
    rows = run_sql(pool, actor, sql).rows
    labels: list[str | None] = []
    if not rows:
        return Chart(column["name"], column["label"], "histogram", labels, [])
    lo, hi = float(rows[0][2]), float(rows[0][3])
    if rows[0][0] is None:  # every value is the same: one bar
        return Chart(column["name"], column["label"], "histogram", [_number(lo)], [int(rows[0][1])])
    width = (hi - lo) / BINS
    counts = {int(k): int(n) for k, n, _, _ in rows}
    labels += [f"{_number(lo + i * width)}–{_number(lo + (i + 1) * width)}" for i in range(BINS)]
    values = [counts.get(i, 0) for i in range(BINS)]
    return Chart(column["name"], column["label"], "histogram", labels, values)


def column_chart(pool: Pool, actor: Actor, name: str, wanted: str) -> Chart | None:
    """The chart of column ``wanted`` (or the first chartable one) over the newest version.

    Text, dates and flags: the most frequent values; numbers: a histogram. The counts run in the
    SQL sandbox under the viewer's own rights, so they see what the viewer may read, masked alike.
    """
    dataset = catalog.get_dataset(pool.db, actor, name)
    versions = catalog.list_versions(pool.db, actor, name)
    choices = chart_columns(dataset, versions[0]) if versions else []
    readable_names = readable(pool, actor, dataset.name, None, "dataset.read").types
    choices = [c for c in choices if c["name"] in readable_names]  # a grant may limit columns
    column = next((c for c in choices if c["name"] == wanted), choices[0] if choices else None)
    if column is None:
        return None
    count = _histogram if column["type"] in NUMERIC else _top_values
    return count(pool, actor, quote(dataset.name), column)


def dataset_context(
    pool: Pool, actor: Actor, name: str, form: RowsFilter, chart: str
) -> dict[str, Any]:
    """Everything the dataset page shows, for ``render``."""
    dataset = catalog.get_dataset(pool.db, actor, name)
    versions = catalog.list_versions(pool.db, actor, name)
    latest = versions[0] if versions else None
    state = catalog.timeliness(
        dataset.update_cycle, latest.created_at if latest else None, utcnow()
    )
    rows = preview(pool, actor, dataset, versions, form)
    older = form.version is not None and latest is not None and form.version != latest.number
    suffix = f"&version={form.version}" if older else ""
    exports = list(EXPORTS)
    if any(c["type"] == ColumnType.GEOMETRY.value for c in rows.columns):
        exports.append(("dataset.download_geojson", "format=geojson"))
    return {
        "dataset": dataset,
        "versions": versions,
        "shown_version": rows.page.version if rows.page else None,
        "on_time": state.on_time,
        "preview": rows,
        "operators": list(OPERATORS),
        "chart_columns": [
            c
            for c in (chart_columns(dataset, latest) if latest and not rows.denied else [])
            if rows.page is None or c["name"] in rows.page.columns
        ],
        "sharing_panel": sharing_panel(
            pool.db, actor, dataset, pool.settings.sharing_response_working_days
        ),
        "chart": chart,
        "can_manage": catalog.can_manage(actor, dataset),
        "downloads": [
            (label, f"/api/datasets/{dataset.name}/export?{q}{suffix}") for label, q in exports
        ],
        "city_time": CITY_TIME,
        "lineage": lineage_context(pool.db, actor, dataset.name),
    }


@router.get("/datasets/{name}", response_class=HTMLResponse)
def dataset_page(
    request: Request,
    name: str,
    pool: PoolDep,
    actor: PageActor,
    form: RowsFilterDep,
    chart: str = "",
) -> HTMLResponse:
    """The catalogue entry and, where the viewer may read it, a preview of the rows."""
    return render(request, "dataset.html", dataset_context(pool, actor, name, form, chart))


@router.get("/datasets/{name}/rows", response_class=HTMLResponse)
def dataset_rows(
    request: Request, name: str, pool: PoolDep, actor: PageActor, form: RowsFilterDep
) -> HTMLResponse:
    """The preview alone (for htmx): a filtered page of rows, or the message why not."""
    rows = preview_of(pool, actor, name, form)
    status = 400 if rows.error else 200
    return render(request, "_rows.html", {"preview": rows}, status=status)


@router.get("/datasets/{name}/chart", response_class=HTMLResponse)
def dataset_chart(
    request: Request, name: str, pool: PoolDep, actor: PageActor, chart: str = ""
) -> HTMLResponse:
    """The chart of one column (for htmx): its data as JSON beside the chart's container."""
    return render(request, "_chart.html", {"chart": column_chart(pool, actor, name, chart)})
