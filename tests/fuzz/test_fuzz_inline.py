"""Properties of the renderer's shortcuts: its inline stage, which tries a Markdown inline
pattern only on text that holds what every match of it contains, renders exactly what
Python-Markdown's own inline stage renders; and autolink finds the mentions a regex with a
look-behind would find."""

from __future__ import annotations

import re
from unittest import mock

from fuzzkit import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from boardwatch import markup
from boardwatch.markup import Renderer, Target, mentions, trie_pattern

PIECES = st.sampled_from([
    "*", "**", "_", "__", "`", "``", "\\", "\\*", "[", "]", "[[", "]]", "[[putin]]", "[[gaza|the strip]]",
    "[[nobody]]", "[^1]", "[^1]: note\n", "[x](https://example.org)", "[x][r]", "[r]: https://example.org/r\n",
    "![alt](a.png)", "![", "(", ")", "<https://example.org>", "<a@example.org>", "<b>", "</b>", "<span>", "<",
    ">", "&amp;", "&", "&#65;", ";", "  \n", "\n", "\n\n", "    ", "# ", "## ", "> ", "- ", "1. ", "```\n",
    "~~~\n", "| a | b |\n|---|---|\n", "*[HTML]: Hyper Text\n", "HTML", "{: .c }", "Term\n: definition\n",
    "Vladimir Putin", "Putin", "Gaza", "word", " ", "é", "\u2028",
])
BODIES = st.lists(PIECES, max_size=60).map("".join)
NAMES = [("Vladimir Putin", "vladimir-putin"), ("Putin", "vladimir-putin"), ("Gaza", "gaza")]
TARGETS = {"vladimir-putin": Target("Vladimir Putin", "../people/vladimir-putin.html", "person"),
           "putin": Target("Vladimir Putin", "../people/vladimir-putin.html", "person"),
           "gaza": Target("Gaza Strip", "../states/gaza.html", "state")}

FAST = Renderer(NAMES)
with mock.patch.object(markup, "_FAST_INLINE", False):
    STOCK = Renderer(NAMES)


def test_the_fast_inline_stage_is_the_one_compared() -> None:
    assert markup._FAST_INLINE, "Python-Markdown no longer has the methods the fast inline stage relies on"
    assert isinstance(FAST.md.treeprocessors["inline"], markup._InlineTreeprocessor)
    assert not isinstance(STOCK.md.treeprocessors["inline"], markup._InlineTreeprocessor)


@fuzz_settings(300)
@given(BODIES)
def test_fast_inline_stage_renders_what_python_markdown_renders(body: str) -> None:
    assert FAST.render(body, TARGETS.get) == STOCK.render(body, TARGETS.get), body


@fuzz_settings(300)
@given(st.lists(st.sampled_from(list("*_`\\[]^!<>&;:/@. \n#abcAZ09") + ["  \n", "://", "&#1;", "&a;"]),
                max_size=40).map("".join),
       st.sampled_from(sorted(markup._NEEDS)))
def test_a_pattern_never_matches_text_without_what_it_needs(text: str, pattern: str) -> None:
    needs = markup._NEEDS[pattern]
    if not any(n in text for n in needs):
        assert re.compile(pattern, re.DOTALL).search(text) is None, (pattern, text)


WORDS = ["Putin", "Put", "Vladimir Putin", "in", "a-b", "é", "Gaza", "Gaza Strip", "G"]


@fuzz_settings(300)
@given(st.lists(st.sampled_from(WORDS + [" ", "-", "_", "x", "1", ".", "\n", "é"]), max_size=30).map("".join),
       st.sets(st.sampled_from(WORDS), min_size=1))
def test_mentions_are_what_a_look_behind_finds(text: str, names: set[str]) -> None:
    trie = trie_pattern(sorted(names))
    expected = [(m.start(), m.group(0)) for m in re.finditer(rf"(?<![\w-])(?:{trie})(?![\w-])", text)]
    found = [(m.start(), m.group(0)) for m in mentions(re.compile(rf"(?:{trie})(?![\w-])"), text)]
    assert found == expected
