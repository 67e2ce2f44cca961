"""Whole builds of the repository's own site and of the fixture site: facts on the pages,
links that resolve, deterministic output, and an output that is never left half-written."""

from __future__ import annotations

import json
import posixpath
from pathlib import Path

import pytest
from site_helpers import (
    BASE_SITE, FIXTURE_SITE, REPO, Node, build_errors, build_site, copy_site, diagnose, link_problems, make_site, page,
    parse_html, tree_bytes, write_files,
)

from boardwatch import search, urls
from boardwatch.build import ContentErrors, load

# -- the repository's own site ------------------------------------------------------------------


@pytest.mark.parametrize("site", [REPO, FIXTURE_SITE], ids=["repo", "fixture"])
def test_the_sites_check_without_errors_or_warnings(site: Path) -> None:
    assert diagnose(site) == []


def _row(table: Node, first_cell: str) -> list[Node]:
    for tr in table.find_all("tr"):
        cells = tr.find_all("td")
        if cells and cells[0].text == first_cell:
            return cells
    raise AssertionError(f"no row for {first_cell!r} in:\n{table.text}")


def test_board_of_peace_names_its_chair_and_the_pending_invitation(repo_out: Path) -> None:
    doc = page(repo_out, "initiatives/board-of-peace.html")
    chair = doc.dl()["Chair"]
    assert chair.text == "Donald Trump"
    assert chair.hrefs() == ["../people/donald-trump.html"]
    invitee, status, date, by, source = _row(doc.find("table", cls="invitations"), "Vladimir Putin")
    assert invitee.hrefs() == ["../people/vladimir-putin.html"]
    assert status.text == "Pending"
    assert date.find("time").get("datetime") == "2026-01-19"
    assert by.text == "Donald Trump"
    assert source.hrefs() == ["../articles/putin-invited-to-board-of-peace.html"]
    assert "Board of Peace invites Putin" in source.text
    assert (repo_out / "articles/putin-invited-to-board-of-peace.html").is_file()


def test_putin_page_links_the_article_and_lists_the_claim_about_him(repo_out: Path) -> None:
    doc = page(repo_out, "people/vladimir-putin.html")
    assert doc.find("h1").text == "Vladimir Putin"
    analyses = doc.section("articles-h")
    assert "../articles/putin-invited-to-board-of-peace.html" in analyses.hrefs()
    about = doc.section("claims-about-h")
    claims = about.find_all("li", cls="claim")
    peskov = [c for c in claims if "../claims/peskov-confirms-putin-invitation.html" in c.hrefs()]
    assert len(peskov) == 1, about.text
    assert "dmitry-peskov.html" in peskov[0].find(cls="claim-speaker").hrefs()[0]
    assert "Dmitry Peskov" in peskov[0].text
    assert "Confirmed" in peskov[0].find(cls="status").text


def _body_refs_are_links(site: Path, out: Path) -> int:
    """Every [[ref]] of every published article body is a link to its entity; returns the count."""
    graph = load(site).graph
    checked = 0
    for article in graph.articles.values():
        path = urls.article_path(article.slug)
        prose = page(out, path).find("div", cls="prose")
        links = [a for a in prose.find_all("a", cls="ref") if "autolink" not in a.classes]
        expected = [urls.relative(path, urls.entity_path(graph.entities[r.id].kind, r.id)) for r in article.body_refs]
        assert [a.get("href") for a in links] == expected, path
        assert not prose.find_all(cls="ref-missing"), path
        checked += len(expected)
    return checked


def test_every_reference_in_the_repo_articles_is_a_link(repo_out: Path, tmp_path: Path) -> None:
    assert _body_refs_are_links(copy_site(REPO, tmp_path / "site"), repo_out) >= 10


def test_every_reference_in_the_fixture_articles_is_a_link(fixture_out: Path) -> None:
    assert _body_refs_are_links(FIXTURE_SITE, fixture_out) >= 8


