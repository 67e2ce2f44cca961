"""The parse stage: the --- block, safe YAML, positions absolute in the file, limits."""

from __future__ import annotations

import datetime as dt

import pytest

from boardwatch.diagnostics import Diagnostic, Diagnostics
from boardwatch.frontmatter import Document, format_path, parse
from boardwatch.model import Kind, Source

ARTICLE = """\
---
title: Putin invited
date: 2026-01-19
claims:
  - id: peskov-confirms
    speaker: dmitry-peskov
    about: [vladimir-putin, board-of-peace]
---
First paragraph.

Second paragraph.
"""


def _parse(text: str, path: str = "content/articles/a.md") -> tuple[Document | None, list[Diagnostic]]:
    diags = Diagnostics()
    doc = parse(Source(path=path, text=text, sha256="", kind=Kind.ARTICLE, stem="a"), diags)
    return doc, list(diags)


def _one_error(text: str) -> Diagnostic:
    doc, diags = _parse(text)
    assert doc is None
    assert len(diags) == 1, diags
    return diags[0]


def test_data_body_and_body_line() -> None:
    doc, diags = _parse(ARTICLE)
    assert diags == [] and doc is not None
    assert doc.data == {"title": "Putin invited", "date": dt.date(2026, 1, 19), "claims": [
        {"id": "peskov-confirms", "speaker": "dmitry-peskov", "about": ["vladimir-putin", "board-of-peace"]}]}
    assert doc.body == "First paragraph.\n\nSecond paragraph.\n"
    assert doc.body_line == 9
    assert ARTICLE.split("\n")[doc.body_line - 1] == "First paragraph."


def test_positions_are_absolute_in_the_file() -> None:
    doc, _ = _parse(ARTICLE)
    assert doc is not None
    lines = ARTICLE.split("\n")
    # keys: line and column of the key itself
    assert (doc.keys[("title",)].line, doc.keys[("title",)].column) == (2, 1)
    assert (doc.keys[("claims", 0, "speaker")].line, doc.keys[("claims", 0, "speaker")].column) == (6, 5)
    # values: where the value starts, with its length
    speaker = doc.values[("claims", 0, "speaker")]
    assert (speaker.line, speaker.column, speaker.length) == (6, 14, len("dmitry-peskov"))
    assert lines[speaker.line - 1][speaker.column - 1:][: speaker.length] == "dmitry-peskov"
    second = doc.values[("claims", 0, "about", 1)]
    assert lines[second.line - 1][second.column - 1:][: second.length] == "board-of-peace"
    assert doc.values[("date",)].line == 3


def test_span_falls_back_to_the_key_then_the_parent() -> None:
    doc, _ = _parse(ARTICLE)
    assert doc is not None
    assert doc.span(("claims", 0, "speaker")).column == 14  # the value
    assert doc.key_span(("claims", 0, "speaker")).column == 5  # the key
    assert doc.span(("claims", 0, "missing")).line == 5  # the claim item
    assert doc.span(("nothing",)).line == 2  # the mapping
    assert doc.span(()).line == 2


def test_closing_dots_are_accepted() -> None:
    doc, diags = _parse("---\ntitle: x\n...\nbody\n")
    assert diags == [] and doc is not None
    assert doc.body == "body\n"


def test_empty_body() -> None:
    doc, diags = _parse("---\ntitle: x\n---")
    assert diags == [] and doc is not None
    assert doc.body == ""


def test_unclosed_block() -> None:
    d = _one_error("---\ntitle: x\ndate: 2026-01-19\nBody without a closing line.\n")
    assert (d.code, d.span.line) == ("BW103", 1)
    assert "'---'" in d.hint


def test_no_front_matter() -> None:
    d = _one_error("title: x\n---\n")
    assert (d.code, d.span.line) == ("BW102", 1)


@pytest.mark.parametrize("text", ["", "\n\n", "   \n"])
def test_empty_file(text: str) -> None:
    assert _one_error(text).code == "BW109"


def test_empty_front_matter() -> None:
    d = _one_error("---\n---\nbody\n")
    assert d.code == "BW105"
    assert "required keys" in d.hint


