"""Regression: every input in tests/fuzz/corpus/ once broke boardwatch (a crash, a hang, an
internal error, a wrong line, or script that got through). Each is replayed through a whole
build of the base test site and must now give exactly the errors expected.toml records.

To add one: save the input as ``corpus/<content folder>--<file name>`` and describe it in
expected.toml (what it ``was``, the ``codes`` it gives now, and the ``line`` of the first).
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path

import pytest
from test_fuzz_build import build_guarded
from site_helpers import make_site

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))
from seckit import live_script  # noqa: E402 - the security tests' checker

from boardwatch.build import BuildResult, ContentErrors  # noqa: E402

CORPUS = Path(__file__).resolve().parent / "corpus"
EXPECTED = tomllib.loads((CORPUS / "expected.toml").read_text("utf-8"))
INPUTS = sorted(p.name for p in CORPUS.iterdir() if p.name != "expected.toml")


def test_every_input_is_described() -> None:
    assert sorted(EXPECTED) == INPUTS
    assert all(entry.get("was") for entry in EXPECTED.values())


@pytest.mark.parametrize("name", INPUTS)
def test_replay(name: str, tmp_path: Path) -> None:
    expected = EXPECTED[name]
    folder, file_name = name.split("--", 1)
    rel = f"content/{folder}/{file_name}"
    root = make_site(tmp_path, {rel: (CORPUS / name).read_bytes()})
    out = tmp_path / "out"
    outcome = build_guarded(root, out)
    if not expected["codes"]:
        assert isinstance(outcome, BuildResult), repr(outcome)
        assert live_script(out) == []
        return
    assert isinstance(outcome, ContentErrors), repr(outcome)
    errors = list(outcome.diagnostics.errors)
    assert [d.code for d in errors] == expected["codes"], [(d.code, d.span, d.message) for d in errors]
    assert errors[0].span.file == rel
    lines = (CORPUS / name).read_bytes().count(b"\n") + 1
    assert 1 <= errors[0].span.line <= lines
    if "line" in expected:
        assert errors[0].span.line == expected["line"], errors[0]
    assert not out.exists()