@pytest.mark.parametrize("which", ["repo", "fixture"])
def test_every_internal_link_resolves(which: str, request: pytest.FixtureRequest) -> None:
    out = request.getfixturevalue(f"{which}_out")
    assert len(list(out.rglob("*.html"))) > 20
    assert link_problems(out) == []


def test_the_link_checker_finds_broken_links(tmp_path: Path) -> None:
    write_files(tmp_path, {
        "index.html": '<a href="people/x.html">ok</a><a href="people/gone.html">broken</a>'
                      '<a href="#here">same page</a><a href="#nowhere">missing fragment</a>'
                      '<img src="/assets/x.png"><a href="people/x.html#bio">ok</a><a href="people/x.html#no">no</a>'
                      '<a href="https://example.org/">external</a><a href="mailto:a@b.c">mail</a><p id="here"></p>',
        "people/x.html": '<h2 id="bio"></h2><a href="../../up.html">outside</a><a href="../">root</a>'
                         '<a href="./">folder</a>',
    })
    problems = link_problems(tmp_path)
    assert [p.split(": <", 1)[0] + " " + p.rsplit(">: ", 1)[1] for p in problems] == [
        "index.html no file people/gone.html",
        "index.html no id 'nowhere' in index.html",
        "index.html not a relative link (the site must work from any sub-path)",
        "index.html no id 'no' in people/x.html",
        "people/x.html leads outside the site",
        "people/x.html no file people/index.html",
    ]


# -- the fixture site --------------------------------------------------------------------------

def test_fixture_pages(fixture_out: Path) -> None:
    for rel in ("index.html", "404.html", "about.html", "articles/putin-invited-to-board-of-peace.html",
                "articles/kremlin-weighs-offer.html", "articles/2025-board-announced.html",
                "people/vladimir-putin.html", "states/gaza.html", "bodies/kremlin.html",
                "initiatives/board-of-peace.html", "claims/peskov-confirms-invitation.html",
                "claims/kremlin-studies-charter.html", "tags/russia.html", "feed.xml", "feeds/vladimir-putin.xml"):
        assert (fixture_out / rel).is_file(), rel
    # slug: overrides the file name; an article in a sub-folder is published at articles/<slug>.html
    assert not (fixture_out / "articles/kremlin-weighs-the-offer.html").exists()
    assert not (fixture_out / "articles/2026").exists()


def test_a_revisit_adds_to_the_claim_history(fixture_out: Path) -> None:
    history = page(fixture_out, "claims/peskov-confirms-invitation.html").find("ol", cls="history")
    steps = history.find_all("li")
    assert [(s.find(cls="status").text, s.find("time").get("datetime"), s.hrefs()[-1]) for s in steps] == [
        ("Reported", "2026-01-19", "../articles/putin-invited-to-board-of-peace.html"),
        ("Confirmed", "2026-01-25", "../articles/kremlin-weighs-offer.html"),
    ]
    assert "current" in steps[-1].classes
    about = page(fixture_out, "people/vladimir-putin.html").section("claims-about-h")
    assert "Confirmed" in about.find("li", cls="claim").find(cls="status").text
    revisiting = page(fixture_out, "articles/kremlin-weighs-offer.html").find("section", cls="article-claims")
    assert "Earlier claims revisited" in revisiting.text
    assert "../claims/peskov-confirms-invitation.html" in revisiting.hrefs()


def test_autolink_links_only_the_first_plain_mention(fixture_out: Path) -> None:
    prose = page(fixture_out, "articles/putin-invited-to-board-of-peace.html").find("div", cls="prose")
    trump = [a for a in prose.find_all("a") if a.get("href") == "../people/donald-trump.html"]
    assert [(a.text, "autolink" in a.classes) for a in trump] == [("Trump", True)]
    first_paragraph = prose.find("p")
    assert trump[0] in first_paragraph.iter()
    assert prose.find("h2").links() == []  # "What Trump wants" stays plain
    assert "Trump has not said" in first_paragraph.text  # the second mention is text


