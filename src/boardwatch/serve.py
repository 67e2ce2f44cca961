"""``boardwatch serve``: build, serve on the loopback interface, rebuild on change, reload open pages.

- The site is built into a temporary folder (removed on exit) unless an output folder is given.
- ``content/``, ``templates/``, ``static/`` and ``boardwatch.yaml`` are watched with watchfiles;
  each batch of changes rebuilds the site (incrementally: unchanged pages are reused).
- Each build is announced to open pages, which reload (see :mod:`devserver`); when the site has
  errors, the previous build keeps being served, with the diagnostics over every page, until
  the next good build.

Nothing here prints: the caller passes a :class:`Reporter`.
"""

from __future__ import annotations

import dataclasses
import queue
import shutil
import signal
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Protocol

from .build import BuildResult, ContentErrors, OutputError, build
from .layout import CONFIG_FILE
from .devserver import DevServer, LiveState
from .diagnostics import Diagnostic
from .report import format_text, summary

WATCHED_DIRS = ("content", "templates", "static")
SETTLE_SECONDS = 0.05  # after a change, wait this long for the rest of an editor's writes


class ServeError(Exception):
    """The server cannot start (the port is taken, the address is not local...)."""


@dataclasses.dataclass(frozen=True, slots=True)
class Outcome:
    """What one build gave: the result, or the problems that stopped it."""

    result: BuildResult | None
    diagnostics: tuple[Diagnostic, ...]  # errors and warnings
    problem: str  # the text shown in the overlay ('' when the build succeeded)
    changed: tuple[str, ...]  # site paths whose change started the build ('' for the first)
    seconds: float


class Reporter(Protocol):
    def ready(self, url: str, out: Path, temporary: bool) -> None: ...
    def built(self, outcome: Outcome) -> None: ...
    def request(self, line: str) -> None: ...


@dataclasses.dataclass(frozen=True, slots=True)
class Options:
    host: str = "127.0.0.1"
    port: int = 8000
    out: Path | None = None
    drafts: bool = False
    search: bool | None = None
    jobs: int | None = None
    base_url: str | None = None


# -- watching ---------------------------------------------------------------------------------

class _Either:
    """An event that is set when either of two events is."""

    def __init__(self, a: threading.Event, b: threading.Event) -> None:
        self.a, self.b = a, b

    def is_set(self) -> bool:
        return self.a.is_set() or self.b.is_set()


class Watcher:
    """Watches a site's inputs and puts each batch of changed site paths on ``changes``.

    Two watchers: the site folder itself, not recursively (boardwatch.yaml, and content/,
    templates/ or static/ appearing or going), and those folders recursively. The site folder
    is never watched recursively, so an output folder, node_modules/ or .git/ inside it cost nothing."""

    def __init__(self, root: Path, ignore: Path | None) -> None:
        self.root = root.resolve()
        self.ignore = ignore.resolve() if ignore is not None else None
        self.changes: queue.Queue[set[str]] = queue.Queue()
        self._stop = threading.Event()
        self._rescan = threading.Event()
        self._threads: list[threading.Thread] = []
        self.failure: BaseException | None = None

    def start(self) -> None:
        for target in (self._watch_top, self._watch_folders):
            thread = threading.Thread(target=self._guard, args=(target,), name=f"boardwatch-{target.__name__}",
                                      daemon=True)
            thread.start()
            self._threads.append(thread)

    def stop(self) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join(timeout=5)

    def _guard(self, target: Callable[[], None]) -> None:
        try:
            target()
        except BaseException as exc:  # noqa: BLE001 - reported by the builder, which keeps serving
            self.failure = exc
            self.changes.put(set())

    def _site_path(self, path: str) -> str | None:
        p = Path(path)
        if self.ignore is not None and (p == self.ignore or p.is_relative_to(self.ignore)):
            return None
        try:
            rel = p.relative_to(self.root).as_posix()
        except ValueError:
            return None
        first = rel.split("/", 1)[0]
        return rel if first in WATCHED_DIRS or rel == CONFIG_FILE else None

    def _watch_top(self) -> None:
        from watchfiles import watch
        for batch in watch(self.root, watch_filter=None, recursive=False, stop_event=self._stop, rust_timeout=500,
                           debounce=400, raise_interrupt=False):
            paths = {rel for _, path in batch if (rel := self._site_path(path)) is not None}
            if any(p in WATCHED_DIRS for p in paths):
                self._rescan.set()
            if paths:
                self.changes.put(paths)

    def _watch_folders(self) -> None:
        from watchfiles import DefaultFilter, watch
        keep = DefaultFilter()
        while not self._stop.is_set():
            self._rescan.clear()
            folders = [self.root / name for name in WATCHED_DIRS if (self.root / name).is_dir()]
            if not folders:
                self._rescan.wait(0.5)
                continue
            for batch in watch(*folders, watch_filter=keep, stop_event=_Either(self._stop, self._rescan),
                               rust_timeout=500, debounce=400, raise_interrupt=False):
                paths = {rel for _, path in batch if (rel := self._site_path(path)) is not None}
                if paths:
                    self.changes.put(paths)


