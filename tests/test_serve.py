"""``boardwatch serve`` as a contributor uses it: a real process on a free port, real HTTP.

Every test starts the server with ``--port 0`` and reads the address it prints; the process
is always stopped (SIGINT, then SIGKILL if it lingers), whatever the test does. Waits are
bounded polls, never fixed sleeps that a slow machine could outrun.
"""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import pytest
from site_helpers import make_site, parse_html

ARTICLE = "content/articles/putin-invited.md"
ARTICLE_PAGE = "/articles/putin-invited.html"
WAIT = 30.0  # seconds: the longest any poll waits


@dataclass
class Served:
    proc: subprocess.Popen[str]
    url: str
    stdout: list[str] = field(default_factory=list)
    stderr: list[str] = field(default_factory=list)

    @property
    def port(self) -> int:
        port = urlsplit(self.url).port
        assert port is not None
        return port

    def request(self, path: str, method: str = "GET") -> tuple[int, dict[str, str], bytes]:
        """(status, headers, body) for ``path`` sent exactly as written (no normalisation)."""
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=10)
        try:
            conn.request(method, path)
            response = conn.getresponse()
            return response.status, {k.lower(): v for k, v in response.getheaders()}, response.read()
        finally:
            conn.close()

    def get(self, path: str) -> tuple[int, str]:
        status, _, body = self.request(path)
        return status, body.decode("utf-8")

    def generation(self) -> str:
        return str(json.loads(self.get("/__boardwatch/status")[1])["generation"])

    def log(self) -> str:
        return "".join(self.stdout) + "".join(self.stderr)


def _pump(stream: object, into: list[str]) -> None:
    for line in stream:  # type: ignore[attr-defined]
        into.append(line)  # noqa: PERF402 - one line at a time, so each is seen as it comes


def wait_for(what: str, check: Callable[[], object], served: Served | None = None) -> object:
    """Poll ``check`` until it returns something true, for at most WAIT seconds."""
    deadline = time.monotonic() + WAIT
    while True:
        result = check()
        if result:
            return result
        if time.monotonic() > deadline:
            raise AssertionError(f"timed out waiting for {what}" + (f"; server said:\n{served.log()}" if served else ""))
        if served is not None and served.proc.poll() is not None:
            raise AssertionError(f"the server exited ({served.proc.returncode}) while waiting for {what}:\n"
                                 f"{served.log()}")
        time.sleep(0.1)


# ``python -m boardwatch`` where SIGINT does what Ctrl-C does in a terminal, even when this test
# run inherited it ignored (as jobs that a script starts in the background do).
CTRL_C_AS_IN_A_TERMINAL = ("import runpy, signal, sys; signal.signal(signal.SIGINT, signal.default_int_handler); "
                           "sys.argv[0] = 'boardwatch'; runpy.run_module('boardwatch', run_name='__main__')")


@contextmanager
def serving(root: Path, *args: str | Path) -> Iterator[Served]:
    """``boardwatch serve ROOT --port 0 ARGS`` until the block ends; the process is always stopped."""
    env = {k: v for k, v in os.environ.items() if k != "NO_COLOR"}
    proc = subprocess.Popen([sys.executable, "-c", CTRL_C_AS_IN_A_TERMINAL, "serve", str(root), "--port", "0", "--no-search",
                             "--jobs", "1", *map(str, args)],
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, stdin=subprocess.DEVNULL, text=True,
                            env=env)
    served = Served(proc, "")
    pumps = [threading.Thread(target=_pump, args=(proc.stdout, served.stdout), daemon=True),
             threading.Thread(target=_pump, args=(proc.stderr, served.stderr), daemon=True)]
    for pump in pumps:
        pump.start()
    try:
        def address() -> str:
            match = re.search(r"serving (http://127\.0\.0\.1:\d+/)", "".join(served.stdout))
            return match.group(1) if match else ""
        served.url = str(wait_for("the server's address", address, served))
        yield served
    finally:
        if proc.poll() is None:
            proc.send_signal(signal.SIGINT)
            try:
                proc.wait(timeout=15)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(timeout=15)
        for pump in pumps:
            pump.join(timeout=5)
        for stream in (proc.stdout, proc.stderr):
            if stream is not None:
                stream.close()


