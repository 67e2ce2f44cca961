"""Shared settings and strategies for the fuzz tests (Hypothesis).

CI runs a bounded, derandomized number of examples, so a run is deterministic. A longer run
explores more: ``BOARDWATCH_FUZZ_EXAMPLES=5000 python3 -m pytest tests/fuzz`` (and
``BOARDWATCH_FUZZ_SEED=<n>`` to draw different examples than CI does).
"""

from __future__ import annotations

import os

from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

EXAMPLES = int(os.environ.get("BOARDWATCH_FUZZ_EXAMPLES", "0"))
SEED = os.environ.get("BOARDWATCH_FUZZ_SEED")


def fuzz_settings(default_examples: int) -> settings:
    """Bounded and deterministic unless BOARDWATCH_FUZZ_EXAMPLES / BOARDWATCH_FUZZ_SEED say otherwise."""
    return settings(max_examples=EXAMPLES or default_examples, deadline=None, derandomize=SEED is None,
                    database=None, print_blob=True,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])


# Characters that mean something to YAML, Markdown, HTML or the decoder, mixed with plain text.
SIGNIFICANT = ("-:[]{}#&*!|>'\"%@`,?\n\t \r\\<>/=()_~^$.+;" "\x00\x01\x0b\x0c\x1b\x7f\u0085\u00a0\u2028\u2029"
               "\ufeff\ufffe\ud7ff\U0001f600ée\u0301")
ALPHABET = st.sampled_from(list(SIGNIFICANT) + list("abcdeqxyz019") + ["---", "\n---\n", "...", "[[", "]]", "<!--",
                                                                       "-->", "<script>", "javascript:", "&#x6A;",
                                                                       "- ", ": ", "    ", "```", "~~~", "\\u0000"])
TOKENS = st.lists(ALPHABET, max_size=120).map("".join)

VALID_ARTICLE = (
    "---\ntitle: Putin invited\ndate: 2026-01-19\nactors: [vladimir-putin, dmitry-peskov]\n"
    "initiatives: [board-of-peace]\ntags: [diplomacy]\nsource: {name: Reuters, url: 'https://example.org/x'}\n"
    "claims:\n  - id: peskov-confirms-invitation\n    speaker: dmitry-peskov\n    text: Putin has it.\n"
    "    about: [vladimir-putin]\nevents:\n  - date: 2026-01-18\n    title: Letter sent\n    actors: [donald-trump]\n"
    "---\n[[vladimir-putin]] was invited by Trump to the [[board-of-peace|board]].\n\n- a list\n- of *things*\n"
)


@st.composite
def mutated(draw: st.DrawFn, text: str = VALID_ARTICLE) -> str:
    """``text`` with a few random cuts, insertions and replacements of significant tokens."""
    out = text
    for _ in range(draw(st.integers(1, 6))):
        at = draw(st.integers(0, len(out)))
        op = draw(st.sampled_from(["insert", "delete", "replace"]))
        token = draw(TOKENS)
        if op == "insert":
            out = out[:at] + token + out[at:]
        elif op == "delete":
            out = out[:at] + out[at + draw(st.integers(1, 40)):]
        else:
            out = out[:at] + token + out[at + len(token):]
    return out


@st.composite
def front_matter_documents(draw: st.DrawFn) -> str:
    """A '---' block of YAML-looking lines (keys the schema knows, odd values), then a body."""
    keys = st.sampled_from(["title", "date", "updated", "summary", "authors", "source", "actors", "initiatives",
                            "tags", "draft", "claims", "events", "slug", "extra", "name", "aliases", "links",
                            "url", "id", "speaker", "text", "revisits", "status", "x", "<<", "? a"])
    values = st.one_of(TOKENS, st.sampled_from([
        "2026-01-19", "2026-13-45", "2026-02-30T25:00:00+99:00", "yes", "~", "null", "[]", "{}", "!!binary aGk=",
        "!!python/object/apply:os.system [true]", "&a [1, *a]", "*undefined", "'quoted", "\"unterminated",
        "[vladimir-putin, nobody]", "{id: x, speaker: y, text: z}", "0x1F", "1e400", ".nan", "-.inf",
        "https://example.org", "javascript:alert(1)", "|\n  block", ">-\n  folded", "!!timestamp 2026-01-01",
        "!!int x", "!!float y", "!!str 1", "!!null", "!!bool maybe", "[" * 30, "- - - - x",
    ]))
    lines = draw(st.lists(st.tuples(st.sampled_from(["", "  ", "    ", "- ", "  - "]), keys, values), max_size=12))
    body = draw(TOKENS)
    return "---\n" + "".join(f"{indent}{key}: {value}\n" for indent, key, value in lines) + "---\n" + body
