"""The package type-checks: ``mypy`` with the configuration in pyproject.toml (strict, src/boardwatch)."""

from __future__ import annotations

import importlib.util
import os
import subprocess
import sys
from pathlib import Path

import pytest
from site_helpers import REPO


def test_mypy_strict_passes(tmp_path: Path) -> None:
    if importlib.util.find_spec("mypy") is None and not os.environ.get("BOARDWATCH_REQUIRE_BROWSER"):
        pytest.skip("mypy is not installed (pip install -e '.[test]')")
    # A cache of its own: every run checks everything, and concurrent runs share nothing.
    result = subprocess.run(
        [sys.executable, "-m", "mypy", "--cache-dir", str(tmp_path / "mypy-cache")],
        cwd=REPO, capture_output=True, text=True, check=False,
    )
    output = result.stdout + result.stderr
    assert result.returncode == 0, f"mypy exited with {result.returncode}:\n{output}"
    assert "Success: no issues found" in result.stdout, output
