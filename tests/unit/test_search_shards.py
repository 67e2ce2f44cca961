"""The sharded search index: shards by path hash, reuse of unchanged shards, byte determinism.

Every test runs the real Pagefind over a few generated pages, with a small ``shard_pages`` so
that a handful of pages already makes several shards.
"""

from __future__ import annotations

import gzip
import json
import os
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest

from boardwatch.search import (BUNDLE, MAX_SHARDS, SHARD_PAGES, SHARDS, SearchIndexError, is_marked, search_index,
                               shard_count, shard_of)

Files = Mapping[str, bytes | Path]
SMALL = 5  # pages a shard: _site() makes 19 pages, so 4 shards, each with marked pages


def _html(title: str, body: str, *, marked: bool = True, kind: str = "Analysis") -> str:
    main = " data-pagefind-body" if marked else ""
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{title}</title></head>'
            f'<body><nav>Menu everywhere</nav><main{main}><h1>{title}</h1><p>{body}</p>'
            f'<span data-pagefind-filter="kind:{kind}">{kind}</span></main></body></html>')


def _pages(folder: Path, texts: Mapping[str, str]) -> dict[str, Path]:
    pages = {}
    for rel, text in texts.items():
        path = folder / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text, "utf-8")
        pages[rel] = path
    return pages


def _site(n: int = 16) -> dict[str, str]:
    texts = {f"articles/story-{i:02d}.html": _html(f"Story {i}", f"Common words and token{i}.") for i in range(n)}
    texts["people/ada.html"] = _html("Ada", "A person with token-ada.", kind="Person")
    texts["index.html"] = _html("Home", "Latest stories: token0 token1.", marked=False)
    texts["articles/index.html"] = _html("Analyses", "Every story.", marked=False)
    return texts


def _keys(pages: Mapping[str, Path]) -> dict[str, str]:
    return {rel: path.read_text("utf-8") for rel, path in pages.items()}  # a key that changes with the bytes


def _bytes(files: Files) -> dict[str, bytes]:
    return {rel: data.read_bytes() if isinstance(data, Path) else data for rel, data in files.items()}


def _write(out: Path, files: Files) -> None:
    for rel, data in _bytes(files).items():
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        (out / rel).write_bytes(data)


def _manifest(files: Files) -> Any:
    return json.loads(_bytes(files)[SHARDS])


def _fragments(files: Files, place: str) -> list[dict[str, object]]:
    """The page records of a shard (its fragment files, decoded)."""
    return [json.loads(gzip.decompress(data)[len(b"pagefind_dcd"):]) for rel, data in _bytes(files).items()
            if rel.startswith(f"{BUNDLE}/{place}fragment/")]


def _urls(files: Files, place: str) -> set[str]:
    return {str(fragment["url"]) for fragment in _fragments(files, place)}


# -- how pages are split ---------------------------------------------------------------------

def test_shard_count_is_one_for_small_sites_then_a_capped_power_of_two() -> None:
    assert [shard_count(n, 100) for n in (0, 1, 100, 101, 200, 201, 399, 401)] == [1, 1, 1, 2, 2, 4, 4, 8]
    assert shard_count(SHARD_PAGES) == 1 and shard_count(SHARD_PAGES + 1) == 2
    assert shard_count(10**9, 100) == MAX_SHARDS


