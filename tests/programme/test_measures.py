"""The 十百千 measures from the registries, day by day, and the cockpit's project tallies."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from cityhub.db import Database
from cityhub.errors import InvalidInput
from cityhub.programme import measures, parks, projects, training
from cityhub.programme.attendees import AttendeeSpec
from tests.programme.test_projects import ADMIN, SPEC, STEWARD, credit, id_no, register


@pytest.fixture
def registries(db: Database) -> Database:
    one = register(db, on=date(2020, 5, 1))
    two = register(
        db, replace(SPEC, domain="services", county="371581", investment=300), on=date(2020, 5, 1)
    )
    three = register(db, replace(SPEC, investment=50), on=date(2020, 5, 1))
    for project, selected_on in ((one, date(2020, 8, 1)), (two, date(2021, 2, 1))):
        projects.screen_project(db, ADMIN, project, on=date(2020, 7, 1))
        projects.select_project(db, ADMIN, project, on=selected_on)
    projects.reject_project(db, ADMIN, three, "重复申报", on=date(2020, 7, 1))
    parks.register_park(
        db, ADMIN, "园区甲", "371502", department="DSJJ", registered_on=date(2020, 9, 1)
    )
    parks.register_park(
        db, ADMIN, "园区乙", "371503", department="DSJJ", registered_on=date(2021, 9, 1)
    )
    first = training.create_event(db, STEWARD, "培训一", date(2020, 10, 1), 8, "course").id
    second = training.create_event(db, STEWARD, "培训二", date(2021, 10, 1), 8, "course").id
    training.add_attendees(
        db,
        STEWARD,
        first,
        [AttendeeSpec("甲", id_no(1), certificate="C1"), AttendeeSpec("乙", id_no(2))],
    )
    training.add_attendees(  # 甲 again (counted once) and 丙
        db,
        STEWARD,
        second,
        [
            AttendeeSpec("甲", id_no(1), certificate="C9"),
            AttendeeSpec("丙", id_no(3), certificate="C3"),
        ],
    )
    return db


# (measure, day, expected)
CASES = [
    ("projects", date(2020, 7, 31), 0.0),
    ("projects", date(2020, 8, 1), 1.0),
    ("projects", date(2021, 2, 1), 2.0),
    ("parks", date(2020, 8, 31), 0.0),
    ("parks", date(2020, 9, 1), 1.0),
    ("parks", date(2022, 12, 31), 2.0),
    ("trained", date(2020, 9, 30), 0.0),
    ("trained", date(2020, 10, 1), 1.0),  # 乙 has no certificate
    ("trained", date(2021, 10, 1), 2.0),  # 甲 twice is one person
]


@pytest.mark.parametrize(("name", "day", "expected"), CASES)
def test_measures_count_by_the_day(
    registries: Database, name: str, day: date, expected: float
) -> None:
    with registries.reading() as session:
        assert measures.measure(session, name, day) == expected


def test_an_unknown_measure_is_refused(db: Database) -> None:
    with db.reading() as session, pytest.raises(InvalidInput):
        measures.measure(session, "towns", date(2021, 1, 1))


def test_tallies_count_selected_projects_and_their_investment(registries: Database) -> None:
    with registries.reading() as session:
        by_domain = {
            t.key: (t.projects, t.investment) for t in measures.projects_by_domain(session)
        }
        by_county = {
            t.key: (t.projects, t.investment) for t in measures.projects_by_county(session)
        }
    assert by_domain == {
        "agri": (1, 1200.5),
        "manufacturing": (0, 0.0),
        "services": (1, 300.0),
        "industrialisation": (0, 0.0),
    }
    assert by_county["371502"] == (1, 1200.5) and by_county["371581"] == (1, 300.0)
    assert len(by_county) == 8 and by_county["371503"] == (0, 0.0)
    assert credit(1)  # the samples are valid codes (used by SPEC)
