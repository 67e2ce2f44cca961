"""The URL scheme: output paths per page kind and relative links between pages."""

from __future__ import annotations

import itertools
import posixpath

import pytest

from boardwatch import urls
from boardwatch.model import Kind

PATHS = ["index.html", "404.html", "people/vladimir-putin.html", "people/index.html", "articles/a.html",
         "tags/page-2.html", "a/b/c/deep.html", "a/b/other.html", "a/x.html", "feeds/kremlin.xml", "assets/x.css"]


@pytest.mark.parametrize("from_path, to_path, expected", [
    ("index.html", "people/vladimir-putin.html", "people/vladimir-putin.html"),
    ("articles/a.html", "people/vladimir-putin.html", "../people/vladimir-putin.html"),
    ("articles/a.html", "articles/b.html", "b.html"),
    ("articles/a.html", "index.html", "../index.html"),
    ("articles/a.html", "articles/a.html", "a.html"),
    ("index.html", "index.html", "index.html"),
    ("a/b/c/deep.html", "a/x.html", "../../x.html"),
    ("a/x.html", "a/b/c/deep.html", "b/c/deep.html"),
    ("people/x.html", "peoplex/y.html", "../peoplex/y.html"),  # a common prefix is not a common folder
    ("articles/a.html", "people/x.html#claims", "../people/x.html#claims"),
    ("articles/a.html", "#claims-h", "#claims-h"),
    ("articles/a.html", "articles/a.html#top", "a.html#top"),
    ("articles/a.html", "tags/", "../tags/"),
    ("articles/a.html", "articles/", "./"),
    ("index.html", "tags/", "tags/"),
])
def test_relative(from_path: str, to_path: str, expected: str) -> None:
    assert urls.relative(from_path, to_path) == expected


@pytest.mark.parametrize("from_path, to_path", list(itertools.product(PATHS, PATHS)))
def test_relative_links_resolve_back_to_their_target(from_path: str, to_path: str) -> None:
    rel = urls.relative(from_path, to_path)
    assert rel and not rel.startswith("/") and "://" not in rel
    assert posixpath.normpath(posixpath.join(posixpath.dirname(from_path), rel)) == to_path


@pytest.mark.parametrize("path, prefix", [("index.html", ""), ("people/x.html", "../"), ("a/b/c.html", "../../")])
def test_root_prefix(path: str, prefix: str) -> None:
    assert urls.root_prefix(path) == prefix
    assert posixpath.normpath(posixpath.join(posixpath.dirname(path), prefix + "index.html")) == "index.html"


def test_page_paths() -> None:
    assert urls.entity_path(Kind.PERSON, "vladimir-putin") == "people/vladimir-putin.html"
    assert urls.entity_path(Kind.STATE, "russia") == "states/russia.html"
    assert urls.entity_path(Kind.BODY, "kremlin") == "bodies/kremlin.html"
    assert urls.entity_path(Kind.INITIATIVE, "board-of-peace") == "initiatives/board-of-peace.html"
    assert urls.article_path("putin-invited") == "articles/putin-invited.html"
    assert urls.claim_path("c1") == "claims/c1.html"
    assert urls.index_path("people") == "people/index.html"
    assert urls.index_path("people", 3) == "people/page-3.html"
    assert urls.feed_path() == "feed.xml"
    assert urls.feed_path("kremlin") == "feeds/kremlin.xml"
    assert urls.tag_path("Middle East") == "tags/middle-east.html"


@pytest.mark.parametrize("tag, slug", [
    ("gaza", "gaza"), ("Gaza", "gaza"), ("Middle East", "middle-east"), ("  middle   east ", "middle-east"),
    ("Côte d'Ivoire", "cote-d-ivoire"), ("G7/G20", "g7-g20"), ("--x--", "x"),
    ("Index", "index-tag"), ("page 2", "page-2-tag"), ("page", "page"), ("indexes", "indexes"),
])
def test_tag_slug(tag: str, slug: str) -> None:
    assert urls.tag_slug(tag) == slug


def test_tag_slug_of_text_without_latin_letters_is_stable_and_distinct() -> None:
    first, second = urls.tag_slug("Газа"), urls.tag_slug("Россия")
    assert first.startswith("tag-") and second.startswith("tag-") and first != second
    assert urls.tag_slug("Газа") == first


def test_tag_slug_is_short() -> None:
    slug = urls.tag_slug("word " * 100)
    assert len(slug) <= 80 and not slug.endswith("-")