def edit(root: Path, rel: str, old: str, new: str) -> None:
    path = root / rel
    text = path.read_text("utf-8")
    assert old in text, (old, text)
    path.write_text(text.replace(old, new), "utf-8")


# -- a server shared by the tests that only read -------------------------------------------------

@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Served, Path, Path]]:
    """A server with an output folder of its own (so tests can look at the files), the site, the output."""
    base = tmp_path_factory.mktemp("serve-read")
    root = make_site(base)
    (base / "secret.txt").write_text("top secret\n", "utf-8")
    out = base / "out"
    with serving(root, "--out", out) as served:
        (out / "outside").symlink_to(base, target_is_directory=True)  # a link out of the output folder
        (out / "secret-link.txt").symlink_to(base / "secret.txt")
        yield served, root, out


def test_prints_the_address_and_binds_to_loopback_by_default(site: tuple[Served, Path, Path]) -> None:
    served, _, _ = site
    assert served.url.startswith("http://127.0.0.1:")
    assert sum("serving http://" in line for line in served.stdout) == 1
    assert re.search(r"^built \d+ pages in \d+\.\d\ds", "".join(served.stdout), re.MULTILINE)


def test_root_and_folders_serve_their_index(site: tuple[Served, Path, Path]) -> None:
    served, _, out = site
    status, headers, body = served.request("/")
    assert status == 200 and headers["content-type"] == "text/html; charset=utf-8"
    assert parse_html(body.decode()).find("title").text == parse_html(
        (out / "index.html").read_text("utf-8")).find("title").text
    status, text = served.get("/articles/")
    assert status == 200 and "putin-invited.html" in text
    status, headers, _ = served.request("/articles?x=1")
    assert status == 301 and headers["location"] == "/articles/?x=1"


def test_live_reload_script_is_added_to_responses_not_to_files(site: tuple[Served, Path, Path]) -> None:
    served, _, out = site
    _, text = served.get(ARTICLE_PAGE)
    script = parse_html(text).find("script", src="/__boardwatch/live.js")
    assert script.get("data-generation") == served.generation()
    assert text.rstrip().endswith("</html>")
    assert b"__boardwatch" not in (out / ARTICLE_PAGE.lstrip("/")).read_bytes()
    status, headers, js = served.request("/__boardwatch/live.js")
    assert status == 200 and headers["content-type"].startswith("text/javascript")
    assert b"EventSource" in js and b"/__boardwatch/events" in js
    # Not HTML: served exactly as built.
    css = served.request("/assets/boardwatch.css")[2]
    assert css == (out / "assets" / "boardwatch.css").read_bytes()


def test_missing_pages_get_the_404_page_with_status_404(site: tuple[Served, Path, Path]) -> None:
    served, _, out = site
    status, text = served.get("/articles/no-such-article.html")
    assert status == 404
    expected = parse_html((out / "404.html").read_text("utf-8")).find("h1").text
    assert parse_html(text).find("h1").text == expected
    assert "/__boardwatch/live.js" in text


@pytest.mark.parametrize("path", [
    "/../", "/..", "/%2e%2e/", "/%2E%2E/%2e%2e/secret.txt", "/../secret.txt", "/articles/../../secret.txt",
    "/..%2fsecret.txt", "/%2e%2e%2fsecret.txt", "/articles/%2e%2e/%2e%2e/secret.txt", "/outside/secret.txt",
    "/secret-link.txt", "/.boardwatch/build.txt", "/index.html%00.txt", "/%ff%fe", "/articles/..%5c..%5csecret.txt",
])
def test_nothing_outside_the_output_folder_is_served(site: tuple[Served, Path, Path], path: str) -> None:
    served, _, _ = site
    status, _, body = served.request(path)
    assert status == 404, (path, status)
    assert b"top secret" not in body and not body.startswith(b"boardwatch ")  # .boardwatch/build.txt


