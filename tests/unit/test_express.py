"""The express path's pieces: views as JSON, and data/articles.json patched one line at a time."""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import pytest

from boardwatch.build import load
from boardwatch.export import _doc
from boardwatch.express import articles_json_edits, decode_view, encode_view, view_digest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def plans():  # type: ignore[no-untyped-def]
    loaded = load(ROOT)
    assert not loaded.diagnostics.has_errors
    return loaded.plans


def test_every_view_of_the_site_comes_back_from_json_exactly(plans) -> None:  # type: ignore[no-untyped-def]
    kinds = set()
    for plan in plans:
        back = decode_view(encode_view(plan.view), view_digest(plan.view))
        assert back == plan.view and repr(back) == repr(plan.view)
        kinds.add(plan.view.kind)
    assert {"article", "person", "initiative", "claim", "list", "home"} <= kinds


def test_a_view_that_is_not_what_its_digest_says_is_refused(plans) -> None:  # type: ignore[no-untyped-def]
    view = next(p.view for p in plans if p.view.kind == "article")
    text, digest = encode_view(view), view_digest(view)
    assert decode_view(text.replace(view.title, "<script>x</script>"), digest) is None  # edited
    assert decode_view(json.dumps({"c": "Popen", "f": []}), digest) is None  # not a view class
    assert decode_view("[1, 2", digest) is None  # not JSON
    assert decode_view(json.dumps({"c": "Crumb", "f": ["Home", "index.html"]}), digest) is None  # not a page


def apply_edits(previous: bytes, edits: Sequence[tuple[int, int, bytes]]) -> bytes:
    """``previous`` with each (start, end, new bytes) of ``edits`` (in order, disjoint) made, as
    Patch.splice writes it (tested in test_publish.py)."""
    parts, at = [], 0
    for start, end, data in edits:
        parts += [previous[at:start], data]
        at = end
    parts.append(previous[at:])
    return b"".join(parts)


def splice_articles_json(previous: bytes, records: Mapping[str, dict[str, Any]]) -> bytes | None:
    edits = articles_json_edits(previous, records)
    return apply_edits(previous, edits) if edits is not None else None


def _articles(records: list[dict[str, object]]) -> bytes:
    return _doc("articles", records, "")


def test_one_record_of_articles_json_is_replaced_in_place() -> None:
    tricky = 'quotes ", "path": "articles/b.html", and a backslash \\'
    records = [{"path": f"articles/{slug}.html", "slug": slug, "body_markdown": tricky} for slug in "abc"]
    before = _articles(records)
    for slug in "abc":  # first, middle and last line (the last has no comma)
        changed = [dict(r, body_markdown="new") if r["slug"] == slug else r for r in records]
        spliced = splice_articles_json(before, {f"articles/{slug}.html": changed["abc".index(slug)]})
        assert spliced == _articles(changed)
        assert json.loads(spliced)["articles"] == changed


def test_a_record_that_is_not_there_once_is_refused() -> None:
    before = _articles([{"path": "articles/a.html", "slug": "a"}])
    assert splice_articles_json(before, {"articles/z.html": {"path": "articles/z.html"}}) is None
    twice = _articles([{"path": "articles/a.html", "slug": "a"}, {"path": "articles/a.html", "slug": "a"}])
    assert splice_articles_json(twice, {"articles/a.html": {"path": "articles/a.html"}}) is None


def test_several_records_are_replaced_at_once_whatever_their_order() -> None:
    records = [{"path": f"articles/{slug}.html", "slug": slug, "body_markdown": slug * 3} for slug in "abcd"]
    before = _articles(records)
    changed = [dict(r, body_markdown=f"new {r['slug']}") if r["slug"] in "db" else r for r in records]
    edits = articles_json_edits(before, {"articles/d.html": changed[3], "articles/b.html": changed[1]})
    assert edits is not None and [start for start, _, _ in edits] == sorted(start for start, _, _ in edits)
    assert apply_edits(before, edits) == _articles(changed)