def test_references_in_code_are_left_alone(fixture_out: Path) -> None:
    prose = page(fixture_out, "articles/putin-invited-to-board-of-peace.html").find("div", cls="prose")
    code = [c.text for c in prose.find_all("code")]
    assert "[[not-a-ref]]" in code
    assert any(c.startswith("[[vladimir-putin]] inside a fenced block") for c in code)
    for block in prose.find_all("pre") + prose.find_all("code"):
        assert block.links() == []


def test_override_template_and_pages_from_templates(fixture_out: Path) -> None:
    article = page(fixture_out, "articles/putin-invited-to-board-of-peace.html")
    assert article.find("p", cls="fixture-override").text == (
        "Fixture override: statuses are updated as reporting develops.")
    assert article.find("section", cls="article-claims")  # super() kept the original block
    about = page(fixture_out, "about.html")
    assert about.find("p", cls="fixture-about").text.startswith("This fixture site exercises")
    assert about.find("h1").text == "About the fixture"
    nav = page(fixture_out, "index.html").find("nav", cls="site-nav")
    assert ("About the fixture", "about.html") in [(a.text, a.get("href")) for a in nav.links()]


def test_static_files_are_copied_as_they_are(fixture_out: Path) -> None:
    for rel in ("images/board.svg", "files/readme.txt"):
        assert (fixture_out / rel).read_bytes() == (FIXTURE_SITE / "static" / rel).read_bytes()
    img = page(fixture_out, "articles/putin-invited-to-board-of-peace.html").find("img", alt="The board")
    assert img.get("src") == "../images/board.svg"


def test_tags_are_merged_by_slug(fixture_out: Path) -> None:
    doc = page(fixture_out, "tags/russia.html")  # "Russia" on an article, "russia" on entities
    hrefs = doc.find("main").hrefs()
    assert "../articles/putin-invited-to-board-of-peace.html" in hrefs
    assert "../people/vladimir-putin.html" in hrefs and "../states/russia.html" in hrefs


# -- drafts, base URL, determinism, failure, deletion ----------------------------------------

@pytest.fixture
def fixture_copy(tmp_path: Path) -> Path:
    return copy_site(FIXTURE_SITE, tmp_path / "site")


def test_drafts_only_with_drafts(fixture_out: Path, fixture_copy: Path, tmp_path: Path) -> None:
    draft = "articles/putin-reply-draft.html"
    assert not (fixture_out / draft).exists()
    assert not (fixture_out / "claims/putin-reply-draft-claim.html").exists()
    assert "putin-reply-draft" not in (fixture_out / "people/vladimir-putin.html").read_text("utf-8")
    assert "putin-reply-draft" not in (fixture_out / "feed.xml").read_text("utf-8")
    out = tmp_path / "with-drafts"
    build_site(fixture_copy, out, drafts=True)
    assert (out / draft).is_file() and (out / "claims/putin-reply-draft-claim.html").is_file()
    assert "../articles/putin-reply-draft.html" in page(out, "people/vladimir-putin.html").section("articles-h").hrefs()


def test_base_url_with_a_sub_path(fixture_copy: Path, tmp_path: Path) -> None:
    base = "https://example.org/watch/"
    out = tmp_path / "out"
    build_site(fixture_copy, out, base_url="https://example.org/watch")
    pages = sorted(p.relative_to(out).as_posix() for p in out.rglob("*.html"))
    for rel in pages:
        if rel == "404.html" or rel.startswith("pagefind/"):
            continue
        doc = parse_html((out / rel).read_text("utf-8"))
        [canonical] = doc.find_all("link", rel="canonical")
        assert canonical.get("href") == base + rel
    assert link_problems(out) == []  # internal links stay relative
    article = page(out, "articles/kremlin-weighs-offer.html")
    assert "../people/vladimir-putin.html" in article.hrefs()
    sitemap = (out / "sitemap.xml").read_text("utf-8")
    assert f"<loc>{base}articles/kremlin-weighs-offer.html</loc>" in sitemap
    assert f'href="{base}feed.xml"' in (out / "feed.xml").read_text("utf-8")
    assert f"Sitemap: {base}sitemap.xml" in (out / "robots.txt").read_text("utf-8")


