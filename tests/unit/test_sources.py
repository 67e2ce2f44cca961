"""The read stage: discovery, kind from folder, path safety, decoding."""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from site_helpers import codes, make_site

from boardwatch.diagnostics import Diagnostics
from boardwatch.frontmatter import parse
from boardwatch.model import Kind
from boardwatch.sources import MAX_FILE_BYTES, decode, discover, is_valid_id

PERSON = "---\nname: Someone\n---\nBody.\n"


def _discover(root: Path) -> tuple[list, Diagnostics]:
    diags = Diagnostics()
    return list(discover(root, diags)), diags


def test_kind_comes_from_the_folder(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        "content/people/a.md": PERSON, "content/states/b.md": PERSON, "content/bodies/c.md": PERSON,
        "content/initiatives/d.md": PERSON, "content/articles/e.md": PERSON,
    }, base=False)
    sources, diags = _discover(root)
    assert not list(diags)
    assert {(s.path, s.kind, s.stem) for s in sources} == {
        ("content/people/a.md", Kind.PERSON, "a"), ("content/states/b.md", Kind.STATE, "b"),
        ("content/bodies/c.md", Kind.BODY, "c"), ("content/initiatives/d.md", Kind.INITIATIVE, "d"),
        ("content/articles/e.md", Kind.ARTICLE, "e"),
    }


def test_sources_come_in_path_order(tmp_path: Path) -> None:
    root = make_site(tmp_path, {f"content/people/p{i}.md": PERSON for i in (3, 1, 2)}, base=False)
    sources, _ = _discover(root)
    assert [s.path for s in sources] == ["content/people/p1.md", "content/people/p2.md", "content/people/p3.md"]


def test_articles_may_live_in_sub_folders(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/articles/2026/01/deep.md": PERSON}, base=False)
    sources, diags = _discover(root)
    assert not list(diags)
    assert [(s.kind, s.stem) for s in sources] == [(Kind.ARTICLE, "deep")]


@pytest.mark.parametrize("folder", ["people", "states", "bodies", "initiatives"])
def test_entity_files_in_sub_folders_are_rejected(tmp_path: Path, folder: str) -> None:
    rel = f"content/{folder}/extra/someone.md"
    root = make_site(tmp_path, {rel: PERSON}, base=False)
    sources, diags = _discover(root)
    assert sources == []
    [d] = list(diags)
    assert (d.code, d.span.file) == ("BW112", rel)
    assert f"content/{folder}/someone.md" in d.hint


@pytest.mark.parametrize("rel", ["content/posts/x.md", "content/x.md"])
def test_files_outside_known_folders_are_rejected(tmp_path: Path, rel: str) -> None:
    root = make_site(tmp_path, {rel: PERSON}, base=False)
    sources, diags = _discover(root)
    assert sources == []
    [d] = list(diags)
    assert (d.code, d.span.file) == ("BW112", rel)
    assert "content/articles/" in d.hint


def test_non_markdown_hidden_and_backup_files_are_ignored(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        "content/people/a.md": PERSON, "content/people/notes.txt": "x", "content/people/.hidden.md": "x",
        "content/people/a.md~": "x", "content/.git/config.md": "x", "content/people/photo.jpg": "x",
    }, base=False)
    sources, diags = _discover(root)
    assert not list(diags)
    assert [s.path for s in sources] == ["content/people/a.md"]


def test_missing_content_folder_is_one_error(tmp_path: Path) -> None:
    sources, diags = _discover(tmp_path)
    assert sources == []
    assert codes(list(diags)) == ["BW111"]
    assert "boardwatch new site" in list(diags)[0].hint


