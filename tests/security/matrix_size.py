"""The sizes of the permission matrices, printed at the end of a run that ran them."""

from __future__ import annotations

from dataclasses import dataclass

import pytest


@dataclass
class Matrix:
    """One matrix: its test, and how many operations passed or failed (each × roles × classes)."""

    label: str
    test: str  # node id prefix of its parametrised test
    operations: int
    roles: int
    classes: str  # "9 sharing classes"
    class_count: int
    passed: int = 0
    failed: int = 0

    def line(self) -> str:
        calls = self.passed * self.roles * self.class_count
        failed = f"; {self.failed} operations failed" if self.failed else ""
        return (
            f"{self.label}: {self.passed} of {self.operations} operations × {self.roles} roles × "
            f"{self.classes} = {calls} calls as the rules say{failed}"
        )


class MatrixSize:
    """Counts each matrix's operations that passed (reports reach the xdist controller too)."""

    def __init__(self) -> None:
        from tests.security.operations import OPERATIONS
        from tests.security.test_sensing_matrix import CHECKS, STREAM_CLASSES
        from tests.security.world import CLASSES, ROLES

        self.matrices = [
            Matrix(
                "permission matrix",
                "tests/security/test_permission_matrix.py::test_operation[",
                len(OPERATIONS),
                len(ROLES),
                f"{len(CLASSES)} sharing classes",
                len(CLASSES),
            ),
            Matrix(
                "sensing matrix",
                "tests/security/test_sensing_matrix.py::test_station_data[",
                len(CHECKS),
                len(ROLES),
                f"{len(STREAM_CLASSES)} Datastream classes",
                len(STREAM_CLASSES),
            ),
        ]

    def pytest_runtest_logreport(self, report: pytest.TestReport) -> None:
        for matrix in self.matrices:
            if report.when == "call" and report.nodeid.startswith(matrix.test):
                matrix.passed += report.passed
                matrix.failed += report.failed

    def pytest_terminal_summary(self, terminalreporter: pytest.TerminalReporter) -> None:
        for matrix in self.matrices:
            if matrix.passed + matrix.failed:
                terminalreporter.write_line(matrix.line())
