"""Paths: no id, slug, claim id, tag, template or static file can make a build read or write
outside the site folder and the output folder, and no two sources may write one output path
(exactly or up to letter case). The output folder is never the site, nor a folder that is not
a previous boardwatch output.
"""

from __future__ import annotations

import os
from pathlib import Path

import pytest
from seckit import leftovers, run_cli, tree_digest
from site_helpers import codes, errors_of, make_site

from boardwatch.build import OutputError, build
from boardwatch.publish import MARKER
from boardwatch.sources import reserved_on_windows

ARTICLE = "---\ntitle: T\ndate: 2026-01-19\nactors: [vladimir-putin]\n{extra}---\nBody.\n"


def _outside_writes(tmp_path: Path, root: Path, out: Path) -> list[str]:
    """Files anywhere under tmp_path that are neither in the site, the output, nor beside it."""
    allowed = (root, out)
    return sorted(str(p) for p in tmp_path.rglob("*") if p.is_file()
                  and not any(p.is_relative_to(a) for a in allowed) and not p.name.startswith(f".{out.name}."))


@pytest.mark.parametrize("slug", [
    "../../escape", "/etc/passwd", "..", ".", "a/b", "a\\\\b", "C:\\\\Windows\\\\x", "c:evil", "con", "NUL", "com1",
    "lpt9", "aux", "a\\u0000b", "A-Capital", "x" * 200, "", "-lead", "trail-", "double--hyphen", "spa ce", "ünï",
    "%2e%2e%2fescape", "a.html", "index?x",
])
def test_unsafe_slugs_are_refused(tmp_path: Path, slug: str) -> None:
    root = make_site(tmp_path, {"content/articles/safe.md": ARTICLE.format(extra=f'slug: "{slug}"\n')})
    assert "BW205" in codes(errors_of(root)) or "BW208" in codes(errors_of(root)), errors_of(root)


@pytest.mark.parametrize("claim_id", ["../x", "/abs", "con", "a\\\\b", "C:x", "Upper"])
def test_unsafe_claim_ids_are_refused(tmp_path: Path, claim_id: str) -> None:
    extra = f'claims:\n  - id: "{claim_id}"\n    speaker: vladimir-putin\n    text: Said.\n'
    root = make_site(tmp_path, {"content/articles/safe.md": ARTICLE.format(extra=extra)})
    assert "BW205" in codes(errors_of(root)), errors_of(root)


@pytest.mark.parametrize("name", ["con.md", "NUL.md", "com1.md", "lpt1.md", "Upper.md", "sp ace.md", "c:drive.md",
                                  "back\\slash.md", "dots..md", "-x.md", "ü.md"])
def test_unsafe_file_names_are_refused(tmp_path: Path, name: str) -> None:
    root = make_site(tmp_path, {f"content/people/{name}": "---\nname: X\n---\n"})
    errors = errors_of(root)
    assert any(d.code in ("BW110", "BW205") and d.span.file == f"content/people/{name}" for d in errors), errors


def test_symbolic_links_out_of_the_site_are_refused_and_never_read(tmp_path: Path) -> None:
    secret = tmp_path / "secret"
    secret.mkdir()
    (secret / "passwd.md").write_text("---\nname: SECRET-CONTENT\n---\nSECRET-CONTENT\n")
    (secret / "leak.html").write_text("{# title: SECRET-TITLE #}SECRET-TEMPLATE")
    (secret / "data.txt").write_text("SECRET-STATIC")
    root = make_site(tmp_path)
    (root / "content/people/linked.md").symlink_to(secret / "passwd.md")
    (root / "content/states/folder").symlink_to(secret, target_is_directory=True)
    assert {(d.code, d.span.file) for d in errors_of(root)} == {
        ("BW110", "content/people/linked.md"), ("BW110", "content/states/folder")}
    out = tmp_path / "out"
    result = run_cli("build", root, "--out", out, "--no-cache")
    assert result.returncode == 1 and not out.exists()
    assert "SECRET" not in result.stdout + result.stderr
    # Static files are checked once the content is sound.
    (root / "content/people/linked.md").unlink()
    (root / "content/states/folder").unlink()
    (root / "static").mkdir()
    (root / "static/data.txt").symlink_to(secret / "data.txt")
    (root / "static/linked-folder").symlink_to(secret, target_is_directory=True)
    assert {(d.code, d.span.file) for d in errors_of(root)} == {
        ("BW110", "static/data.txt"), ("BW110", "static/linked-folder")}
    result = run_cli("build", root, "--out", out, "--no-cache")
    assert result.returncode == 1 and not out.exists()