def test_a_page_keeps_its_shard_and_shards_split_in_two_when_doubled() -> None:
    paths = [f"articles/{i}.html" for i in range(400)]
    for count in (2, 4, 8, 16):
        shards = [shard_of(p, count) for p in paths]
        assert set(shards) == set(range(count))  # every shard gets pages
        assert shards == [shard_of(p, count) for p in paths]
        assert [s % (count // 2) for s in shards] == [shard_of(p, count // 2) for p in paths]


# -- what is indexed -------------------------------------------------------------------------

def test_each_marked_page_is_indexed_once_in_its_own_shard(tmp_path: Path) -> None:
    texts = _site()
    files = search_index(_pages(tmp_path, texts), shard_pages=SMALL)
    manifest = _manifest(files)
    count = manifest["count"]
    assert count == 4
    shards = manifest["shards"]
    assert [s["shard"] for s in shards] == [0, 1, 2, 3]
    marked = {rel for rel, text in texts.items() if "data-pagefind-body" in text}
    seen: set[str] = set()
    for shard in shards:
        place = shard["path"]
        urls = _urls(files, place)
        assert urls and not urls & seen
        assert {shard_of(u[1:], 4) for u in urls} == {shard["shard"]}
        seen |= urls
        entry = json.loads(_bytes(files)[f"{BUNDLE}/{place}pagefind-entry.json"])
        assert sum(lang["page_count"] for lang in entry["languages"].values()) == len(urls)
    assert seen == {"/" + rel for rel in marked}  # the list pages are left out, as Pagefind does


def test_pagefind_scripts_come_from_the_first_shard_only(tmp_path: Path) -> None:
    files = search_index(_pages(tmp_path, _site()), shard_pages=SMALL)
    scripts = sorted(rel for rel in files if rel.endswith((".js", ".css")) or "/wasm." in rel)
    assert f"{BUNDLE}/pagefind-ui.js" in scripts and f"{BUNDLE}/pagefind.js" in scripts
    assert all(rel.count("/") == 1 for rel in scripts)  # none inside pagefind/<n>/
    assert {rel.split("/")[1] for rel in files if rel.split("/")[1].isdigit()} == {"1", "2", "3"}


def test_a_small_site_is_one_plain_pagefind_index(tmp_path: Path) -> None:
    files = search_index(_pages(tmp_path, _site()))
    manifest = _manifest(files)
    assert manifest["count"] == 1
    assert [(s["shard"], s["path"]) for s in manifest["shards"]] == [(0, "")]
    assert not any(rel.split("/")[1].isdigit() for rel in files)
    assert {f"{BUNDLE}/pagefind-entry.json", f"{BUNDLE}/pagefind-ui.js", SHARDS} <= set(files)


def test_without_any_marked_page_every_page_is_indexed(tmp_path: Path) -> None:
    texts = {f"p{i}.html": _html(f"P{i}", f"text {i}", marked=False) for i in range(6)}
    files = search_index(_pages(tmp_path, texts), shard_pages=2)
    places = [s["path"] for s in _manifest(files)["shards"] if s["path"] is not None]
    assert set().union(*(_urls(files, p) for p in places)) == {f"/p{i}.html" for i in range(6)}


def test_a_shard_without_indexed_pages_is_left_out_and_the_next_one_leads(tmp_path: Path) -> None:
    # Four shards; only the pages of shards 2 and 3 are marked: 0 and 1 index nothing.
    names = [f"page-{i}.html" for i in range(40)]
    texts = {rel: _html(rel, f"words {rel}", marked=shard_of(rel, 4) >= 2) for rel in names}
    files = search_index(_pages(tmp_path, texts), shard_pages=10)
    shards = _manifest(files)["shards"]
    assert [(s["shard"], s["path"]) for s in shards] == [(0, None), (1, None), (2, ""), (3, "3/")]
    assert {shard_of(u[1:], 4) for u in _urls(files, "")} == {2}
    assert f"{BUNDLE}/pagefind-ui.js" in files and not any(rel.startswith(f"{BUNDLE}/2/") for rel in files)


def test_a_record_that_calls_an_empty_shard_full_is_not_believed(tmp_path: Path) -> None:
    names = [f"page-{i}.html" for i in range(40)]
    pages = _pages(tmp_path / "site", {rel: _html(rel, rel, marked=shard_of(rel, 4) >= 2) for rel in names})
    first = search_index(pages, _keys(pages), shard_pages=10)
    out = tmp_path / "out"
    _write(out, first)
    record = _manifest(first)
    record["shards"][0]["path"] = ""  # shard 0 has no page to index, and shard 2 is the first
    (out / SHARDS).write_text(json.dumps(record))
    assert search_index(pages, _keys(pages), out, shard_pages=10) == first


def test_no_page_at_all_is_an_error(tmp_path: Path) -> None:
    with pytest.raises(SearchIndexError):
        search_index({"feed.xml": tmp_path / "feed.xml"})


# -- determinism and reuse -------------------------------------------------------------------

def test_two_runs_give_the_same_bytes(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "site", _site())
    first = search_index(pages, _keys(pages), shard_pages=SMALL)
    second = search_index(pages, _keys(pages), shard_pages=SMALL)
    assert all(isinstance(data, bytes) for data in first.values())
    assert first == second


def _edit_one(tmp_path: Path) -> tuple[dict[str, Path], Path, str]:
    """A first run written to ``out``, then story 3 edited; (pages, out, story 3's shard place)."""
    pages = _pages(tmp_path / "site", _site())
    first = search_index(pages, _keys(pages), shard_pages=SMALL)
    out = tmp_path / "out"
    _write(out, first)
    edited = "articles/story-03.html"
    pages[edited].write_text(_html("Story 3", "Rewritten with token-new."), "utf-8")
    place = next(s["path"] for s in _manifest(first)["shards"]
                 if s["shard"] == shard_of(edited, 4))
    return pages, out, place


def test_an_edit_indexes_one_shard_again_and_reuses_the_others(tmp_path: Path) -> None:
    pages, out, place = _edit_one(tmp_path)
    again = search_index(pages, _keys(pages), out, shard_pages=SMALL)
    fresh = search_index(pages, _keys(pages), shard_pages=SMALL)
    assert _bytes(again) == fresh  # the same bundle as a clean run

    def in_edited(rel: str) -> bool:
        inner = rel[len(BUNDLE) + 1:]
        return inner.startswith(place) and (place != "" or not inner.split("/")[0].isdigit())
    reused = {rel for rel, data in again.items() if isinstance(data, Path)}
    assert reused and all(again[rel] == out / rel for rel in reused)
    assert reused == {rel for rel in again if not in_edited(rel) and rel != SHARDS}
    assert "/articles/story-03.html" in _urls(again, place)
    assert any("token-new" in str(f["content"]) for f in _fragments(again, place))


def test_nothing_is_reused_without_keys_or_previous(tmp_path: Path) -> None:
    pages, out, _ = _edit_one(tmp_path)
    assert all(isinstance(d, bytes) for d in search_index(pages, None, out, shard_pages=SMALL).values())
    assert all(isinstance(d, bytes) for d in search_index(pages, _keys(pages), None, shard_pages=SMALL).values())


def test_a_shard_whose_files_differ_from_the_record_is_indexed_again(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "site", _site())
    first = search_index(pages, _keys(pages), shard_pages=SMALL)
    out = tmp_path / "out"
    _write(out, first)
    (out / BUNDLE / "2" / "stray.txt").write_text("x")
    fragment = next((out / BUNDLE / "3" / "fragment").iterdir())
    os.unlink(fragment)
    again = search_index(pages, _keys(pages), out, shard_pages=SMALL)
    assert _bytes(again) == first
    assert not any(isinstance(again[rel], Path) for rel in again if rel.startswith((f"{BUNDLE}/2/", f"{BUNDLE}/3/")))
    assert any(isinstance(again[rel], Path) for rel in again if rel.startswith(f"{BUNDLE}/1/"))


def test_a_different_shard_count_indexes_everything_again(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "site", _site())
    out = tmp_path / "out"
    _write(out, search_index(pages, _keys(pages), shard_pages=SMALL))
    again = search_index(pages, _keys(pages), out, shard_pages=10)
    assert _manifest(again)["count"] == 2
    assert all(isinstance(d, bytes) for d in again.values())


def test_an_unreadable_shard_record_means_no_reuse(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "site", _site())
    out = tmp_path / "out"
    first = search_index(pages, _keys(pages), shard_pages=SMALL)
    _write(out, first)
    (out / SHARDS).write_text("{not json")
    again = search_index(pages, _keys(pages), out, shard_pages=SMALL)
    assert all(isinstance(d, bytes) for d in again.values()) and again == first


def _index(files: Files) -> dict[str, bytes]:
    """The bundle without shards.json (whose keys say whether the marks were given)."""
    return {rel: data for rel, data in _bytes(files).items() if rel != SHARDS}


def _marks(pages: Mapping[str, Path]) -> dict[str, bool]:
    return {rel: is_marked(path.read_bytes()) for rel, path in pages.items()}


def test_given_the_marks_a_shard_whose_only_changed_page_is_unmarked_is_reused(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "site", _site())
    first = search_index(pages, _keys(pages), shard_pages=SMALL, indexed=_marks(pages))
    assert _index(first) == _index(search_index(pages, _keys(pages), shard_pages=SMALL))  # as when read
    out = tmp_path / "out"
    _write(out, first)
    edited = "articles/index.html"  # a list: no data-pagefind-body, so Pagefind never reads it
    pages[edited].write_text(_html("Analyses", "Every story, and one more.", marked=False), "utf-8")
    again = search_index(pages, _keys(pages), out, shard_pages=SMALL, indexed=_marks(pages))
    assert all(isinstance(data, Path) for rel, data in again.items() if rel != SHARDS)  # every shard reused
    read = search_index(pages, _keys(pages), out, shard_pages=SMALL)  # the marks read from the pages
    assert any(isinstance(data, bytes) for rel, data in read.items() if rel != SHARDS)  # its shard indexed again
    assert _index(again) == _index(read)
    # A page that opts in (or out) changes its shard's key, marks given or not.
    pages[edited].write_text(_html("Analyses", "Every story, and one more.", marked=True), "utf-8")
    now = search_index(pages, _keys(pages), out, shard_pages=SMALL, indexed=_marks(pages))
    assert "/articles/" in set().union(*(_urls(now, s["path"]) for s in _manifest(now)["shards"]
                                                 if s["path"] is not None))


def test_marks_that_miss_a_page_are_not_used(tmp_path: Path) -> None:
    pages = _pages(tmp_path / "site", _site())
    partial = dict(list(_marks(pages).items())[1:])
    assert _bytes(search_index(pages, _keys(pages), shard_pages=SMALL, indexed=partial)) == \
        _bytes(search_index(pages, _keys(pages), shard_pages=SMALL))
