"""The browser suite's set-up: the repository's site built under a sub-path (/news/) and
served by a real HTTP server on 127.0.0.1, and one chromium (Debian's, through Playwright)
for the whole session.

Skipped only when /usr/bin/chromium is missing and BOARDWATCH_REQUIRE_BROWSER is not set (CI
sets it: there a missing browser fails the suite, as do a missing Java or npm package always).
This is a plain module, not a conftest.py, so that ``from conftest import ...`` in the other
test modules keeps meaning tests/conftest.py.
"""

from __future__ import annotations

import http.server
import os
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import unquote, urlsplit

import pytest

from boardwatch.build import build

REPO = Path(__file__).resolve().parents[2]
CHROMIUM = Path("/usr/bin/chromium")
REQUIRED = bool(os.environ.get("BOARDWATCH_REQUIRE_BROWSER"))
NODE_MODULES = REPO / "node_modules"
AXE = NODE_MODULES / "axe-core" / "axe.min.js"
VNU = NODE_MODULES / "vnu-jar" / "build" / "dist" / "vnu.jar"
PREFIX = "/news/"

#: One page of every kind, by site path.
PAGE_KINDS = {
    "home": "index.html",
    "article": "articles/putin-invited-to-board-of-peace.html",
    "person": "people/vladimir-putin.html",
    "state": "states/russia.html",
    "body": "bodies/kremlin.html",
    "initiative": "initiatives/board-of-peace.html",
    "claim": "claims/peskov-confirms-putin-invitation.html",
    "list": "people/index.html",
    "tag": "tags/gaza.html",
    "about": "about.html",
    "404": "404.html",
    "search": "search.html",
}


def require(condition: bool, reason: str) -> None:
    """Skip locally, fail where the browser suite is required."""
    if condition:
        return
    if REQUIRED:
        pytest.fail(reason + " (BOARDWATCH_REQUIRE_BROWSER is set)")
    pytest.skip(reason)


class _Handler(http.server.SimpleHTTPRequestHandler):
    """Serves the site under PREFIX, and its 404.html (status 404) for anything missing,
    at any depth, the way static hosts do."""

    site: Path

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, directory=str(self.site), **kwargs)  # type: ignore[arg-type]

    def translate_path(self, path: str) -> str:
        clean = unquote(urlsplit(path).path)
        if not clean.startswith(PREFIX):
            return str(self.site / "does-not-exist")
        return super().translate_path("/" + clean[len(PREFIX):])

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        page = self.site / "404.html"
        if code != 404 or not page.is_file():
            super().send_error(code, message, explain)
            return
        body = page.read_bytes()
        self.send_response(404)
        self.send_header("Content-Type", "text/html; charset=utf-8")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


@dataclass(frozen=True)
class Served:
    out: Path  # the built site on disk
    base: str  # http://127.0.0.1:PORT/news/

    def url(self, rel: str) -> str:
        return self.base + rel


@contextmanager
def serving(out: Path) -> Iterator[Served]:
    """The repository's site built into ``out`` for its address under PREFIX, and served there."""
    handler = type("Handler", (_Handler,), {"site": out})
    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
    base = f"http://127.0.0.1:{server.server_address[1]}{PREFIX}"
    build(REPO, out, base_url=base, use_cache=False)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield Served(out, base)
    finally:
        server.shutdown()
        server.server_close()
        thread.join(timeout=10)


@pytest.fixture(scope="session")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    require(CHROMIUM.exists(), f"{CHROMIUM} is not installed")
    with serving(tmp_path_factory.mktemp("browser") / "site") as site:
        yield site


@pytest.fixture(scope="session")
def chromium(served: Served, chromium_browser: object) -> object:
    """The session's one browser (tests/conftest.py), once the site is served."""
    return chromium_browser


@pytest.fixture
def tab(chromium: object) -> Iterator[object]:
    """A fresh page at desktop width, light scheme."""
    context = chromium.new_context(viewport={"width": 1280, "height": 900}, color_scheme="light")  # type: ignore[attr-defined]
    try:
        yield context.new_page()
    finally:
        context.close()
