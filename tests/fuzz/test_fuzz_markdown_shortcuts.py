"""Properties of the renderer's shortcuts: Markdown rendered with them is exactly what
Python-Markdown renders without them (an inline pattern or block processor is skipped only
on text that cannot match it); nh3's reusable sanitizer cleans as nh3.clean does; autolink
finds the mentions a regex with a look-behind would find; plain summaries skip only the
rules that cannot match."""

from __future__ import annotations

import html
import re
import nh3

from fuzzkit import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

from boardwatch import markdown_shortcuts as shortcuts
from boardwatch import markup
from boardwatch.markup import Renderer, Target, mentions, trie_pattern

PIECES = st.sampled_from([
    "*", "**", "_", "__", "`", "``", "\\", "\\*", "[", "]", "[[", "]]", "[[putin]]", "[[gaza|the strip]]",
    "[[nobody]]", "[^1]", "[^1]: note\n", "[x](https://example.org)", "[x][r]", "[r]: https://example.org/r\n",
    "![alt](a.png)", "![", "(", ")", "<https://example.org>", "<a@example.org>", "<b>", "</b>", "<span>", "<",
    ">", "&amp;", "&", "&#65;", ";", "  \n", "\n", "\n\n", "    ", "# ", "## ", "> ", "- ", "1. ", "```\n",
    "~~~\n", "| a | b |\n|---|---|\n", "*[HTML]: Hyper Text\n", "HTML", "{: .c }", "Term\n: definition\n",
    "Vladimir Putin", "Putin", "Gaza", "word", " ", "é", "\u2028", "\n===\n", "\n---\n", "***\n", "___\n",
    "- - -\n", "* * *", ":", " : ", "\n: ", "#", " #", "\t", "[r]:", "]: <x>", " \"t\"", "*[", ">",
])
BODIES = st.lists(PIECES, max_size=60).map("".join)
NAMES = [("Vladimir Putin", "vladimir-putin"), ("Putin", "vladimir-putin"), ("Gaza", "gaza")]
TARGETS = {"vladimir-putin": Target("Vladimir Putin", "../people/vladimir-putin.html", "person"),
           "putin": Target("Vladimir Putin", "../people/vladimir-putin.html", "person"),
           "gaza": Target("Gaza Strip", "../states/gaza.html", "state")}

FAST = Renderer(NAMES)
STOCK = Renderer(NAMES, shortcuts=False)
BLOCK_REGEXES = {type(p).__name__: getattr(p, "SEARCH_RE", None) or getattr(p, "RE", None)
                 for p in STOCK.md.parser.blockprocessors}


def test_the_shortcuts_are_the_ones_compared() -> None:
    assert shortcuts.INLINE_HOOKS, "Python-Markdown no longer has the methods the fast inline stage relies on"
    assert isinstance(FAST.md.treeprocessors["inline"], shortcuts._InlineTreeprocessor)
    assert not isinstance(STOCK.md.treeprocessors["inline"], shortcuts._InlineTreeprocessor)
    gated = {type(p).__name__ for p in FAST.md.parser.blockprocessors if {"test", "run"} & set(vars(p))}
    assert gated == {name for name, _, _ in shortcuts._BLOCK_NEEDS}
    assert not any({"test", "run"} & set(vars(p)) for p in STOCK.md.parser.blockprocessors)


@fuzz_settings(300)
@given(BODIES)
def test_shortcuts_render_what_python_markdown_renders(body: str) -> None:
    assert FAST.render(body, TARGETS.get) == STOCK.render(body, TARGETS.get), body


@fuzz_settings(300)
@given(st.lists(st.sampled_from(list("*_`\\[]^!<>&;:/@. \n#abcAZ09") + ["  \n", "://", "&#1;", "&a;"]),
                max_size=40).map("".join),
       st.sampled_from(sorted(shortcuts._NEEDS)))
def test_a_pattern_never_matches_text_without_what_it_needs(text: str, pattern: str) -> None:
    needs = shortcuts._NEEDS[pattern]
    if not any(n in text for n in needs):
        assert re.compile(pattern, re.DOTALL).search(text) is None, (pattern, text)



@fuzz_settings(300)
@given(st.lists(st.sampled_from(list("*_-=#>:[]^\\'\"() \nabc1.<") + ["\n=", "\n-", "]:", "*[", "[^"]),
                max_size=40).map("".join),
       st.sampled_from(sorted(shortcuts._BLOCK_NEEDS)))
def test_a_block_processor_never_matches_a_block_without_what_it_needs(block: str, key: tuple[str, str, str]) -> None:
    regex = BLOCK_REGEXES[key[0]]
    assert regex.pattern == key[2]
    if not any(n in block for n in shortcuts._BLOCK_NEEDS[key]):
        assert regex.search(block) is None, (key, block)


@fuzz_settings(200)
@given(st.lists(st.sampled_from(["<p>", "</p>", "<a href=\"", "javascript:", "https://x", "\">", "</a>", "<script>",
                                 "<b onclick=x>", "<img src=x>", "<!-- c -->", "<h1>", "<table>", "&amp;", "text", " "]),
                max_size=30).map("".join))
def test_the_reusable_sanitizer_cleans_as_nh3_clean_does(fragment: str) -> None:
    assert markup.sanitize(fragment) == nh3.clean(fragment, **markup._SANITIZER_OPTIONS)


WORDS = ["Putin", "Put", "Vladimir Putin", "in", "a-b", "é", "Gaza", "Gaza Strip", "G"]


@fuzz_settings(300)
@given(st.lists(st.sampled_from(WORDS + [" ", "-", "_", "x", "1", ".", "\n", "é"]), max_size=30).map("".join),
       st.sets(st.sampled_from(WORDS), min_size=1))
def test_mentions_are_what_a_look_behind_finds(text: str, names: set[str]) -> None:
    trie = trie_pattern(sorted(names))
    expected = [(m.start(), m.group(0)) for m in re.finditer(rf"(?<![\w-])(?:{trie})(?![\w-])", text)]
    found = [(m.start(), m.group(0)) for m in mentions(re.compile(rf"(?:{trie})(?![\w-])"), text)]
    assert found == expected


def summary_trying_every_rule(text: str) -> str:
    lead = markup.first_paragraph_markdown(text)
    if not lead:
        return ""
    lead = markup.REF_RE.sub(lambda m: (m.group(2) or m.group(1)).strip(), lead)
    for pattern, replacement, _ in markup._INLINE_RULES:
        lead = pattern.sub(replacement, lead)
    return " ".join(html.unescape(lead).split())


@fuzz_settings(300)
@given(BODIES)
def test_summaries_skip_only_rules_that_cannot_match(body: str) -> None:
    assert markup.plain_summary(body, lambda _: None) == summary_trying_every_rule(body)