def test_head_sends_headers_only(site: tuple[Served, Path, Path]) -> None:
    served, _, _ = site
    status, headers, body = served.request("/index.html", method="HEAD")
    assert status == 200 and body == b"" and int(headers["content-length"]) > 0


def test_server_sent_events_announce_the_current_build(site: tuple[Served, Path, Path]) -> None:
    served, _, _ = site
    conn = http.client.HTTPConnection("127.0.0.1", served.port, timeout=10)
    try:
        conn.request("GET", "/__boardwatch/events")
        response = conn.getresponse()
        assert response.status == 200 and response.getheader("content-type") == "text/event-stream"
        lines = [response.fp.readline().decode() for _ in range(3)]
        assert lines == ["retry: 1000\n", "event: build\n", f"data: {served.generation()}\n"]
    finally:
        conn.close()


# -- servers of their own, for tests that change the site -------------------------------------------

def test_an_edit_reloads_an_error_shows_in_the_browser_and_a_fix_clears_it(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    with serving(root) as served:
        status, text = served.get(ARTICLE_PAGE)
        assert status == 200 and "Freshly edited sentence" not in text
        first = served.generation()

        edit(root, ARTICLE, "was invited by Trump", "was invited by Trump. Freshly edited sentence")
        wait_for("the edit to be served", lambda: "Freshly edited sentence" in served.get(ARTICLE_PAGE)[1], served)
        wait_for("a new generation", lambda: served.generation() != first, served)  # announced after the swap
        assert 'id="boardwatch-overlay"' not in served.get(ARTICLE_PAGE)[1]

        # Break the YAML, with markup on the broken line: the overlay shows it, escaped.
        edit(root, ARTICLE, "tags: [diplomacy]", "tags: [diplomacy\nsummary: <b>bold</b> [unclosed")
        def overlaid() -> str:
            text = served.get("/index.html")[1]
            return text if "boardwatch-overlay" in text else ""
        page = str(wait_for("the overlay", overlaid, served))
        overlay = parse_html(page).find("div", id="boardwatch-overlay")
        assert overlay.get("role") == "alert"
        shown = overlay.find("pre").text
        assert f"{ARTICLE}:" in shown and "error BW104" in shown and "hint:" in shown
        assert "<b>bold</b>" not in page and "&lt;b&gt;bold&lt;/b&gt;" in page
        # Every page carries it, even one the last good build had, and the 404 page.
        assert "boardwatch-overlay" in served.get(ARTICLE_PAGE)[1]
        assert "boardwatch-overlay" in served.get("/no-such-page.html")[1]
        assert json.loads(served.get("/__boardwatch/status")[1])["ok"] is False
        wait_for("the errors in the terminal", lambda: "build failed" in "".join(served.stderr), served)
        assert "BW104" in "".join(served.stderr)

        edit(root, ARTICLE, "tags: [diplomacy\nsummary: <b>bold</b> [unclosed", "tags: [diplomacy]")
        wait_for("the overlay to go", lambda: "boardwatch-overlay" not in served.get(ARTICLE_PAGE)[1], served)
        status, text = served.get(ARTICLE_PAGE)
        assert status == 200 and "Freshly edited sentence" in text
        assert served.proc.poll() is None


def test_templates_static_and_settings_are_watched_even_when_created_later(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    assert not (root / "static").exists() and not (root / "templates").exists()
    with serving(root) as served:
        assert served.get("/hello.txt")[0] == 404
        (root / "static").mkdir()
        (root / "static" / "hello.txt").write_text("hello from static\n", "utf-8")
        wait_for("the static file", lambda: served.get("/hello.txt") == (200, "hello from static\n"), served)

        edit(root, "boardwatch.yaml", "title: Test site", "title: Renamed site")
        wait_for("the new title", lambda: "Renamed site" in served.get("/index.html")[1], served)

        (root / "templates").mkdir()
        (root / "templates" / "article.html").write_text(
            '{% extends "theme/article.html" %}{% block claims %}<p id="override">Overridden</p>{% endblock %}\n',
            "utf-8")
        wait_for("the template override", lambda: 'id="override"' in served.get(ARTICLE_PAGE)[1], served)


def test_a_site_that_starts_broken_is_served_with_the_errors_until_fixed(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/people/vladimir-putin.md": "---\nname: [Vladimir Putin\n---\n"})
    with serving(root) as served:
        status, text = served.get("/")
        assert status == 404 and "boardwatch-overlay" in text and "BW104" in text
        edit(root, "content/people/vladimir-putin.md", "[Vladimir Putin", "Vladimir Putin")
        # The build's files are in place a moment before the build is over and the errors go.
        wait_for("the first good build", lambda: served.get("/")[0] == 200 and "BW104" not in served.get("/")[1],
                 served)
        status, text = served.get("/")
        assert status == 200 and "boardwatch-overlay" not in text


def test_ctrl_c_stops_cleanly_and_removes_the_temporary_output(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    with serving(root, "--verbose") as served:
        match = re.search(r"removed on exit \((.+)\)\)", "".join(served.stdout))
        assert match, served.log()
        out = Path(match.group(1))
        assert (out / "index.html").is_file()
        assert served.get("/")[0] == 200
        wait_for("the request in the log", lambda: "GET / " in "".join(served.stderr), served)  # --verbose
        served.proc.send_signal(signal.SIGINT)
        assert served.proc.wait(timeout=15) == 0
    assert "stopped" in "".join(served.stderr)
    assert "Traceback" not in served.log()
    assert not out.exists() and not out.parent.exists()
    assert not (root / "site").exists()


def test_a_port_in_use_is_a_usage_error(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        run = subprocess.run([sys.executable, "-m", "boardwatch", "serve", str(root), "--port", str(port)],
                             capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 2, run.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in run.stderr and "--port" in run.stderr


@pytest.mark.browser
def test_an_open_page_reloads_by_itself_and_shows_the_overlay_in_chromium(tmp_path: Path,
                                                                          chromium_browser: Any) -> None:
    root = make_site(tmp_path)
    with serving(root) as served:
        context = chromium_browser.new_context()
        try:
            tab = context.new_page()
            problems: list[str] = []
            tab.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            tab.on("pageerror", lambda e: problems.append(str(e)))
            tab.goto(served.url + ARTICLE_PAGE.lstrip("/"))
            timeout = WAIT * 1000

            edit(root, ARTICLE, "was invited by Trump", "was invited by Trump. Freshly edited sentence")
            tab.wait_for_function("() => document.body.innerText.includes('Freshly edited sentence')",
                                  timeout=timeout)

            edit(root, ARTICLE, "tags: [diplomacy]", "tags: [diplomacy\nsummary: [unclosed")
            overlay = tab.wait_for_selector("#boardwatch-overlay", timeout=timeout)
            assert overlay is not None and overlay.is_visible()
            assert tab.evaluate("getComputedStyle(document.getElementById('boardwatch-overlay')).position") == "fixed"
            assert "BW104" in overlay.inner_text()

            edit(root, ARTICLE, "tags: [diplomacy\nsummary: [unclosed", "tags: [diplomacy]")
            tab.wait_for_selector("#boardwatch-overlay", state="detached", timeout=timeout)
            assert "Freshly edited sentence" in tab.inner_text("body")
            assert problems == []  # nothing blocked by the pages' Content-Security-Policy
        finally:
            context.close()


def test_an_output_folder_boardwatch_did_not_write_is_refused_before_serving(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    mine = tmp_path / "mine"
    mine.mkdir()
    (mine / "notes.txt").write_text("keep me\n", "utf-8")
    run = subprocess.run([sys.executable, "-m", "boardwatch", "serve", str(root), "--port", "0", "--out", str(mine)],
                         capture_output=True, text=True, timeout=60, check=False)
    assert run.returncode == 2, run.stderr
    assert "not empty" in run.stderr and "serving" not in run.stdout
    assert [p.name for p in mine.iterdir()] == ["notes.txt"]
