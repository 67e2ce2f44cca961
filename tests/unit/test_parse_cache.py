"""What the parse cache gives back is what parsing and validating the file gives: the same
record, with the same warnings, for a file that validates; the same document (data, positions
and body) for one that does not, so validating it again reports the same problems at the same
places. An entry that is not what the cache writes is never trusted."""

from __future__ import annotations

import dataclasses
import datetime as dt
import json
import random
import sqlite3
import types
import typing
from pathlib import Path
from typing import Any

import pytest

from boardwatch import codec
from boardwatch.cache import ParseCache, cache_entry, entry_key, load_parse_cache, record_entry, save_parse_cache
from boardwatch.diagnostics import Diagnostic, Diagnostics, Severity, Span
from boardwatch.model import Article, Entity, Kind, Source
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


def _sources(tmp_path: Path) -> list[Source]:
    site = tmp_path / "site"
    (site / "content/articles").mkdir(parents=True)
    (site / "content/articles/faulty.md").write_text(FAULTY, "utf-8")
    return [*discover(ROOT, Diagnostics()), *discover(ROOT / "tests/sites/board-of-peace", Diagnostics()),
            *discover(site, Diagnostics())]


def test_the_cache_gives_back_each_record_or_document_it_was_given(tmp_path: Path) -> None:
    sources = _sources(tmp_path)
    cache_dir = tmp_path / "cache"
    cache = ParseCache(cache_dir / "parsed.sqlite")
    expected: dict[str, Any] = {}
    for source in sources:
        diags = Diagnostics()
        doc = parse(source, diags)
        assert doc is not None, source.path
        record = validate(doc, diags)
        if record is not None and not diags.has_errors:  # as the parse workers do
            entry = record_entry(doc, record, list(diags))
            assert entry is not None, source.path
            expected[entry_key(source)] = (record, list(diags))
        else:
            entry, expected[entry_key(source)] = cache_entry(doc), doc
        cache.keep(source, entry)
    faulty_key = next(key for key in expected if key.endswith(":content/articles/faulty.md"))
    assert sum(isinstance(v, tuple) for v in expected.values()) > 20 and not isinstance(expected[faulty_key], tuple)
    save_parse_cache(cache_dir, cache)
    again = load_parse_cache(cache_dir, Diagnostics())
    again.fetch(entry_key(source) for source in sources[: len(sources) // 2])  # read ahead, and not
    for source in sources:
        want, cached = expected[entry_key(source)], again.take(source)
        if isinstance(want, tuple):
            assert isinstance(cached, tuple), source.path
            assert cached == want and repr(cached) == repr(want)  # times keep their zones
            continue
        doc = want
        assert cached is not None and not isinstance(cached, tuple), source.path
        assert (cached.data, cached.body, cached.body_line) == (doc.data, doc.body, doc.body_line)
        assert dict(cached.values) == dict(doc.values) and dict(cached.keys) == dict(doc.keys)
        for path in [*doc.values, *doc.keys, ("claims", 9), ()]:
            assert cached.span(path) == doc.span(path) and cached.key_span(path) == doc.key_span(path)
        first, second = Diagnostics(), Diagnostics()
        assert validate(doc, first) == validate(cached, second)
        assert list(first) == list(second), source.path
    faulty = Diagnostics()  # the faulty file's problems were among those compared, with their places
    validate(expected[faulty_key], faulty)
    assert len(faulty.errors) >= 3 and all(d.span.line > 1 for d in faulty.errors)


def _records(tmp_path: Path) -> list[tuple[Source, Any, str]]:
    """(source, record, body) of every file of the project's content and the test site."""
    found = []
    for source in _sources(tmp_path):
        diags = Diagnostics()
        doc = parse(source, diags)
        record = validate(doc, diags) if doc is not None else None
        if record is not None:
            found.append((source, record, doc.body))  # type: ignore[union-attr]
    return found


def test_the_codec_keeps_every_field_warnings_and_times_with_their_zones(tmp_path: Path) -> None:
    records = _records(tmp_path)
    assert {type(r) for _, r, _ in records} == {Article, Entity}
    assert {r.kind for _, r, _ in records if isinstance(r, Entity)} == set(Kind) - {Kind.ARTICLE}
    source, article, body = next(t for t in records if isinstance(t[1], Article) and t[1].claims and t[1].events)
    zone = dt.timezone(dt.timedelta(hours=5, minutes=30))
    timed = dataclasses.replace(article, date=dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=zone),
                                updated=dt.datetime(2026, 1, 3, tzinfo=dt.timezone.utc))
    warning = Diagnostic("BW999", Severity.WARNING, "a warning", Span(source.path, 3, 4, 5), "title", "do this")
    for record, warnings in [*((r, []) for _, r, _ in records), (timed, [warning])]:
        file = record.path
        encoded = codec.encode(record, warnings, file)
        assert encoded is not None
        text = json.dumps(encoded)
        field = "body_md" if isinstance(record, Article) else "profile_md"
        again = codec.decode(json.loads(text), file, getattr(record, field))
        assert again == (record, warnings) and repr(again) == repr((record, warnings))
    elsewhere = dataclasses.replace(article, span=Span("content/articles/other.md", 1, 1))
    assert codec.encode(elsewhere, [], source.path) is None  # a place in another file cannot be kept
    assert codec.encode(article, [dataclasses.replace(warning, span=Span("other.md"))], source.path) is None


REPLACEMENTS: list[Any] = [None, 0, 1, -1, True, False, 1.5, "", "x", "person", "2026-01-02",
                           "2026-01-02T03:04:05+00:00", "2026-01-02T03:04:05", "2026-W01-1", [], [0], [0, 0, 0], ["x"],
                           {}, {"a": 1}]


def _paths(value: Any, at: tuple[int, ...] = ()) -> list[tuple[int, ...]]:
    out = [at]
    if isinstance(value, list):
        for i, item in enumerate(value):
            out += _paths(item, (*at, i))
    return out


def _mutated(value: Any, at: tuple[int, ...], new: Any) -> Any:
    if not at:
        return new
    copy = list(value)
    copy[at[0]] = _mutated(value[at[0]], at[1:], new)
    return copy


def _conforms(value: Any, hint: Any) -> bool:
    """Whether ``value`` is of the model's type ``hint`` (a check written apart from the codec's)."""
    origin, args = typing.get_origin(hint), typing.get_args(hint)
    if origin in (typing.Union, types.UnionType):
        return any(_conforms(value, arg) for arg in args)
    if origin is tuple:
        return type(value) is tuple and all(_conforms(v, args[0]) for v in value)
    if hint is type(None):
        return value is None
    if dataclasses.is_dataclass(hint):
        hints = typing.get_type_hints(hint)
        return type(value) is hint and all(_conforms(getattr(value, f.name), hints[f.name])
                                           for f in dataclasses.fields(hint))
    if hint is dt.date:
        return type(value) is dt.date or (type(value) is dt.datetime and value.tzinfo is not None)
    return type(value) is hint


def test_a_damaged_entry_decodes_to_exactly_what_it_says_or_not_at_all(tmp_path: Path) -> None:
    """Any change to an encoded record is refused (ValueError or TypeError, which make the
    build parse the file again), or gives a record that encodes back to the very same value:
    nothing in an entry is taken for something it does not say."""
    rng = random.Random(20261125)
    records = _records(tmp_path)
    refused = accepted = 0
    for _ in range(3000):
        source, record, body = rng.choice(records)
        encoded = codec.encode(record, [], source.path)
        at = rng.choice(_paths(encoded))
        damaged = _mutated(encoded, at, rng.choice(REPLACEMENTS))
        try:
            again, warnings = codec.decode(damaged, source.path, body)
        except (ValueError, TypeError):
            refused += 1
            continue
        accepted += 1
        assert codec.encode(again, warnings, source.path) == damaged
        assert _conforms(again, Entity | Article) and getattr(again, "body_md", body) == body
    assert refused > 1000 and accepted > 100  # both outcomes were exercised


@pytest.mark.parametrize("entry", ['{"record": [[1, 5], []], "body_line": 3}', '{"record": 5, "body_line": 1}',
                                   '{"body_line": 0, "record": []}', '[1, 2]', '{"record"', "null"])
def test_an_entry_that_does_not_decode_is_no_entry(tmp_path: Path, entry: str) -> None:
    source = _sources(tmp_path)[0]
    cache_dir = tmp_path / "cache"
    cache = ParseCache(cache_dir / "parsed.sqlite")
    cache.keep(source, "{}")
    save_parse_cache(cache_dir, cache)
    with sqlite3.connect(cache_dir / "parsed.sqlite") as db:
        db.execute("UPDATE entries SET entry = ?", (entry,))
    db.close()
    again = load_parse_cache(cache_dir, Diagnostics())
    assert again.valid and again.take(source) is None


def test_a_cached_record_must_keep_the_promises_of_validation(tmp_path: Path) -> None:
    from boardwatch.model import Invitation, Link, NewClaim, Ref, SourceInfo
    from boardwatch.schema import cached_record_problem
    records = _records(tmp_path)
    assert all(cached_record_problem(record, source) is None for source, record, _ in records)
    a_source, article, _ = next(t for t in records if isinstance(t[1], Article) and t[1].claims and t[1].events
                                and any(isinstance(c, NewClaim) for c in t[1].claims))
    e_source, entity, _ = next(t for t in records if isinstance(t[1], Entity))
    claim = next(c for c in article.claims if isinstance(c, NewClaim))
    script = "javascript:alert(1)"
    invitation = Invitation(invitee=Ref("x", Span(e_source.path)), status="maybe")
    forged = [
        (a_source, dataclasses.replace(article, path="content/articles/another.md")),
        (a_source, dataclasses.replace(article, slug="../../escape")),
        (a_source, dataclasses.replace(article, slug="index")),  # the path of the articles' index
        (a_source, dataclasses.replace(article, slug="page-2")),
        (dataclasses.replace(a_source, path="content/articles/Bad Name.md", stem="Bad Name"),
         dataclasses.replace(article, path="content/articles/Bad Name.md")),
        (a_source, dataclasses.replace(article, source=SourceInfo(name="x", url=script))),
        (a_source, dataclasses.replace(article, claims=(dataclasses.replace(claim, id="../claim"),))),
        (a_source, dataclasses.replace(article, claims=(dataclasses.replace(claim, status="rumoured"),))),
        (a_source, dataclasses.replace(article, events=(dataclasses.replace(article.events[0], type="party"),))),
        (a_source, dataclasses.replace(article, body_md="[" * 60_000)),
        (e_source, article),
        (a_source, entity),
        (e_source, dataclasses.replace(entity, id="someone-else")),
        (dataclasses.replace(e_source, path=e_source.path.rsplit("/", 1)[0] + "/index.md", stem="index"),
         dataclasses.replace(entity, id="index", path=e_source.path.rsplit("/", 1)[0] + "/index.md")),
        (e_source, dataclasses.replace(entity, kind=next(k for k in Kind if k is not entity.kind))),
        (e_source, dataclasses.replace(entity, links=(Link(title="x", url=script),))),
        (e_source, dataclasses.replace(entity, wikidata='Q1" onclick="x')),
        (e_source, dataclasses.replace(entity, iso="ru")),
        (e_source, dataclasses.replace(entity, body_type="club")),
        (e_source, dataclasses.replace(entity, status="dormant")),
        (e_source, dataclasses.replace(entity, invitations=(invitation,))),
        (e_source, dataclasses.replace(entity, profile_md="> " * 5_000 + "x")),
    ]
    for source, record in forged:
        assert cached_record_problem(record, source) is not None, record


def _entry_keys(cache_dir: Path) -> set[str]:
    db = sqlite3.connect(cache_dir / "parsed.sqlite")
    try:
        return {row[0] for row in db.execute("SELECT sha256 FROM entries")}
    finally:
        db.close()


def test_rebuilds_in_one_process_keep_exactly_the_entries_of_the_files_there(tmp_path: Path) -> None:
    """A process that builds again drops the entries no file uses by the keys it saved last
    time; an entry another process added meanwhile makes it compare every entry again."""
    from site_helpers import make_site
    from boardwatch import cache as caching
    from boardwatch.build import build
    site = make_site(tmp_path, {"content/articles/extra.md": "---\ntitle: Extra\ndate: 2026-01-02\n"
                                "actors: [vladimir-putin]\n---\nText.\n"})
    cache_dir = tmp_path / "cache"

    def expected() -> set[str]:
        return {entry_key(s) for s in discover(site, Diagnostics())}

    build(site, tmp_path / "out", cache_dir=cache_dir, jobs=1)
    assert _entry_keys(cache_dir) == expected()
    assert caching._SAVED_KEYS.held
    extra = site / "content/articles/extra.md"
    extra.write_text(extra.read_text("utf-8").replace("Text.", "Other text."), "utf-8")  # a new entry, the old goes
    build(site, tmp_path / "out", cache_dir=cache_dir, jobs=1)
    assert _entry_keys(cache_dir) == expected()
    extra.rename(site / "content/articles/renamed.md")
    build(site, tmp_path / "out", cache_dir=cache_dir, jobs=1)
    assert _entry_keys(cache_dir) == expected()
    db = sqlite3.connect(cache_dir / "parsed.sqlite")  # another process's entry
    db.execute("INSERT INTO entries VALUES ('sha256:content/articles/gone.md', '[]')")
    db.commit()
    db.close()
    (site / "content/articles/renamed.md").unlink()
    build(site, tmp_path / "out", cache_dir=cache_dir, jobs=1)
    assert _entry_keys(cache_dir) == expected()
