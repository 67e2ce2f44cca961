"""Markdown -> safe HTML: [[ref]], [[ref|text]], autolink, code left alone, the sanitizer.

Exact cases live in tests/fixtures/markup/*.txt (see the README there); the tests below
check what a case file cannot say: renderer state between pages, options, and that the
reference scanner used for error messages agrees with the renderer about what is code.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from site_helpers import TESTS, parse_html

from boardwatch.markup import Renderer, Target, sanitize
from boardwatch.refs import scan_refs

CASES = TESTS / "fixtures" / "markup"
FROM = "articles/x.html"
ENTITIES = {
    "vladimir-putin": ("Vladimir Putin", "people", "person", ["Putin"]),
    "donald-trump": ("Donald Trump", "people", "person", ["Trump"]),
    "gaza": ("Gaza Strip", "states", "state", ["Gaza"]),
    "kremlin": ("Kremlin", "bodies", "body", []),
}
NAMES = sorted(((n, i) for i, (name, _, _, aliases) in ENTITIES.items() for n in (name, *aliases)),
               key=lambda item: (-len(item[0]), item[0]))


def lookup(entity_id: str) -> Target | None:
    if entity_id not in ENTITIES:
        return None
    name, folder, kind, _ = ENTITIES[entity_id]
    return Target(name, f"../{folder}/{entity_id}.html", kind)


def read_cases(path: Path) -> list[tuple[str, str, str]]:
    """(title, input, expected) for each case of a markdown-it style fixture file."""
    lines = path.read_text("utf-8").split("\n")
    cases = []
    i = 0
    while i < len(lines):
        if not lines[i].strip():
            i += 1
            continue
        title = lines[i]
        assert lines[i + 1] == ".", f"{path.name}:{i + 2}: expected '.' after the title"
        parts: list[list[str]] = [[], []]
        j = i + 2
        for part in parts:
            while lines[j] != ".":
                part.append(lines[j])
                j += 1
            j += 1
        cases.append((title, "\n".join(parts[0]), "\n".join(parts[1])))
        i = j
    return cases


ALL_CASES = [pytest.param(path.stem, text, expected, id=f"{path.stem}: {title}")
             for path in sorted(CASES.glob("*.txt")) for title, text, expected in read_cases(path)]


def test_the_case_files_are_read() -> None:
    counts = {p.stem: len(read_cases(p)) for p in CASES.glob("*.txt")}
    assert set(counts) == {"refs", "autolink", "sanitize"}
    assert all(n >= 8 for n in counts.values()), counts


@pytest.mark.parametrize("group, text, expected", ALL_CASES)
def test_case(group: str, text: str, expected: str) -> None:
    renderer = Renderer(NAMES if group == "autolink" else ())
    assert renderer.render(text, lookup).strip() == expected


@pytest.mark.parametrize("text", [text for p in ALL_CASES if p.values[0] == "refs" for text in [p.values[1]]])
def test_scanner_and_renderer_agree_on_what_is_a_reference(text: str) -> None:
    scanned = [ref.id for ref in scan_refs(text, 1, "x.md")]
    doc = parse_html(Renderer().render(text, lookup))
    linked = [a.get("href").rsplit("/", 1)[1][: -len(".html")] for a in doc.find_all("a", cls="ref")]
    missing = doc.find_all("span", cls="ref-missing")
    assert sorted(linked) == sorted(i for i in scanned if i in ENTITIES)
    assert len(missing) == len([i for i in scanned if i not in ENTITIES])


def test_every_mention_is_linked_again_on_the_next_page() -> None:
    renderer = Renderer(NAMES)
    first = renderer.render("Trump and Trump", lookup)
    second = renderer.render("Trump and Trump", lookup)
    assert first == second
    assert first.count("autolink") == 1


def test_a_page_does_not_autolink_its_own_entity() -> None:
    html = Renderer(NAMES).render("Trump met Putin.", lookup, self_id="donald-trump")
    doc = parse_html(html)
    assert [a.text for a in doc.find_all("a")] == ["Putin"]


def test_autolink_can_be_switched_off() -> None:
    html = Renderer(NAMES, autolink=False).render("Trump met [[vladimir-putin]].", lookup)
    doc = parse_html(html)
    assert [(a.text, "autolink" in a.classes) for a in doc.find_all("a")] == [("Vladimir Putin", False)]


def test_regex_characters_in_names_are_literal() -> None:
    names = [("U.S. Senate (upper)", "kremlin")]
    html = Renderer(names).render("The U.S. Senate (upper) met; UxS. Senate (upper) too.", lookup)
    assert html.count('class="ref ref-body autolink"') == 1
    assert ">U.S. Senate (upper)</a>" in html


def test_sanitize_keeps_the_allowed_and_drops_the_rest() -> None:
    assert sanitize('<p class="x" onclick="y">t</p>') == '<p class="x">t</p>'
    assert sanitize('<table><tr><td colspan="2">x</td></tr></table>') == (
        '<table><tbody><tr><td colspan="2">x</td></tr></tbody></table>')
    assert sanitize("<svg><script>x</script></svg>ok") == "ok"


def test_links_in_rendered_markdown_are_never_live_script() -> None:
    text = "\n\n".join([
        "[a](javascript:alert(1))", "<a href=' javascript:alert(1)'>b</a>", "<a href='&#106;avascript:x'>c</a>",
        "<img src=x onerror=alert(1)>", "<svg onload=alert(1)>", "<details open ontoggle=alert(1)>d</details>",
    ])
    doc = parse_html(Renderer().render(text, lookup))
    for node in doc.iter():
        for name, value in node.attrs.items():
            assert not name.startswith("on"), (node.tag, name)
            assert "javascript" not in value.lower().replace(" ", ""), (node.tag, name, value)
    assert not doc.find_all("script") and not doc.find_all("svg")


def test_headings_get_ids_for_fragment_links() -> None:
    doc = parse_html(Renderer().render("## What happened\n\ntext", lookup))
    assert doc.find("h2").get("id") == "what-happened"


def test_scan_refs_positions_are_in_file_coordinates() -> None:
    body = "First line.\n\nSee [[vladimir-putin]] and [[gaza|Gaza]].\n"
    refs = scan_refs(body, 10, "content/articles/a.md")
    assert [(r.id, r.span.line, r.span.column, r.span.length, r.key_path) for r in refs] == [
        ("vladimir-putin", 12, 7, len("vladimir-putin"), "body"), ("gaza", 12, 30, 4, "body")]


def test_scan_refs_skips_code() -> None:
    body = "\n".join([
        "`[[a]]` and ``x [[b]] y``", "", "```", "[[c]]", "```", "~~~~", "[[d]]", "```", "~~~~", "",
        "    [[e]]", "", "[[kept]]",
    ])
    assert [r.id for r in scan_refs(body, 1, "x.md")] == ["kept"]


def test_scan_refs_reads_indented_list_continuations() -> None:
    body = "- item\n\n    continued with [[gaza]]\n"
    assert [r.id for r in scan_refs(body, 1, "x.md")] == ["gaza"]
    assert "ref-state" in Renderer().render(body, lookup)