def test_without_base_url_there_are_no_canonical_links(fixture_out: Path) -> None:
    assert page(fixture_out, "people/vladimir-putin.html").find_all("link", rel="canonical") == []
    assert not (fixture_out / "sitemap.xml").exists()


def _without(tree: dict[str, bytes], *prefixes: str) -> dict[str, bytes]:
    return {k: v for k, v in tree.items() if not k.startswith(prefixes)}


@pytest.fixture
def two_fresh_builds(fixture_copy: Path, tmp_path: Path) -> tuple[dict[str, bytes], dict[str, bytes]]:
    first, second = tmp_path / "first", tmp_path / "second"
    build_site(fixture_copy, first, use_cache=False)
    build_site(fixture_copy, second, use_cache=False)
    return tree_bytes(first), tree_bytes(second)


def test_two_builds_write_byte_identical_pages(two_fresh_builds: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    first, second = two_fresh_builds
    assert len(first) > 50
    assert _without(first, "pagefind/") == _without(second, "pagefind/")


def test_two_builds_write_a_byte_identical_search_index(
        two_fresh_builds: tuple[dict[str, bytes], dict[str, bytes]]) -> None:
    first, second = two_fresh_builds
    index = {k: v for k, v in first.items() if k.startswith("pagefind/")}
    assert index  # the search index is part of the output
    assert index == {k: v for k, v in second.items() if k.startswith("pagefind/")}


def test_an_edit_reindexes_one_search_shard_and_links_the_others(
        fixture_copy: Path, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(search, "SHARD_PAGES", 8)  # the fixture site's ~30 pages make 4 shards
    out = tmp_path / "out"
    build_site(fixture_copy, out)
    before = json.loads((out / search.SHARDS).read_bytes())
    pages = {p: data for p, data in tree_bytes(out).items() if p.endswith(".html") and not p.startswith("pagefind/")}
    inodes = {p: (out / p).stat().st_ino for p in tree_bytes(out) if p.startswith("pagefind/")}
    bundle = {p: data for p, data in tree_bytes(out).items() if p.startswith("pagefind/")}
    article = fixture_copy / "content/articles/kremlin-weighs-the-offer.md"
    article.write_text(article.read_text("utf-8") + "\nA sentence added later.\n", "utf-8")
    assert build_site(fixture_copy, out).rendered == 1
    after = json.loads((out / search.SHARDS).read_bytes())
    assert before["count"] == after["count"] == 4
    [page_edited] = [p for p, data in pages.items() if (out / p).read_bytes() != data]
    edited = search.shard_of(page_edited, 4)
    changed = [a["shard"] for a, b in zip(after["shards"], before["shards"], strict=True) if a != b]
    assert changed == [edited]

    def shard_files(entry: dict[str, str]) -> list[str]:
        place = f"pagefind/{entry['path']}"
        return [p for p in tree_bytes(out) if p.startswith(place) and p != search.SHARDS
                and (entry["path"] or not p[len(place):].split("/")[0].isdigit())]
    for entry in after["shards"]:
        files = shard_files(entry)
        assert files
        same = [p for p in files if p in inodes and (out / p).stat().st_ino == inodes[p]]
        if entry["shard"] != edited:
            assert same == files  # unchanged shards are left as they are
        else:  # indexed again: the files whose bytes changed are new, the others left as they are
            assert 0 < len(same) < len(files)
            assert all(p in same or (out / p).read_bytes() != bundle.get(p) for p in files)
    fresh = tmp_path / "fresh"
    build_site(fixture_copy, fresh, use_cache=False)
    assert _without(tree_bytes(out), ".boardwatch/") == _without(tree_bytes(fresh), ".boardwatch/")


def test_a_rebuild_changes_nothing(fixture_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_site(fixture_copy, out)
    before = tree_bytes(out)
    result = build_site(fixture_copy, out)
    assert tree_bytes(out) == before
    assert result.up_to_date
    fresh = tmp_path / "fresh"
    build_site(fixture_copy, fresh, use_cache=False)
    assert _without(before, ".boardwatch/", "pagefind/") == _without(tree_bytes(fresh), ".boardwatch/", "pagefind/")


def test_a_failed_build_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    out = tmp_path / "out"
    build_site(site, out)
    before = tree_bytes(out)
    write_files(site, {"content/people/vladimir-putin.md": "---\nname: [Vladimir Putin\n---\n",
                       "content/articles/new.md": "---\ntitle: New\ndate: 2026-02-01\nactors: [russia]\n---\n"})
    errors = build_errors(site, out)
    assert [(d.code, d.span.file) for d in errors] == [("BW104", "content/people/vladimir-putin.md")]
    assert tree_bytes(out) == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "site"]  # no staging left behind


def test_a_template_error_leaves_the_previous_output_untouched(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    out = tmp_path / "out"
    build_site(site, out)
    before = tree_bytes(out)
    write_files(site, {"templates/article.html": '{% extends "theme/article.html" %}\n'
                                                 "{% block body %}{{ page.no_such_field }}{% endblock %}\n"})
    errors = build_errors(site, out)
    assert [(d.code, d.span.file, d.span.line) for d in errors] == [("BW601", "templates/article.html", 2)]
    assert tree_bytes(out) == before


def test_deleted_content_disappears_on_rebuild(fixture_copy: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    build_site(fixture_copy, out)
    assert (out / "states/israel.html").is_file()
    assert (out / "articles/2025-board-announced.html").is_file()
    (fixture_copy / "content/states/israel.md").unlink()
    (fixture_copy / "content/articles/2025-board-announced.md").unlink()
    build_site(fixture_copy, out)
    for gone in ("states/israel.html", "feeds/israel.xml", "tags/israel.html", "articles/2025-board-announced.html"):
        assert not (out / gone).exists(), gone
    assert "israel.html" not in (out / "states/index.html").read_text("utf-8")
    assert "2025-board-announced" not in (out / "articles/index.html").read_text("utf-8")
    assert link_problems(out) == []


def test_a_static_file_may_not_replace_a_page(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"static/people/vladimir-putin.html": "<p>impostor</p>"})
    errors = build_errors(site, tmp_path / "out")
    assert [(d.code, d.span.file) for d in errors] == [("BW501", "static/people/vladimir-putin.html")]
    assert not (tmp_path / "out").exists()


def test_nothing_is_written_when_the_first_build_fails(tmp_path: Path) -> None:
    site = make_site(tmp_path, {"content/people/vladimir-putin.md": ""})
    with pytest.raises(ContentErrors):
        build_site(site, tmp_path / "out")
    assert not (tmp_path / "out").exists()


def test_default_output_is_site_inside_the_site_folder(tmp_path: Path) -> None:
    site = make_site(tmp_path)
    result = build_site(site, None, use_cache=False)
    assert result.out == site / "site"
    assert (site / "site" / "index.html").is_file()
    assert posixpath.basename(str(result.out)) == "site"


def test_an_unpublished_draft_leaves_no_broken_link(tmp_path: Path) -> None:
    # The draft is the invitation's source and holds a claim that a published article revisits.
    draft = BASE_SITE["content/articles/putin-invited.md"].replace("tags: [diplomacy]", "tags: [diplomacy]\ndraft: true")
    site = make_site(tmp_path, {
        "content/articles/putin-invited.md": draft,
        "content/articles/later.md": "---\ntitle: Later\ndate: 2026-02-01\nactors: [vladimir-putin]\nclaims:\n"
                                     "  - revisits: peskov-confirms-invitation\n    status: confirmed\n---\n",
    })
    out = tmp_path / "out"
    assert build_site(site, out).warnings == ()
    assert not (out / "articles/putin-invited.html").exists()
    assert link_problems(out) == []
    source = _row(page(out, "initiatives/board-of-peace.html").find("table", cls="invitations"), "Vladimir Putin")[-1]
    assert source.links() == [] and source.text == "—"
