"""Fixtures and options for the whole suite; the helpers themselves live in site_helpers.py.

- ``make_site``: the :func:`site_helpers.make_site` function, as a fixture;
  ``base_site``: a fresh copy of the base site in ``tmp_path/site``;
  ``fixture_out`` / ``repo_out``: the fixture site and the repository's own site, built once.
- ``pytest --update-golden`` rewrites the golden files (``expected.txt`` of the invalid sites).
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from site_helpers import *  # noqa: F403 - re-exported for tests that import from conftest
from site_helpers import FIXTURE_SITE, REPO, build_site, copy_site, make_site


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption("--update-golden", action="store_true", default=False,
                     help="rewrite golden files (tests/sites/invalid/*/expected.txt) from the current output")


@pytest.fixture
def update_golden(request: pytest.FixtureRequest) -> bool:
    return bool(request.config.getoption("--update-golden"))


@pytest.fixture(name="make_site")
def make_site_fixture() -> object:
    """The :func:`make_site` function, for tests that prefer fixtures to imports."""
    return make_site


@pytest.fixture
def base_site(tmp_path: Path) -> Path:
    """A fresh copy of :data:`BASE_SITE` in ``tmp_path/site``."""
    return make_site(tmp_path)


def _built_copy(factory: pytest.TempPathFactory, site: Path, name: str) -> Path:
    """Build a copy of ``site`` (nothing is written next to the original); the output folder."""
    base = factory.mktemp(name)
    build_site(copy_site(site, base / "site"), base / "out")
    return base / "out"


@pytest.fixture(scope="session")
def fixture_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The fixture site (tests/sites/board-of-peace) built once, without drafts."""
    return _built_copy(tmp_path_factory, FIXTURE_SITE, "fixture-build")


@pytest.fixture(scope="session")
def repo_out(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The repository's own site (content/ at the repo root) built once."""
    return _built_copy(tmp_path_factory, REPO, "repo-build")


@pytest.fixture(scope="session")
def chromium_browser() -> Iterator[object]:
    """Debian's chromium driven by Playwright, one for the whole session (Playwright's sync API
    allows one running instance per process, so every browser test shares this one).
    Skipped where chromium is missing, unless BOARDWATCH_REQUIRE_BROWSER is set (CI): then it fails."""
    executable = Path("/usr/bin/chromium")
    if not executable.exists():
        if os.environ.get("BOARDWATCH_REQUIRE_BROWSER"):
            pytest.fail(f"{executable} is missing (BOARDWATCH_REQUIRE_BROWSER is set)")
        pytest.skip(f"{executable} is missing")
    from playwright.sync_api import sync_playwright
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=str(executable), args=["--no-sandbox", "--disable-gpu"])
        try:
            yield browser
        finally:
            browser.close()
