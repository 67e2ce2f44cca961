"""What readers and machines get besides the pages: feeds, sitemap, robots.txt, structured data
(JSON-LD), open data with its schemas, the pictures (inline SVG) and the search index."""

from __future__ import annotations

import json
import re
import xml.etree.ElementTree as ET
from pathlib import Path

import jsonschema
import pytest

from boardwatch.build import build
from boardwatch.search import _cbor_decode, _cbor_encode, canonical
from conftest import REPO, make_site, page, parse_html, tree_bytes

ATOM = "{http://www.w3.org/2005/Atom}"
SITEMAP = "{http://www.sitemaps.org/schemas/sitemap/0.9}"
SVG = "{http://www.w3.org/2000/svg}"
BASE = "https://boardwatch.example.org/"  # the repository's own base_url


@pytest.fixture(scope="module")
def twice(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    """The repository's site built twice, from scratch each time."""
    root = tmp_path_factory.mktemp("readers")
    one, two = root / "one", root / "two"
    build(REPO, one, use_cache=False)
    build(REPO, two, use_cache=False)
    return one, two


@pytest.fixture(scope="module")
def out(twice: tuple[Path, Path]) -> Path:
    return twice[0]


def jsonld_blocks(path: Path) -> list[dict[str, object]]:
    text = path.read_text("utf-8")
    blocks = re.findall(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    return [json.loads(b) for b in blocks]


# -- feeds, sitemap, robots ------------------------------------------------------------------

def test_site_feed_lists_every_article_newest_first(out: Path) -> None:
    feed = ET.parse(out / "feed.xml").getroot()
    assert feed.tag == f"{ATOM}feed"
    entries = feed.findall(f"{ATOM}entry")
    links = [e.find(f"{ATOM}link").get("href") for e in entries]  # type: ignore[union-attr]
    assert sorted(links) == sorted(BASE + f"articles/{p.stem}.html" for p in (REPO / "content/articles").rglob("*.md"))
    published = [e.findtext(f"{ATOM}published") for e in entries]
    assert published == sorted(published, reverse=True)
    for entry in entries:
        assert entry.findtext(f"{ATOM}title")
        assert entry.findtext(f"{ATOM}updated", "").endswith("Z")
    self_link = [l.get("href") for l in feed.findall(f"{ATOM}link") if l.get("rel") == "self"]
    assert self_link == [BASE + "feed.xml"]


def test_each_actor_feed_lists_only_its_articles(out: Path) -> None:
    iran = ET.parse(out / "feeds/iran.xml").getroot()
    titles = [e.findtext(f"{ATOM}title") for e in iran.findall(f"{ATOM}entry")]
    assert titles == ["Russia recalibrates in the Middle East"]
    board = ET.parse(out / "feeds/board-of-peace.xml").getroot()
    assert len(board.findall(f"{ATOM}entry")) == 2
    putin = page(out, "people/vladimir-putin.html")
    alternates = [l.get("href") for l in putin.find_all("link", rel="alternate")]
    assert "../feeds/vladimir-putin.xml" in alternates and "../feed.xml" in alternates


def test_sitemap_lists_every_indexable_page_with_absolute_urls(out: Path) -> None:
    root = ET.parse(out / "sitemap.xml").getroot()
    locs = [u.findtext(f"{SITEMAP}loc") for u in root.findall(f"{SITEMAP}url")]
    assert all(loc and loc.startswith(BASE) for loc in locs)
    assert BASE + "index.html" in locs and BASE + "people/vladimir-putin.html" in locs
    assert BASE + "claims/peskov-confirms-putin-invitation.html" in locs
    assert BASE + "404.html" not in locs and BASE + "search.html" not in locs
    pages = {p.relative_to(out).as_posix() for p in out.rglob("*.html")}
    assert {loc[len(BASE):] for loc in locs if loc} == pages - {"404.html", "search.html"}
    lastmod = {u.findtext(f"{SITEMAP}loc"): u.findtext(f"{SITEMAP}lastmod") for u in root.findall(f"{SITEMAP}url")}
    assert lastmod[BASE + "articles/putin-invited-to-board-of-peace.html"] == "2026-01-19"
    robots = (out / "robots.txt").read_text("utf-8")
    assert f"Sitemap: {BASE}sitemap.xml" in robots.splitlines()


def test_no_sitemap_without_base_url(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    assert not (out / "sitemap.xml").exists()
    assert "Sitemap" not in (out / "robots.txt").read_text("utf-8")
    doc = page(out, "index.html")
    assert not doc.find_all("link", rel="canonical")
    # the 404 page, shown by servers at any depth, links from the root when no base_url is known
    assert page(out, "404.html").find("link", rel="stylesheet").get("href") == "/assets/boardwatch.css"


def test_head_has_canonical_social_meta_favicon_and_a_strict_csp(out: Path) -> None:
    doc = page(out, "articles/putin-invited-to-board-of-peace.html")
    assert doc.find("link", rel="canonical").get("href") == BASE + "articles/putin-invited-to-board-of-peace.html"
    meta = {m.get("property") or m.get("name"): m.get("content") for m in doc.find_all("meta")}
    assert meta["og:type"] == "article" and meta["og:url"] == BASE + "articles/putin-invited-to-board-of-peace.html"
    assert meta["og:title"].startswith("Trump's Board of Peace invites Putin")
    assert meta["twitter:card"] == "summary" and meta["og:description"]
    assert meta["article:published_time"] == "2026-01-19"
    assert doc.find("link", rel="icon").get("href") == "../assets/favicon.svg"
    csp = doc.find("meta", http_equiv="Content-Security-Policy").get("content")
    assert "script-src 'self' 'wasm-unsafe-eval'" in csp and "'unsafe-inline'" not in csp
    assert "object-src 'none'" in csp


def test_no_page_has_an_inline_script(out: Path) -> None:
    for path in out.rglob("*.html"):
        for script in parse_html(path.read_text("utf-8")).find_all("script"):
            if script.get("type") == "application/ld+json":
                continue
            src = script.get("src")
            assert src, f"inline script in {path}"
            assert re.match(r"^(\.\./)*(assets|pagefind)/[\w.-]+\.js$", src), (path, src)


def test_404_links_from_base_url(out: Path) -> None:
    doc = page(out, "404.html")
    hrefs = [a.get("href") for a in doc.find_all("a")] + [l.get("href") for l in doc.find_all("link")]
    internal = [h for h in hrefs if not h.startswith("#") and "wikidata" not in h]
    assert internal and all(h.startswith(BASE) for h in internal), internal


# -- structured data -------------------------------------------------------------------------

EXPECTED_TYPES = {
    "index.html": "WebSite",
    "articles/putin-invited-to-board-of-peace.html": "NewsArticle",
    "people/vladimir-putin.html": "Person",
    "states/russia.html": "Country",
    "states/gaza.html": "AdministrativeArea",
    "bodies/kremlin.html": "GovernmentOrganization",
    "initiatives/board-of-peace.html": "Organization",
    "claims/peskov-confirms-putin-invitation.html": "ClaimReview",  # confirmed: a verdict
    "claims/moscow-clarifying-nuances-with-washington.html": "Claim",  # reported: no verdict yet
    "articles/index.html": "CollectionPage",
    "tags/gaza.html": "CollectionPage",
    "about.html": "WebPage",
    "search.html": "SearchResultsPage",
    "404.html": "WebPage",
}


def test_every_page_has_one_parseable_json_ld_block(out: Path) -> None:
    for path in sorted(out.rglob("*.html")):
        blocks = jsonld_blocks(path)
        assert len(blocks) == 1, path
        assert blocks[0]["@context"] == "https://schema.org"
        assert blocks[0]["@type"], path


@pytest.mark.parametrize("rel, kind", sorted(EXPECTED_TYPES.items()))
def test_json_ld_type_per_page_kind(out: Path, rel: str, kind: str) -> None:
    (data,) = jsonld_blocks(out / rel)
    assert data["@type"] == kind


def test_json_ld_facts(out: Path) -> None:
    (putin,) = jsonld_blocks(out / "people/vladimir-putin.html")
    assert "https://www.wikidata.org/wiki/Q7747" in putin["sameAs"]  # type: ignore[operator]
    assert putin["url"] == BASE + "people/vladimir-putin.html"
    (article,) = jsonld_blocks(out / "articles/putin-invited-to-board-of-peace.html")
    assert article["datePublished"] == "2026-01-19"
    assert {a["name"] for a in article["about"]} >= {"Vladimir Putin", "Board of Peace"}  # type: ignore[union-attr]
    (review,) = jsonld_blocks(out / "claims/peskov-confirms-putin-invitation.html")
    assert review["reviewRating"]["alternateName"] == "Confirmed"  # type: ignore[index]
    assert review["itemReviewed"]["author"]["name"] == "Dmitry Peskov"  # type: ignore[index]
    (listing,) = jsonld_blocks(out / "people/index.html")
    names = [i["name"] for i in listing["mainEntity"]["itemListElement"]]  # type: ignore[index]
    assert names == ["Dmitry Peskov", "Donald Trump", "Vladimir Putin"]


def test_json_ld_cannot_close_its_script_element(tmp_path: Path) -> None:
    hostile = "Ends </script><script>alert(1)</script> & <!-- here"
    site = make_site(tmp_path, {"content/people/max-mustermann.md":
                                f"---\nname: Max Mustermann\nsummary: \"{hostile}\"\n---\nA person.\n"})
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    text = (out / "people/max-mustermann.html").read_text("utf-8")
    block = re.search(r'<script type="application/ld\+json">(.*?)</script>', text, re.S)
    assert block is not None and "<" not in block.group(1)
    assert json.loads(block.group(1))["description"] == hostile


# -- open data -------------------------------------------------------------------------------

@pytest.mark.parametrize("name", ["entities", "articles", "claims", "events", "graph"])
def test_open_data_validates_against_its_schema(out: Path, name: str) -> None:
    data = json.loads((out / f"data/{name}.json").read_text("utf-8"))
    schema = json.loads((out / f"data/schema/{name}.schema.json").read_text("utf-8"))
    jsonschema.Draft202012Validator.check_schema(schema)
    jsonschema.Draft202012Validator(schema).validate(data)
    assert data["$schema"] == f"schema/{name}.schema.json"


def test_open_data_facts(out: Path) -> None:
    entities = json.loads((out / "data/entities.json").read_text("utf-8"))["entities"]
    ids = [e["id"] for e in entities]
    assert ids == sorted(ids) and len(ids) == len(list((REPO / "content").glob("[!a]*/*.md")))
    board = next(e for e in entities if e["id"] == "board-of-peace")
    assert board["chair"] == "donald-trump" and board["invitations"][0]["invitee"] == "vladimir-putin"
    claims = {c["id"]: c for c in json.loads((out / "data/claims.json").read_text("utf-8"))["claims"]}
    revised = [c for c in claims.values() if len(c["history"]) > 1]
    assert revised and all(c["status"] == c["history"][-1]["status"] for c in claims.values())
    graph = json.loads((out / "data/graph.json").read_text("utf-8"))
    nodes = {n["id"] for n in graph["nodes"]}
    assert nodes == set(ids)
    assert all(e["source"] in nodes and e["target"] in nodes for e in graph["edges"])
    assert {"source": "donald-trump", "target": "board-of-peace", "type": "chair", "label": "chairs", "note": None,
            "weight": 1, "directed": True} in graph["edges"]
    text = (out / "data/articles.json").read_text("utf-8")
    assert json.loads(text)["articles"][0]["slug"] == "putin-invited-to-board-of-peace"


def test_open_data_rejects_what_its_schema_forbids(out: Path) -> None:
    schema = json.loads((out / "data/schema/claims.schema.json").read_text("utf-8"))
    data = json.loads((out / "data/claims.json").read_text("utf-8"))
    data["claims"][0]["status"] = "probably"
    with pytest.raises(jsonschema.ValidationError):
        jsonschema.Draft202012Validator(schema).validate(data)


# -- pictures --------------------------------------------------------------------------------

def svgs(path: Path) -> list[ET.Element]:
    text = path.read_text("utf-8")
    return [ET.fromstring(s) for s in re.findall(r"<svg\b.*?</svg>", text, re.S)]


def test_pictures_parse_and_carry_a_text_alternative(out: Path) -> None:
    board = svgs(out / "initiatives/board-of-peace.html")
    classes = sorted(s.get("class", "") for s in board)
    assert classes == ["bw-figure bw-graph", "bw-figure bw-timeline"]
    putin = svgs(out / "people/vladimir-putin.html")
    assert sorted(s.get("class", "") for s in putin) == ["bw-figure bw-coverage", "bw-figure bw-graph"]
    for svg in board + putin:
        assert svg.get("role") == "img"
        title, desc = svg.find(f"{SVG}title"), svg.find(f"{SVG}desc")
        assert title is not None and title.text and desc is not None and desc.text
        assert svg.get("aria-labelledby") == f"{title.get('id')} {desc.get('id')}"
        assert "style" not in ET.tostring(svg, encoding="unicode")  # colours come from CSS classes
    graph = next(s for s in board if "bw-graph" in s.get("class", ""))
    labels = [t.text for t in graph.iter(f"{SVG}text")]
    assert "Donald Trump" in labels and "chaired by" in labels and "Board of Peace" in labels


def test_relations_table_is_the_graphs_text_alternative(out: Path) -> None:
    doc = page(out, "initiatives/board-of-peace.html")
    table = doc.find("details", cls="figure-data").find("table")
    rows = [(tr.find_all("td")[0].text, tr.find_all("td")[1].text) for tr in table.find("tbody").find_all("tr")]
    assert ("chaired by", "Donald Trump") in rows
    assert ("invited (pending)", "Vladimir Putin") in rows
    assert ("focuses on", "Gaza Strip") in rows


def test_coverage_chart_counts_articles_per_month(out: Path) -> None:
    doc = page(out, "states/iran.html")
    table = doc.find_all("details", cls="figure-data")[-1].find("table")
    assert [td.text for td in table.find("tbody").find_all("td")] == ["Jan 2026", "1"]


def test_pictures_and_the_whole_output_are_byte_identical_across_builds(twice: tuple[Path, Path]) -> None:
    one, two = (tree_bytes(p) for p in twice)
    one.pop(".boardwatch/manifest.json", None)
    two.pop(".boardwatch/manifest.json", None)
    assert one.keys() == two.keys()
    assert [k for k in one if one[k] != two[k]] == []
    assert any(k.startswith("pagefind/filter/") for k in one)  # the search index is part of it


# -- search ----------------------------------------------------------------------------------

def test_search_page_filters_and_fallback(out: Path) -> None:
    search = page(out, "search.html")
    assert search.find("div", id="search")
    fallback = search.find("noscript")
    assert fallback.find_all("a"), "without JavaScript the search page links to the indexes"
    article = page(out, "articles/putin-invited-to-board-of-peace.html")
    assert article.find("main").get("data-pagefind-body", None) is not None
    filters = {f.get("data-pagefind-filter") for f in article.find_all("span") if f.get("data-pagefind-filter")}
    assert {"kind:Analysis", "actor:Vladimir Putin", "initiative:Board of Peace"} <= filters
    assert "data-pagefind-body" not in (out / "articles/index.html").read_text("utf-8")
    assert (out / "pagefind/pagefind-ui.js").is_file() and (out / "pagefind/pagefind-entry.json").is_file()
    box = search.find("div", id="search")
    assert box.get("data-shards") == "pagefind/shards.json"  # where search.js learns the index's shards
    shards = json.loads((out / "pagefind/shards.json").read_bytes())
    assert [(s["shard"], s["path"]) for s in shards["shards"]] == [(0, "")]  # a small site: one index


def test_cbor_round_trip() -> None:
    value = ["x", [[-3, 0, 23, 24, 255, 256, 65536, 2**32], {"k": b"\x00", "t": True, "n": None, "f": False}]]
    data = _cbor_encode(value)
    assert _cbor_decode(data, 0) == (value, len(data))


def test_canonical_bundle_is_independent_of_filter_order(out: Path) -> None:
    import gzip
    bundle = {k: v for k, v in tree_bytes(out).items() if k.startswith("pagefind/")}
    path = next(k for k in bundle if k.startswith("pagefind/filter/"))
    raw = gzip.decompress(bundle[path])
    name, values = _cbor_decode(raw, len(b"pagefind_dcd"))[0]
    shuffled = dict(bundle)
    shuffled[path] = gzip.compress(b"pagefind_dcd" + _cbor_encode([name, list(reversed(values))]), mtime=0)
    assert canonical(shuffled) == canonical(bundle) == bundle


# -- lists -----------------------------------------------------------------------------------

def test_entity_pages_cap_their_analyses_and_link_to_the_full_list(tmp_path: Path) -> None:
    articles = {f"content/articles/story-{n:02d}.md":
                f"---\ntitle: Story {n}\ndate: 2026-02-{n + 1:02d}\nactors: [vladimir-putin]\n---\nText {n}.\n"
                for n in range(14)}
    site = make_site(tmp_path, {"boardwatch.yaml": "title: Many\nper_page: 5\n", **articles})
    out = tmp_path / "out"
    build(site, out, use_cache=False)
    putin = page(out, "people/vladimir-putin.html")
    section = putin.section("articles-h")
    assert len(section.find_all("li", cls="article-item")) == 10
    more = section.find("p", cls="more").find("a")
    assert more.get("href") == "vladimir-putin/analyses.html" and "15" in more.text
    full = [page(out, f"people/vladimir-putin/{name}.html") for name in ("analyses", "analyses-2", "analyses-3")]
    titles = [a.text for doc in full for a in doc.find_all("a", cls="article-title")]
    assert len(titles) == 15 and len(set(titles)) == 15
    assert not (out / "people/vladimir-putin/analyses-4.html").exists()
    assert full[0].find("nav", cls="pager").find("a", rel="next").get("href") == "analyses-2.html"
    assert not (out / "people/dmitry-peskov/analyses.html").exists()  # one analysis: no full list


def test_invitation_cells_are_labelled_for_phones(out: Path) -> None:
    table = page(out, "initiatives/board-of-peace.html").find("table", cls="invitations")
    headers = [th.text for th in table.find("thead").find_all("th")]
    for row in table.find("tbody").find_all("tr"):
        assert [td.get("data-label") for td in row.find_all("td")] == headers
