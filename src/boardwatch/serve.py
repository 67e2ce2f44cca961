"""``boardwatch serve``: build, serve on the loopback interface, rebuild on change, reload open pages.

- The site is built into a temporary folder (removed on exit) unless an output folder is given.
- ``content/``, ``templates/``, ``static/`` and ``boardwatch.yaml`` are watched with watchfiles;
  each batch of changes rebuilds the site (incrementally: unchanged pages are reused).
- Every HTML response gets a small script that listens to ``/__boardwatch/events``
  (server-sent events) and reloads the page after each build. Built files are never changed:
  the script is added as the response is sent.
- When the site has errors, the previous build keeps being served and every HTML page shows
  the diagnostics in an overlay; the next good build removes it.
- Only files inside the output folder are served: ``..`` segments (also percent-encoded),
  hidden files and symbolic links that lead outside give 404.

Nothing here prints: the caller passes a :class:`Reporter`.
"""

from __future__ import annotations

import dataclasses
import html
import http.server
import mimetypes
import queue
import secrets
import shutil
import signal
import socket
import tempfile
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import Any, Protocol
from urllib.parse import unquote, urlsplit

from .build import BuildResult, ContentErrors, OutputError, build
from .config import CONFIG_FILE
from .diagnostics import Diagnostic
from .report import format_text, summary

PREFIX = "/__boardwatch/"
WATCHED_DIRS = ("content", "templates", "static")
HEARTBEAT_SECONDS = 10.0
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


# -- the state pages are served with ------------------------------------------------------------

class LiveState:
    """The current build generation and error text, shared by the builder and the request threads."""

    def __init__(self) -> None:
        self._cond = threading.Condition()
        self._instance = secrets.token_hex(4)  # a restarted server never repeats a generation
        self._count = 0
        self._problem = ""
        self.closed = False

    @property
    def generation(self) -> str:
        with self._cond:
            return f"{self._instance}-{self._count}"

    @property
    def problem(self) -> str:
        with self._cond:
            return self._problem

    def publish(self, problem: str) -> None:
        """A build finished (``problem`` is '' when it succeeded): open pages reload."""
        with self._cond:
            self._count += 1
            self._problem = problem
            self._cond.notify_all()

    def wait(self, seen: str, timeout: float) -> str:
        """The generation once it differs from ``seen``, or after ``timeout`` seconds, or on close."""
        with self._cond:
            self._cond.wait_for(lambda: self.closed or f"{self._instance}-{self._count}" != seen, timeout)
            return f"{self._instance}-{self._count}"

    def close(self) -> None:
        with self._cond:
            self.closed = True
            self._cond.notify_all()


# -- what is added to served HTML -------------------------------------------------------------

LIVE_JS = b"""// boardwatch serve: reload this page when the site is rebuilt.
(function () {
  "use strict";
  var me = document.currentScript;
  var shown = me ? me.getAttribute("data-generation") : "";
  if (!window.EventSource) { return; }
  var events = new EventSource("/__boardwatch/events");
  events.addEventListener("build", function (e) {
    if (e.data !== shown) { events.close(); window.location.reload(); }
  });
}());
"""

LIVE_CSS = b"""#boardwatch-overlay {
  position: fixed; inset: 0; z-index: 2147483647; overflow: auto; margin: 0; padding: 1.5rem;
  background: rgba(20, 20, 24, 0.94); color: #f4f4f5; font: 15px/1.45 system-ui, sans-serif;
}
#boardwatch-overlay h2 { margin: 0 0 0.5rem; color: #fca5a5; font-size: 1.25rem; }
#boardwatch-overlay p { margin: 0 0 1rem; max-width: 60rem; }
#boardwatch-overlay pre {
  margin: 0; padding: 1rem; background: #0b0b0e; border-left: 4px solid #f87171; white-space: pre-wrap;
  font: 13px/1.5 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; color: #e4e4e7;
}
"""

NO_BUILD_PAGE = """<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><title>No page here</title></head>
<body><h1>No page here</h1><p>{message}</p></body></html>
"""


def inject(page: bytes, generation: str, problem: str) -> bytes:
    """``page`` with the live-reload script, and the error overlay when there is a ``problem``,
    added before its closing ``</body>`` (or at the end)."""
    parts = []
    if problem:
        parts.append(
            '<link rel="stylesheet" href="/__boardwatch/live.css">'
            '<div id="boardwatch-overlay" role="alert"><h2>The site has errors</h2>'
            "<p>This is the last good build. Fix the files below and save: the page reloads by itself.</p>"
            f"<pre>{html.escape(problem)}</pre></div>")
    parts.append(f'<script src="/__boardwatch/live.js" data-generation="{html.escape(generation)}"></script>')
    snippet = "\n".join(parts).encode("utf-8") + b"\n"
    at = page.lower().rfind(b"</body>")
    if at < 0:
        return page + snippet
    return page[:at] + snippet + page[at:]


