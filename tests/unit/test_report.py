"""Diagnostics -> text (excerpt and caret, repeats capped), GitHub annotations, JSON."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from boardwatch.diagnostics import Diagnostic, Severity, Span
from boardwatch.report import MAX_PER_CODE_AND_FILE, format_github, format_json, format_text, summary, use_color

FILE = "content/articles/a.md"
TEXT = "---\ntitle: T\nclaims:\n  - speaker: vladimir-puttin\n---\n"


def _d(code: str = "BW301", line: int = 4, column: int = 14, length: int = 15, *, file: str = FILE,
       severity: Severity = Severity.ERROR, path: str = "claims[0].speaker",
       message: str = "unknown id 'vladimir-puttin'", hint: str = "did you mean 'vladimir-putin'?") -> Diagnostic:
    return Diagnostic(code, severity, message, Span(file, line, column, length), path, hint)


@pytest.fixture
def root(tmp_path: Path) -> Path:
    (tmp_path / "content/articles").mkdir(parents=True)
    (tmp_path / FILE).write_text(TEXT)
    return tmp_path


def test_text_has_location_excerpt_caret_and_hint(root: Path) -> None:
    assert format_text([_d()], root) == (
        "content/articles/a.md:4:14: error BW301 unknown id 'vladimir-puttin' (at claims[0].speaker)\n"
        "   4 |   - speaker: vladimir-puttin\n"
        "     |              ^^^^^^^^^^^^^^^\n"
        "   hint: did you mean 'vladimir-putin'?\n")


def test_text_without_a_line_or_a_readable_file(root: Path) -> None:
    text = format_text([_d(line=0, column=0, file="content/people/gone.md", path="")], root)
    assert text.splitlines()[0] == "content/people/gone.md: error BW301 unknown id 'vladimir-puttin'"
    assert "|" not in text


def test_the_caret_stays_within_the_line(root: Path) -> None:
    lines = format_text([_d(line=2, column=8, length=500)], root).splitlines()
    assert lines[1] == "   2 | title: T"
    assert lines[2] == "     |        ^"


def test_repeats_of_one_code_in_one_file_are_capped(root: Path) -> None:
    many = [_d(line=4, column=i) for i in range(1, MAX_PER_CODE_AND_FILE + 15)]
    text = format_text(many, root)
    assert text.count("error BW301") == MAX_PER_CODE_AND_FILE
    assert text.rstrip().endswith(f"{FILE}: ... and 14 more BW301 in this file")


def test_no_color_unless_a_terminal_and_allowed(monkeypatch: pytest.MonkeyPatch, root: Path) -> None:
    monkeypatch.delenv("NO_COLOR", raising=False)
    monkeypatch.setenv("TERM", "xterm")
    assert use_color(True) and not use_color(False)
    monkeypatch.setenv("NO_COLOR", "1")
    assert not use_color(True)
    assert "\033[" in format_text([_d()], root, color=True)
    assert "\033[" not in format_text([_d()], root, color=False)


def test_github_annotations_escape_their_properties_and_message() -> None:
    d = _d(file="content/articles/a,b:c.md", message="bad\nvalue 100%", hint="write it again")
    assert format_github([d, _d(severity=Severity.WARNING, code="BW309", path="")]) == (
        "::error file=content/articles/a%2Cb%3Ac.md,line=4,col=14,title=BW301::bad%0Avalue 100%25 "
        "(claims[0].speaker). Write it again\n"
        "::warning file=content/articles/a.md,line=4,col=14,title=BW309::unknown id 'vladimir-puttin'. "
        "Did you mean 'vladimir-putin'?\n")


def test_json_has_every_field() -> None:
    [item] = json.loads(format_json([_d()]))
    assert item == {"file": FILE, "line": 4, "column": 14, "path": "claims[0].speaker", "code": "BW301",
                    "severity": "error", "message": "unknown id 'vladimir-puttin'",
                    "hint": "did you mean 'vladimir-putin'?"}
    assert json.loads(format_json([])) == []


def test_summary() -> None:
    assert summary([]) == "no problems found"
    assert summary([_d(), _d(line=2), _d(severity=Severity.WARNING, file="b.md")]) == (
        "2 errors and 1 warning in 2 files")
