"""Catalogue search: Chinese substrings, facets, visibility, paging."""

from __future__ import annotations

import pytest

from cityhub import auth, catalog
from cityhub.db import Database
from cityhub.errors import InvalidInput

SYSTEM = auth.Actor.system()


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("法人", ["legal-entities"]),  # a two-character Chinese term
        ("人口", ["population-sample"]),
        ("水位", ["water-levels"]),
        ("信用代码", ["legal-entities"]),  # from the abstract
        ("ＬＥＧＡＬ", ["legal-entities"]),  # full-width letters are normalised
        ("法人 企业", ["legal-entities"]),  # every term must match
        ("法人 水位", []),
        ("100%", []),  # LIKE wildcards are literal
        ("", ["legal-entities", "population-sample", "water-levels"]),
    ],
)
def test_search_terms(
    db: Database, datasets: list[catalog.Dataset], text: str, expected: list[str]
) -> None:
    result = catalog.search(db, SYSTEM, catalog.SearchQuery(text=text, sort="name"))
    assert [d.name for d in result.datasets] == expected
    assert result.count == len(expected)


def test_facets_count_all_matches(db: Database, datasets: list[catalog.Dataset]) -> None:
    result = catalog.search(db, SYSTEM, catalog.SearchQuery(rows=1))
    assert result.count == 3 and len(result.datasets) == 1
    assert result.facets["department"] == {"SCJGJ": 1, "GAJ": 1, "SLJ": 1}
    assert result.facets["share_type"] == {"unconditional": 1, "conditional": 1, "none": 1}


def test_facet_filters_and_exclusions(db: Database, datasets: list[catalog.Dataset]) -> None:
    only = catalog.search(db, SYSTEM, catalog.SearchQuery(filters={"department": ("SLJ", "GAJ")}))
    assert {d.name for d in only.datasets} == {"water-levels", "population-sample"}
    without = catalog.search(db, SYSTEM, catalog.SearchQuery(exclude={"department": ("SLJ",)}))
    assert "water-levels" not in {d.name for d in without.datasets}


def test_public_sees_only_open_datasets(db: Database, datasets: list[catalog.Dataset]) -> None:
    result = catalog.search(db, auth.Actor.public(), catalog.SearchQuery())
    assert [d.name for d in result.datasets] == ["legal-entities"]


@pytest.mark.parametrize(
    "query",
    [
        catalog.SearchQuery(rows=1001),
        catalog.SearchQuery(start=-1),
        catalog.SearchQuery(sort="random"),
        catalog.SearchQuery(filters={"colour": ("red",)}),
    ],
)
def test_bad_queries_name_the_field(db: Database, query: catalog.SearchQuery) -> None:
    with pytest.raises(InvalidInput):
        catalog.search(db, SYSTEM, query)
