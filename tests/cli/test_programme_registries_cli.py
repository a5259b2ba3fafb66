"""``cityhub programme projects|parks|training|talent``: register, screen, score, import."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from cityhub.cli.programme_registries import parks_app, projects_app, talent_app, training_app
from tests.cli.shell import invoke, invoke_json, platform_env
from tests.programme.test_projects import credit, id_no

INVALID, CONFLICT = 65, 73


@pytest.fixture
def env(database_url: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    yield from platform_env(database_url, tmp_path, monkeypatch)


run, as_json = invoke, invoke_json


PROJECT = [
    "add", "--name", "智慧物流平台", "--owner-code", credit(5), "--owner-name", "聊城物流公司",
    "--county", "371526", "--domain", "services", "--kind", "ecommerce", "--investment", "560",
    "--start", "2020-09-01", "--end", "2021-08-31", "--city-key", "--department", "SWENJ",
    "--on", "2020-08-01",
]  # fmt: skip


def test_projects_register_screen_select_and_reject(env: None) -> None:
    assert run(projects_app, *PROJECT) == (0, "project 1 registered (submitted)\n")
    assert run(projects_app, *PROJECT)[0] == 0
    assert run(projects_app, "select", "1")[0] == CONFLICT  # not screened yet
    assert run(projects_app, "screen", "1", "--on", "2020-09-01") == (0, "project 1 is screened\n")
    assert run(projects_app, "select", "1", "--on", "2020-10-01") == (0, "project 1 is selected\n")
    assert run(projects_app, "reject", "2", "--reason", "重复申报") == (
        0,
        "project 2 is rejected\n",
    )
    listed = as_json(projects_app, "list", "--screening", "selected")
    assert [(p["id"], p["department"], p["city_key"]) for p in listed] == [(1, "SWENJ", True)]
    code, output = run(projects_app, "show", "2")
    assert code == 0 and "重复申报" in output and "submitted → rejected" in output
    bad = [*PROJECT]
    bad[bad.index("--county") + 1] = "371500"
    code, message = run(projects_app, *bad)
    assert code == INVALID and "county" in message and "371500" in message


def test_parks_register_score_and_explain(env: None) -> None:
    assert (
        run(parks_app, "add", "莘县数字园", "--county", "371522", "--resident", credit(1))[0] == 0
    )
    code, output = run(
        parks_app, "score", "1", "--industry", "92", "--prospects", "90",
        "--innovation", "88", "--environment", "65",
    )  # fmt: skip
    assert code == 0 and "发展环境 65 分" in output and "成长型" in output
    shown = as_json(parks_app, "show", "1")
    assert shown["evaluation"]["tier"] == "growth" and shown["residents"] == [credit(1)]
    scores = ["--industry", "90", "--prospects", "90", "--innovation", "90", "--environment", "90"]
    code, _ = run(parks_app, "score", "1", *scores, "--weights", "0.5,0.5,0.5,0.5")
    assert code == INVALID
    assert run(parks_app, "residents", "1", credit(2), credit(3)) == (
        0,
        "park 1: 2 resident enterprises\n",
    )


def test_training_import_and_talent(env: None, tmp_path: Path) -> None:
    assert run(training_app, "add", "电商直播培训", "--on", "2021-04-02", "--hours", "6")[0] == 0
    good = tmp_path / "名单.csv"
    good.write_bytes(
        f"姓名,身份证号,证书编号\n张三,{id_no(1)},Z-1\n李四,{id_no(2)},\n".encode("gb18030")
    )
    assert run(training_app, "import", "1", str(good)) == (0, "event 1: 2 attendees, 1 certified\n")
    bad = tmp_path / "bad.csv"
    bad.write_text(f"姓名,身份证号\n王五,{id_no(3)}\n赵六,123\n", encoding="utf-8")
    code, message = run(training_app, "import", "1", str(bad))
    assert code == INVALID and "row 3" in message
    assert as_json(training_app, "list")[0]["attendee_count"] == 2
    code, output = run(
        talent_app, "add", "周八", "--level", "provincial", "--programme", "泰山学者",
        "--employer", credit(4), "--year", "2020",
    )  # fmt: skip
    assert (code, output) == (0, "talent entry 1 added\n")
    assert [t["person_name"] for t in as_json(talent_app, "list")] == ["周八"]


def test_projects_import_is_all_or_nothing(env: None, tmp_path: Path) -> None:
    header = "name,owner_code,owner_name,county,domain,kind,investment,start_on,end_on\n"
    row = f"数字农场,{credit(6)},农场公司,371522,agri,other,80,2020-01-01,2020-12-31\n"
    good = tmp_path / "projects.csv"
    good.write_text(header + row + row, encoding="utf-8")
    assert run(projects_app, "import", str(good), "--department", "NYNCJ") == (
        0,
        "2 projects registered\n",
    )
    bad = tmp_path / "bad.csv"
    bad.write_text(header + row + row.replace("371522", "370102"), encoding="utf-8")
    code, message = run(projects_app, "import", str(bad))
    assert code == INVALID and "370102" in message
    assert len(as_json(projects_app, "list")) == 2
