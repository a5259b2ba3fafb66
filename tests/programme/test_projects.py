"""The project library: checks that name the field and value, the screening workflow, history,
permissions and audit records. Also home of the sample helpers the other registry tests use."""

from __future__ import annotations

from dataclasses import replace
from datetime import date
from typing import Any

import pytest
from sqlalchemy import select

from cityhub.audit.models import AuditEvent
from cityhub.auth import Actor
from cityhub.auth.actor import Role
from cityhub.db import Database
from cityhub.errors import Conflict, InvalidInput, NotAuthenticated, PermissionDenied
from cityhub.programme import project_csv, projects
from cityhub.programme.projects import ProjectSpec
from cityhub.registry.codes import credit_code_check, id_number_check
from cityhub.registry.credit_code import organisation_code_check

ADMIN = Actor.system()
STEWARD = Actor(None, "slj.steward", Role.STEWARD, "SLJ")
OTHER_STEWARD = Actor(None, "nyncj.steward", Role.STEWARD, "NYNCJ")
ANALYST = Actor(None, "slj.analyst", Role.ANALYST, "SLJ")


def credit(serial: int) -> str:
    """A valid 统一社会信用代码 of an enterprise registered in 东昌府区."""
    organisation = f"MA{serial:06d}"
    body = "91371502" + organisation + organisation_code_check(organisation)
    return body + credit_code_check(body)


def id_no(sequence: int, born: str = "19900101") -> str:
    """A valid 公民身份号码 born in 东昌府区."""
    body = f"371502{born}{sequence:03d}"
    return body + id_number_check(body)


SPEC = ProjectSpec(
    name="智慧灌区数字孪生",
    owner_code=credit(1),
    owner_name="聊城水科技有限公司",
    county="371502",
    domain="agri",
    kind="it_services",
    investment=1200.5,
    start_on=date(2020, 6, 1),
    end_on=date(2021, 12, 31),
    status="building",
    city_key=True,
)


def audit_actions(db: Database) -> list[str]:
    with db.reading() as session:
        return list(session.scalars(select(AuditEvent.action).order_by(AuditEvent.id)))


def register(db: Database, spec: ProjectSpec = SPEC, on: date = date(2020, 5, 1)) -> int:
    return projects.register_project(db, STEWARD, spec, submitted_on=on).id


def test_a_steward_registers_for_the_own_department(db: Database) -> None:
    view = projects.register_project(db, STEWARD, SPEC, submitted_on=date(2020, 5, 1))
    assert (view.department, view.screening, view.submitted_on) == (
        "SLJ",
        "submitted",
        date(2020, 5, 1),
    )
    assert [(s.from_state, s.to_state, s.decided_by) for s in view.history] == [
        (None, "submitted", "slj.steward")
    ]
    assert view.city_key and not view.land_priority
    assert "programme.project.register" in audit_actions(db)


BAD_FIELDS: list[tuple[dict[str, Any], str]] = [
    ({"owner_code": "91371502MA0000001X"}, "owner_code"),
    ({"owner_code": ""}, "owner_code"),
    ({"county": "371500"}, "county"),  # the city itself, not a county
    ({"county": "370102"}, "county"),  # a county of Jinan
    ({"domain": "mining"}, "domain"),
    ({"kind": "factory"}, "kind"),
    ({"investment": -1.0}, "investment"),
    ({"investment": float("nan")}, "investment"),
    ({"end_on": date(2020, 5, 31)}, "end_on"),
    ({"status": "paused"}, "status"),
    ({"name": "  "}, "name"),
]


@pytest.mark.parametrize(("change", "field"), BAD_FIELDS)
def test_a_bad_field_is_named_with_its_value(
    db: Database, change: dict[str, Any], field: str
) -> None:
    with pytest.raises(InvalidInput) as caught:
        projects.register_project(db, STEWARD, replace(SPEC, **change))
    assert caught.value.details["field"] == field
    assert "value" in caught.value.details


