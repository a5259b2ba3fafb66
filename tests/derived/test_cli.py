"""``cityhub derived``: define, refresh (one, or the due ones for cron), list."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import timedelta

import pytest
from sqlalchemy import update

from cityhub import catalog
from cityhub.cli import main
from cityhub.config import Settings, get_settings
from cityhub.db import utcnow
from cityhub.derived import DerivedDefinition
from cityhub.pool.service import Pool
from tests.cli.test_cli import run
from tests.derived.conftest import STEWARD, SYSTEM


@pytest.fixture
def env(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("CITYHUB_DATA_DIR", str(settings.data_dir))
    monkeypatch.setenv("CITYHUB_DATABASE_URL", settings.database_url_effective)
    get_settings.cache_clear()
    yield
    get_settings.cache_clear()


def test_define_refresh_and_list_from_the_shell(city: Pool, env: None) -> None:
    code, output = run(
        "derived",
        "define",
        "duty-copy",
        "--sql",
        'SELECT "河道", "责任人" FROM duty',
        "--title",
        "防汛责任人(加工)",
        "--department",
        "SLJ",
        "--schedule",
        "daily",
    )
    assert code == 0, output
    assert "version 1, 2 rows" in output

    code, output = run("derived", "refresh", "duty-copy")
    assert code == 0 and "duty-copy: version 2" in output

    code, output = run("derived", "refresh", "--due")
    assert code == 0 and "nothing is due" in output
    with city.db.transaction() as session:  # a day later
        session.execute(
            update(DerivedDefinition).values(next_due_at=utcnow() - timedelta(minutes=1))
        )
    code, output = run("derived", "refresh", "--due")
    assert code == 0 and "duty-copy: version 3" in output

    code, output = run("derived", "list")
    assert code == 0 and "duty-copy" in output and "daily" in output
    assert [v.number for v in catalog.list_versions(city.db, STEWARD, "duty-copy")] == [3, 2, 1]


def exit_code(*args: str, capsys: pytest.CaptureFixture[str]) -> tuple[int, str]:
    with pytest.raises(SystemExit) as stopped:
        main(list(args))
    return int(stopped.value.code or 0), capsys.readouterr().err


def test_errors_and_usage(city: Pool, env: None, capsys: pytest.CaptureFixture[str]) -> None:
    assert exit_code("derived", "refresh", capsys=capsys)[0] == 65  # a NAME or --due
    code, message = exit_code("derived", "refresh", "nope", capsys=capsys)
    assert code == 66 and "no dataset 'nope'" in message
    code, message = exit_code(
        "derived",
        "define",
        "leak",
        "--sql",
        "SELECT * FROM read_csv('/etc/passwd')",
        "--title",
        "越权",
        "--department",
        "SLJ",
        capsys=capsys,
    )
    assert code == 65 and "file_access" in message  # refused by the sandbox


def test_failed_due_refreshes_exit_non_zero_for_cron(
    city: Pool, env: None, capsys: pytest.CaptureFixture[str]
) -> None:
    sql = "SELECT * FROM broadband"
    code, _ = run("derived", "define", "bb", "--sql", sql, "--title", "宽带", "--department", "SLJ")
    assert code == 0
    run(
        "derived",
        "define",
        "dd",
        "--sql",
        "SELECT * FROM duty",
        "--title",
        "责",
        "--department",
        "SLJ",
    )
    catalog.revoke(city.db, SYSTEM, "broadband", "SLJ")
    with city.db.transaction() as session:
        session.execute(update(DerivedDefinition).values(next_due_at=utcnow()))
    code, message = exit_code("derived", "refresh", "--due", capsys=capsys)
    assert code == 1 and "1 of 2 due refreshes failed" in message
    assert "bb: failed" in message and "broadband" in message