def test_a_template_linked_out_of_the_site_is_never_published(tmp_path: Path) -> None:
    secret = tmp_path / "secret.html"
    secret.write_text("{# title: SECRET-TITLE #}SECRET-TEMPLATE")
    root = make_site(tmp_path)
    (root / "templates/pages").mkdir(parents=True)
    (root / "templates/pages/leak.html").symlink_to(secret)
    out = tmp_path / "out"
    result = run_cli("build", root, "--out", out, "--no-cache", "--format", "json")
    assert result.returncode == 1
    assert '"BW601"' in result.stdout and "symbolic link" in result.stdout
    assert not out.exists()
    assert "SECRET" not in result.stdout + result.stderr


def test_a_linked_static_folder_is_refused(tmp_path: Path) -> None:
    elsewhere = tmp_path / "elsewhere"
    elsewhere.mkdir()
    (elsewhere / "x.txt").write_text("outside")
    root = make_site(tmp_path)
    (root / "static").symlink_to(elsewhere, target_is_directory=True)
    assert [(d.code, d.span.file) for d in errors_of(root)] == [("BW110", "static")]


def test_links_inside_the_site_are_fine(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    (root / "static").mkdir()
    (root / "static/original.txt").write_text("inside")
    (root / "static/alias.txt").symlink_to(root / "static/original.txt")
    out = tmp_path / "out"
    build(root, out, use_cache=False)
    assert (out / "alias.txt").read_text() == "inside"


@pytest.mark.parametrize("name", ["con.txt", "NUL", "aux.html", "com1.js", "lpt3", "trailing.", "trailing ",
                                  "sub/CON/x.txt", "a:b.txt", "q?.txt", "star*.txt", "pipe|.txt", 'quote".txt',
                                  "lt<.txt", "back\\slash.txt"])
def test_static_names_that_cannot_exist_everywhere_are_refused(tmp_path: Path, name: str) -> None:
    root = make_site(tmp_path, {f"static/{name}": "x"})
    assert ("BW110", f"static/{name}") in [(d.code, d.span.file) for d in errors_of(root)]


def test_reserved_names() -> None:
    assert all(reserved_on_windows(n) for n in ("con", "CON", "con.txt", "Nul.tar.gz", "com9", "LPT1.x", "x.", "x "))
    assert not any(reserved_on_windows(n) for n in ("console", "icon.svg", "com10", "nullable", "aux-notes.md"))


@pytest.mark.parametrize("static_name, page", [
    ("index.html", "index.html"), ("Index.html", "index.html"), ("INDEX.HTML", "index.html"),
    ("articles/putin-invited.html", "articles/putin-invited.html"),
    ("Articles/Putin-Invited.html", "articles/putin-invited.html"),
    ("feed.xml", "feed.xml"), ("assets/boardwatch.css", "assets/boardwatch.css"),
    ("Assets/Boardwatch.CSS", "assets/boardwatch.css"), ("people/vladimir-putin.html", "people/vladimir-putin.html"),
    ("tags/diplomacy.html", "tags/diplomacy.html"), ("404.html", "404.html"),
])
def test_a_static_file_colliding_with_a_page_is_an_error_naming_both(tmp_path: Path, static_name: str,
                                                                     page: str) -> None:
    root = make_site(tmp_path, {f"static/{static_name}": "collides"})
    errors = [d for d in errors_of(root) if d.code == "BW501"]
    assert len(errors) == 1, errors_of(root)
    assert errors[0].span.file == f"static/{static_name}" and page in errors[0].message


def test_two_static_files_differing_only_in_case_collide(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"static/files/Report.pdf": "a", "static/files/report.pdf": "b"})
    errors = [d for d in errors_of(root) if d.code == "BW501"]
    assert len(errors) == 1 and "files/Report.pdf" in errors[0].message + errors[0].span.file


