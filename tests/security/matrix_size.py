"""The size of the permission matrix, printed at the end of a run that passed it."""

from __future__ import annotations

import pytest

from tests.security.operations import OPERATIONS
from tests.security.world import CLASSES, ROLES

MATRIX_TEST = "tests/security/test_permission_matrix.py::test_operation["


class MatrixSize:
    """Counts the matrix's operations that passed (reports reach the xdist controller too)."""

    def __init__(self) -> None:
        self.passed = 0
        self.failed = 0

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        if report.when == "call" and report.nodeid.startswith(MATRIX_TEST):
            self.passed += report.passed
            self.failed += report.failed

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        if not self.passed + self.failed:
            return
        roles, classes = len(ROLES), len(CLASSES)
        terminalreporter.write_line(
            f"permission matrix: {self.passed} of {len(OPERATIONS)} operations × {roles} roles × "
            f"{classes} sharing classes = {self.passed * roles * classes} calls as the rules say"
            + (f"; {self.failed} operations failed" if self.failed else "")
        )
