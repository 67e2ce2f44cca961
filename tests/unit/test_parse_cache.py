"""A document taken from the parse cache is the document parsing the file gives: the same data,
positions and body, so validation reports the same problems at the same places."""

from __future__ import annotations

from pathlib import Path

from boardwatch.cache import ParseCache, cache_entry, load_parse_cache, save_parse_cache
from boardwatch.diagnostics import Diagnostics
from boardwatch.frontmatter import parse
from boardwatch.schema import validate
from boardwatch.sources import discover

ROOT = Path(__file__).resolve().parents[2]
FAULTY = """---
title: "A story with problems"
date: 2026-13-40
authors: [Desk]
claims:
  - id: c1
    speaker: nobody-known
    text: Said something.
    status: maybe
  - id: c2
    text: [not, text]
unknown_key: 1
---

Body with [[a-ref]] and `[[code]]`.
"""


def test_a_cached_document_is_the_parsed_one_and_validates_the_same(tmp_path: Path) -> None:
    site = tmp_path / "site"
    (site / "content/articles").mkdir(parents=True)
    (site / "content/articles/faulty.md").write_text(FAULTY, "utf-8")
    sources = [*discover(ROOT, Diagnostics()), *discover(site, Diagnostics())]
    cache_dir = tmp_path / "cache"
    cache = ParseCache(cache_dir / "parsed.sqlite")
    parsed = {}
    for source in sources:
        doc = parse(source, Diagnostics())
        assert doc is not None, source.path
        parsed[source.path] = doc
        cache.keep(source, cache_entry(doc))
    save_parse_cache(cache_dir, cache)
    again = load_parse_cache(cache_dir, Diagnostics())
    again.fetch(source.sha256 for source in sources[: len(sources) // 2])  # read ahead, and not
    for source in sources:
        doc, cached = parsed[source.path], again.get(source)
        assert cached is not None, source.path
        assert (cached.data, cached.body, cached.body_line) == (doc.data, doc.body, doc.body_line)
        assert dict(cached.values) == dict(doc.values) and dict(cached.keys) == dict(doc.keys)
        for path in [*doc.values, *doc.keys, ("claims", 9), ()]:
            assert cached.span(path) == doc.span(path) and cached.key_span(path) == doc.key_span(path)
        first, second = Diagnostics(), Diagnostics()
        assert validate(doc, first) == validate(cached, second)
        assert list(first) == list(second), source.path
    faulty = Diagnostics()  # the faulty file's problems were among those compared, with their places
    validate(parsed["content/articles/faulty.md"], faulty)
    assert len(faulty.errors) >= 3 and all(d.span.line > 1 for d in faulty.errors)