def resolve_request(out: Path, raw_path: str) -> tuple[str, Path | None]:
    """How to answer a GET of ``raw_path`` (the URL path, still percent-encoded):
    ("file", path), ("redirect", None) to add a trailing slash, or ("missing", None).

    Only regular files inside ``out`` are ever returned: '..' and '.' segments, hidden names,
    NUL bytes and backslashes are refused after decoding, and the real path (symbolic links
    followed) must stay inside ``out``."""
    if not raw_path.startswith("/"):
        return "missing", None
    decoded = unquote(raw_path, errors="strict") if "%" in raw_path else raw_path
    if "\x00" in decoded or "\\" in decoded:
        return "missing", None
    segments = decoded.split("/")[1:]
    if any(s in (".", "..") or s.startswith(".") for s in segments):
        return "missing", None
    names = [s for s in segments if s]
    base = out.resolve()
    target = base.joinpath(*names)
    if decoded.endswith("/"):
        target = target / "index.html"
    try:
        real = target.resolve()
    except (OSError, RuntimeError):
        return "missing", None
    if real != base and not real.is_relative_to(base):
        return "missing", None
    if real.is_dir():
        return "redirect", None
    if real.is_file():
        return "file", real
    return "missing", None


# -- the HTTP server --------------------------------------------------------------------------

class DevServer(http.server.ThreadingHTTPServer):
    """A threaded HTTP server for one output folder; request threads never outlive it."""

    daemon_threads = True
    allow_reuse_address = True

    def __init__(self, address: tuple[str, int], out: Path, state: LiveState, log: Callable[[str], None]) -> None:
        host = address[0]
        self.address_family = socket.AF_INET6 if ":" in host else socket.AF_INET
        self.out = out
        self.state = state
        self.log = log
        super().__init__(address, Handler)


class Handler(http.server.BaseHTTPRequestHandler):
    server: DevServer
    server_version = "boardwatch-serve"
    sys_version = ""

    def log_message(self, format: str, *args: Any) -> None:  # noqa: A002 - the base class's name
        self.server.log(format % args)

    def do_HEAD(self) -> None:
        self._answer(head=True)

    def do_GET(self) -> None:
        self._answer(head=False)

    def _answer(self, *, head: bool) -> None:
        parts = urlsplit(self.path)
        path = parts.path
        if path.startswith(PREFIX):
            self._internal(path[len(PREFIX):], head)
            return
        try:
            how, file = resolve_request(self.server.out, path)
        except UnicodeDecodeError:
            how, file = "missing", None
        if how == "redirect":
            location = path + "/" + (f"?{parts.query}" if parts.query else "")
            self.send_response(301)
            self.send_header("Location", location)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        status = 200
        if file is None:
            status = 404
            how, file = resolve_request(self.server.out, "/404.html")
        if file is None:
            message = ("The site has not been built yet: see the errors below." if self.server.state.problem
                       else "Nothing is published at this address.")
            self._send(404, NO_BUILD_PAGE.format(message=message).encode("utf-8"), "text/html; charset=utf-8",
                       head, html_page=True)
            return
        try:
            data = file.read_bytes()
        except OSError:  # replaced by a rebuild as we read it
            self._send(404, NO_BUILD_PAGE.format(message="Try again.").encode("utf-8"),
                       "text/html; charset=utf-8", head, html_page=True)
            return
        ctype = _content_type(file.name)
        self._send(status, data, ctype, head, html_page=ctype.startswith("text/html"))

    def _send(self, status: int, data: bytes, ctype: str, head: bool, *, html_page: bool = False) -> None:
        if html_page:
            data = inject(data, self.server.state.generation, self.server.state.problem)
        self.send_response(status)
        self.send_header("Content-Type", ctype)
        self.send_header("Content-Length", str(len(data)))
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        if not head:
            self.wfile.write(data)

    def _internal(self, name: str, head: bool) -> None:
        if name == "live.js":
            self._send(200, LIVE_JS, "text/javascript; charset=utf-8", head)
        elif name == "live.css":
            self._send(200, LIVE_CSS, "text/css; charset=utf-8", head)
        elif name == "status":
            state = self.server.state
            body = ('{"generation": "%s", "ok": %s}\n' % (state.generation, "false" if state.problem else "true"))
            self._send(200, body.encode("utf-8"), "application/json", head)
        elif name == "events" and not head:
            self._events()
        else:
            self._send(404, b"not found\n", "text/plain; charset=utf-8", head)

    def _events(self) -> None:
        """Server-sent events: the current generation at once, then after each build; a
        comment every few seconds keeps the connection open and notices closed tabs."""
        state = self.server.state
        self.send_response(200)
        self.send_header("Content-Type", "text/event-stream")
        self.send_header("Cache-Control", "no-store")
        self.end_headers()
        seen = state.generation
        try:
            self.wfile.write(f"retry: 1000\nevent: build\ndata: {seen}\n\n".encode())
            self.wfile.flush()
            while not state.closed:
                now = state.wait(seen, HEARTBEAT_SECONDS)
                if state.closed:
                    break
                message = ": ping\n\n" if now == seen else f"event: build\ndata: {now}\n\n"
                seen = now
                self.wfile.write(message.encode())
                self.wfile.flush()
        except OSError:  # the tab was closed
            pass
        self.close_connection = True


def _content_type(name: str) -> str:
    ctype = mimetypes.guess_type(name)[0] or "application/octet-stream"
    if name.endswith(".js") or name.endswith(".mjs"):
        ctype = "text/javascript"
    elif name.endswith(".wasm"):
        ctype = "application/wasm"
    if ctype.startswith("text/") or ctype in ("application/json", "application/xml", "image/svg+xml",
                                                 "application/atom+xml"):
        ctype += "; charset=utf-8"
    return ctype


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


__all__ = ["LiveState", "Options", "Outcome", "Reporter", "ServeError", "inject", "resolve_request", "serve"]
