"""Fixtures of the SL 651 tests."""

from __future__ import annotations

import os
import resource
from collections.abc import Iterator

import pytest

NEEDED_DESCRIPTORS = 2 * 1000 + 200  # both ends of 1000 connections, and some spare


@pytest.fixture
def raise_fd_limit() -> Iterator[int]:
    """Raise the soft open-file limit for the thousand-connection test; restore it after."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    if soft >= NEEDED_DESCRIPTORS:
        yield soft
        return
    if hard != resource.RLIM_INFINITY and hard < NEEDED_DESCRIPTORS:
        reason = f"hard open-file limit {hard} < {NEEDED_DESCRIPTORS}"
        if os.environ.get("CI") == "true":  # CI machines allow it: there, not a skip
            pytest.fail(reason)
        pytest.skip(reason)
    resource.setrlimit(resource.RLIMIT_NOFILE, (NEEDED_DESCRIPTORS, hard))
    try:
        yield NEEDED_DESCRIPTORS
    finally:
        resource.setrlimit(resource.RLIMIT_NOFILE, (soft, hard))
