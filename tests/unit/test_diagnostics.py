"""The error-code registry, its documentation (docs/errors.md), and the collector."""

from __future__ import annotations

import re

from site_helpers import REPO

from boardwatch.diagnostics import CODES, Diagnostics, Severity, Span, did_you_mean, suggest

DOC = REPO / "docs" / "errors.md"
SOURCES = REPO / "src" / "boardwatch"


def _sections() -> dict[str, str]:
    text = DOC.read_text("utf-8")
    parts = re.split(r"^## (BW\d{3}): .*$", text, flags=re.M)
    return dict(zip(parts[1::2], parts[2::2]))


def test_every_code_is_documented_once_with_an_example_and_a_fix() -> None:
    text = DOC.read_text("utf-8")
    headings = re.findall(r"^## (BW\d{3})\b", text, flags=re.M)
    assert sorted(headings) == sorted(CODES), "docs/errors.md has one '## BWnnn: ...' section per code"
    assert headings == sorted(headings), "sections in code order"
    for code, body in _sections().items():
        assert "```" in body, f"{code}: an example message"
        assert "**How to fix it.**" in body, f"{code}: how to fix it"
        assert code in body.split("```")[1] or code in ("BW502", "BW900"), f"{code}: the example shows the code"


def test_the_headings_use_the_registry_wording() -> None:
    text = DOC.read_text("utf-8")
    for code, meaning in CODES.items():
        assert f"## {code}: {meaning}\n" in text


def test_every_code_the_source_uses_is_registered() -> None:
    used = set()
    for path in SOURCES.rglob("*.py"):
        used |= set(re.findall(r"[\"'](BW\d{3})[\"']", path.read_text("utf-8")))
    assert used - set(CODES) == set()


def test_codes_are_grouped_by_stage() -> None:
    assert all(re.fullmatch(r"BW[1-79]\d\d", code) for code in CODES)


def test_collector_sorts_and_deduplicates() -> None:
    diags = Diagnostics()
    diags.error("BW301", "b", Span("b.md", 2, 1))
    diags.warning("BW309", "a", Span("a.md", 9, 1))
    diags.error("BW301", "b", Span("b.md", 2, 1))
    diags.error("BW202", "a", Span("a.md", 3, 5))
    assert [(d.span.file, d.span.line) for d in diags] == [("a.md", 3), ("a.md", 9), ("b.md", 2)]
    assert diags.has_errors
    assert [d.code for d in diags.errors] == ["BW202", "BW301"]
    assert [d.severity for d in diags.warnings] == [Severity.WARNING]


def test_suggestions() -> None:
    ids = ["vladimir-putin", "donald-trump", "dmitry-peskov"]
    assert suggest("vladimir-puttin", ids) == ["vladimir-putin"]
    assert suggest("putin", ids) == ["vladimir-putin"]  # a part of an id
    assert suggest("zzz", ids) == []
    assert did_you_mean("donald-trum", ids) == "did you mean 'donald-trump'?"
    assert did_you_mean("zzz", ids) == ""
    two = did_you_mean("ab", ["abc", "abd", "xyz"])
    assert two in ("did you mean 'abc' or 'abd'?", "did you mean 'abd' or 'abc'?")
