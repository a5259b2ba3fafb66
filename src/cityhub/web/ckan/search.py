"""``package_search``'s Solr semantics over the catalogue entries: q and fq terms, sort, facets.

``q`` and ``fq`` are parsed into terms and evaluated against each visible package; sort clauses
and facet counts are then taken over the matches.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from cityhub.catalog import Dataset, DatasetVersion, OpenType
from cityhub.catalog.groups import DatasetGroup
from cityhub.errors import CityhubError
from cityhub.web.ckan.shapes import EXTRAS, FACETS, GROUP_TITLES, facet_values, org_name

FQ_FIELDS = frozenset({*FACETS, "owner_org", "name", "id", "dataset_type", "type", "state"}) | {
    "capacity",
    *(f"extras_{key}" for key in EXTRAS),
}
DATE_FIELDS = {"metadata_modified": "updated_at", "metadata_created": "created_at"}
TEXT_FIELDS = frozenset({"text", "title", "notes"})
_FIELD_TERM = re.compile(r"([A-Za-z_][\w.]*):(.+)", re.DOTALL)
_RANGE = re.compile(r"([\[{])\s*(\S+)\s+TO\s+(\S+)\s*[\]}]", re.DOTALL)
_QUOTED = re.compile(r'(?:[^"\\]|\\.)*"', re.DOTALL)
Memberships = Mapping[int, Sequence[DatasetGroup]]  # dataset id → its thematic groups


class SearchQueryError(CityhubError):
    """A ``q``, ``fq``, sort or facet this facade cannot read (CKAN's Solr query error)."""

    code = "search_query_error"


@dataclass(frozen=True)
class Term:
    """One term: field matches any of the values, or a date range, or a sub-query."""

    field: str
    values: tuple[str, ...] = ()
    low: datetime | None = None
    high: datetime | None = None
    inclusive: bool = True
    negate: bool = False
    inner: tuple[tuple[Term, ...], ...] = ()


Query = tuple[tuple[Term, ...], ...]  # every group must hold; a group holds if any term does


def _tokens(text: str) -> list[str]:
    tokens, i = [], 0
    while i < len(text):
        start, depth = i, 0
        while i < len(text) and (depth or not text[i].isspace()):
            if text[i] == '"':
                closing = _QUOTED.match(text, i + 1)
                if closing is None:
                    raise SearchQueryError(f"unbalanced quote in {text!r}")
                i = closing.end()
                continue
            depth += (text[i] in "([{") - (text[i] in ")]}")
            if depth < 0:
                raise SearchQueryError(f"unbalanced brackets in {text!r}")
            i += 2 if text[i] == "\\" else 1
        if depth:
            raise SearchQueryError(f"unbalanced brackets in {text!r}")
        tokens += [text[start:i]] if i > start else []
        i += 1
    return tokens


def _unquote(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] == '"':
        value = value[1:-1]
    return re.sub(r"\\(.)", r"\1", value, flags=re.DOTALL)


def _moment(text: str) -> datetime | None:
    try:
        moment = None if text == "*" else datetime.fromisoformat(_unquote(text))
    except ValueError:
        raise SearchQueryError(f"{text!r} is not an ISO 8601 time (no date math)") from None
    return moment.replace(tzinfo=moment.tzinfo or UTC) if moment else None


def _term(token: str) -> Term:
    negate, body = token.startswith("-"), token[1:] if token[:1] in "+-" else token
    if body.startswith("(") and body.endswith(")"):
        return Term("", negate=negate, inner=parse_query(body[1:-1]))
    match = _FIELD_TERM.fullmatch(body)
    if match is None:
        raise SearchQueryError(f"cannot read {token!r}: write field:value")
    field, value = match.groups()
    if field in DATE_FIELDS:
        span = _RANGE.fullmatch(value)
        if span is None:
            raise SearchQueryError(f"{field} takes a range like [2026-01-01T00:00:00Z TO *]")
        low, high = _moment(span.group(2)), _moment(span.group(3))
        return Term(field, (), low, high, span.group(1) == "[", negate)
    if field not in FQ_FIELDS:
        raise SearchQueryError(
            f"cannot filter on {field!r}; fields: {', '.join(sorted(FQ_FIELDS))}"
        )
    inner = [value]
    if value.startswith("(") and value.endswith(")"):
        inner = [t for t in _tokens(value[1:-1]) if t not in {"OR", "||"}]
        if {"AND", "&&"} & set(inner):
            raise SearchQueryError(f"only OR is read inside {value!r}")
    return Term(field, tuple(map(_unquote, inner)), negate=negate)


def parse_query(text: str) -> Query:
    """An ``fq``: terms joined by AND (the default) or OR, with ``+``/``-`` and parentheses."""
    groups: list[list[Term]] = []
    join = False
    for token in _tokens(text):
        if token in {"OR", "||"} and groups and not join:
            join = True
        elif token in {"OR", "||"}:
            raise SearchQueryError(f"OR needs a term on each side in {text!r}")
        elif token not in {"AND", "&&"}:
            if join:
                groups[-1].append(_term(token))
            else:
                groups.append([_term(token)])
            join = False
    if join:
        raise SearchQueryError(f"OR needs a term on each side in {text!r}")
    return tuple(tuple(group) for group in groups)


def split_q(q: str) -> tuple[str, Query]:
    """The free text of a ``q`` and its field terms (``水位 tags:河道``)."""
    words: list[str] = []
    terms: list[tuple[Term, ...]] = []
    for token in [t for t in _tokens(q) if t not in {"*", "*:*"}]:
        match = _FIELD_TERM.fullmatch(token.lstrip("+-"))
        field = match.group(1) if match else ""
        if match and field in TEXT_FIELDS:
            words.append(_unquote(match.group(2)))
        elif field in FQ_FIELDS or field in DATE_FIELDS:
            terms.append((_term(token),))
        elif token not in {"AND", "&&"}:
            words.append(_unquote(token))
    return " ".join(words), tuple(terms)


def _facts(
    dataset: Dataset, latest: DatasetVersion | None, groups: Sequence[str]
) -> dict[str, set[str]]:
    facts = {field: set(facet_values(field, dataset, latest, groups)) for field in FACETS}
    private = dataset.open_type != OpenType.OPEN.value
    facts |= {"owner_org": {f"org-{org_name(dataset.department.code)}"}, "name": {dataset.name}}
    facts |= {"id": {dataset.uuid}, "dataset_type": {"dataset"}, "type": {"dataset"}}
    facts |= {"state": {"active"}, "capacity": {"private" if private else "public"}}
    facts |= {f"extras_{key}": {getattr(dataset, key) or ""} for key in EXTRAS}
    return {key: {v.lower() for v in values if v} for key, values in facts.items()}


def _holds(term: Term, dataset: Dataset, facts: dict[str, set[str]]) -> bool:
    if term.inner:
        result = _all_hold(term.inner, dataset, facts)
    elif term.field in DATE_FIELDS:
        moment: datetime = getattr(dataset, DATE_FIELDS[term.field])
        low, high = term.low or moment, term.high or moment
        inside = low <= moment <= high
        result = inside if term.inclusive else inside and moment not in {term.low, term.high}
    else:
        have = facts[term.field]
        result = any(v.lower() in have or (v == "*" and bool(have)) for v in term.values)
    return result != term.negate


def _all_hold(query: Query, dataset: Dataset, facts: dict[str, set[str]]) -> bool:
    return all(any(_holds(term, dataset, facts) for term in group) for group in query)


def holds(
    query: Query, dataset: Dataset, latest: DatasetVersion | None, groups: Sequence[str] = ()
) -> bool:
    """Whether the package (in thematic ``groups``) matches every group of the query."""
    return not query or _all_hold(query, dataset, _facts(dataset, latest, groups))


# --- sort and facets --------------------------------------------------------------------------


SORT_KEYS: dict[str, Callable[[Dataset], Any]] = {
    "name": lambda d: d.name,
    "title_string": lambda d: d.title,
    "title": lambda d: d.title,
    "metadata_modified": lambda d: d.updated_at,
    "metadata_created": lambda d: d.created_at,
    "id": lambda d: d.uuid,
}


def sort_datasets(datasets: list[Dataset], sort: str) -> list[Dataset]:
    """Datasets in a CKAN sort order; ``score`` keeps the catalogue's relevance order."""
    clauses = [clause.lower().split() for clause in sort.split(",") if clause.strip()]
    for clause in clauses:
        if not 0 < len(clause) < 3 or clause[0] not in {*SORT_KEYS, "score"}:
            raise SearchQueryError(f"cannot sort by {' '.join(clause)!r}")
        if clause[-1] not in {clause[0], "asc", "desc"}:
            raise SearchQueryError(f"cannot sort by {' '.join(clause)!r}")
    result = list(datasets)
    for clause in reversed(clauses):  # stable sorts, last clause first
        if clause[0] != "score":
            result.sort(key=SORT_KEYS[clause[0]], reverse=clause[-1] == "desc")
    return result


def facets(
    fields: list[Any],
    datasets: list[Dataset],
    latest: dict[int, DatasetVersion],
    limit: int,
    mincount: int,
    memberships: Memberships | None = None,
) -> tuple[dict[str, dict[str, int]], dict[str, Any]]:
    """CKAN's ``facets`` and ``search_facets`` of the matching packages."""
    flat: dict[str, dict[str, int]] = {}
    rich: dict[str, Any] = {}
    member = memberships or {}
    names = {d.id: [g.name for g in member.get(d.id, ())] for d in datasets}
    titles = {org_name(d.department.code): d.department.name_zh for d in datasets}
    titles |= {c.value: title for c, title in GROUP_TITLES.items()}
    titles |= {g.name: g.title for groups in member.values() for g in groups}
    for field in map(str, fields):
        if field not in FACETS:
            raise SearchQueryError(f"cannot facet on {field!r}; facets: {', '.join(FACETS)}")
        counts = Counter(
            v for d in datasets for v in facet_values(field, d, latest.get(d.id), names[d.id])
        )
        items = sorted((i for i in counts.items() if i[1] >= mincount), key=lambda i: (-i[1], i[0]))
        flat[field] = dict(items if limit < 0 else items[:limit])
        named = field in {"organization", "groups"}
        rich[field] = {"title": field, "items": [
            {"name": v, "display_name": titles.get(v, v) if named else v, "count": n}
            for v, n in flat[field].items()
        ]}  # fmt: skip
    return flat, rich
