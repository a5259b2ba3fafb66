"""Training events and attendees: checks with rows, masking outside the organiser, CSV imports
in UTF-8 and GB18030, all-or-nothing."""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from cityhub.auth import Actor
from cityhub.auth.actor import Role
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, PermissionDenied
from cityhub.programme import training
from cityhub.programme.attendees import AttendeeSpec, parse_attendees_csv
from tests.programme.test_projects import (
    ADMIN,
    ANALYST,
    OTHER_STEWARD,
    STEWARD,
    audit_actions,
    credit,
    id_no,
)

OTHER_ANALYST = Actor(None, "nyncj.analyst", Role.ANALYST, "NYNCJ")
PEOPLE = [
    AttendeeSpec("张三丰", id_no(1), "13812345678", credit(1), "LC-2021-0001"),
    AttendeeSpec("李四", id_no(2), None, None, None),
]
HEADER = "姓名,身份证号,手机号,工作单位统一社会信用代码,证书编号\n"


def event(db: Database) -> int:
    return training.create_event(db, STEWARD, "数字技能培训班", date(2021, 5, 10), 16, "course").id


def test_the_organiser_adds_attendees_and_sees_them_unmasked(db: Database) -> None:
    event_id = event(db)
    view = training.add_attendees(db, STEWARD, event_id, PEOPLE)
    assert (view.organiser, view.attendee_count, view.certified_count) == ("SLJ", 2, 1)
    mine = training.get_event(db, ANALYST, event_id)  # an analyst of the organiser
    assert [a.name for a in mine.attendees] == ["张三丰", "李四"]
    assert not any(a.masked for a in mine.attendees)


@pytest.mark.parametrize("reader", [OTHER_ANALYST, OTHER_STEWARD])
def test_others_see_personal_data_masked(db: Database, reader: Actor) -> None:
    event_id = event(db)
    training.add_attendees(db, STEWARD, event_id, PEOPLE)
    first = training.get_event(db, reader, event_id).attendees[0]
    assert (first.name, first.id_number, first.phone) == (
        "张**",
        id_no(1)[:6] + "********" + id_no(1)[-4:],
        "138****5678",
    )
    assert first.masked and first.certificate == "LC-2021-0001"


def test_admins_see_everything(db: Database) -> None:
    event_id = event(db)
    training.add_attendees(db, STEWARD, event_id, PEOPLE)
    assert training.get_event(db, ADMIN, event_id).attendees[1].id_number == id_no(2)


def test_only_the_organiser_adds_attendees(db: Database) -> None:
    event_id = event(db)
    with pytest.raises(PermissionDenied):
        training.add_attendees(db, OTHER_STEWARD, event_id, PEOPLE)
    training.add_attendees(db, ADMIN, event_id, PEOPLE[:1])
    with pytest.raises(Conflict):  # the same person twice at one event
        training.add_attendees(db, STEWARD, event_id, PEOPLE[:1])


def test_a_bad_attendee_refuses_the_whole_batch(db: Database) -> None:
    event_id = event(db)
    bad = AttendeeSpec("王五", "371502199001010000", "12345", None, None)
    with pytest.raises(InvalidInput) as caught:
        training.add_attendees(db, STEWARD, event_id, [*PEOPLE, bad])
    fields = [(e["row"], e["field"]) for e in caught.value.details["errors"]]
    assert fields == [(3, "id_number"), (3, "phone")]
    assert training.get_event(db, ADMIN, event_id).attendee_count == 0


@pytest.mark.parametrize(
    ("title", "hours", "kind", "field"),
    [("", 8, "course", "title"), ("培训", 0, "course", "hours"), ("培训", 8, "party", "kind")],
)
def test_bad_events_name_the_field(
    db: Database, title: str, hours: float, kind: str, field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        training.create_event(db, STEWARD, title, date(2021, 1, 1), hours, kind)
    assert caught.value.details["field"] == field


@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gb18030"])
def test_csv_import_in_utf8_and_gb18030(db: Database, encoding: str) -> None:
    event_id = event(db)
    rows = HEADER + f"张三丰,{id_no(1)},13812345678,{credit(1)},LC-1\n李四,{id_no(2)},,,\n"
    view = training.import_attendees(db, STEWARD, event_id, rows.encode(encoding))
    assert (view.attendee_count, view.certified_count) == (2, 1)
    assert training.get_event(db, STEWARD, event_id).attendees[0].name == "张三丰"
    assert "programme.training.import" in audit_actions(db)


def test_english_headers_and_column_order_are_accepted() -> None:
    data = f"id_number,name\n{id_no(3)},赵六\n".encode()
    assert parse_attendees_csv(data) == [AttendeeSpec("赵六", id_no(3))]


def test_csv_errors_name_row_and_column_and_nothing_is_stored(db: Database) -> None:
    event_id = event(db)
    rows = HEADER + f"张三丰,{id_no(1)},,,\n,{id_no(2)},,,\n李四,{id_no(1)},,91371502MA000000X0,\n"
    with pytest.raises(InvalidInput) as caught:
        training.import_attendees(db, STEWARD, event_id, rows.encode("gb18030"))
    found = [(e["row"], e["column"]) for e in caught.value.details["errors"]]
    assert found == [(3, "姓名"), (4, "工作单位统一社会信用代码"), (4, "身份证号")]  # 4: duplicate
    assert training.get_event(db, ADMIN, event_id).attendee_count == 0


def test_a_header_without_the_id_number_is_refused() -> None:
    with pytest.raises(InvalidInput) as caught:
        parse_attendees_csv("姓名,手机号\n张三,13800000000\n".encode())
    assert caught.value.details["column"] == "身份证号"


def test_lists_count_attendees_and_are_audited(db: Database) -> None:
    event_id = event(db)
    training.add_attendees(db, STEWARD, event_id, PEOPLE)
    listed = training.list_events(db, OTHER_ANALYST)
    assert [(e.id, e.attendee_count, e.attendees) for e in listed] == [(event_id, 2, ())]
    assert "programme.training.read" in audit_actions(db)


@settings(max_examples=60)
@given(st.text(alphabet=st.characters(codec="utf-8"), max_size=80))
def test_the_csv_parser_answers_or_refuses_and_never_crashes(body: str) -> None:
    try:
        parse_attendees_csv((HEADER + body).encode("utf-8"))
    except InvalidInput as error:
        assert error.details
