"""The site as a reader meets it: in chromium, served from a sub-path by a real HTTP server.

Clicks through the site, searches, filters, checks phone width, dark mode, keyboard use,
JavaScript off, the 404 page at depth, and runs axe-core and the Nu HTML checker on one page
of every kind.
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from collections.abc import Iterator
from typing import Any

import pytest

from boardwatch import search
from browser_support import AXE, PAGE_KINDS, PREFIX, VNU, chromium, served, serving, tab  # noqa: F401  (fixtures)

pytestmark = pytest.mark.browser

Page = Any  # playwright.sync_api.Page; kept loose so the module imports without Playwright


def h1(tab: Page) -> str:
    return " ".join(tab.locator("h1").first.inner_text().split())


def test_click_from_home_to_article_actor_initiative_claim_and_back(served: Any, tab: Page) -> None:
    tab.goto(served.url("index.html"))
    tab.locator("main a.article-title", has_text="Trump's Board of Peace invites Putin").first.click()
    assert tab.url == served.url("articles/putin-invited-to-board-of-peace.html")
    assert h1(tab).startswith("Trump's Board of Peace invites Putin")
    tab.locator("main .article-actors a", has_text="Vladimir Putin").first.click()
    assert tab.url == served.url("people/vladimir-putin.html") and h1(tab) == "Vladimir Putin"
    tab.locator("main a", has_text="Board of Peace").first.click()
    assert tab.url == served.url("initiatives/board-of-peace.html") and h1(tab) == "Board of Peace"
    claim = tab.locator("main .claim-text a").first
    text = " ".join(claim.inner_text().split())
    claim.click()
    assert "/news/claims/" in tab.url and h1(tab) == text
    tab.go_back()
    assert tab.url == served.url("initiatives/board-of-peace.html") and h1(tab) == "Board of Peace"


def _search(tab: Page, served: Any, term: str) -> int:
    tab.goto(served.url("search.html"))
    tab.locator(".pagefind-ui__search-input").fill(term)
    message = tab.locator(".pagefind-ui__message")
    message.filter(has_text=re.compile(r"\d+ results? for")).wait_for()
    return int(message.inner_text().split()[0])


def test_search_finds_peskov_and_leads_to_his_page(served: Any, tab: Page) -> None:
    violations: list[str] = []
    tab.on("console", lambda m: violations.append(m.text) if "Content Security Policy" in m.text else None)
    assert _search(tab, served, "Peskov") > 0
    tab.locator(".pagefind-ui__result-link", has_text="Dmitry Peskov").first.click()
    tab.wait_for_url(served.url("people/dmitry-peskov.html"))
    assert h1(tab) == "Dmitry Peskov"
    assert violations == []  # Pagefind's scripts and wasm run under the theme's CSP


PAGE_SIZE = 5  # results Pagefind's UI shows before "Load more" (each may link to several places in its page)


def _result_pages(tab: Page, total: int | None = None) -> list[str]:
    """The pages of the results shown; with ``total``, once as many are shown as will be (the
    count appears before the results do)."""
    links = tab.locator(".pagefind-ui__result-link")
    if total is not None:
        tab.wait_for_function("n => document.querySelectorAll('.pagefind-ui__result').length >= n",
                              arg=min(total, PAGE_SIZE))
    hrefs = (links.nth(i).get_attribute("href") or "" for i in range(links.count()))
    return [h.split("#")[0].removeprefix(PREFIX) for h in hrefs]


def _filtered(tab: Page, site: Any, term: str, kind: str) -> tuple[int, int, list[str]]:
    """Search, then keep one kind: (results before, results after, the pages shown after)."""
    everything = _search(tab, site, term)
    message = tab.locator(".pagefind-ui__message")
    tab.locator(".pagefind-ui__filter-name", has_text="kind").click()
    tab.locator(".pagefind-ui__filter-label", has_text=kind).click()
    message.filter(has_text=re.compile(rf"^(?!{everything} )\d+ results? for")).wait_for()
    return everything, int(message.inner_text().split()[0]), _result_pages(tab)


def test_a_filter_narrows_the_results(served: Any, tab: Page) -> None:
    everything, narrowed, found = _filtered(tab, served, "Putin", "Person")
    assert 0 < narrowed < everything
    assert found and all(rel.startswith("people/") for rel in found)


def test_search_query_in_the_url_runs_a_search(served: Any, tab: Page) -> None:
    tab.goto(served.url("search.html?q=Kremlin"))
    tab.locator(".pagefind-ui__result-link").first.wait_for()
    hrefs = [tab.locator(".pagefind-ui__result-link").nth(i).get_attribute("href") for i in range(2)]
    assert all(h and h.startswith("/news/") for h in hrefs)  # results lead into the sub-path


@pytest.fixture(scope="module")
def sharded(served: Any, tmp_path_factory: pytest.TempPathFactory) -> Iterator[Any]:
    """The same site with its search index split in shards (as a large site's is)."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(search, "SHARD_PAGES", 8)
        with serving(tmp_path_factory.mktemp("browser-shards") / "site") as site:
            yield site


def test_search_over_shards_finds_what_one_index_finds(served: Any, sharded: Any, tab: Page) -> None:
    shards = json.loads((sharded.out / search.SHARDS).read_bytes())
    assert len([s for s in shards["shards"] if s["path"]]) >= 2  # merged into the first one
    single = _search(tab, served, "Putin")
    assert _search(tab, sharded, "Putin") == single
    found = _result_pages(tab, single)
    assert tab.locator(".pagefind-ui__result").count() == min(single, PAGE_SIZE)
    assert len({search.shard_of(rel, shards["count"]) for rel in found}) >= 2  # results from several shards
    tab.locator(".pagefind-ui__result-link", has_text="Vladimir Putin").first.click()
    tab.wait_for_url(sharded.url("people/vladimir-putin.html"))  # and they lead into the sub-path


def test_a_filter_works_across_shards(served: Any, sharded: Any, tab: Page) -> None:
    everything, narrowed, found = _filtered(tab, sharded, "Putin", "Person")
    assert (everything, narrowed) == _filtered(tab, served, "Putin", "Person")[:2]
    assert 0 < narrowed < everything
    assert found and all(rel.startswith("people/") for rel in found)


def test_the_search_page_opened_from_disk_starts_as_before(sharded: Any, tab: Page) -> None:
    requests: list[str] = []
    tab.on("request", lambda r: requests.append(r.url))
    tab.goto((sharded.out / "search.html").as_uri())
    tab.locator(".pagefind-ui__search-input").wait_for()  # the box, as without shards; search itself needs a server
    assert not [u for u in requests if u.endswith("shards.json")]


def test_no_horizontal_scroll_at_phone_width(served: Any, chromium: Any) -> None:
    context = chromium.new_context(viewport={"width": 360, "height": 740}, color_scheme="dark")
    tab = context.new_page()
    try:
        wide = {}
        for kind, rel in PAGE_KINDS.items():
            tab.goto(served.url(rel))
            width = tab.evaluate("document.documentElement.scrollWidth")
            if width > 360:
                wide[kind] = width
        assert wide == {}
        # the invitations table stacks its cells, and each cell says what it is
        tab.goto(served.url(PAGE_KINDS["initiative"]))
        label = tab.evaluate("getComputedStyle(document.querySelector('.invitations td'), '::before').content")
        assert label == '"Invitee"'
    finally:
        context.close()


def test_dark_mode_applies(served: Any, chromium: Any) -> None:
    colours = {}
    for scheme in ("light", "dark"):
        context = chromium.new_context(color_scheme=scheme)
        tab = context.new_page()
        tab.goto(served.url(PAGE_KINDS["initiative"]))
        colours[scheme] = tab.evaluate("[getComputedStyle(document.body).backgroundColor,"
                                       " getComputedStyle(document.querySelector('.bw-node-label')).fill]")
        context.close()
    assert colours["light"][0] != colours["dark"][0]
    assert colours["light"][1] != colours["dark"][1]  # the pictures follow the scheme too


def test_keyboard_reaches_the_skip_link_and_main_links(served: Any, tab: Page) -> None:
    tab.goto(served.url(PAGE_KINDS["article"]))
    tab.keyboard.press("Tab")
    focused = tab.evaluate("[document.activeElement.className, document.activeElement.textContent,"
                           " document.activeElement.getBoundingClientRect().top]")
    assert focused[0] == "skip-link" and focused[1] == "Skip to content" and focused[2] >= 0
    outline = tab.evaluate("getComputedStyle(document.activeElement).outlineStyle")
    assert outline != "none"  # focus is visible
    tab.keyboard.press("Enter")
    assert tab.evaluate("document.activeElement.id") == "main"
    tab.keyboard.press("Tab")
    assert tab.evaluate("document.activeElement.tagName + ' ' + !!document.activeElement.closest('main')") == "A true"
    for _ in range(40):  # and on, through the page, to the actor links of the analysis
        tab.keyboard.press("Tab")
        if tab.evaluate("document.activeElement.textContent") == "Vladimir Putin":
            break
    else:
        pytest.fail("Tab never reached the link to Vladimir Putin")
    tab.keyboard.press("Enter")
    tab.wait_for_url(served.url("people/vladimir-putin.html"))


def test_pages_work_with_javascript_off(served: Any, chromium: Any) -> None:
    context = chromium.new_context(java_script_enabled=False)
    tab = context.new_page()
    try:
        tab.goto(served.url("search.html"))
        fallback = tab.locator(".search-fallback-links a")
        assert fallback.count() >= 6 and fallback.first.is_visible()
        tab.goto(served.url(PAGE_KINDS["initiative"]))
        assert tab.locator("svg.bw-graph").is_visible() and tab.locator("svg.bw-timeline").is_visible()
        tab.locator("details.figure-data summary").first.click()
        assert tab.locator("details.figure-data table").first.is_visible()
    finally:
        context.close()


def test_404_page_works_at_any_depth(served: Any, tab: Page) -> None:
    response = tab.goto(served.url("people/nobody/at/all.html"))
    assert response is not None and response.status == 404
    assert h1(tab) == "Page not found"
    position = tab.evaluate("getComputedStyle(document.querySelector('.skip-link')).position")
    assert position == "absolute"  # the stylesheet loaded
    tab.locator("main a", has_text="People").click()
    assert tab.url == served.url("people/index.html") and h1(tab) == "People"


@pytest.mark.parametrize("scheme", ["light", "dark"])
def test_axe_finds_no_violation_on_any_page_kind(served: Any, chromium: Any, scheme: str) -> None:
    assert AXE.is_file(), f"{AXE} is missing: run `npm ci --ignore-scripts` in the repository"
    context = chromium.new_context(color_scheme=scheme, bypass_csp=True)  # axe is injected as a script
    tab = context.new_page()
    found: dict[str, list[str]] = {}
    try:
        for kind, rel in PAGE_KINDS.items():
            tab.goto(served.url(rel))
            if kind == "search":
                tab.locator(".pagefind-ui__search-input").fill("Putin")
                tab.locator(".pagefind-ui__result-link").first.wait_for()
            tab.add_script_tag(path=str(AXE))
            result = tab.evaluate("""async () => {
                const r = await axe.run(document, {runOnly: {type: 'tag', values:
                    ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'wcag22aa', 'best-practice']}});
                return r.violations.map(v => v.id + ': ' + v.nodes.map(n => n.target.join(' ')).join(', '));
            }""")
            if result:
                found[kind] = result
    finally:
        context.close()
    assert found == {}


def test_nu_html_checker_finds_no_error_on_any_page_kind(served: Any) -> None:
    java = shutil.which("java")
    assert java, "Java is needed to run the Nu HTML checker"
    assert VNU.is_file(), f"{VNU} is missing: run `npm ci --ignore-scripts` in the repository"
    files = [str(served.out / rel) for rel in PAGE_KINDS.values()]
    run = subprocess.run([java, "-jar", str(VNU), "--errors-only", "--format", "json", *files],
                         capture_output=True, text=True, timeout=300, check=False)
    messages = json.loads(run.stderr or run.stdout or '{"messages": []}')["messages"]
    errors = [f"{m.get('url', '').rsplit('/site/', 1)[-1]}:{m.get('lastLine')}: {m.get('message')}"
              for m in messages if m.get("type") == "error"]
    assert errors == []
    assert run.returncode == 0
