"""Constants and helpers shared by the browser suite's conftest and tests."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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
