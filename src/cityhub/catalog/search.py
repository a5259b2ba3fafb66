"""Catalogue search: substring matching that works for Chinese, facets, and paging.

Chinese has no spaces between words, so word tokenisers find nothing for '人口'; a trigram index
(FTS5 trigram, pg_trgm) cannot serve one- or two-character terms either. The catalogue holds
thousands of entries, not millions, so each term is matched as a substring of a normalised
``search_text`` column on both databases: one code path, and it finds two-character terms.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from sqlalchemy import Select, and_, func, select

from cityhub.auth import Actor
from cityhub.auth.models import Department
from cityhub.catalog.access import PUBLIC_VISIBLE
from cityhub.catalog.models import Dataset, DatasetVersion
from cityhub.db import Database
from cityhub.errors import InvalidInput

FACETS = ("department", "category", "resource_class", "share_type", "update_cycle", "format")
SORTS = ("relevance", "name", "title", "modified", "created")
MAX_ROWS = 1000


@dataclass(frozen=True)
class SearchQuery:
    """A catalogue query: free text, exact facet filters, order and page."""

    text: str = ""
    filters: dict[str, tuple[str, ...]] = field(default_factory=dict)
    exclude: dict[str, tuple[str, ...]] = field(default_factory=dict)
    sort: str = "relevance"
    rows: int = 20
    start: int = 0


@dataclass(frozen=True)
class SearchResult:
    """Matching datasets (one page), how many match in all, and facet counts over all matches."""

    datasets: list[Dataset]
    count: int
    facets: dict[str, dict[str, int]]


def terms_of(text: str) -> list[str]:
    """The search terms: NFKC-normalised, lower-cased, split on white space."""
    return unicodedata.normalize("NFKC", text).lower().split()


def _escape_like(term: str) -> str:
    return term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")


def _formats() -> Select[int, str]:
    return select(DatasetVersion.dataset_id, DatasetVersion.source_format).distinct()


def _facet_value(dataset: Dataset, facet: str, formats: dict[int, set[str]]) -> list[str]:
    if facet == "department":
        return [dataset.department.code]
    if facet == "format":
        return sorted(formats.get(dataset.id, set()))
    return [str(getattr(dataset, facet))]


def search(db: Database, actor: Actor, query: SearchQuery) -> SearchResult:
    """Datasets visible to the actor that contain every term and match every filter."""
    if not 0 <= query.rows <= MAX_ROWS or query.start < 0:
        raise InvalidInput(
            f"rows must be 0-{MAX_ROWS} and start at least 0", details={"field": "rows"}
        )
    if query.sort not in SORTS:
        raise InvalidInput(
            f"sort must be one of {', '.join(SORTS)}",
            details={"field": "sort", "value": query.sort},
        )
    for facet in (*query.filters, *query.exclude):
        if facet not in FACETS:
            raise InvalidInput(
                f"cannot filter on {facet!r}; facets are {', '.join(FACETS)}",
                details={"field": facet},
            )
    statement = select(Dataset).join(Department)
    conditions = [
        Dataset.search_text.like(f"%{_escape_like(term)}%", escape="\\")
        for term in terms_of(query.text)
    ]
    if not actor.is_authenticated:
        conditions.append(Dataset.open_type.in_(PUBLIC_VISIBLE))
    with db.reading() as session:
        formats: dict[int, set[str]] = {}
        for dataset_id, fmt in session.execute(_formats()):
            formats.setdefault(dataset_id, set()).add(fmt)
        candidates = list(session.scalars(statement.where(and_(True, *conditions))))
    matches = [d for d in candidates if _passes(d, query, formats)]
    matches.sort(key=lambda d: _order(d, query))
    facets = {
        f: dict(Counter(v for d in matches for v in _facet_value(d, f, formats))) for f in FACETS
    }
    page = matches[query.start : query.start + query.rows]
    return SearchResult(page, len(matches), facets)


def _passes(dataset: Dataset, query: SearchQuery, formats: dict[int, set[str]]) -> bool:
    for facet, wanted in query.filters.items():
        if not set(_facet_value(dataset, facet, formats)) & set(wanted):
            return False
    for facet, unwanted in query.exclude.items():
        if set(_facet_value(dataset, facet, formats)) & set(unwanted):
            return False
    return True


def _order(dataset: Dataset, query: SearchQuery) -> tuple[object, ...]:
    if query.sort == "name":
        return (dataset.name,)
    if query.sort == "title":
        return (dataset.title,)
    if query.sort == "modified":
        return (-dataset.updated_at.timestamp(),)
    if query.sort == "created":
        return (-dataset.created_at.timestamp(),)
    terms = terms_of(query.text)
    title = unicodedata.normalize("NFKC", dataset.title).lower()
    # Relevance: terms in the title first, then in keywords, then newest first.
    in_title = sum(term in title for term in terms)
    in_keywords = sum(any(term in k.lower() for k in dataset.keywords) for term in terms)
    return (-in_title, -in_keywords, -dataset.updated_at.timestamp(), dataset.name)


def count_datasets(db: Database) -> int:
    """How many datasets the catalogue holds."""
    with db.reading() as session:
        return int(session.scalar(select(func.count()).select_from(Dataset)) or 0)