# -- the whole command --------------------------------------------------------------------------

class Builder:
    """Builds the site and tells the live state; runs in the main thread."""

    def __init__(self, root: Path, out: Path, cache_dir: Path | None, options: Options, state: LiveState) -> None:
        self.root, self.out, self.cache_dir, self.options, self.state = root, out, cache_dir, options, state

    def run(self, changed: tuple[str, ...]) -> Outcome:
        started = time.perf_counter()
        result: BuildResult | None = None
        diags: tuple[Diagnostic, ...] = ()
        problem = ""
        try:
            result = build(self.root, self.out, drafts=self.options.drafts, base_url=self.options.base_url,
                           search=self.options.search, jobs=self.options.jobs, cache_dir=self.cache_dir)
            diags = result.warnings
        except ContentErrors as exc:
            diags = exc.diagnostics.sorted()
            problem = format_text(diags, self.root) + "\n" + summary(diags)
        except OutputError as exc:
            if not changed:  # the first build: the folder was refused, so stop before serving
                raise ServeError(str(exc)) from None
            problem = f"the output folder could not be written: {exc}"
        except Exception as exc:  # noqa: BLE001 - a bug must not stop the server; it is shown instead
            problem = f"internal error BW900: {type(exc).__name__}: {exc}\nThis is a bug in boardwatch."
        previous = self.state.problem
        if problem or previous or result is None or not result.up_to_date:
            self.state.publish(problem)
        return Outcome(result, diags, problem, changed, time.perf_counter() - started)


@contextmanager
def _sigterm_as_interrupt() -> Iterator[None]:
    """SIGTERM stops the server the way Ctrl-C does (cleanly, temporary folder removed)."""
    if threading.current_thread() is not threading.main_thread():
        yield
        return

    def interrupt(signum: int, frame: FrameType | None) -> None:
        raise KeyboardInterrupt

    previous = signal.signal(signal.SIGTERM, interrupt)
    try:
        yield
    finally:
        signal.signal(signal.SIGTERM, previous)


def serve(root: Path, options: Options, reporter: Reporter) -> None:
    """Build ``root``, serve it and rebuild it on every change, until interrupted (Ctrl-C or SIGTERM)."""
    try:
        import watchfiles  # noqa: F401 - fail before anything starts
    except ImportError as exc:  # pragma: no cover - a dependency
        raise ServeError("'boardwatch serve' needs the watchfiles package: pip install watchfiles") from exc
    temporary = options.out is None
    with _sigterm_as_interrupt():
        workdir = Path(tempfile.mkdtemp(prefix="boardwatch-serve-")) if temporary else None
        try:
            out = workdir / "site" if workdir is not None else options.out
            assert out is not None
            cache_dir = workdir / "cache" if workdir is not None else None
            state = LiveState()
            try:
                server = DevServer((options.host, options.port), out, state, reporter.request)
            except OSError as exc:
                raise ServeError(f"cannot listen on {options.host}:{options.port}: {exc.strerror or exc}") from None
            try:
                _run(root, out, cache_dir, options, state, server, reporter, temporary)
            finally:
                state.close()
                server.server_close()
        finally:
            if workdir is not None:
                shutil.rmtree(workdir, ignore_errors=True)


def _run(root: Path, out: Path, cache_dir: Path | None, options: Options, state: LiveState, server: DevServer,
         reporter: Reporter, temporary: bool) -> None:
    watcher = Watcher(root, out)
    watcher.start()
    thread: threading.Thread | None = None
    try:
        builder = Builder(root, out, cache_dir, options, state)
        reporter.built(builder.run(()))
        thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.2},
                                  name="boardwatch-http", daemon=True)
        thread.start()
        host, port = server.socket.getsockname()[:2]
        shown = f"[{host}]" if ":" in host else host
        reporter.ready(f"http://{shown}:{port}/", out, temporary)
        while True:
            try:
                changed = watcher.changes.get(timeout=0.5)
            except queue.Empty:
                continue
            time.sleep(SETTLE_SECONDS)
            while True:  # everything that arrived meanwhile goes into the same build
                try:
                    changed |= watcher.changes.get_nowait()
                except queue.Empty:
                    break
            if watcher.failure is not None:
                raise ServeError(f"watching files failed: {watcher.failure}")
            reporter.built(builder.run(tuple(sorted(changed))))
    finally:
        state.close()
        if thread is not None:
            server.shutdown()
            thread.join(timeout=5)
        watcher.stop()


__all__ = ["Options", "Outcome", "Reporter", "ServeError", "serve"]
