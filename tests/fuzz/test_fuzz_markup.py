"""Property: any Markdown body that passes the complexity check renders, and what it renders
holds no live script, however the pieces of HTML, Markdown and URLs are shuffled together."""

from __future__ import annotations

import re
import sys
from pathlib import Path

from fuzzkit import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))
from seckit import html_findings  # noqa: E402 - the security tests' checker

from boardwatch.complexity import body_problem  # noqa: E402

from boardwatch import markup  # noqa: E402
from boardwatch.markup import Renderer, Target  # noqa: E402

PIECES = st.sampled_from([
    "<script>", "</script>", "<img", " src=", " srcset=", " onerror=", " onload=", "alert(1)", "javascript:",
    "JaVaScRiPt:", "java\tscript:", "data:text/html,", "vbscript:", "&#x6A;", "&#106;", "&#58;", "&colon;", "\"",
    "'", ">", "<", "/>", "<a href=", "<a", " href=", " xlink:href=", "<svg>", "<svg", "<math>", "<style>",
    "</style>", "<iframe", "<object", "<embed", "<base", "<form", " action=", " formaction=", "<meta http-equiv=",
    "<noscript>", "<template>", "<!--", "-->", "<![CDATA[", "]]>", "[x](", "[x]: ", ")", "(", "![", "]", "[",
    "[[", "]]", "|", "`", "```\n", "\n", "\n\n", "    ", "{: ", "}", " style=", "expression(", "url(", "*", "_",
    "# ", "> ", "- ", "1. ", "word", " ", "<details open", " ontoggle=", "<p", "<div markdown=\"1\">", "</div>",
    "\\", "&", ";", "=", "<!DOCTYPE", "<?xml", "<x:script>", "<SCRIPT>", "\x00", "\u2028",
])
BODIES = st.lists(PIECES, max_size=80).map("".join)
RENDERER = Renderer([("Vladimir Putin", "vladimir-putin"), ("Putin", "vladimir-putin")])


@fuzz_settings(200)
@given(BODIES)
def test_rendered_markdown_holds_no_live_script(body: str) -> None:
    if body_problem(body) is not None:
        return  # refused before rendering: BW113
    html = RENDERER.render(body, lambda i: None)
    assert html_findings("body", html) == [], (body, html)


# Names that share prefixes, nest, end in a hyphen's neighbours and hold regex characters: the
# cases where the order of preference between names decides a match.
NAME_WORDS = ["Board", "of", "Peace", "Board of", "Gaza", "Gaza Strip", "Strip", "U.S.", "Kremlin-", "Putin",
              "Vladimir Putin", "(upper)", "a", "ab", "abc", "Peace Council", "B"]
MANY_NAMES = [(f"Filler Name {i}", f"filler-{i}") for i in range(70)]  # past the threshold of one pattern


@fuzz_settings(150)
@given(st.lists(st.lists(st.sampled_from(NAME_WORDS), min_size=1, max_size=3).map(" ".join), min_size=1,
                max_size=12, unique=True),
       st.lists(st.sampled_from([*NAME_WORDS, " ", "  ", "-", "x", "*", "_", "`", "\n\n", "[[gaza]]", "## ",
                                 "Filler Name 3", "Filler Name 33", ",", "'"]), max_size=60).map("".join))
def test_mentions_are_the_same_with_the_pattern_of_a_few_names_or_of_all(names: list[str], body: str) -> None:
    table = [*((name, f"id-{i}") for i, name in enumerate(names)), *MANY_NAMES]
    few, whole = Renderer(table), Renderer(table)
    whole.state.names_re = markup._names_pattern(whole.state.names)
    assert few.state.names_re is None

    def lookup(entity_id: str) -> Target:
        return Target(entity_id.upper(), f"/{entity_id}/", "body")
    assert few.render(body, lookup) == whole.render(body, lookup), body
    assert few.state.names_re is None  # the first bodies never compile the whole pattern


@fuzz_settings(300)
@given(st.lists(st.sampled_from(["\n", "\n\n", " \n", "\t", "text", "# h", "- item", "> q", "    code", "<p>",
                                 "```", "1. x", "[[a]]", " ", "|", "[^1]"]), max_size=30).map("".join))
def test_the_first_paragraph_is_the_first_plain_block_of_the_split_body(body: str) -> None:
    reference = next((block for block in re.split(r"\n\s*\n", body.strip("\n"))
                      if block.strip() and not markup._BLOCK_START_RE.match(block)), "")
    assert markup.first_paragraph_markdown(body) == reference
