"""The log scan of the test run (tests/secret_scan.py) finds what it must, and only that."""

from __future__ import annotations

import logging

import pytest

from cityhub.auth.hashing import new_secret
from tests import secret_scan

PASSWORD = "a-password-of-the-tests"


def _logged(message: str, *args: object, exc: BaseException | None = None) -> list[str]:
    scanner = secret_scan.SecretScanner((PASSWORD,))
    logger = logging.getLogger("cityhub.scan-test")
    logger.addHandler(scanner)
    logger.propagate = False  # the run's own scanner, on the root logger, would fail this test
    try:
        exc_info = (type(exc), exc, exc.__traceback__) if exc else None
        logger.error(message, *args, exc_info=exc_info)
    finally:
        logger.removeHandler(scanner)
    return scanner.take()


@pytest.mark.parametrize(
    "args",
    [
        ("token %s accepted", new_secret("chk")),
        ("session %s", new_secret("chs")),
        ("GET /api/x?access_token=%s", new_secret("chk")),
        ("login with %r", PASSWORD),
        ("key %s", "PRIVATE+KEY+cityhub.log+0a1b2c3d+AXX"),
        ("%s", "-----BEGIN PRIVATE KEY-----\nMC4CAQ"),
    ],
)
def test_secrets_in_messages_are_found(args: tuple[str, str]) -> None:
    assert len(_logged(*args)) == 1


def test_secrets_in_tracebacks_are_found() -> None:
    try:
        raise ValueError(f"bad token {new_secret('chk')}")
    except ValueError as error:
        assert len(_logged("failed", exc=error)) == 1


@pytest.mark.parametrize(
    "message",
    [
        "token chk_… revoked (id 7)",  # a name and an id, not the secret
        "checked 43 rows",
        "PUBLIC+KEY+cityhub.log",
        "chk_" + "a" * 20,  # too short to be a token
    ],
)
def test_ordinary_messages_pass(message: str) -> None:
    assert _logged("%s", message) == []


def test_a_leak_fails_the_test_that_logged_it() -> None:
    scanner = secret_scan.SecretScanner(())
    scanner.found.append("ERROR cityhub.x: token chk_…")
    report = pytest.TestReport(
        "t.py::test_x", ("t.py", 1, "test_x"), {}, "passed", None, "teardown"
    )
    secret_scan.fail_on_leaks(scanner, report)
    assert report.outcome == "failed" and "chk_" in str(report.longrepr)
    assert scanner.take() == []