def test_two_articles_with_one_slug_are_an_error_naming_both(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        "content/articles/2026/putin-invited.md": ARTICLE.format(extra=""),
        "content/articles/other.md": ARTICLE.format(extra="slug: putin-invited\n"),
    })
    errors = [d for d in errors_of(root) if d.code in ("BW306", "BW501")]
    files = {"content/articles/putin-invited.md", "content/articles/2026/putin-invited.md", "content/articles/other.md"}
    named = {f for d in errors for f in files if f in d.message or f == d.span.file}
    assert len(named) >= 2 and errors, errors


def test_an_entity_id_used_by_two_kinds_is_an_error_naming_both(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/bodies/russia.md": "---\nname: Russia Inc\ntype: company\n---\n"})
    [d] = [d for d in errors_of(root) if d.code == "BW302"]
    assert "content/states/russia.md" in d.message + d.span.file and "content/bodies/russia.md" in d.message + d.span.file


def test_tags_never_become_unsafe_paths(tmp_path: Path) -> None:
    tags = ["../../../etc", "/abs", "con", "NUL", "com1", "C:\\x", "a/b", "..", "index", "page-2", "<>", "日本"]
    extra = "tags: [" + ", ".join("'" + t + "'" for t in tags) + "]\n"
    root = make_site(tmp_path, {"content/articles/tagged.md": ARTICLE.format(extra=extra)})
    out = tmp_path / "out"
    build(root, out, use_cache=False)
    names = [p.name for p in (out / "tags").iterdir()]
    assert all(not reserved_on_windows(n) for n in names), names
    assert {"con-tag.html", "nul-tag.html", "com1-tag.html", "index-tag.html", "page-2-tag.html"} <= set(names)
    assert _outside_writes(tmp_path, root, out) == []


# -- the output folder -------------------------------------------------------------------------

@pytest.mark.parametrize("where", [".", "..", "content", "content/out", "templates", "static/x", "/"])
def test_the_output_is_never_the_site_or_inside_its_sources(tmp_path: Path, where: str) -> None:
    root = make_site(tmp_path, {"templates/.keep": "", "static/.keep": ""})
    before = tree_digest(tmp_path)
    out = root / where if where != "/" else Path("/")
    result = run_cli("build", root, "--out", out, "--no-cache")
    assert result.returncode == 2, result.stderr
    assert "choose another --out" in result.stderr
    assert tree_digest(tmp_path) == before


def test_the_output_is_never_a_folder_boardwatch_did_not_write(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious")
    result = run_cli("build", root, "--out", foreign, "--no-cache")
    assert result.returncode == 2 and "not written by boardwatch" in result.stderr
    assert (foreign / "thesis.docx").read_text() == "precious" and leftovers(foreign) == []
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    result = run_cli("build", root, "--out", a_file, "--no-cache")
    assert result.returncode == 2 and a_file.read_text() == "x"


def test_an_output_that_is_a_link_to_the_site_is_refused(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    link = tmp_path / "out-link"
    link.symlink_to(root, target_is_directory=True)
    with pytest.raises(OutputError, match="contains the site"):
        build(root, link, use_cache=False)
    assert (root / "content").is_dir()


def test_a_previous_output_and_an_empty_folder_are_accepted(tmp_path: Path) -> None:
    root = make_site(tmp_path)
    empty = tmp_path / "empty"
    empty.mkdir()
    build(root, empty, use_cache=False)
    assert (empty / MARKER).is_dir()
    build(root, empty, use_cache=False)  # now a previous output
    assert _outside_writes(tmp_path, root, empty) == []


def test_a_build_writes_only_into_the_output_and_beside_it(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"static/files/a.txt": "a"})
    before = {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}
    out = tmp_path / "out"
    build(root, out, use_cache=False)
    assert {p: p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()} == before  # the site is only read
    assert _outside_writes(tmp_path, root, out) == []
    assert all(os.path.realpath(p).startswith(str(out.resolve())) for p in out.rglob("*"))
