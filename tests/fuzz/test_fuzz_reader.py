"""Property: the reader (decode -> parse -> validate) turns any input into a record or into
boardwatch's own diagnostics that name the file and a line inside it; it never raises,
never crashes, and never runs anything (YAML is loaded safely).
"""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st
from fuzzkit import VALID_ARTICLE, front_matter_documents, fuzz_settings, mutated

from boardwatch.diagnostics import CODES, Diagnostics, Severity
from boardwatch.frontmatter import parse
from boardwatch.model import Kind, Source
from boardwatch.schema import validate
from boardwatch.sources import decode

KINDS = {Kind.ARTICLE: "content/articles/fuzzed.md", Kind.PERSON: "content/people/fuzzed.md",
         Kind.STATE: "content/states/fuzzed.md", Kind.BODY: "content/bodies/fuzzed.md",
         Kind.INITIATIVE: "content/initiatives/fuzzed.md"}


def read(raw: bytes, kind: Kind) -> Diagnostics:
    """Run the reader on ``raw`` and check every property of what it reports."""
    rel = KINDS[kind]
    diags = Diagnostics()
    text = decode(raw, rel, diags)
    if text is None:
        assert [d.code for d in diags] == ["BW101"]
    else:
        assert "\r" not in text and "\x00" not in text
        doc = parse(Source(path=rel, text=text, sha256="", kind=kind, stem="fuzzed"), diags)
        assert (doc is None) == diags.has_errors
        if doc is not None:
            record = validate(doc, diags)
            assert (record is None) == diags.has_errors
    lines = raw.count(b"\n") + raw.count(b"\r") + 1
    for d in diags:
        assert d.code in CODES and d.severity in (Severity.ERROR, Severity.WARNING)
        assert d.span.file == rel, d
        assert 0 <= d.span.line <= lines, (d, lines)
        assert d.message and d.hint, d
    return diags


@fuzz_settings(150)
@given(st.binary(max_size=3000), st.sampled_from(sorted(KINDS, key=lambda k: k.value)))
def test_any_bytes(raw: bytes, kind: Kind) -> None:
    read(raw, kind)


@fuzz_settings(150)
@given(front_matter_documents(), st.sampled_from(sorted(KINDS, key=lambda k: k.value)))
def test_front_matter_like_text(text: str, kind: Kind) -> None:
    read(text.encode("utf-8"), kind)


@fuzz_settings(150)
@given(mutated())
def test_mutations_of_a_valid_article(text: str) -> None:
    read(text.encode("utf-8"), Kind.ARTICLE)


@fuzz_settings(60)
@given(st.sampled_from(["\ufeff", ""]), st.sampled_from(["\n", "\r\n", "\r"]), mutated())
def test_encodings_and_line_endings(bom: str, newline: str, text: str) -> None:
    read((bom + text.replace("\n", newline)).encode("utf-8"), Kind.ARTICLE)


def test_the_valid_article_reads_cleanly() -> None:
    assert list(read(VALID_ARTICLE.encode(), Kind.ARTICLE)) == []
