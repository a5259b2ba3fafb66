"""Secrets never reach the logs: every log record of the test run is read for them.

A handler on the root logger formats each record (message and traceback) and looks for API
tokens and session secrets (``chk_…``, ``chs_…``), signer keys (``PRIVATE+KEY+…``, PEM
private keys) and the passwords the tests and the demo use. The test during which such a
record was logged fails in its teardown, naming the logger and the line; so a full test run is
also a scan of everything the platform logged while it ran. Processes the tests start
(``cityhub serve``) log to their own stderr and are not read here.
"""

from __future__ import annotations

import logging
import re
import threading

import pytest

SECRET = re.compile(
    r"\b(?:chk|chs)_[A-Za-z0-9_-]{43}(?![A-Za-z0-9_-])"
    r"|PRIVATE\+KEY\+"
    r"|-----BEGIN (?:[A-Z]+ )?PRIVATE KEY-----"
)


class SecretScanner(logging.Handler):
    """Collects the log records that contain a secret."""

    def __init__(self, passwords: tuple[str, ...]) -> None:
        super().__init__(logging.DEBUG)
        self.passwords = passwords
        self.found: list[str] = []
        self._guard = threading.Lock()

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = logging.Formatter().format(record)
        except Exception:  # a record that cannot be formatted is the logging module's problem
            return
        if SECRET.search(text) or any(p in text for p in self.passwords):
            with self._guard:
                self.found.append(f"{record.levelname} {record.name}: {text[:400]}")

    def take(self) -> list[str]:
        with self._guard:
            found, self.found = self.found, []
        return found


def install(passwords: tuple[str, ...]) -> SecretScanner:
    """Read every record from now on; the platform's own loggers at INFO and above."""
    scanner = SecretScanner(passwords)
    logging.getLogger().addHandler(scanner)
    for name in ("cityhub", "uvicorn.error", "uvicorn.access"):
        logger = logging.getLogger(name)
        if logger.level == logging.NOTSET or logger.level > logging.INFO:
            logger.setLevel(logging.INFO)
    return scanner


def fail_on_leaks(scanner: SecretScanner, report: pytest.TestReport) -> None:
    """Turn ``report`` (a teardown) into a failure when a secret was logged during its test."""
    found = scanner.take()
    if found and report.passed:
        report.outcome = "failed"
        report.longrepr = f"{report.nodeid} logged a secret:\n" + "\n".join(found)
