"""Spread pure per-item work over processes, with results in input order.

Workers are forked after the work list is built, so they inherit it (and everything it
refers to) without pickling; only each chunk's results travel back. Where fork is not
available, or the work is small, everything runs in this process. Either way the results,
and so the built site, are identical.
"""

from __future__ import annotations

import ctypes
import multiprocessing
import os
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, TypeVar

T = TypeVar("T")
R = TypeVar("R")

MIN_ITEMS_PER_JOB = 40  # below this, starting processes costs more than it saves
_WORK: tuple[Callable[[Sequence[Any]], list[Any]], Sequence[Any]] | None = None


def default_jobs() -> int:
    try:
        return max(1, len(os.sched_getaffinity(0)))
    except AttributeError:  # pragma: no cover - not Linux
        return max(1, os.cpu_count() or 1)


def _die_with_parent(parent: int) -> None:
    """Ask Linux to kill this worker when the build that started it dies (a build killed
    outright would otherwise leave its workers rendering pages nobody will write)."""
    if sys.platform.startswith("linux"):
        try:
            libc = ctypes.CDLL(None, use_errno=True)
            libc.prctl(1, signal.SIGKILL)  # PR_SET_PDEATHSIG
        except (OSError, AttributeError):  # pragma: no cover - no prctl here
            return
    if os.getppid() != parent:  # it died before the request was in place
        os._exit(1)


def _run_chunk(start: int, end: int) -> list[Any]:
    assert _WORK is not None, "worker started without work"
    func, items = _WORK
    return func(items[start:end])


def map_chunks(func: Callable[[Sequence[T]], list[R]], items: Sequence[T], jobs: int,
               done: Callable[[int], None] | None = None) -> list[R]:
    """``func`` applied to consecutive chunks of ``items``; the concatenated results, in order.

    ``func`` must be a pure function of its chunk (plus state inherited at fork time).
    ``done``, when given, is told how many items are finished after each chunk (for a progress bar).
    """
    jobs = max(1, min(jobs, len(items) // MIN_ITEMS_PER_JOB))
    if jobs == 1 or "fork" not in multiprocessing.get_all_start_methods():
        if done is None:
            return func(items)
        out: list[R] = []
        step = max(MIN_ITEMS_PER_JOB, len(items) // 50)
        for start in range(0, len(items), step):
            out.extend(func(items[start:start + step]))
            done(len(out))
        return out
    global _WORK
    _WORK = (func, items)
    try:
        # Several chunks per worker even out pages of different cost.
        chunks = min(len(items), jobs * 8)
        bounds = [(len(items) * i // chunks, len(items) * (i + 1) // chunks) for i in range(chunks)]
        context = multiprocessing.get_context("fork")
        with ProcessPoolExecutor(max_workers=jobs, mp_context=context, initializer=_die_with_parent,
                                 initargs=(os.getpid(),)) as pool:
            futures = [pool.submit(_run_chunk, start, end) for start, end in bounds]
            results: list[R] = []
            for future in futures:
                results.extend(future.result())
                if done is not None:
                    done(len(results))
        return results
    finally:
        _WORK = None
