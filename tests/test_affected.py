"""A rebuild after edits that keep every article's links plans only the pages those edits can
change (affected.py), and its output is still byte for byte what a clean build makes."""

from __future__ import annotations

import re
import shutil
import sys
from collections.abc import Sequence
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from boardwatch import build
from boardwatch import express
from boardwatch import workers

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "benchmarks"))
import corpus  # noqa: E402

from test_incremental import tree  # noqa: E402


def _sub(pattern: str, repl: str, text: str) -> str:
    new, count = re.subn(pattern, repl, text, count=1, flags=re.MULTILINE)
    assert count == 1, f"the corpus no longer has {pattern!r}"
    return new


# Edits that keep the article's links: each changes what other pages show of it.
KEEPING = {
    "title": lambda t, n: _sub(r'^title: "', f'title: "Retitled {n} ', t),
    "summary": lambda t, n: _sub(r"^(title: .*\n)", rf"\1summary: A summary written by hand, {n}.\n", t),
    "date": lambda t, n: _sub(r"^date: \S+", f"date: 202{n % 6}-0{n % 9 + 1}-1{n % 10}", t),
    "authors": lambda t, n: _sub(r"^authors: \[.*\]", f"authors: [Desk {n}]", t),
    "claim-text": lambda t, n: _sub(r"^    text: ", f"    text: Restated {n}, ", t),
    "claim-status": lambda t, n: _sub(r"^(    status: )\w+", r"\1denied", t),
    "event-title": lambda t, n: _sub(r"^(events:\n  - date: .*\n    title: )", rf"\1Renamed {n}, ", t),
    "body": lambda t, n: t + f"\nOne more paragraph, {n}.\n",
}
# Edits that change them: every page is planned.
CHANGING = {
    "tag": lambda t, n: _sub(r"^tags: \[", f'tags: ["added {n}", ', t),
    "mention": lambda t, n: t + "\nLater, [[state-1]] and [[person-2]] spoke.\n",
}


def _site(root: Path) -> Path:
    corpus.generate(root, 60, 3)
    first = root / "content/initiatives/initiative-0.md"  # an invitation that cites an analysis
    first.write_text(_sub(r"^(    status: pending\n)", r"\1    source: article-000002\n", first.read_text("utf-8")),
                     "utf-8")
    return root


def _articles(root: Path) -> list[Path]:
    return sorted((root / "content/articles").rglob("*.md"))