def test_byte_order_mark_is_dropped(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/people/a.md": b"\xef\xbb\xbf" + PERSON.encode()}, base=False)
    sources, diags = _discover(root)
    assert not list(diags)
    assert sources[0].text == PERSON
    doc = parse(sources[0], diags)
    assert doc is not None and doc.data == {"name": "Someone"}


def test_crlf_and_lone_cr_become_lf_and_keep_line_numbers(tmp_path: Path) -> None:
    text = "---\r\nname: Someone\r\nsummary: one: two\r\n---\r\nBody\rmore\r\n"
    root = make_site(tmp_path, {"content/people/a.md": text.encode()}, base=False)
    sources, diags = _discover(root)
    assert "\r" not in sources[0].text
    assert sources[0].text == "---\nname: Someone\nsummary: one: two\n---\nBody\nmore\n"
    assert parse(sources[0], diags) is None
    [d] = list(diags)
    assert (d.code, d.span.line, d.span.column) == ("BW104", 3, 13)


def test_hash_is_of_the_raw_bytes(tmp_path: Path) -> None:
    import hashlib
    raw = b"\xef\xbb\xbf---\r\nname: X\r\n---\r\n"
    root = make_site(tmp_path, {"content/people/a.md": raw}, base=False)
    sources, _ = _discover(root)
    assert sources[0].sha256 == hashlib.sha256(raw).hexdigest()


def _unreadable(sources: list) -> list[tuple[str, str, bool]]:
    """A file that cannot be decoded is kept as an unreadable source: its id still counts."""
    return [(s.path, s.text, s.readable) for s in sources]


def test_invalid_utf8_names_line_and_column(tmp_path: Path) -> None:
    raw = b"---\nname: Someone\nsummary: caf\xe9 au lait\n---\n"
    root = make_site(tmp_path, {"content/people/a.md": raw}, base=False)
    sources, diags = _discover(root)
    assert _unreadable(sources) == [("content/people/a.md", "", False)]
    assert parse(sources[0], diags) is None  # nothing more is reported
    [d] = list(diags)
    assert (d.code, d.span.file, d.span.line, d.span.column) == ("BW101", "content/people/a.md", 3, 13)
    assert "0xe9" in d.message
    assert "UTF-8" in d.hint


def test_invalid_utf8_after_a_bom_counts_columns_in_the_file(tmp_path: Path) -> None:
    diags = Diagnostics()
    assert decode(b"\xef\xbb\xbf\xff", "x.md", diags) is None
    [d] = list(diags)
    assert (d.span.line, d.span.column) == (1, 1)


def test_nul_character_is_rejected_with_its_line(tmp_path: Path) -> None:
    raw = b"---\nname: X\n---\nbody\n\x00binary\n"
    root = make_site(tmp_path, {"content/people/a.md": raw}, base=False)
    sources, diags = _discover(root)
    assert _unreadable(sources) == [("content/people/a.md", "", False)]
    [d] = list(diags)
    assert (d.code, d.span.line) == ("BW101", 5)


def test_file_too_large(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/articles/big.md": "---\ntitle: x\n---\n" + "a" * MAX_FILE_BYTES},
                     base=False)
    sources, diags = _discover(root)
    assert _unreadable(sources) == [("content/articles/big.md", "", False)]
    assert codes(list(diags)) == ["BW106"]


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this platform")
def test_symlink_outside_the_site_is_refused(tmp_path: Path) -> None:
    outside = tmp_path / "secret.md"
    outside.write_text(PERSON)
    root = make_site(tmp_path, {"content/people/a.md": PERSON}, base=False)
    (root / "content/people/evil.md").symlink_to(outside)
    sources, diags = _discover(root)
    assert [s.path for s in sources] == ["content/people/a.md"]
    [d] = list(diags)
    assert (d.code, d.span.file) == ("BW110", "content/people/evil.md")


@pytest.mark.skipif(not hasattr(os, "symlink"), reason="no symbolic links on this platform")
def test_symlink_inside_the_site_is_read(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/people/a.md": PERSON}, base=False)
    (root / "content/people/b.md").symlink_to(root / "content/people/a.md")
    sources, diags = _discover(root)
    assert not list(diags)
    assert [s.stem for s in sources] == ["a", "b"]


@pytest.mark.parametrize("value, ok", [
    ("vladimir-putin", True), ("g7", True), ("a", True), ("Vladimir-Putin", False), ("a--b", False),
    ("-a", False), ("a-", False), ("a_b", False), ("con", False), ("lpt1", False), ("x" * 121, False),
    ("", False), ("é", False),
])
def test_valid_ids(value: str, ok: bool) -> None:
    assert is_valid_id(value) is ok
