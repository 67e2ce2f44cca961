"""The plan stage: one plan per page, unique output paths, collisions named with their files."""

from __future__ import annotations

from pathlib import Path

from site_helpers import make_site

from boardwatch.build import load
from boardwatch.diagnostics import Diagnostics, Span
from boardwatch.pages import PagePlan, check_collisions
from boardwatch.views import StaticPage


def _plans(root: Path, **kwargs: object) -> tuple[tuple[PagePlan, ...], list]:
    loaded = load(root, **kwargs)  # type: ignore[arg-type]
    return loaded.plans, list(loaded.diagnostics.sorted())


def test_every_record_gets_its_page(tmp_path: Path) -> None:
    plans, diags = _plans(make_site(tmp_path))
    assert diags == []
    paths = [p.path for p in plans]
    assert paths == sorted(paths) and len(paths) == len(set(paths))
    assert {"index.html", "404.html", "articles/putin-invited.html", "people/vladimir-putin.html",
            "states/gaza.html", "bodies/kremlin.html", "initiatives/board-of-peace.html",
            "claims/peskov-confirms-invitation.html", "articles/index.html", "people/index.html",
            "claims/index.html", "tags/diplomacy.html"} <= set(paths)


def test_plans_name_their_inputs(tmp_path: Path) -> None:
    plans, _ = _plans(make_site(tmp_path))
    by_path = {p.path: p for p in plans}
    article = by_path["articles/putin-invited.html"]
    assert {"content/articles/putin-invited.md", "content/people/vladimir-putin.md",
            "content/people/dmitry-peskov.md", "content/initiatives/board-of-peace.md"} <= article.inputs
    person = by_path["people/vladimir-putin.html"]
    assert {"content/people/vladimir-putin.md", "content/articles/putin-invited.md"} <= person.inputs


def test_pages_from_templates_pages(tmp_path: Path) -> None:
    root = make_site(tmp_path, {
        "templates/pages/about-us.html": "{# title: About us #}{% extends 'page.html' %}",
        "templates/pages/index.html": "never a page: index.html is the home page",
        "templates/pages/Bad_Name.html": "not a valid page name",
    })
    plans, diags = _plans(root)
    assert diags == []
    pages = {p.path: p for p in plans if isinstance(p.view, StaticPage) and p.view.kind == "page"}
    assert list(pages) == ["about-us.html"]
    assert pages["about-us.html"].view.title == "About us"


def test_drafts_get_pages_only_when_asked_for(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/articles/wip.md":
                                "---\ntitle: WIP\ndate: 2026-02-01\ndraft: true\nactors: [russia]\n---\n"})
    plans, _ = _plans(root)
    assert "articles/wip.html" not in {p.path for p in plans}
    plans, _ = _plans(root, drafts=True)
    assert "articles/wip.html" in {p.path for p in plans}


def test_an_id_taking_an_index_page_path_is_refused_as_reserved(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/people/index.md": "---\nname: Index\n---\n",
                                "content/articles/page-2.md": "---\ntitle: P\ndate: 2026-02-01\n---\n"})
    _, diags = _plans(root)
    found = sorted((d.code, d.span.file) for d in diags if d.code != "BW309")
    assert found == [("BW205", "content/articles/page-2.md"), ("BW205", "content/people/index.md")]
    assert all("reserved" in d.message and "rename" in d.hint for d in diags if d.code == "BW205")


def test_a_reserved_file_name_is_fine_with_a_slug_of_its_own(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/articles/index.md":
                                "---\ntitle: I\ndate: 2026-02-01\nslug: intro\nactors: [russia]\n---\n"})
    plans, diags = _plans(root)
    assert not [d for d in diags if d.code != "BW309"]
    assert "articles/intro.html" in {p.path for p in plans}


def test_a_slug_taking_an_index_page_path_is_refused(tmp_path: Path) -> None:
    root = make_site(tmp_path, {"content/articles/x.md":
                                "---\ntitle: T\ndate: 2026-01-01\nslug: index\nactors: [russia]\n---\n"})
    _, diags = _plans(root)
    [d] = diags
    assert (d.code, d.span.file, d.span.line, d.key_path) == ("BW205", "content/articles/x.md", 4, "slug")
    assert "reserved" in d.message


def test_a_tag_never_takes_an_index_page_path(tmp_path: Path) -> None:
    articles = {f"content/articles/a{i}.md": f"---\ntitle: A{i}\ndate: 2026-01-0{i}\nactors: [russia]\n"
                f"tags: [Index, page 2, Page-3]\n---\n" for i in range(1, 4)}
    plans, diags = _plans(make_site(tmp_path, {"boardwatch.yaml": "per_page: 1\n", **articles}))
    assert diags == []
    paths = {p.path for p in plans}
    assert {"tags/index.html", "tags/page-2.html", "tags/page-3.html"} <= paths  # the tags index, paginated
    assert {"tags/index-tag.html", "tags/page-2-tag.html", "tags/page-3-tag.html"} <= paths


def _plan(path: str, *inputs: str) -> PagePlan:
    view = StaticPage(kind="page", path=path, title="t", template="page.html")
    return PagePlan(path=path, template="page.html", view=view, inputs=frozenset(inputs))


def _check(plans: list[PagePlan], diags: Diagnostics) -> None:
    check_collisions(((p.path, p.inputs) for p in plans), diags)


def test_collision_check_names_every_file_and_ignores_case() -> None:
    diags = Diagnostics()
    _check([_plan("people/x.html", "content/people/x.md"), _plan("People/X.html", "content/b.md"),
                       _plan("people/y.html", "content/people/y.md")], diags)
    [d] = list(diags)
    assert d.code == "BW501"
    assert "content/people/x.md" in d.message and "content/b.md" in d.message
    assert d.span == Span("content/b.md")


def test_collision_between_generated_pages() -> None:
    diags = Diagnostics()
    _check([_plan("a.html", "*articles"), _plan("a.html")], diags)
    [d] = list(diags)
    assert (d.code, d.span.file) == ("BW501", "(generated)")


def test_no_collision_no_diagnostic() -> None:
    diags = Diagnostics()
    _check([_plan("a.html", "x"), _plan("b.html", "x")], diags)
    assert list(diags) == []
