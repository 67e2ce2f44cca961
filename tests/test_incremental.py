"""Incremental and parallel builds give exactly what a clean one-process build gives."""

from __future__ import annotations

import hashlib
import importlib
import json
import os
import shutil
import sqlite3
import sys
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardwatch import ContentErrors, build
from boardwatch.cache import MANIFEST

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus  # noqa: E402  (the benchmark corpus generator doubles as a realistic fixture)

MANIFEST_NAME = MANIFEST


def tree(root: Path) -> dict[str, bytes]:
    """Every output file's bytes, except the manifest (it records modification times)."""
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*"))
            if p.is_file() and p.relative_to(root).as_posix() != MANIFEST_NAME}


def mtimes(root: Path) -> dict[str, int]:
    return {p.relative_to(root).as_posix(): p.stat().st_mtime_ns for p in root.rglob("*") if p.is_file()}


ENTITY = "---\nname: {name}\n{extra}---\n{body}\n"
ARTICLE = ("---\ntitle: {title}\ndate: 2026-01-{day:02d}\nactors: [{actors}]\n"
           "claims:\n  - id: claim-{slug}\n    speaker: {speaker}\n    text: Said something about {title}.\n"
           "{revisit}---\n{body}\n")


def base_site(root: Path) -> None:
    files = {
        "boardwatch.yaml": "title: Incremental\nbase_url: https://example.org/news/\n",
        "content/people/ada-lovelace.md": ENTITY.format(name="Ada Lovelace", extra="nationality: freedonia\n",
                                                        body="Ada is a [[freedonia]] envoy."),
        "content/people/max-weber.md": ENTITY.format(name="Max Weber", extra="", body="Max writes."),
        "content/states/freedonia.md": ENTITY.format(name="Freedonia", extra="iso: FD\n", body="A state."),
        "content/initiatives/peace-plan.md": ENTITY.format(
            name="Peace Plan", extra="status: active\nchair: ada-lovelace\nmembers: [freedonia]\n", body="A plan."),
    }
    for n in range(3):
        files[f"content/articles/a{n}.md"] = _article(n, "first")
    for rel, text in files.items():
        path = root / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")


def built_site(tmp_path: Path) -> tuple[Path, Path]:
    """(site, output) of the base site, built once."""
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    build(site, out, jobs=1)
    return site, out


