"""The HTTP side of ``boardwatch serve``: files from the output folder, with a live-reload
script and, while the site has errors, an overlay added to every HTML page as it is sent.

- ``/`` serves ``index.html``, ``/dir/`` serves ``dir/index.html``, ``/dir`` redirects to
  ``/dir/``; anything missing gets the site's ``404.html`` with status 404.
- Only regular files inside the output folder are served: ``..`` segments (also
  percent-encoded), hidden names and symbolic links that lead outside give 404.
- ``/__boardwatch/`` is the server's own: ``live.js``, ``live.css``, ``status`` (JSON) and
  ``events`` (server-sent events: the build generation, at once and after each build).
"""

from __future__ import annotations

import html
import http.server
import json
import mimetypes
import secrets
import socket
import threading
from collections.abc import Callable
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

PREFIX = "/__boardwatch/"
HEARTBEAT_SECONDS = 10.0


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
  background: #141418; color: #f4f4f5; font: 15px/1.45 system-ui, sans-serif;
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
            "<p>Fix the files below and save: this page reloads by itself, and shows the site again as soon "
            "as it builds. Until then the last good build is served.</p>"
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

    def log_message(self, format: str, *args: Any) -> None:
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
            body = json.dumps({"generation": state.generation, "ok": not state.problem}) + "\n"
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
    if name.endswith((".js", ".mjs")):
        ctype = "text/javascript"
    elif name.endswith(".wasm"):
        ctype = "application/wasm"
    if ctype.startswith("text/") or ctype in ("application/json", "application/xml", "image/svg+xml",
                                                 "application/atom+xml"):
        ctype += "; charset=utf-8"
    return ctype
