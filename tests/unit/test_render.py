"""The render stage: what a template's ``url()`` gives on an ordinary page and on the 404 page."""

from __future__ import annotations

from pathlib import Path

import pytest

from boardwatch.pages import PagePlan
from boardwatch.render import RenderContext, render
from boardwatch.templates import make_environment
from boardwatch.views import SiteView, StaticPage

SITE = SiteView(title="T", description="", language="en", base_url="", authors=(), nav=(), generator="g")
TEMPLATE = ("{% import '_macros.html' as m with context %}"
            "{{ url('people/x.html') }} {{ m.href('people/x.html') }} {{ url('assets/a.css') }}")


@pytest.mark.parametrize("path, link_base, expected", [
    ("about.html", "", "people/x.html people/x.html assets/a.css"),
    ("people/index.html", "", "x.html x.html ../assets/a.css"),
    ("404.html", "/", "/people/x.html /people/x.html /assets/a.css"),  # shown at any depth: from the root
    ("404.html", "https://example.org/news/", "https://example.org/news/people/x.html "
                                               "https://example.org/news/people/x.html https://example.org/news/assets/a.css"),
])
def test_url_is_relative_or_starts_from_link_base(tmp_path: Path, path: str, link_base: str, expected: str) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "links.html").write_text(TEMPLATE, "utf-8")
    view = StaticPage(kind="page", path=path, title="x", link_base=link_base, template="links.html")
    ctx = RenderContext(make_environment(tmp_path), SITE, (), {})
    assert render(PagePlan(path, "links.html", view, frozenset()), ctx).decode("utf-8") == expected


@pytest.mark.parametrize("template", [
    # m comes from base.html, which imports the theme's macros when the page has not
    '{% extends "page.html" %}{% block page_content %}{{ m.status("active", "Active") }}{% endblock %}',
    # the page's own m, without the theme's search_filters: base.html still imports the theme's
    '{% extends "page.html" %}{% import "mine.html" as m %}'
    '{% block page_content %}{{ m.status("active", "Active") }}{% endblock %}',
])
def test_pages_get_the_theme_macros_whatever_they_import(tmp_path: Path, template: str) -> None:
    (tmp_path / "templates").mkdir()
    (tmp_path / "templates" / "p.html").write_text(template, "utf-8")
    (tmp_path / "templates" / "mine.html").write_text('{% macro status(v, l) %}mine{% endmacro %}', "utf-8")
    view = StaticPage(kind="page", path="p.html", title="P", template="p.html")
    html = render(PagePlan("p.html", "p.html", view, frozenset()), RenderContext(make_environment(tmp_path), SITE, (), {}))
    assert b'data-pagefind-filter="kind:Page"' in html
    assert b'<span class="status status-active">' in html or b"mine" in html


def test_a_template_edited_between_builds_of_one_process_is_compiled_again(tmp_path: Path) -> None:
    """Compiled templates outlive a build in the process (serve builds many times); an edited
    template, even one of the same length, is never served from that memory."""
    folder = tmp_path / "templates"
    folder.mkdir()
    (folder / "x.html").write_text("first {{ 1 + 1 }}", "utf-8")
    assert make_environment(tmp_path).get_template("x.html").render() == "first 2"
    (folder / "x.html").write_text("again {{ 2 + 2 }}", "utf-8")
    assert make_environment(tmp_path).get_template("x.html").render() == "again 4"
    other = tmp_path / "other"
    (other / "templates").mkdir(parents=True)
    (other / "templates/x.html").write_text("other {{ 3 }}", "utf-8")  # same name, another site
    assert make_environment(other).get_template("x.html").render() == "other 3"
    assert make_environment(tmp_path).get_template("x.html").render() == "again 4"