def assert_as_clean(site: Path, out: Path, tmp_path: Path) -> None:
    """``out`` holds exactly what a clean build of ``site`` (no cache) makes."""
    build(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(out) == tree(tmp_path / "clean")


def _article(n: int, word: str, revisit: str = "") -> str:
    return ARTICLE.format(title=f"Story {n} {word}", day=n % 28 + 1, actors="ada-lovelace, freedonia",
                          slug=f"a{n}", speaker="max-weber" if n % 2 else "ada-lovelace", revisit=revisit,
                          body=f"Ada Lovelace met [[max-weber]] about Freedonia ({word}).")


OPS = st.lists(st.tuples(st.sampled_from(["edit", "title", "add", "delete", "rename", "entity", "revisit",
                                          "break", "template", "entity-add", "entity-delete", "entity-rename",
                                          "noop", "body", "body-mention"]),
                         st.integers(min_value=0, max_value=5)), min_size=1, max_size=4)


def apply(root: Path, op: str, n: int) -> None:
    articles = sorted((root / "content/articles").glob("*.md"))
    target = articles[n % len(articles)] if articles else None
    if op == "edit" and target:
        target.write_text(target.read_text("utf-8").replace("met", f"met again {n}"), "utf-8")
    elif op == "body" and target:  # a paragraph after the first: the express path
        target.write_text(target.read_text("utf-8") + f"\nA later paragraph, {n}.\n", "utf-8")
    elif op == "body-mention" and target:  # the body names an entity: other pages change
        target.write_text(target.read_text("utf-8") + f"\nLater, [[max-weber]] wrote {n}.\n", "utf-8")
    elif op == "title" and target:
        target.write_text(target.read_text("utf-8").replace("title: Story", f"title: Retitled {n} story"), "utf-8")
    elif op == "add":
        (root / f"content/articles/new{n}.md").write_text(_article(10 + n, "added").replace("a1", f"new{n}")
                                                          .replace(f"claim-a{10 + n}", f"claim-new{n}"), "utf-8")
    elif op == "delete" and target and len(articles) > 1:
        target.unlink()
    elif op == "rename" and target:
        target.rename(target.with_name(f"renamed-{target.stem}.md"))
    elif op == "entity":
        path = root / "content/people/max-weber.md"
        path.write_text(path.read_text("utf-8").replace("name: Max Weber", f"name: Max Weber {n}"), "utf-8")
    elif op == "revisit" and target:
        claims = sorted(f"claim-{p.stem}" for p in articles if p != target and "claim-" in p.read_text("utf-8"))
        text = target.read_text("utf-8")
        if claims and "revisits" not in text:
            step = f"  - revisits: {claims[0]}\n    status: disputed\n    note: Contested later.\n"
            target.write_text(text.replace("---\nAda", step + "---\nAda", 1), "utf-8")
    elif op == "break" and target:
        target.write_text(target.read_text("utf-8").replace("speaker: ", "speaker: nobody-"), "utf-8")
    elif op == "entity-add":
        (root / "content/bodies").mkdir(exist_ok=True)
        (root / f"content/bodies/council-{n}.md").write_text(
            ENTITY.format(name=f"Council {n}", extra="type: government\nseat: freedonia\n",
                          body="A council of [[freedonia]]."), "utf-8")
        if target:  # and an article starts naming it
            target.write_text(target.read_text("utf-8").replace("freedonia]", f"freedonia, council-{n}]", 1),
                              "utf-8")
    elif op == "entity-delete":
        bodies = sorted((root / "content/bodies").glob("*.md"))
        if bodies:
            bodies[n % len(bodies)].unlink()  # articles naming it now fail, in both builds alike
    elif op == "entity-rename":
        people = sorted((root / "content/people").glob("*.md"))
        if people:  # a new id: references to the old one fail until fixed
            person = people[n % len(people)]
            person.rename(person.with_name(f"{person.stem}-{n}.md"))
    elif op == "template":
        path = root / "templates/article.html"
        path.parent.mkdir(exist_ok=True)
        path.write_text('{% extends "theme/article.html" %}{% block body %}' + f"<p>v{n}</p>" +
                        "{{ super() }}{% endblock %}", "utf-8")


def kept_in_memory(site: Path) -> None:
    """What this process keeps for its next build (serve) is what the cache folder holds: the
    view store's digests, and the keys of the parse cache's entries, one for each file."""
    import sqlite3
    from boardwatch import cache as caching
    from boardwatch import express
    from boardwatch.diagnostics import Diagnostics
    from boardwatch.sources import discover
    cache_dir = site / ".boardwatch-cache"
    db = sqlite3.connect(cache_dir / express.STORE)
    try:
        stored = {str(r[0]): (str(r[1]), str(r[2]), str(r[3]), str(r[4]))
                  for r in db.execute("SELECT source, sha256, shape, page, digest FROM article_pages")}
    finally:
        db.close()
    assert express.Store(cache_dir / express.STORE).digests() == stored
    db = sqlite3.connect(cache_dir / "parsed.sqlite")
    try:
        entries = {str(r[0]) for r in db.execute("SELECT sha256 FROM entries")}
    finally:
        db.close()
    assert entries == {caching.entry_key(s) for s in discover(site, Diagnostics())}


def outcome(root: Path, out: Path, **kwargs: object) -> tuple[str, object]:
    try:
        build(root, out, jobs=1, **kwargs)  # type: ignore[arg-type]
    except ContentErrors as exc:
        return ("errors", [(d.code, d.span.file, d.span.line, d.message) for d in exc.diagnostics.sorted()])
    return ("ok", tree(out))


@settings(max_examples=16, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(steps=st.lists(OPS, min_size=1, max_size=3))
def test_incremental_build_equals_clean_build(tmp_path_factory: pytest.TempPathFactory,
                                              steps: list[list[tuple[str, int]]]) -> None:
    work = tmp_path_factory.mktemp("inc")
    site = work / "site"
    base_site(site)
    incremental_out = work / "incremental"
    build(site, incremental_out, jobs=1)
    for batch in steps:
        for op, n in batch:
            apply(site, op, n)
        clean_out = work / "clean"
        shutil.rmtree(clean_out, ignore_errors=True)
        inc = outcome(site, incremental_out)
        if inc[0] == "ok":
            kept_in_memory(site)
        clean = outcome(site, clean_out, use_cache=False)
        assert inc[0] == clean[0]
        if inc[0] == "ok":
            assert inc[1] == clean[1]
        else:
            assert inc[1] == clean[1]
            # A failed incremental build leaves the output of the last good build; start the next
            # batch from a buildable site again.
            shutil.rmtree(site)
            base_site(site)


def test_second_build_with_nothing_changed_writes_no_file(tmp_path: Path) -> None:
    base_site(tmp_path / "site")
    out = tmp_path / "out"
    first = build(tmp_path / "site", out, jobs=1)
    assert not first.up_to_date and first.rendered == first.pages
    before = mtimes(out)
    second = build(tmp_path / "site", out, jobs=1)
    assert second.up_to_date
    assert mtimes(out) == before


def test_nothing_changed_is_known_from_file_metadata_alone(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr("boardwatch.uptodate.SETTLED_NS", 0)  # trust files however recently written
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    build(site, out, jobs=1)

    def no_reading(*args: object) -> object:
        raise AssertionError("a content file was read")

    import boardwatch.sources as sources
    import boardwatch.uptodate as uptodate
    for module, name in ((sources, "discover"), (sources, "read_one"), (uptodate, "file_sha")):
        monkeypatch.setattr(module, name, no_reading)
    assert build(site, out, jobs=1).up_to_date
    # Same size, modification time put back: the change time still tells.
    article = site / "content/articles/a2.md"
    stat = article.stat()
    article.write_text(article.read_text("utf-8").replace("first", "FIRST"), "utf-8")
    os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    with pytest.raises(AssertionError, match="a content file was read"):
        build(site, out, jobs=1)
    monkeypatch.undo()
    assert "Story 2 FIRST" in build(site, out, jobs=1).out.joinpath("articles/a2.html").read_text("utf-8")


def test_files_written_just_before_a_build_are_read_again(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    build(site, out, jobs=1)  # every file was written within the last two seconds: none is settled
    before = mtimes(out)
    read: list[str] = []
    import boardwatch.uptodate as uptodate
    real = uptodate.file_sha
    monkeypatch.setattr(uptodate, "file_sha", lambda root, rel: read.append(rel) or real(root, rel))
    assert build(site, out, jobs=1).up_to_date
    every = sorted(p.relative_to(site).as_posix() for p in site.glob("content/*/*.md"))
    assert sorted(read) == every
    # Once they have settled, a few are simply read again (rewriting the stamp would cost more);
    # when more have settled, the build that read them again remembers it (in the cache folder,
    # the output is not touched), and the next one reads none.
    read.clear()
    monkeypatch.setattr("boardwatch.uptodate.SETTLED_NS", 0)
    stamp = site / ".boardwatch-cache" / "uptodate.json"
    stamped = stamp.stat().st_mtime_ns
    assert len(every) <= uptodate.REHASH_MAX
    assert build(site, out, jobs=1).up_to_date and sorted(read) == every
    assert stamp.stat().st_mtime_ns == stamped
    read.clear()
    monkeypatch.setattr(uptodate, "REHASH_MAX", len(every) - 1)
    assert build(site, out, jobs=1).up_to_date
    assert sorted(read) == every
    read.clear()
    assert build(site, out, jobs=1).up_to_date
    assert read == []
    assert mtimes(out) == before
    # An edit after that is still seen, by the change time, and read.
    article = site / "content/articles/a2.md"
    stat = article.stat()
    article.write_text(article.read_text("utf-8").replace("first", "FIRST"), "utf-8")
    os.utime(article, ns=(stat.st_atime_ns, stat.st_mtime_ns))
    again = build(site, out, jobs=1)
    assert not again.up_to_date and "Story 2 FIRST" in (out / "articles/a2.html").read_text("utf-8")


def test_the_stamp_alone_answers_a_build_with_nothing_to_do(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    build(site, out, jobs=1)
    import boardwatch.cache as caching

    def no_manifest(*args: object) -> object:
        raise AssertionError("the manifest was read")

    monkeypatch.setattr(caching, "load_manifest", no_manifest)
    result = build(site, out, jobs=1)
    assert result.up_to_date and result.pages == build(site, out, jobs=1).pages > 0
    # Anything the stamp does not vouch for takes the ordinary path: a deleted output file,
    # a changed option, a changed template, an edited content file.
    for change in ("output", "option", "template", "content"):
        if change == "output":
            (out / "people/max-weber.html").unlink()
        elif change == "template":
            (site / "templates").mkdir(exist_ok=True)
            (site / "templates/extra.html").write_text("{# unused #}\n", "utf-8")
        elif change == "content":
            article = site / "content/articles/a1.md"
            article.write_text(article.read_text("utf-8") + "\nA sentence added.\n", "utf-8")
        with pytest.raises(AssertionError, match="the manifest was read"):
            build(site, out, jobs=1, drafts=change == "option")
    monkeypatch.undo()
    assert not build(site, out, jobs=1).up_to_date
    assert (out / "people/max-weber.html").is_file()
    assert "A sentence added." in (out / "articles/a1.html").read_text("utf-8")
    assert build(site, out, jobs=1).up_to_date


def test_an_edit_is_judged_from_what_the_stamp_check_saw(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The content files scanned and the output files found as the stamp recorded them are not
    looked at again; an output changed since the stamp is (and the page is made again)."""
    import boardwatch.cache as caching
    import boardwatch.uptodate as uptodate
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    build(site, out, jobs=1)
    scans: list[str] = []
    real_scan, real_unchanged = uptodate.scan, caching.output_unchanged
    monkeypatch.setattr(uptodate, "scan", lambda root: scans.append("scan") or real_scan(root))
    monkeypatch.setattr(caching, "output_unchanged", lambda *a: scans.append("outputs") or real_unchanged(*a))
    article = site / "content/articles/a1.md"
    article.write_text(article.read_text("utf-8") + "\nA sentence added.\n", "utf-8")
    result = build(site, out, jobs=1)
    assert not result.up_to_date and result.rendered == 1 and scans == ["scan"]
    scans.clear()
    (out / "people/max-weber.html").write_bytes(b"tampered")
    article.write_text(article.read_text("utf-8") + "\nAnother one.\n", "utf-8")
    build(site, out, jobs=1)
    assert scans == ["scan", "outputs"]
    monkeypatch.undo()
    build(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(out) == tree(tmp_path / "clean")


def test_files_touched_but_unchanged_are_read_once(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """A checkout that touches every file changes nothing: the build reads them all to see
    that, and the next one trusts their metadata again."""
    monkeypatch.setattr("boardwatch.uptodate.SETTLED_NS", 0)
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    build(site, out, jobs=1)
    before = mtimes(out)
    for path in site.glob("content/*/*.md"):
        os.utime(path)
    import boardwatch.sources as sources
    calls: list[str] = []
    real = sources.discover
    monkeypatch.setattr(sources, "discover", lambda *a, **k: calls.append("discover") or real(*a, **k))
    import boardwatch.cache as caching
    monkeypatch.setattr(caching, "MAX_SUSPECTS", 1)  # more files than this were touched
    assert build(site, out, jobs=1).up_to_date and calls == ["discover"]
    assert build(site, out, jobs=1).up_to_date and calls == ["discover"]
    assert mtimes(out) == before


def test_the_stamp_sees_every_file_the_build_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The metadata check walks content/ as the read stage does: a file in a folder whose name
    ends in '~' (only file names of that shape are editor backups) is read, so the stamp
    vouches for it, and an edit to it is seen."""
    monkeypatch.setattr("boardwatch.uptodate.SETTLED_NS", 0)
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    (site / "content/articles/kept~").mkdir()
    shutil.move(site / "content/articles/a1.md", site / "content/articles/kept~/a1.md")
    build(site, out, jobs=1)
    import boardwatch.cache as caching

    def no_manifest(*args: object) -> object:
        raise AssertionError("the manifest was read")

    with monkeypatch.context() as patched:
        patched.setattr(caching, "load_manifest", no_manifest)
        assert build(site, out, jobs=1).up_to_date  # the stamp vouches for that file too
    article = site / "content/articles/kept~/a1.md"
    article.write_text(article.read_text("utf-8") + "\nA sentence added.\n", "utf-8")
    assert not build(site, out, jobs=1).up_to_date
    assert "A sentence added." in (out / "articles/a1.html").read_text("utf-8")


def test_an_up_to_date_build_imports_no_stage(tmp_path: Path) -> None:
    """The command that finds nothing to do loads none of the stages, the cache or YAML."""
    import subprocess
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    build(site, out, jobs=1)
    probe = ("import sys; from boardwatch.cli import main; code = main(sys.argv[1:]); "
             "print(sorted(m for m in sys.modules if m.startswith(('boardwatch.', 'yaml', 'jinja2', 'markdown', "
             "'sqlite3')))); sys.exit(code)")
    done = subprocess.run([sys.executable, "-c", probe, "build", str(site), "--out", str(out)],
                          capture_output=True, text=True, check=True)
    assert "is up to date" in done.stdout
    loaded = set(json.loads(done.stdout.splitlines()[-1].replace("'", '"')))
    assert loaded <= {"boardwatch.build", "boardwatch.cli", "boardwatch.commands", "boardwatch.diagnostics",
                      "boardwatch.layout", "boardwatch.report", "boardwatch.uptodate"}, loaded


@pytest.mark.parametrize("damage", ["corrupt", "foreign"])
def test_a_damaged_stamp_is_ignored_with_a_warning(tmp_path: Path, damage: str) -> None:
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    build(site, out, jobs=1)
    before = mtimes(out)
    stamp = site / ".boardwatch-cache" / "uptodate.json"
    if damage == "corrupt":
        stamp.write_bytes(b'{"header": ')
    else:
        data = json.loads(stamp.read_text("utf-8"))
        data["header"]["boardwatch"] = "0.0.0-elsewhere"
        stamp.write_text(json.dumps(data), "utf-8")
    result = build(site, out, jobs=1)
    assert [d.code for d in result.warnings] == ["BW701"]
    assert "up-to-date stamp" in result.warnings[0].message
    assert result.up_to_date and mtimes(out) == before  # judged from the manifest instead
    again = build(site, out, jobs=1)
    assert again.up_to_date and again.warnings == ()  # a new stamp was written


def test_one_edit_renders_only_the_pages_it_changes(tmp_path: Path) -> None:
    site = tmp_path / "site"
    base_site(site)
    out = tmp_path / "out"
    build(site, out, jobs=1)
    untouched = out / "people/max-weber.html"
    stamp = untouched.stat().st_mtime_ns
    article = site / "content/articles/a0.md"
    # A paragraph after the first: the default summary (shown on other pages) does not change.
    article.write_text(article.read_text("utf-8") + "\nA second paragraph, revised body.\n", "utf-8")
    second = build(site, out, jobs=1)
    assert second.rendered == 1  # only the article page shows its whole body
    assert "revised body" in (out / "articles/a0.html").read_text("utf-8")
    assert untouched.stat().st_mtime_ns == stamp  # reused, not rewritten


def test_an_edit_to_a_body_takes_the_express_path(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    (site / "boardwatch.yaml").write_text("title: Incremental\nsearch: true\n", "utf-8")
    build(site, out, jobs=1)
    building = sys.modules["boardwatch.build"]
    real_load = building.load

    def no_full_build(*args: object, **kwargs: object) -> object:
        raise AssertionError("the full path was taken")

    monkeypatch.setattr(building, "load", no_full_build)
    fragments = {path: path.stat().st_mtime_ns for path in (out / "pagefind/fragment").iterdir()}
    article = site / "content/articles/a1.md"
    article.write_text(article.read_text("utf-8") + "\nA second paragraph with a *new* sentence.\n", "utf-8")
    result = build(site, out, jobs=1)
    assert result.rendered == 1 and not result.up_to_date
    # The shard is indexed again, but the fragments of the other pages are the files they were.
    kept = [path for path, mtime in fragments.items() if path.exists() and path.stat().st_mtime_ns == mtime]
    assert len(fragments) - 1 <= len(kept) < len(fragments)
    assert "<em>new</em> sentence" in (out / "articles/a1.html").read_text("utf-8")
    articles = json.loads((out / "data/articles.json").read_text("utf-8"))["articles"]
    assert [a["body_markdown"].endswith("*new* sentence.\n") for a in articles].count(True) == 1
    # What the express path made is what a clean build makes, search index included.
    monkeypatch.setattr(building, "load", real_load)
    build(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(out) == tree(tmp_path / "clean")
    # A change to the front matter, or to what the body mentions, takes the full path.
    monkeypatch.setattr(building, "load", no_full_build)
    article.write_text(article.read_text("utf-8") + "\nAnd [[max-weber]] agreed.\n", "utf-8")
    with pytest.raises(AssertionError, match="the full path was taken"):
        build(site, out, jobs=1)


def test_edits_patch_the_manifest_into_what_encoding_it_whole_gives(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from boardwatch import cache as caching
    from boardwatch.diagnostics import Diagnostics
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    (site / "boardwatch.yaml").write_text("title: Incremental\nsearch: false\n", "utf-8")
    build(site, out, jobs=1)
    encode = caching.manifest_bytes

    def not_whole(manifest: caching.Manifest) -> bytes:
        raise AssertionError("the manifest was encoded whole")

    monkeypatch.setattr(caching, "manifest_bytes", not_whole)
    article = site / "content/articles/a1.md"
    article.write_text(article.read_text("utf-8") + "\nA second paragraph.\n", "utf-8")
    assert build(site, out, jobs=1).rendered == 1
    written = (out / caching.MANIFEST).read_bytes()
    caching.remember_manifest(tmp_path, caching.Manifest("", {}, {}, {}))  # forget the one kept in memory
    manifest = caching.load_manifest(out, Diagnostics())
    assert manifest is not None and written == encode(manifest)
    # The view store's settings are those of the full build, with the new inputs digest.
    from boardwatch.express import LISTING, STORE, Store
    meta = Store(site / ".boardwatch-cache" / STORE).meta()
    assert meta is not None and meta["inputs"] == manifest.inputs
    assert {"common", "context", LISTING} <= set(meta) and json.loads(meta[LISTING])
    # A new title takes the full path, which patches the manifest the same way (no page added).
    article.write_text(article.read_text("utf-8").replace("title: Story 1", "title: Retold story 1"), "utf-8")
    assert build(site, out, jobs=1).rendered > 1
    caching.remember_manifest(tmp_path, caching.Manifest("", {}, {}, {}))
    retitled = caching.load_manifest(out, Diagnostics())
    assert retitled is not None and retitled.pages != manifest.pages
    assert (out / caching.MANIFEST).read_bytes() == encode(retitled)
    assert retitled.sources["content/articles/a1.md"][3] == hashlib.sha256(article.read_bytes()).hexdigest()


def test_a_rebuild_patches_the_output_in_place(tmp_path: Path) -> None:
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    build(site, out, jobs=1)
    before = tree(out)
    inodes = {rel: (out / rel).stat().st_ino for rel in before}
    article = site / "content/articles/a0.md"
    article.write_text(article.read_text("utf-8").replace("title: Story 0", "title: Retold story 0"), "utf-8")
    (site / "content/articles/a2.md").unlink()
    result = build(site, out, jobs=1)
    assert not result.up_to_date and 1 < result.rendered < result.pages
    kept = [rel for rel in tree(out) if rel in inodes and (out / rel).stat().st_ino == inodes[rel]]
    assert {"assets/boardwatch.css", ".boardwatch/build.txt"} <= set(kept)  # the same files, not copies
    assert len([rel for rel in kept if rel.endswith(".html")]) >= result.pages - result.rendered
    assert "Retold story 0" in (out / "articles/a0.html").read_text("utf-8")
    assert not (out / "articles/a2.html").exists()  # its source is gone
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # nothing left beside it
    assert_as_clean(site, out, tmp_path)


def test_a_damaged_view_store_is_never_trusted(tmp_path: Path) -> None:
    import sqlite3
    site, out = tmp_path / "site", tmp_path / "out"
    base_site(site)
    build(site, out, jobs=1)
    store = site / ".boardwatch-cache" / "views.sqlite"
    with sqlite3.connect(store) as db:  # a view that would inject script, its digest left as it was
        db.execute("UPDATE article_pages SET view = replace(view, 'Story', '<script>alert(1)</script>')")
    db.close()
    article = site / "content/articles/a0.md"
    article.write_text(article.read_text("utf-8") + "\nA second paragraph.\n", "utf-8")
    build(site, out, jobs=1)
    build(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(out) == tree(tmp_path / "clean")
    store.write_bytes(b"not a database")
    article.write_text(article.read_text("utf-8") + "\nA third paragraph.\n", "utf-8")
    build(site, out, jobs=1)
    build(site, tmp_path / "clean2", jobs=1, use_cache=False)
    assert tree(out) == tree(tmp_path / "clean2")


def test_page_edited_by_hand_in_the_output_is_rebuilt(tmp_path: Path) -> None:
    site = tmp_path / "site"
    base_site(site)
    out = tmp_path / "out"
    build(site, out, jobs=1)
    original = (out / "people/max-weber.html").read_bytes()
    (out / "people/max-weber.html").write_bytes(b"tampered")
    result = build(site, out, jobs=1)
    assert not result.up_to_date
    assert (out / "people/max-weber.html").read_bytes() == original


@pytest.mark.parametrize("damage", ["corrupt", "foreign"])
def test_corrupt_or_foreign_cache_is_ignored_with_a_warning(tmp_path: Path, damage: str) -> None:
    site = tmp_path / "site"
    base_site(site)
    out = tmp_path / "out"
    build(site, out, jobs=1)
    expected = tree(out)
    cache = site / ".boardwatch-cache" / "parsed.sqlite"
    manifest = out / MANIFEST
    if damage == "corrupt":
        cache.write_bytes(b"\x00{not a database" * 100)
        manifest.write_text("[1, 2", "utf-8")
    else:
        data = json.loads(manifest.read_text("utf-8"))
        data["header"]["boardwatch"] = "0.0.0-elsewhere"
        manifest.write_text(json.dumps(data), "utf-8")
        with sqlite3.connect(cache) as db:
            header = json.loads(db.execute("SELECT value FROM meta WHERE key = 'header'").fetchone()[0])
            header["boardwatch"] = "0.0.0-elsewhere"
            db.execute("UPDATE meta SET value = ? WHERE key = 'header'", (json.dumps(header, sort_keys=True),))
        db.close()
    article = site / "content/articles/a1.md"
    article.write_text(article.read_text("utf-8") + "\nMore.\n", "utf-8")
    result = build(site, out, jobs=1)
    assert {d.code for d in result.warnings} == {"BW701"}
    assert not result.up_to_date and result.rendered == result.pages  # nothing from the cache was trusted
    clean = tmp_path / "clean"
    build(site, clean, jobs=1, use_cache=False)
    assert tree(out) == tree(clean)
    assert tree(out) != expected


def test_jobs_1_and_jobs_2_build_identical_trees(tmp_path: Path) -> None:
    site = tmp_path / "corpus"
    corpus.generate(site, articles=120, seed=7)
    one, two = tmp_path / "one", tmp_path / "two"
    r1 = build(site, one, jobs=1, use_cache=False)
    r2 = build(site, two, jobs=2, use_cache=False)
    assert r1.pages == r2.pages > 200  # large enough that two processes really share the work
    assert tree(one) == tree(two)


@pytest.mark.skipif(not hasattr(os, "fork"), reason="parallel builds fork")
def test_parallel_parse_reports_the_same_errors(tmp_path: Path) -> None:
    site = tmp_path / "corpus"
    corpus.generate(site, articles=120, seed=3)
    victim = sorted((site / "content/articles").rglob("*.md"))[50]
    victim.write_text(victim.read_text("utf-8").replace("title:", "titel:"), "utf-8")
    found = []
    for jobs in (1, 2):
        with pytest.raises(ContentErrors) as info:
            build(site, tmp_path / f"out{jobs}", jobs=jobs, use_cache=False)
        found.append([(d.code, d.span.file, d.span.line) for d in info.value.diagnostics.sorted()])
    assert found[0] == found[1]
    assert ("BW202", victim.relative_to(site).as_posix(), 2) in found[0]


@pytest.mark.parametrize("edit", ["body", "title"])
def test_an_output_updated_by_another_build_meanwhile_is_not_patched(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                                        edit: str) -> None:
    """Another build that finishes while this one reads (between reading the manifest and
    taking the output lock) leaves an output this build did not see: it stops, writes
    nothing, and says to run it again. The express path (a body edit) and the full path alike."""
    from boardwatch import OutputError
    import boardwatch.cache as caching
    site, out = built_site(tmp_path)
    real = caching.load_manifest

    def and_another_build_finishes(*args: object) -> object:
        manifest = real(*args)  # type: ignore[arg-type]
        marker = out / MANIFEST
        marker.write_bytes(marker.read_bytes())  # rewritten, as another build's commit would
        return manifest

    monkeypatch.setattr(caching, "load_manifest", and_another_build_finishes)
    article = site / "content/articles/a1.md"
    text = article.read_text("utf-8")
    article.write_text(text + "\nA sentence added.\n" if edit == "body" else text.replace("title: Story 1", "title: Retold 1"),
                       "utf-8")
    before = tree(out)
    with pytest.raises(OutputError, match="run the build again"):
        build(site, out, jobs=1)
    assert tree(out) == before
    monkeypatch.undo()
    assert not build(site, out, jobs=1).up_to_date
    assert_as_clean(site, out, tmp_path)


def test_a_body_edit_into_a_locked_output_is_refused_clearly(tmp_path: Path) -> None:
    """The express path reports a held lock as every build does (exit 2), not as an internal error."""
    from boardwatch import OutputError
    from boardwatch.publish import output_lock
    site, out = built_site(tmp_path)
    article = site / "content/articles/a1.md"
    article.write_text(article.read_text("utf-8") + "\nA sentence added.\n", "utf-8")
    with output_lock(out), pytest.raises(OutputError, match="another boardwatch build"):
        build(site, out, jobs=1)  # an OS lock taken twice conflicts, even in one process
    assert build(site, out, jobs=1).rendered == 1


def test_a_process_that_builds_again_parses_only_the_files_that_changed(tmp_path: Path,
                                                                        monkeypatch: pytest.MonkeyPatch) -> None:
    import boardwatch.frontmatter as frontmatter
    site, out = built_site(tmp_path)
    article = site / "content/articles/a1.md"
    article.write_text(article.read_text("utf-8").replace("title: Story", "title: Retold story"), "utf-8")
    (site / ".boardwatch-cache" / "parsed.sqlite").unlink()  # only what the process kept can spare the others
    parsed: list[str] = []
    original = frontmatter.parse

    def counting(source: object, diags: object) -> object:
        parsed.append(getattr(source, "path"))
        return original(source, diags)  # type: ignore[arg-type]
    monkeypatch.setattr(frontmatter, "parse", counting)
    build(site, out, jobs=1)
    assert set(parsed) == {"content/articles/a1.md"}  # (the express path, which declines, reads it too)
    parsed.clear()
    build(site, tmp_path / "clean", jobs=1, use_cache=False)  # never without the cache
    assert len(parsed) == len(list((site / "content").rglob("*.md")))
    assert tree(out) == tree(tmp_path / "clean")


def test_a_new_process_parses_and_validates_only_the_files_that_changed(tmp_path: Path,
                                                                       monkeypatch: pytest.MonkeyPatch) -> None:
    build_module = importlib.import_module("boardwatch.build")
    import boardwatch.frontmatter as frontmatter
    import boardwatch.schema as schema
    site, out = built_site(tmp_path)
    article = site / "content/articles/a1.md"
    article.write_text(article.read_text("utf-8").replace("title: Story", "title: Retold story"), "utf-8")
    monkeypatch.setattr(build_module, "_LAST_PARSED", {})  # as a new process: the parse cache alone
    monkeypatch.setattr(build_module, "_LAST_READ", ("", {}))
    seen: list[str] = []
    for module, name in ((frontmatter, "parse"), (schema, "validate")):
        def counting(item: object, diags: object, original: Any = getattr(module, name)) -> object:
            seen.append(getattr(item, "path", None) or getattr(getattr(item, "source"), "path"))
            return original(item, diags)
        monkeypatch.setattr(module, name, counting)
    build(site, out, jobs=1)
    assert set(seen) == {"content/articles/a1.md"}
    monkeypatch.undo()
    assert_as_clean(site, out, tmp_path)


def test_a_damaged_record_in_the_parse_cache_is_parsed_again(tmp_path: Path) -> None:
    site, out = built_site(tmp_path)
    cache = site / ".boardwatch-cache" / "parsed.sqlite"
    with sqlite3.connect(cache) as db:
        rows = db.execute("SELECT sha256, entry FROM entries").fetchall()
        for key, entry in rows:  # every record's title (its first text field) becomes a number
            data = json.loads(entry)
            data["record"][0][1][3 if data["record"][0][0] == 1 else 2] = 5
            db.execute("UPDATE entries SET entry = ? WHERE sha256 = ?", (json.dumps(data), key))
    db.close()
    build_module = importlib.import_module("boardwatch.build")
    build_module._LAST_PARSED.clear()
    article = site / "content/articles/a1.md"
    article.write_text(article.read_text("utf-8").replace("title: Story", "title: Retold story"), "utf-8")
    result = build(site, out, jobs=1)
    assert not result.warnings and not result.up_to_date
    assert_as_clean(site, out, tmp_path)


def test_a_process_that_builds_again_reads_only_the_files_that_changed(tmp_path: Path,
                                                                      monkeypatch: pytest.MonkeyPatch) -> None:
    import boardwatch.sources as sources
    monkeypatch.setattr("boardwatch.uptodate.SETTLED_NS", 0)  # trust files however recently written
    site, out = built_site(tmp_path)
    reads: list[str] = []
    original = sources._read

    def counting(path: str, rel: str, *args: object, **kwargs: object) -> object:
        reads.append(rel)
        return original(path, rel, *args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(sources, "_read", counting)
    article = site / "content/articles/a1.md"
    article.write_text(article.read_text("utf-8").replace("title: Story", "title: Retold story"), "utf-8")
    assert build(site, out, jobs=1).rendered > 1  # the full path
    assert set(reads) == {"content/articles/a1.md"}  # (the express path, which declines, reads it too)
    # An edit that keeps the file's size and modification time is still seen: its change time moved.
    reads.clear()
    before = article.stat()
    article.write_text(article.read_text("utf-8").replace("Retold story", "Resold story"), "utf-8")
    os.utime(article, ns=(before.st_atime_ns, before.st_mtime_ns))
    assert article.stat().st_size == before.st_size
    build(site, out, jobs=1)
    assert "content/articles/a1.md" in reads and len(set(reads)) == 1
    assert "Resold story" in (out / "articles/a1.html").read_text("utf-8")
    assert_as_clean(site, out, tmp_path)


def test_a_process_reads_its_own_manifest_again_only_if_the_file_changed(tmp_path: Path,
                                                                         monkeypatch: pytest.MonkeyPatch) -> None:
    import boardwatch.cache as caching
    site, out = built_site(tmp_path)
    reads: list[str] = []
    original = caching._read_json

    def counting(path: Path, *args: object) -> object:
        reads.append(path.name)
        return original(path, *args)  # type: ignore[arg-type]
    monkeypatch.setattr(caching, "_read_json", counting)
    article = site / "content/articles/a1.md"
    article.write_text(article.read_text("utf-8") + "\nOne more line.\n", "utf-8")
    build(site, out, jobs=1)  # the manifest the first build wrote is known to this process
    assert "manifest.json" not in reads
    manifest = out / MANIFEST
    manifest.write_bytes(manifest.read_bytes())  # the same bytes, written again by someone else
    article.write_text(article.read_text("utf-8") + "\nAnd another.\n", "utf-8")
    build(site, out, jobs=1)
    assert "manifest.json" in reads
    assert_as_clean(site, out, tmp_path)
