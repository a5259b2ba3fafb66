"""Ordered parallel map with a bounded window: Arrow compute releases the GIL, so threads help."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import Future, ThreadPoolExecutor
from typing import TypeVar

In = TypeVar("In")
Out = TypeVar("Out")


def ordered_map(
    function: Callable[[In], Out], items: Iterable[In], *, workers: int, ahead: int
) -> Iterator[Out]:
    """``map(function, items)`` on ``workers`` threads, in order, at most ``ahead`` items in flight.

    The window bounds memory: a file larger than memory streams through. An exception in any
    item is raised when its turn comes, and the items after it are not waited for.
    """
    with ThreadPoolExecutor(max_workers=workers) as pool:
        pending: deque[Future[Out]] = deque()
        try:
            for item in items:
                pending.append(pool.submit(function, item))
                if len(pending) >= ahead:
                    yield pending.popleft().result()
            while pending:
                yield pending.popleft().result()
        finally:
            for future in pending:
                future.cancel()
