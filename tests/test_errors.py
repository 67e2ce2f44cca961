"""One broken site per failure mode (tests/sites/invalid/<case>/), each reported precisely.

Every case folder is a small site plus:

- ``case.toml``: what the case is about and the diagnostics it must give, exactly: each
  ``[[expect]]`` has ``code``, ``file`` and ``line`` (absolute in the file; 0 for a problem
  of the whole file), ``path`` (the key path, such as ``claims[0].speaker``; absent when the
  problem is not one key's), and optionally ``column``, ``hint`` (text the hint must contain,
  e.g. the suggested id) and ``severity`` (default ``error``). ``run = "build"`` checks by building
  (for problems only a build meets); ``drafts = false`` checks without drafts.
- ``expected.txt``: the text report (``boardwatch check``'s words, excerpts and carets).
  ``pytest --update-golden`` rewrites it, so the English can evolve while codes, files,
  lines and key paths stay asserted by ``case.toml``.
"""

from __future__ import annotations

import tomllib
from pathlib import Path
from typing import Any

import pytest
from site_helpers import INVALID_SITES, build_errors, diagnose, make_site

from boardwatch.diagnostics import CODES, Diagnostic, Severity
from boardwatch.report import format_text

CASES = sorted(p.name for p in INVALID_SITES.iterdir() if (p / "case.toml").is_file())
KEYS = {"code", "file", "line", "column", "path", "hint", "severity"}


def _case(name: str) -> dict[str, Any]:
    with open(INVALID_SITES / name / "case.toml", "rb") as f:
        return tomllib.load(f)


def _diagnostics(name: str, tmp_path: Path) -> list[Diagnostic]:
    case = _case(name)
    root = INVALID_SITES / name
    if case.get("run") == "build":
        return build_errors(root, tmp_path / "out", use_cache=False)
    return diagnose(root, drafts=case.get("drafts", True))


def test_there_are_enough_cases() -> None:
    assert len(CASES) >= 25
    assert sorted(p.name for p in INVALID_SITES.iterdir() if p.is_dir()) == CASES  # no folder without case.toml


@pytest.mark.parametrize("name", CASES)
def test_case(name: str, tmp_path: Path, update_golden: bool) -> None:
    case = _case(name)
    assert case.get("description"), "say what the case is about"
    expected = case["expect"]
    diags = _diagnostics(name, tmp_path)
    got = [(d.severity.value, d.code, d.span.file, d.span.line) for d in diags]
    want = [(e.get("severity", "error"), e["code"], e["file"], e["line"]) for e in expected]
    assert got == want, "\n".join(f"{d.span.file}:{d.span.line}:{d.span.column} {d.code} {d.message}"
                                  for d in diags)
    for d, e in zip(diags, expected):
        assert set(e) <= KEYS, f"unknown keys in case.toml: {set(e) - KEYS}"
        assert d.code in CODES
        if "column" in e:
            assert d.span.column == e["column"], d
        assert d.key_path == e.get("path", ""), d  # no path: a problem of the file, not of one key
        for text in [e["hint"]] if isinstance(e.get("hint"), str) else e.get("hint", []):
            assert text in d.hint, d
        assert len(d.hint) >= 20, f"every diagnostic says how to fix it: {d}"
        assert d.message and d.message != CODES[d.code], "the message names the particular problem"
    text = format_text(diags, INVALID_SITES / name)
    golden = INVALID_SITES / name / "expected.txt"
    if update_golden:
        golden.write_text(text, encoding="utf-8")
    assert golden.is_file(), f"no {golden}: run pytest --update-golden"
    assert golden.read_text("utf-8") == text, "the text report changed: review it, then run pytest --update-golden"


def test_every_error_code_a_content_author_can_cause_has_a_case() -> None:
    covered = {e["code"] for name in CASES for e in _case(name)["expect"]}
    elsewhere = {
        "BW106": "a file over 1 MB: tests/unit/test_sources.py",
        "BW110": "symbolic links out of the site: tests/unit/test_sources.py",
        "BW111": "unreadable files need permissions a checkout cannot carry",
        "BW403": "an unreadable boardwatch.yaml, likewise",
        "BW502": "output folder problems are not content: tests/unit/test_publish.py",
        "BW701": "a damaged build cache is not content",
        "BW900": "internal errors are bugs, not content",
    }
    assert set(CODES) - covered == set(elsewhere)


# -- every error at once, and no cascades ------------------------------------------------------

def test_all_errors_of_a_site_are_reported_in_one_run(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        "content/people/dmitry-peskov.md": "---\nname: Dmitry Peskov\nnationality: kremlin\n---\n",
        "content/states/russia.md": "---\nname: Russia\niso: Russia\n---\n",
        "content/articles/putin-invited.md": "---\ntitle: T\ndate: 2026-13-45\nactors: [vladimir-puttin]\n---\n",
        "content/articles/second.md": "---\ntitle: [a\n---\n",
    })
    diags = diagnose(root)
    assert [(d.code, d.span.file, d.span.line) for d in diags] == [
        ("BW206", "content/articles/putin-invited.md", 3),
        ("BW104", "content/articles/second.md", 3),
        ("BW303", "content/people/dmitry-peskov.md", 3),
        ("BW208", "content/states/russia.md", 3),
    ]


def test_a_broken_entity_does_not_cascade_into_the_articles_that_mention_it(tmp_path: Path) -> None:
    mentions = ("---\ntitle: T\ndate: 2026-01-20\nactors: [vladimir-putin]\nclaims:\n  - id: c9\n"
                "    speaker: vladimir-putin\n    text: T\n    about: [vladimir-putin]\n---\n[[vladimir-putin]]\n")
    for broken in ("---\nname: Vladimir Putin\n", "---\nname: [Vladimir\n---\n", "", b"---\nname: \xff\n---\n",
                   "---\naliases: [Putin]\n---\n", "---\nname: Vladimir Putin\nnationality: rusia\n---\n"):
        root = make_site(tmp_path / str(len(list(tmp_path.iterdir()))), {
            "content/people/vladimir-putin.md": broken, "content/articles/mentions.md": mentions})
        diags = diagnose(root)
        assert [d.span.file for d in diags] == ["content/people/vladimir-putin.md"], (broken, diags)
        assert all(d.severity is Severity.ERROR for d in diags)
