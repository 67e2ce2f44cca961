"""Hostile content files: each one through the real command line (``boardwatch build``), with
the error code and exit code the contract gives it, and the previous output hashed before and
compared after. Files the contract accepts (a BOM, CRLF, a huge single line) build.

YAML is only ever loaded safely: a tag that would construct a Python object is an error and
never runs. Alias bombs are refused by the walker's node limit, a structural bound: the
rejection code is asserted, and so is the peak memory of the parse (tracemalloc).
"""

from __future__ import annotations

import json
import sqlite3
import tracemalloc
from dataclasses import dataclass
from pathlib import Path

import pytest
from seckit import leftovers, tree_digest
from site_helpers import make_site

from boardwatch import cli
from boardwatch.diagnostics import Diagnostics
from boardwatch.frontmatter import MAX_NODES, parse
from boardwatch.model import Kind, Source
from boardwatch.sources import MAX_FILE_BYTES

ARTICLE = "content/articles/putin-invited.md"
HEAD = b"---\ntitle: Putin invited\ndate: 2026-01-19\nactors: [vladimir-putin]\n"
MARKER_FILE = Path("/tmp/boardwatch-security-yaml-ran")


def _laughs(levels: int) -> bytes:
    lines = ["---", "title: Laughs", "date: 2026-01-19", "a0: &a0 [lol, lol, lol, lol, lol, lol, lol, lol, lol]"]
    for i in range(1, levels):
        lines.append(f"a{i}: &a{i} [" + ", ".join([f"*a{i - 1}"] * 9) + "]")
    return ("\n".join(lines) + "\n---\nBody.\n").encode()


@dataclass(frozen=True)
class Case:
    data: bytes
    code: str | None  # None: the contract accepts the file
    line: int = 0  # 0: any line
    file: str = ARTICLE