@pytest.fixture
def planned(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many planning tasks each planning run of the builds had."""
    counts: list[int] = []
    original = workers.plan_and_render

    def counting(*args: object, **kwargs: object) -> object:
        result = original(*args, **kwargs)  # type: ignore[arg-type]
        tasks = args[6] if len(args) > 6 else kwargs.get("tasks")
        counts.append(len(tasks) if isinstance(tasks, Sequence) else -1)  # -1: every task
        return result
    monkeypatch.setattr(workers, "plan_and_render", counting)
    return counts


def test_a_title_edit_plans_only_the_pages_that_show_the_article(tmp_path: Path, planned: list[int]) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    build(site, out, jobs=1)
    article = _articles(site)[2]  # article-000002: an invitation of initiative-0, which it never names, cites it
    article.write_text(KEEPING["title"](article.read_text("utf-8"), 1), "utf-8")
    result = build(site, out, jobs=1)
    assert planned[0] == -1 and 0 < planned[1] < 60, planned  # the first build planned everything
    assert result.rendered > 1
    build(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(out) == tree(tmp_path / "clean")
    initiative = (out / "initiatives/initiative-0.html").read_text("utf-8")
    assert "Retitled 1" in initiative  # the invitation's source shows the new title


@pytest.fixture
def tasks_planned(monkeypatch: pytest.MonkeyPatch) -> list[list[tuple[str, str]] | None]:
    """The tasks of each planning run of the builds (None: every task)."""
    runs: list[list[tuple[str, str]] | None] = []
    original = workers.plan_and_render

    def recording(*args: object, **kwargs: object) -> object:
        tasks = args[6] if len(args) > 6 else kwargs.get("tasks")
        runs.append(list(tasks) if isinstance(tasks, Sequence) else None)  # type: ignore[arg-type]
        return original(*args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(workers, "plan_and_render", recording)
    return runs


@pytest.fixture
def whole_articles_json(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """How many times data/articles.json was made whole (rather than patched)."""
    import boardwatch.export as export
    made: list[int] = []
    original = export.articles_document

    def counting(*args: object, **kwargs: object) -> bytes:
        made.append(1)
        return original(*args, **kwargs)  # type: ignore[arg-type]
    monkeypatch.setattr(export, "articles_document", counting)
    return made


def test_of_the_indexes_a_title_edit_plans_the_pages_that_list_the_article_and_its_claims(
        tmp_path: Path, tasks_planned: list[list[tuple[str, str]] | None], whole_articles_json: list[int]) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    (site / "boardwatch.yaml").write_text((site / "boardwatch.yaml").read_text("utf-8") + "per_page: 7\n", "utf-8")
    build(site, out, jobs=1)
    assert whole_articles_json == [1]
    listed = sorted((out / "articles").glob("index.html")) + sorted((out / "articles").glob("page-*.html"))
    assert len(listed) > 5  # several pages of analyses
    # An article with a claim, far down the index: the page that lists it is not the first.
    article = next(p for p in reversed(_articles(site)) if "\nclaims:\n  - id:" in p.read_text("utf-8"))
    text = article.read_text("utf-8")
    claim = re.search(r"^claims:\n  - id: (\S+)", text, re.MULTILINE)
    assert claim is not None
    article.write_text(KEEPING["title"](text, 5), "utf-8")
    build(site, out, jobs=1)
    tasks = tasks_planned[1]
    assert tasks is not None
    indexes = sorted(key for what, key in tasks if what == "index")
    articles_page = next(p for p in listed if f"Retitled 5 " in p.read_text("utf-8"))
    claims_page = next(p for p in sorted((out / "claims").glob("*.html"))
                       if p.name == "index.html" or p.name.startswith("page-")
                       if f'href="{claim.group(1)}.html"' in p.read_text("utf-8"))
    number = {"index.html": 1}
    assert indexes == sorted([f"articles:{number.get(articles_page.name) or int(articles_page.stem[5:])}",
                              f"claims:{number.get(claims_page.name) or int(claims_page.stem[5:])}", "tags"])
    assert ("indexes", "") not in tasks and ("tags", "") not in tasks
    tags = re.search(r"^tags: \[(.*)\]", text, re.MULTILINE)
    assert tags is not None and tags.group(1)
    from boardwatch.urls import tag_slug
    assert {key for what, key in tasks if what == "tag"} == {tag_slug(t.strip().strip('"')) for t in tags.group(1).split(",")}
    assert whole_articles_json == [1]  # patched where the article's record is
    build(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(out) == tree(tmp_path / "clean")
    # A new date may move it, and its claims, to another page: those indexes are planned whole.
    article.write_text(KEEPING["date"](article.read_text("utf-8"), 4), "utf-8")
    build(site, out, jobs=1)
    tasks = tasks_planned[3]
    assert tasks is not None and {("index", "articles"), ("index", "claims")} <= set(tasks)
    assert whole_articles_json == [1, 1, 1]  # the clean build's, and this one's: its order changed
    shutil.rmtree(tmp_path / "clean")
    build(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(out) == tree(tmp_path / "clean")


def test_an_edit_that_changes_links_plans_every_page(tmp_path: Path, planned: list[int]) -> None:
    site, out = _site(tmp_path / "site"), tmp_path / "out"
    build(site, out, jobs=1)
    article = _articles(site)[7]
    article.write_text(CHANGING["tag"](article.read_text("utf-8"), 2), "utf-8")
    build(site, out, jobs=1)
    assert planned == [-1, -1]
    build(site, tmp_path / "clean", jobs=1, use_cache=False)
    assert tree(out) == tree(tmp_path / "clean")


EDITS = st.lists(st.tuples(st.sampled_from(sorted(KEEPING) + sorted(CHANGING)), st.integers(0, 59)),
                 min_size=1, max_size=3)


@settings(max_examples=10, deadline=None, derandomize=True,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(batches=st.lists(EDITS, min_size=1, max_size=2))
def test_any_front_matter_edits_rebuild_as_a_clean_build(tmp_path_factory: pytest.TempPathFactory,
                                                         batches: list[list[tuple[str, int]]]) -> None:
    work = tmp_path_factory.mktemp("edits")
    site, out = work / "site", work / "out"
    shared = _cached_site(tmp_path_factory)
    shutil.copytree(shared / "site", site)
    shutil.copytree(shared / "out", out)
    shutil.copytree(shared / "cache", site / ".boardwatch-cache")
    for batch in batches:
        for name, n in batch:
            article = _articles(site)[n]
            article.write_text({**KEEPING, **CHANGING}[name](article.read_text("utf-8"), n), "utf-8")
        build(site, out, jobs=1)
        # This process's next build takes the store's digests from memory: they are the file's.
        assert express._KNOWN_DIGESTS.held
        assert express.Store(site / ".boardwatch-cache/views.sqlite").digests() == \
            {row[0]: (row[1], row[2], row[3], row[4]) for row in _store(site / ".boardwatch-cache")[1]}
        clean = work / "clean"
        shutil.rmtree(clean, ignore_errors=True)
        build(site, clean, jobs=1, use_cache=False)
        assert tree(out) == tree(clean), batch
        # What the next body edit will be rendered from is what a first build would keep.
        fresh = work / "fresh"
        shutil.rmtree(fresh, ignore_errors=True)
        build(site, fresh / "out", jobs=1, cache_dir=fresh / "cache")
        assert _store(site / ".boardwatch-cache") == _store(fresh / "cache"), batch


def _store(cache: Path) -> tuple[list[tuple[str, str]], list[tuple[str, ...]]]:
    """The view store's meta and rows (see express.Store), in order."""
    import sqlite3
    db = sqlite3.connect(cache / "views.sqlite")
    try:
        return (sorted(db.execute("SELECT key, value FROM meta")),
                sorted(db.execute("SELECT source, sha256, shape, page, digest, links, view FROM article_pages")))
    finally:
        db.close()


_CACHED: dict[str, Path] = {}


def _cached_site(factory: pytest.TempPathFactory) -> Path:
    """One generated site, built once with its cache, for every example to copy."""
    if "site" not in _CACHED:
        root = factory.mktemp("shared")
        _site(root / "site")
        build(root / "site", root / "out", jobs=1)
        shutil.copytree(root / "site/.boardwatch-cache", root / "cache")
        shutil.rmtree(root / "site/.boardwatch-cache")
        _CACHED["site"] = root
    return _CACHED["site"]
