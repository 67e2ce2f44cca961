"""Markdown that would make rendering quadratic or recurse too deep is refused before rendering
(BW113), by a check linear in the body's length; ordinary large content passes it and renders.

No test here is timed: a hostile body is either refused by the structural check, or rendered
under a hang guard that only catches a runaway (a thread that must finish, with a very
generous bound), never measures speed.
"""

from __future__ import annotations

import threading

import pytest

from boardwatch.complexity import MAX_NESTING, body_problem
from boardwatch.diagnostics import Diagnostics
from boardwatch.frontmatter import parse
from boardwatch.markup import Renderer
from boardwatch.model import Kind, Source
from boardwatch.schema import validate

HANG_GUARD_SECONDS = 120
SIZE = 900_000  # just under the 1,000,000-byte file limit


def _fill(unit: str, size: int = SIZE) -> str:
    return (unit * (size // len(unit) + 1))[:size]


def _render_with_guard(body: str) -> str:
    """Render ``body``; fail (not hang) if it never finishes."""
    result: list[str] = []
    errors: list[BaseException] = []

    def work() -> None:
        try:
            result.append(Renderer([("Vladimir Putin", "vladimir-putin")]).render(body, lambda _id: None))
        except BaseException as exc:  # noqa: BLE001 - handed to the test thread
            errors.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(HANG_GUARD_SECONDS)
    assert not thread.is_alive(), "rendering did not finish: the complexity check let a runaway body through"
    if errors:
        raise errors[0]
    return result[0]


QUADRATIC = {
    "50k unmatched [": "[" * 50_000,
    "[[ refs never closed": "[[" * 50_000,
    "nested balanced brackets": "[" * 20_000 + "]" * 20_000,
    "links never closed": _fill("[a]("),
    "reference links never closed": _fill("[a]["),
    "footnote refs never closed": _fill("[^"),
    "images never closed": _fill("!["),
    "CDATA never closed": _fill("<![CDATA["),
    "tags never closed": _fill("<a href="),
    "autolinks never closed": _fill("<http://"),
    "tags never closed, one per paragraph": _fill("<a href=\n\n"),
    "rules without blank lines": _fill("***\n"),
    "setext headings without blank lines": _fill("a\n===\n"),
    "atx headings without blank lines": _fill("# h\n"),
    "fences": _fill("```\n"),
    "fenced blocks": _fill("```\nx\n```\n\n"),
    "abbreviations": _fill("*[a]: b\n"),
    "definition list of 1000 entries": "a\n: b\n" * 1000,
    "emphasis in one block": _fill("*a"),
    "unclosed divs": _fill("<div>\n"),
    "nested list 2000 levels": "".join("  " * i + "- x\n" for i in range(700)),
    "list markers on one line": "- " * 5000 + "x",
    "quote markers": ">" * 50_000 + " x",
    "quotes and lists": "> - " * 5000 + "x",
    "ordered list markers": "1. " * 5000 + "x",
    # Cheap to render, but the check counts every mark in a block alike: refused all the same.
    "50k stars": "*" * 50_000,
    "50k underscores": "_" * 50_000,
    "50k backticks": "`" * 50_000,
}


@pytest.mark.parametrize("name", sorted(QUADRATIC))
def test_hostile_markdown_is_refused_before_rendering(name: str) -> None:
    problem = body_problem(QUADRATIC[name])
    assert problem is not None, f"{name}: would be rendered"
    assert "Markdown body" in problem.message and problem.hint


CHEAP = {
    "nesting at the limit": "".join("  " * i + "- x\n" for i in range(MAX_NESTING)),
    "nesting in a fenced code block": "```\n" + " " * 400 + "deep code\n```\n",
    "50k <": "<" * 50_000,
    "50k > quotes in 50k lines": "> x\n" * 50_000,
    "huge single line of prose": _fill("word ", SIZE).strip(),
    "50k lines": "line\n" * 50_000,
}


@pytest.mark.parametrize("name", sorted(CHEAP))
def test_hostile_looking_but_cheap_markdown_renders(name: str) -> None:
    assert body_problem(CHEAP[name]) is None
    assert _render_with_guard(CHEAP[name])


def _table(rows: int) -> str:
    return "| name | role | since |\n|---|---|---|\n" + "".join(
        f"| Person {i} | [[person-{i}]] envoy to *somewhere* | 20{i % 30:02d} |\n" for i in range(rows))


ORDINARY = {
    "1000-row table": _table(1000),
    "500-item list with links": "".join(f"- item {i}: [a link](https://example.org/{i}) and `code`\n" for i in range(500)),
    "600 paragraphs": "\n\n".join(f"Paragraph {i} on [[vladimir-putin]], *claims* and [sources](https://x.org)."
                                  for i in range(600)),
    "60 code blocks": "\n\n".join(f"```python\ndef f{i}(x):\n    return x[{i}]  # [not a link\n```" for i in range(60)),
    "raw HTML table": "<table>\n" + "".join(f"<tr><td>{i}</td><td>cell</td></tr>\n" for i in range(800)) + "</table>\n",
    "headings and sections": "\n\n".join(f"## Section {i}\n\nText of section {i}." for i in range(300)),
    "nested lists, ten levels": "".join("    " * i + "- level\n" for i in range(10)),
    "footnotes": "".join(f"Claim {i}.[^{i}]\n\n" for i in range(200)) + "".join(f"[^{i}]: Source {i}.\n" for i in range(200)),
}


@pytest.mark.parametrize("name", sorted(ORDINARY))
def test_ordinary_large_content_is_accepted(name: str) -> None:
    assert body_problem(ORDINARY[name]) is None
    html = _render_with_guard(ORDINARY[name])
    assert html


def test_the_error_names_the_file_and_line_of_the_problem() -> None:
    text = "---\ntitle: T\ndate: 2026-01-01\n---\nFirst paragraph.\n\nSecond, broken: " + "[" * 60_000 + "\n"
    diags = Diagnostics()
    doc = parse(Source(path="content/articles/t.md", text=text, sha256="", kind=Kind.ARTICLE, stem="t"), diags)
    assert doc is not None and validate(doc, diags) is None
    [d] = list(diags)
    assert (d.code, d.span.file, d.span.line) == ("BW113", "content/articles/t.md", 7)
    assert d.span.column == len("Second, broken: ") + 1