CASES: dict[str, Case] = {
    "billion laughs": Case(_laughs(9), "BW107", 2),
    "alias bomb of 10^12": Case(_laughs(13), "BW107", 2),
    "YAML nested 100,000 [": Case(HEAD + b"extra: " + b"[" * 100_000 + b"]" * 100_000 + b"\n---\n", "BW107", 5),
    "YAML nested 300,000 '- '": Case(HEAD + b"tags:\n" + b"- " * 300_000 + b"x\n---\n", "BW107", 6),
    "YAML nested 13 levels": Case(HEAD + b"extra: " + b"[" * 14 + b"]" * 14 + b"\n---\n", "BW107"),
    "!!python/object/apply": Case(
        HEAD + f"x: !!python/object/apply:os.system ['touch {MARKER_FILE}']\n---\n".encode(), "BW104", 5),
    "!!python/object/new": Case(HEAD + b"x: !!python/object/new:builtins.list [[1]]\n---\n", "BW104", 5),
    "!!python/name": Case(HEAD + b"x: !!python/name:os.system\n---\n", "BW104", 5),
    "!!python/object on a mapping": Case(HEAD + b"x: !!python/object:builtins.dict {a: 1}\n---\n", "BW104", 5),
    "local tag": Case(HEAD + b"summary: !secret value\n---\n", "BW104", 5),
    "merge key": Case(HEAD + b"base: &b {a: 1}\nother:\n  <<: *b\n---\n", "BW107"),
    "file over the size limit": Case(HEAD + b"---\n" + b"word " * (MAX_FILE_BYTES // 5 + 10), "BW106", 0),
    "not UTF-8 (Latin-1)": Case(HEAD + b"summary: Pr\xe9sident\n---\n", "BW101", 5),
    "UTF-16 with its BOM": Case((b"\n".join(HEAD.split(b"\n")) + b"---\n").decode().encode("utf-16"), "BW101", 1),
    "lone surrogate bytes": Case(HEAD + b"summary: \xed\xa0\x80\n---\n", "BW101", 5),
    "empty file": Case(b"", "BW109", 1),
    "only white space": Case(b"  \n\n\t\n", "BW109", 1),
    "no front matter": Case(b"# Just Markdown\n\nText.\n", "BW102", 1),
    "front matter never closed": Case(HEAD + b"Body that never ends.\n", "BW103", 1),
    "tab indentation": Case(HEAD + b"source:\n\tname: x\n---\n", "BW104", 6),
    "NUL byte in the body": Case(HEAD + b"---\nBefore\x00after.\n", "BW101", 6),
    "NUL byte in the front matter": Case(HEAD + b"summary: a\x00b\n---\n", "BW101", 5),
    "control character in YAML": Case(HEAD + b"summary: a\x01b\n---\n", "BW104", 5),
    "front matter is a list": Case(b"---\n- a\n- b\n---\n", "BW105", 2),
    "front matter is one string": Case(b"---\njust text\n---\n", "BW105", 2),
    "duplicate key": Case(HEAD + b"title: Again\n---\n", "BW108", 5),
    "Markdown nested 500 levels": Case(HEAD + b"---\n" + b"".join(b"  " * i + b"- x\n" for i in range(500)), "BW113"),
    "50k [ in the body": Case(HEAD + b"---\n" + b"[" * 50_000 + b"\n", "BW113", 6),
    "50k <a in the body": Case(HEAD + b"---\n" + b"<a " * 50_000 + b"\n", "BW113", 6),
    # Accepted by the contract:
    "BOM": Case(b"\xef\xbb\xbf" + HEAD + b"---\nBody with a BOM.\n", None),
    "CRLF line endings": Case(HEAD.replace(b"\n", b"\r\n") + b"---\r\nBody with CRLF.\r\n", None),
    "BOM and CRLF": Case(b"\xef\xbb\xbf" + HEAD.replace(b"\n", b"\r\n") + b"---\r\nBoth.\r\n", None),
    "old Mac CR line endings": Case(HEAD.replace(b"\n", b"\r") + b"---\rBody with CR.\r", None),
    "'...' closes the front matter": Case(HEAD + b"...\nBody.\n", None),
    "huge single line": Case(HEAD + b"---\n" + b"word " * 180_000 + b"\n", None),
    "50k * in the body": Case(HEAD + b"---\n" + b"*" * 50_000 + b"\n", "BW113", 6),
    "50k < in the body": Case(HEAD + b"---\n" + b"< " * 25_000 + b"\n", None),
    "no body at all": Case(HEAD + b"---", None),
}


@pytest.fixture(scope="module")
def site_and_output(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path, dict[str, str], bytes]:
    tmp = tmp_path_factory.mktemp("hostile")
    root = make_site(tmp)
    out = tmp / "out"
    assert cli.main(["build", str(root), "--out", str(out), "--no-cache", "-q"]) == 0
    return root, out, tree_digest(out), (root / ARTICLE).read_bytes()


def _build_json(root: Path, out: Path, capsys: pytest.CaptureFixture[str]) -> tuple[int, list[dict[str, object]]]:
    capsys.readouterr()
    code = cli.main(["build", str(root), "--out", str(out), "--no-cache", "--format", "json", "-q"])
    captured = capsys.readouterr()
    assert "BW900" not in captured.err and "Traceback" not in captured.err, captured.err
    return code, json.loads(captured.out) if captured.out.strip() else []


@pytest.mark.parametrize("name", list(CASES))
def test_hostile_file(name: str, site_and_output: tuple[Path, Path, dict[str, str], bytes],
                      capsys: pytest.CaptureFixture[str]) -> None:
    root, out, before, original = site_and_output
    case = CASES[name]
    MARKER_FILE.unlink(missing_ok=True)
    (root / case.file).write_bytes(case.data)
    try:
        code, diags = _build_json(root, out, capsys)
        if case.code is None:
            assert (code, diags) == (0, []), diags
            assert (out / "articles" / "putin-invited.html").is_file()
        else:
            assert code == 1, diags
            errors = [d for d in diags if d["severity"] == "error"]
            assert [d["code"] for d in errors] == [case.code], errors
            assert errors[0]["file"] == case.file
            if case.line:
                assert errors[0]["line"] == case.line, errors[0]
            assert errors[0]["message"] and errors[0]["hint"]
            assert tree_digest(out) == before  # the previous output is untouched
        assert leftovers(out) == []
        assert not MARKER_FILE.exists(), "a YAML tag ran code"
    finally:
        (root / case.file).write_bytes(original)
        if tree_digest(out) != before:  # an accepted file changed the site: put the previous one back
            assert cli.main(["build", str(root), "--out", str(out), "--no-cache", "-q"]) == 0
            assert tree_digest(out) == before


def _parse_bytes(data: bytes) -> Diagnostics:
    diags = Diagnostics()
    parse(Source(path=ARTICLE, text=data.decode(), sha256="", kind=Kind.ARTICLE, stem="putin-invited"), diags)
    return diags


@pytest.mark.parametrize("levels", [9, 13, 20])
def test_alias_bombs_are_refused_by_the_node_limit_within_bounded_memory(levels: int) -> None:
    # 9**levels values if expanded (9**20 is 1.2e19): the walker stops at MAX_NODES whatever the
    # depth, so the work and memory are bounded by the limit, not by the expansion.
    tracemalloc.start()
    try:
        diags = _parse_bytes(_laughs(levels))
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [d] = list(diags)
    assert d.code == "BW107" and f"{MAX_NODES:,} values" in d.message
    assert peak < 100 * 1024 * 1024, f"peak {peak:,} bytes"


def test_deep_yaml_is_refused_before_the_recursive_loader_runs() -> None:
    # 300,000 levels used to overflow the C stack inside PyYAML and kill the process.
    tracemalloc.start()
    try:
        diags = _parse_bytes(HEAD + b"extra: " + b"{a: " * 300_000 + b"1" + b"}" * 300_000 + b"\n---\n")
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    [d] = list(diags)
    assert (d.code, d.span.line) == ("BW107", 5) and "nested more than" in d.message
    assert peak < 100 * 1024 * 1024


def test_the_deep_yaml_pre_check_agrees_with_the_walker_at_the_limit() -> None:
    from boardwatch.frontmatter import MAX_DEPTH
    ok = HEAD + b"extra: " + b"[" * (MAX_DEPTH - 1) + b"]" * (MAX_DEPTH - 1) + b"\n---\n"
    assert [d.code for d in _parse_bytes(ok)] == []
    for depth in (MAX_DEPTH + 1, MAX_DEPTH + 5, 2_000):
        deep = HEAD + b"extra: " + b"[" * depth + b"1" + b"]" * depth + b"\n---\n"
        assert [d.code for d in _parse_bytes(deep)] == ["BW107"], depth


@pytest.mark.parametrize(("form", "jobs"), [("record", "1"), ("record", "2"), ("document", "2")])
def test_a_forged_parse_cache_cannot_skip_the_checks(tmp_path: Path, capsys: pytest.CaptureFixture[str],
                                                     form: str, jobs: str) -> None:
    # The parse cache lives in the site folder, so a contributor could commit one. A cached
    # record must keep what validation promises, its body within the Markdown limits among
    # them (else the file is parsed again); a cached document goes through validation.
    import hashlib

    from boardwatch.cache import cache_entry

    root = make_site(tmp_path)
    out = tmp_path / "out"
    assert cli.main(["build", str(root), "--out", str(out), "-q"]) == 0
    capsys.readouterr()
    cache_file = root / ".boardwatch-cache" / "parsed.sqlite"
    article = root / ARTICLE
    valid = article.read_bytes()
    valid_key = f"{hashlib.sha256(valid).hexdigest()}:{ARTICLE}"
    # Broken YAML on the title's line (same line count), so only the forged entry can make it parse.
    lines = valid.split(b"\n")
    lines = [b"title: [never closed" if line.startswith(b"title:") else line for line in lines]
    hostile = b"\n".join(lines) + b"\n" + b"[" * 60_000 + b"\n"
    with sqlite3.connect(cache_file) as db:  # a forged entry: the valid file's record, or its front matter
        entry = db.execute("SELECT entry FROM entries WHERE sha256 = ?", (valid_key,)).fetchone()[0]
        assert "record" in json.loads(entry)
        if form == "document":
            doc = parse(Source(ARTICLE, valid.decode("utf-8"), "", Kind.ARTICLE, "putin-invited"), Diagnostics())
            assert doc is not None
            entry = cache_entry(doc)
        db.execute("INSERT INTO entries VALUES (?, ?)", (f"{hashlib.sha256(hostile).hexdigest()}:{ARTICLE}", entry))
    db.close()
    article.write_bytes(hostile)
    before = tree_digest(out)
    # The express path (an edit to one article) parses the changed file itself: the YAML error shows.
    assert cli.main(["build", str(root), "--out", str(out), "--format", "json", "-q"]) == 1
    diags = json.loads(capsys.readouterr().out)
    assert [d["code"] for d in diags if d["severity"] == "error"] == ["BW104"]
    # The full path takes entries from the parse cache.
    (root / ".boardwatch-cache" / "views.sqlite").unlink()
    assert cli.main(["build", str(root), "--out", str(out), "--format", "json", "-q", "--jobs", jobs]) == 1
    diags = json.loads(capsys.readouterr().out)
    # A forged record is refused and the file parsed (its YAML error shows); a forged document is
    # used, and validating it finds the body beyond the limits.
    assert [d["code"] for d in diags if d["severity"] == "error"] == ["BW104" if form == "record" else "BW113"]
    assert tree_digest(out) == before  # nothing was written
