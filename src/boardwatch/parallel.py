"""Spread pure per-item work over processes, with results in input order.

Workers are forked after the work list is built, so they inherit it (and everything it
refers to) without pickling; only each chunk's results travel back. Where fork is not
available, or the work is small, everything runs in this process. Either way the results,
and so the built site, are identical.
"""

from __future__ import annotations

import contextlib
import ctypes
import multiprocessing
import os
import pickle
import signal
import sys
from collections.abc import Callable, Sequence
from concurrent.futures import ProcessPoolExecutor
from typing import Any, Generic, TypeVar

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


def workers_for(items: int, jobs: int) -> int:
    """How many processes :func:`map_chunks` runs ``items`` in, with ``jobs`` allowed (1: this one)."""
    if "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, min(jobs, items // MIN_ITEMS_PER_JOB))


def map_chunks(func: Callable[[Sequence[T]], list[R]], items: Sequence[T], jobs: int,
               done: Callable[[int], None] | None = None) -> list[R]:
    """``func`` applied to consecutive chunks of ``items``; the concatenated results, in order.

    ``func`` must be a pure function of its chunk (plus state inherited at fork time).
    ``done``, when given, is told how many items are finished after each chunk (for a progress bar).
    """
    jobs = workers_for(len(items), jobs)
    if jobs == 1:
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


class Background(Generic[R]):
    """``func()`` computed in a forked child process while this one goes on (a stage that
    would otherwise leave a core idle). ``result()`` waits for it; leaving the ``with`` block
    ends the child whatever happened. With one job, or without fork, ``func`` runs in this
    process when its result is first asked for. Either way the result is the same.

    ``func`` must be a pure function of state inherited at fork time, and its result must
    pickle (it travels back through a pipe).
    """

    def __init__(self, func: Callable[[], R], jobs: int) -> None:
        self._func = func
        self._fork = jobs > 1 and "fork" in multiprocessing.get_all_start_methods()
        self._pid = 0
        self._pipe = -1
        self._done: tuple[R] | None = None

    def __enter__(self) -> Background[R]:
        if not self._fork:
            return self
        parent = os.getpid()
        read, write = os.pipe()
        pid = os.fork()
        if pid == 0:  # the child: compute, send, and leave without running the parent's cleanup
            status = 1
            try:
                os.close(read)
                for signum in (signal.SIGINT, signal.SIGTERM):  # the parent decides and ends it
                    signal.signal(signum, signal.SIG_DFL)
                _die_with_parent(parent)
                try:
                    payload = pickle.dumps((True, self._func()), protocol=pickle.HIGHEST_PROTOCOL)
                except Exception as exc:  # noqa: BLE001 - re-raised in the parent, as a message
                    payload = pickle.dumps((False, f"{type(exc).__name__}: {exc}"))
                with os.fdopen(write, "wb") as pipe:
                    pipe.write(payload)
                status = 0
            finally:
                os._exit(status)
        os.close(write)
        self._pid, self._pipe = pid, read
        return self

    def result(self) -> R:
        if self._done is not None:
            return self._done[0]
        if not self._fork:
            self._done = (self._func(),)
            return self._done[0]
        with os.fdopen(self._pipe, "rb") as pipe:
            self._pipe = -1
            payload = pipe.read()
        _, status = os.waitpid(self._pid, 0)
        self._pid = 0
        if not payload or status != 0:
            raise RuntimeError(f"a background worker ended without its result (wait status {status})")
        ok, value = pickle.loads(payload)
        if not ok:
            raise RuntimeError(f"a background worker failed: {value}")
        made: R = value
        self._done = (made,)
        return made

    def __exit__(self, *exc: object) -> None:
        if self._pipe >= 0:
            os.close(self._pipe)
            self._pipe = -1
        if self._pid:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self._pid, signal.SIGKILL)
            os.waitpid(self._pid, 0)
            self._pid = 0