def test_the_credit_code_is_normalised() -> None:
    checked = projects.check_spec(replace(SPEC, owner_code=" " + credit(1).lower() + " "))
    assert checked.owner_code == credit(1)


@pytest.mark.parametrize(
    "county", ["371502", "371503", "371521", "371522", "371524", "371525", "371526", "371581"]
)
def test_every_county_of_the_city_is_accepted(county: str) -> None:
    assert projects.check_spec(replace(SPEC, county=county)).county == county


def test_zero_investment_and_a_one_day_project_are_accepted() -> None:
    spec = replace(SPEC, investment=0.0, end_on=SPEC.start_on)
    assert projects.check_spec(spec).investment == 0.0


REGISTRATION_CASES = [
    (STEWARD, None, "SLJ"),
    (ADMIN, "NYNCJ", "NYNCJ"),
]


@pytest.mark.parametrize(("actor", "department", "expected"), REGISTRATION_CASES)
def test_who_registers_for_which_department(
    db: Database, actor: Actor, department: str | None, expected: str
) -> None:
    view = projects.register_project(db, actor, SPEC, department=department)
    assert view.department == expected


@pytest.mark.parametrize(
    ("actor", "department", "error"),
    [
        (STEWARD, "NYNCJ", PermissionDenied),
        (ANALYST, None, PermissionDenied),
        (Actor.public(), None, NotAuthenticated),
    ],
)
def test_who_may_not_register(
    db: Database, actor: Actor, department: str | None, error: type[Exception]
) -> None:
    with pytest.raises(error):
        projects.register_project(db, actor, SPEC, department=department)


# (steps before, the move, allowed)
TRANSITIONS = [
    ([], "screened", True),
    ([], "rejected", True),
    ([], "selected", False),
    ([], "submitted", False),
    (["screened"], "selected", True),
    (["screened"], "rejected", True),
    (["screened"], "screened", False),
    (["screened", "selected"], "rejected", False),
    (["screened", "selected"], "screened", False),
    (["rejected"], "screened", False),
    (["rejected"], "selected", False),
]


@pytest.mark.parametrize(("before", "move", "allowed"), TRANSITIONS)
def test_only_the_workflow_transitions_are_allowed(
    db: Database, before: list[str], move: str, allowed: bool
) -> None:
    project = register(db)
    for state in before:
        projects.decide_project(db, ADMIN, project, state, reason="不符合条件")
    if allowed:
        view = projects.decide_project(db, ADMIN, project, move, reason="不符合条件")
        assert view.screening == move
        assert [s.to_state for s in view.history] == ["submitted", *before, move]
    else:
        with pytest.raises(Conflict) as caught:
            projects.decide_project(db, ADMIN, project, move, reason="不符合条件")
        assert caught.value.details["to"] == move


def test_a_rejection_needs_a_reason(db: Database) -> None:
    project = register(db)
    with pytest.raises(InvalidInput) as caught:
        projects.reject_project(db, ADMIN, project, "   ")
    assert caught.value.details["field"] == "reason"
    view = projects.reject_project(
        db, ADMIN, project, "投资主体信用代码与项目不符", on=date(2020, 6, 2)
    )
    assert view.reason == "投资主体信用代码与项目不符"
    last = view.history[-1]
    assert (last.from_state, last.to_state, last.reason, last.decided_on, last.decided_by) == (
        "submitted",
        "rejected",
        "投资主体信用代码与项目不符",
        date(2020, 6, 2),
        "system",
    )


def test_screening_decisions_need_programme_manage(db: Database) -> None:
    project = register(db)
    with pytest.raises(PermissionDenied) as caught:
        projects.screen_project(db, STEWARD, project)
    assert caught.value.details["permission"] == "programme.manage"