@pytest.mark.parametrize("yaml_text, kind", [("- a\n- b\n", "list"), ("just text\n", "text")])
def test_front_matter_must_be_a_mapping(yaml_text: str, kind: str) -> None:
    d = _one_error(f"---\n{yaml_text}---\n")
    assert (d.code, d.span.line) == ("BW105", 2)
    assert kind in d.message


def test_yaml_syntax_error_line_is_absolute() -> None:
    d = _one_error("---\ntitle: ok\ndate: 2026-01-19\nsummary: Trump: the board\n---\n")
    assert (d.code, d.span.line, d.span.column) == ("BW104", 4, 15)
    assert "double quotes" in d.hint


def test_tab_indentation_names_line_and_column() -> None:
    d = _one_error("---\ntitle: x\nclaims:\n  - id: a\n\t speaker: b\n---\n")
    assert (d.code, d.span.line, d.span.column) == ("BW104", 5, 1)
    assert "spaces" in d.hint


def test_a_tab_inside_a_value_is_fine() -> None:
    doc, diags = _parse('---\ntitle: "a\tb"\n---\n')
    assert diags == [] and doc is not None
    assert doc.data["title"] == "a\tb"


def test_duplicate_keys_are_reported_at_the_second() -> None:
    d = _one_error("---\ntitle: one\ndate: 2026-01-19\ntitle: two\n---\n")
    assert (d.code, d.span.line, d.span.column, d.key_path) == ("BW108", 4, 1, "title")
    assert "line 2" in d.message


def test_duplicate_nested_key_has_its_key_path() -> None:
    d = _one_error("---\ntitle: t\nclaims:\n  - id: a\n    id: b\n---\n")
    assert (d.code, d.span.line, d.key_path) == ("BW108", 5, "claims[0].id")


def test_every_duplicate_is_reported() -> None:
    doc, diags = _parse("---\na: 1\na: 2\nb: 1\nb: 2\n---\n")
    assert doc is None
    assert [(d.code, d.span.line) for d in diags] == [("BW108", 3), ("BW108", 5)]


def test_alias_bomb_is_rejected() -> None:
    # 9 levels of 9 aliases expand to 9**9 values; the walker must stop long before.
    lines = ["---", 'a0: &a0 ["x"]']
    for i in range(1, 10):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    lines.append("---")
    d = _one_error("\n".join(lines) + "\n")
    assert d.code == "BW107"
    assert "aliases" in d.hint


def test_deep_nesting_is_rejected() -> None:
    d = _one_error("---\nx: " + "[" * 40 + "]" * 40 + "\n---\n")
    assert d.code == "BW107"


def test_recursive_alias_is_rejected() -> None:
    d = _one_error("---\nx: &a [*a]\n---\n")
    assert d.code == "BW107"


def test_merge_keys_are_rejected() -> None:
    d = _one_error("---\nbase: &b {name: x}\nother:\n  <<: *b\n---\n")
    assert d.code == "BW107"


def test_unsafe_scalar_tags_are_errors() -> None:
    d = _one_error("---\ntitle: ok\nx: !!python/name:os.system\n---\n")
    assert (d.code, d.span.line) == ("BW104", 3)


def test_tags_on_collections_are_errors_never_objects() -> None:
    d = _one_error("---\ntitle: ok\nx: !!python/object/apply:os.system ['true']\n---\n")
    assert (d.code, d.span.line) == ("BW104", 3)  # refused, not read as a plain list
    assert "!!python/object/apply:os.system" in d.message


def test_complex_keys_are_rejected() -> None:
    d = _one_error("---\n? [a, b]\n: value\n---\n")
    assert (d.code, d.span.line) == ("BW105", 2)


def test_scalar_keys_become_text() -> None:
    doc, diags = _parse("---\n1: one\ntrue: yes\n---\n")
    assert diags == [] and doc is not None
    assert set(doc.data) == {"1", "true"}


def test_impossible_date_is_kept_as_text() -> None:
    # YAML sees a timestamp; the constructor cannot build it. The schema reports the text.
    doc, diags = _parse("---\ndate: 2026-13-01\n---\n")
    assert diags == [] and doc is not None
    assert doc.data["date"] == "2026-13-01"


def test_format_path() -> None:
    assert format_path(()) == ""
    assert format_path(("title",)) == "title"
    assert format_path(("claims", 1, "speaker")) == "claims[1].speaker"
    assert format_path(("members", 0)) == "members[0]"
