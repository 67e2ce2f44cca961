"""Property: any Markdown body that passes the complexity check renders, and what it renders
holds no live script, however the pieces of HTML, Markdown and URLs are shuffled together."""

from __future__ import annotations

import sys
from pathlib import Path

from fuzzkit import fuzz_settings
from hypothesis import given
from hypothesis import strategies as st

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "security"))
from seckit import html_findings  # noqa: E402 - the security tests' checker

from boardwatch.complexity import body_problem  # noqa: E402
from boardwatch.markup import Renderer  # noqa: E402

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
