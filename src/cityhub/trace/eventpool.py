"""Worker processes for the pure part of checking large requests (``eventprep``).

Signature, JSON, schema, hash and lots are pure Python (or hold the GIL), so threads cannot
spread them over cores; a request of more than ``MIN_POOLED`` envelopes is split into one chunk
per worker and prepared in a process pool. Smaller ones stay in the calling thread: a round trip
to the pool costs about a millisecond.

The pool is created on first use, once per process, with the ``spawn`` start method (safe with
the threads and database connections of a web server; the workers import only the pure
modules), and shut down at exit. Where a pool cannot be started (no ``multiprocessing``, a
daemonic process, ``CITYHUB_TRACE_CHECK_WORKERS=0``) or a worker dies, requests are prepared
in-process: the outcome is the same, only slower.

A spawned worker first re-imports the parent's ``__main__`` (as ``__mp_main__``): harmless for
``python -m``, console scripts (``cityhub``, ``uvicorn``, ``pytest``) and scripts whose work sits
under ``if __name__ == "__main__"``, but a script without that guard would run again in every
worker. So the pool is used only when the main module is one of the harmless kinds.
"""

from __future__ import annotations

import atexit
import logging
import multiprocessing
import os
import sys
import threading
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Any

from cityhub.trace.epcis.schema import warm_up
from cityhub.trace.eventprep import Prepared, prepare_many

MIN_POOLED = 32
# The setting ``trace_check_workers`` (documented with the others); read from the environment
# here because workers are sized once per process, before any Settings object reaches us.
WORKERS_ENV = "CITYHUB_TRACE_CHECK_WORKERS"

log = logging.getLogger(__name__)
_lock = threading.Lock()
_pool: ProcessPoolExecutor | None = None
_workers = 0
_disabled = False


def _worker_count() -> int:
    configured = os.environ.get(WORKERS_ENV, "").strip()
    if configured:
        try:
            return max(0, int(configured))
        except ValueError:
            log.warning("%s=%r is not a number; using one worker per core", WORKERS_ENV, configured)
    return os.cpu_count() or 1


def _main_is_safe() -> bool:
    """Whether a spawned worker can re-import ``__main__`` without running the parent's work."""
    main = sys.modules.get("__main__")
    spec = getattr(main, "__spec__", None)
    name = getattr(spec, "name", None)
    if name is not None:
        return bool(name == "__main__" or name.endswith(".__main__"))  # python -m package
    path = getattr(main, "__file__", None)
    if path is None:
        return True  # interactive, python -c: nothing to re-run
    try:
        with open(path, encoding="utf-8") as source:
            text = source.read()
    except (OSError, UnicodeDecodeError):
        return False
    return '__name__ == "__main__"' in text or "__name__ == '__main__'" in text


def _get_pool() -> ProcessPoolExecutor | None:
    global _pool, _workers, _disabled
    with _lock:
        if _pool is not None or _disabled:
            return _pool
        workers = _worker_count()
        if workers < 2 or multiprocessing.current_process().daemon or not _main_is_safe():
            # One worker gains nothing, a daemon may not have children, and an unguarded
            # script would run again in each worker.
            _disabled = True
            return None
        try:
            context = multiprocessing.get_context("spawn")
            _pool = ProcessPoolExecutor(workers, mp_context=context, initializer=warm_up)
        except (ImportError, NotImplementedError, OSError, ValueError) as exc:
            log.warning("trace checks stay in-process: no worker pool (%s)", exc)
            _disabled = True
            return None
        _workers = workers
        return _pool


def shutdown() -> None:
    """Stop the workers (at exit, and in tests that want a fresh pool)."""
    global _pool
    with _lock:
        pool, _pool = _pool, None
    if pool is not None:
        pool.shutdown(wait=True, cancel_futures=True)


atexit.register(shutdown)


def _discard(pool: ProcessPoolExecutor) -> None:
    global _pool
    with _lock:
        if _pool is pool:
            _pool = None
    pool.shutdown(wait=False, cancel_futures=True)


def prepare_all(envelopes: Sequence[Any], public_keys: Mapping[str, bytes]) -> list[Prepared]:
    """``prepare`` for every envelope, in order; in the worker pool if the request is large."""
    pool = _get_pool() if len(envelopes) > MIN_POOLED else None
    if pool is None:
        return prepare_many(envelopes, public_keys)
    keys = dict(public_keys)
    size = -(-len(envelopes) // _workers)
    try:
        futures: list[Future[list[Prepared]]] = [
            pool.submit(prepare_many, list(envelopes[start : start + size]), keys)
            for start in range(0, len(envelopes), size)
        ]
        return [item for future in futures for item in future.result()]
    except BrokenProcessPool as exc:
        log.warning("trace check workers died (%s); starting new ones on the next request", exc)
        _discard(pool)
    except Exception:  # e.g. an unpicklable value: the in-process run gives the real outcome
        log.debug("pooled trace checks failed; checking in-process", exc_info=True)
    return prepare_many(envelopes, public_keys)