def test_a_decision_cannot_predate_the_submission(db: Database) -> None:
    project = register(db, on=date(2020, 5, 1))
    with pytest.raises(InvalidInput):
        projects.screen_project(db, ADMIN, project, on=date(2020, 4, 30))


def test_every_transition_is_audited(db: Database) -> None:
    project = register(db)
    projects.screen_project(db, ADMIN, project)
    projects.select_project(db, ADMIN, project)
    projects.get_project(db, ANALYST, project)
    actions = audit_actions(db)
    for action in (
        "programme.project.register",
        "programme.project.screen",
        "programme.project.select",
        "programme.project.read",
    ):
        assert action in actions


def test_lists_filter_by_status_domain_and_county(db: Database) -> None:
    first = register(db)
    register(db, replace(SPEC, domain="manufacturing", county="371581"))
    projects.screen_project(db, ADMIN, first)
    assert [p.id for p in projects.list_projects(db, ANALYST, screening="screened")] == [first]
    assert len(projects.list_projects(db, ANALYST, domain="manufacturing")) == 1
    assert len(projects.list_projects(db, ANALYST, county="371581")) == 1
    assert len(projects.list_projects(db, ANALYST)) == 2
    with pytest.raises(InvalidInput):
        projects.list_projects(db, ANALYST, screening="approved")


def test_project_facts_give_the_state_on_a_day(db: Database) -> None:
    project = register(db, on=date(2020, 5, 1))
    register(db, on=date(2021, 1, 1))
    projects.screen_project(db, ADMIN, project, on=date(2020, 6, 1))
    projects.select_project(db, ADMIN, project, on=date(2020, 7, 1))
    with db.reading() as session:
        assert [f.screening for f in projects.project_facts(session, date(2020, 6, 15))] == [
            "screened"
        ]
        assert [f.screening for f in projects.project_facts(session, date(2021, 1, 1))] == [
            "selected",
            "submitted",
        ]
        assert projects.project_facts(session, date(2020, 4, 30)) == []


CSV_HEADER = (
    "项目名称,项目单位统一社会信用代码,项目单位,县市区代码,领域,类别,"
    "总投资（万元）,开工日期,完工日期,市重点项目\n"
)


def test_a_csv_of_projects_is_read_with_chinese_names(db: Database) -> None:
    rows = (
        CSV_HEADER
        + f"冠县电商产业园,{credit(8)},冠县电商公司,371525,服务业数字化,电子商务,"
        + '"1,500",2020-03-01,2021-03-01,是\n'
    )
    specs = project_csv.parse_projects_csv(rows.encode("gb18030"))
    assert [(s.domain, s.kind, s.investment, s.city_key, s.status) for s in specs] == [
        ("services", "ecommerce", 1500.0, True, "planned")
    ]
    views = projects.register_projects(db, STEWARD, specs * 2)
    assert [v.screening for v in views] == ["submitted", "submitted"]


@pytest.mark.parametrize(
    ("line", "column"),
    [
        (f"甲,{credit(8)},公司,371525,agri,other,abc,2020-03-01,2021-03-01,否", "总投资（万元）"),
        (f"甲,{credit(8)},公司,371525,agri,other,10,2020/03/01,2021-03-01,否", "开工日期"),
        (f"甲,{credit(8)},公司,371525,agri,other,10,2020-03-01,2021-03-01,也许", "市重点项目"),
    ],
)
def test_unreadable_csv_values_name_row_and_column(line: str, column: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        project_csv.parse_projects_csv((CSV_HEADER + line + "\n").encode())
    assert (caught.value.details["row"], caught.value.details["column"]) == (2, column)


def test_one_bad_project_of_several_registers_none(db: Database) -> None:
    bad = replace(SPEC, county="371500")
    with pytest.raises(InvalidInput) as caught:
        projects.register_projects(db, STEWARD, [SPEC, bad])
    assert (caught.value.details["row"], caught.value.details["field"]) == (2, "county")
    assert projects.list_projects(db, ANALYST) == []
