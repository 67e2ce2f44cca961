"""A process that resolves again (serve) reuses what its last resolve made where an edit leaves
it as it was: the graph and the problems are exactly those of a resolve from scratch."""

from __future__ import annotations

import hashlib
from collections.abc import Iterator, Mapping
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from site_helpers import BASE_SITE

from boardwatch import relations as relations_module
from boardwatch import resolve as resolve_module
from boardwatch.diagnostics import Diagnostic, Diagnostics
from boardwatch.frontmatter import parse
from boardwatch.model import Graph, Record, Source
from boardwatch.relations import relations
from boardwatch.resolve import resolve
from boardwatch.schema import validate
from boardwatch.sources import KIND_BY_FOLDER

ARTICLES = ("a", "b", "c", "d", "e")  # e makes no claim: its date is nowhere else
ACTOR_SETS = (("vladimir-putin",), ("vladimir-putin", "dmitry-peskov"), ("donald-trump", "nobody"),
              ("board-of-peace",), ())
DATES = ("2026-01-10", "2026-01-20", "2026-02-01")
STATUSES = ("reported", "confirmed", "disputed")
BODIES = ("Plain text.\n", "Met [[vladimir-putin]] in the [[kremlin]].\n", "Saw [[donald-trump]].\n\nMore.\n",
          "Met [[Putin]].\n")  # a name for an id: the hint depends on the aliases
ALIASES = ("[Putin]", "[Putin, Vova]", "[]")


def _state() -> dict[str, dict[str, object]]:
    return {name: {"title": f"Analysis {name}", "date": DATES[i % 3], "draft": False, "actors": ACTOR_SETS[i % 2],
                   "status": "reported", "shift": False, "body": BODIES[i % 4], "present": True,
                   "claim": f"claim-{name}", "event": "Talks", "revisited": "2026-02-02"}
            for i, name in enumerate(ARTICLES)}


def _article_text(name: str, s: Mapping[str, object]) -> str:
    lines = ["---"]
    if s["shift"]:
        lines.append("# moved down a line")
    actors = ", ".join(s["actors"])  # type: ignore[arg-type]
    lines += [f"title: {s['title']}", f"date: {s['date']}", f"actors: [{actors}]"]
    if name != "e":
        lines += ["claims:", f"  - id: {s['claim']}", "    speaker: dmitry-peskov", f"    text: Said in {name}.",
                  "    about: [vladimir-putin]"]
        if name != "a":  # revisits of a's claim (unknown when a is gone or a draft)
            lines += ["  - revisits: claim-a", f"    status: {s['status']}", f"    date: {s['revisited']}"]
        lines += ["events:", "  - date: 2026-01-15", f"    title: {s['event']}", "    actors: [vladimir-putin]"]
    if s["draft"]:  # last, so that no other line moves
        lines.append("draft: true")
    lines.append("---")
    return "\n".join(lines) + "\n" + str(s["body"])


def _files(state: Mapping[str, Mapping[str, object]], alias: str) -> dict[str, str]:
    files = {rel: text for rel, text in BASE_SITE.items() if rel.startswith("content/")}
    person = "content/people/vladimir-putin.md"
    head, _, rest = files[person].partition("\n---\n")
    files[person] = "\n".join(line for line in head.split("\n") if not line.startswith("aliases:")) \
        + f"\naliases: {alias}\n---\n" + rest
    for name, s in state.items():
        if s["present"]:
            files[f"content/articles/{name}.md"] = _article_text(name, s)
    return dict(sorted(files.items()))


def _sources(files: Mapping[str, str]) -> list[Source]:
    out = []
    for rel, text in files.items():
        folder, stem = rel.split("/")[1], rel.rsplit("/", 1)[1][:-3]
        out.append(Source(rel, text, hashlib.sha256(text.encode()).hexdigest(), KIND_BY_FOLDER[folder], stem))
    return out


class _Parsed:
    """Records by (path, sha256), as a process that builds again keeps them: a file that did not
    change gives back the very record it gave last time."""

    def __init__(self) -> None:
        self.kept: dict[tuple[str, str], Record | None] = {}

    def records(self, sources: list[Source]) -> list[Record]:
        kept: dict[tuple[str, str], Record | None] = {}
        for source in sources:
            key = (source.path, source.sha256)
            if key not in self.kept:
                ignored = Diagnostics()
                doc = parse(source, ignored)
                self.kept[key] = validate(doc, ignored) if doc is not None else None
            kept[key] = self.kept[key]
        self.kept = kept
        return [r for r in kept.values() if r is not None]


@contextmanager
def _without_memo() -> Iterator[None]:
    saved = resolve_module._LAST
    resolve_module._LAST = None
    try:
        yield
    finally:
        resolve_module._LAST = saved


def _both(sources: list[Source], records: list[Record], drafts: bool
          ) -> tuple[Graph, tuple[Diagnostic, ...], Graph, tuple[Diagnostic, ...]]:
    kept = Diagnostics()
    graph = resolve(sources, records, kept, drafts=drafts, keep=True)
    with _without_memo():
        fresh = Diagnostics()
        reference = resolve(sources, records, fresh, drafts=drafts)
    return graph, kept.sorted(), reference, fresh.sorted()


EDITS = st.tuples(
    st.sampled_from(ARTICLES),
    st.sampled_from(("title", "date", "draft", "actors", "status", "shift", "body", "present", "claim", "event",
                     "revisited", "alias", "drafts")),
    st.integers(min_value=0, max_value=4),
)


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(EDITS, min_size=1, max_size=12))
def test_a_resolve_that_reuses_the_last_one_finds_what_a_fresh_one_finds(edits: list[tuple[str, str, int]]) -> None:
    state, alias, drafts = _state(), ALIASES[0], False
    parsed = _Parsed()
    resolve_module._LAST = None
    sources = _sources(_files(state, alias))
    _both(sources, parsed.records(sources), drafts)
    for name, what, n in edits:
        s = state[name]
        if what == "title":
            s["title"] = f"Analysis {name}, take {n}"
        elif what == "date":
            s["date"] = DATES[n % 3]
        elif what == "draft":
            s["draft"] = not s["draft"]
        elif what == "actors":
            s["actors"] = ACTOR_SETS[n]
        elif what == "status":
            s["status"] = STATUSES[n % 3]
        elif what == "shift":
            s["shift"] = not s["shift"]
        elif what == "body":
            s["body"] = BODIES[n % 4]
        elif what == "revisited":
            s["revisited"] = DATES[n % 3]  # may be earlier than the claim: BW310
        elif what == "present":
            s["present"] = not s["present"]
        elif what == "claim":
            s["claim"] = f"claim-{ARTICLES[n % 4]}"  # may take another article's claim id: BW304
        elif what == "event":
            s["event"] = f"Talks, round {n}"
        elif what == "alias":
            alias = ALIASES[n % 3]
        else:
            drafts = not drafts
        sources = _sources(_files(state, alias))
        graph, found, reference, expected = _both(sources, parsed.records(sources), drafts)
        assert graph == reference
        assert found == expected
        assert relations(graph) == relations_module._relations(graph)


def test_a_title_edit_reuses_the_claims_back_links_and_relations_and_a_date_edit_does_not() -> None:
    state = _state()
    parsed = _Parsed()
    resolve_module._LAST = None
    sources = _sources(_files(state, ALIASES[0]))
    first, _, _, _ = _both(sources, parsed.records(sources), False)
    made = relations(first)

    state["b"]["title"] = "A new title"
    sources = _sources(_files(state, ALIASES[0]))
    retitled, _, reference, _ = _both(sources, parsed.records(sources), False)
    assert retitled == reference
    assert retitled.articles["b"].title == "A new title"
    assert retitled.claims is first.claims and retitled.backlinks is first.backlinks
    assert relations(retitled) is made

    state["b"]["date"] = "2026-02-01" if state["b"]["date"] != "2026-02-01" else "2026-01-10"
    sources = _sources(_files(state, ALIASES[0]))
    redated, _, reference, _ = _both(sources, parsed.records(sources), False)
    assert redated == reference
    assert redated.claims is not retitled.claims
    assert relations(redated) is not made and relations(redated) == relations_module._relations(redated)


def test_a_record_parsed_again_is_checked_again() -> None:
    """An article checked last time is trusted by identity only: the same text parsed again is a
    new record, compared field by field, and its problems are found again."""
    state = _state()
    state["c"]["actors"] = ("nobody",)  # BW301
    parsed = _Parsed()
    resolve_module._LAST = None
    sources = _sources(_files(state, ALIASES[0]))
    records = parsed.records(sources)
    _, found, _, expected = _both(sources, records, False)
    assert [d.code for d in found] == [d.code for d in expected] and "BW301" in [d.code for d in found]
    again = _Parsed()  # every record new, equal to the last ones
    graph, found, reference, expected = _both(sources, again.records(sources), False)
    assert graph == reference and found == expected and "BW301" in [d.code for d in found]


def test_an_alias_edit_checks_every_article_again() -> None:
    """A name written for an id is told its id while the name is known, and not after."""
    state = _state()
    state["b"]["body"] = "Met [[Putin]].\n"
    parsed = _Parsed()
    resolve_module._LAST = None
    hints = []
    for alias in ("[Putin]", "[]"):
        sources = _sources(_files(state, alias))
        graph, found, reference, expected = _both(sources, parsed.records(sources), False)
        assert graph == reference and found == expected
        hints.append([d.hint for d in found if d.code == "BW301"])
    assert hints[0] == ["'Putin' is a name: write its id 'vladimir-putin'"] * 2  # in b and d
    assert len(hints[1]) == 2 and not any("is a name" in hint for hint in hints[1])


def test_a_date_edit_of_an_article_without_claims_orders_the_back_links_again() -> None:
    state = _state()
    parsed = _Parsed()
    resolve_module._LAST = None
    orders = []
    for date in ("2026-01-20", "2026-02-01"):
        state["e"]["date"] = date
        sources = _sources(_files(state, ALIASES[0]))
        graph, found, reference, expected = _both(sources, parsed.records(sources), False)
        assert graph == reference and found == expected
        orders.append(graph.backlinks["vladimir-putin"].articles)
    assert orders[0].index("e") > orders[0].index("c") and orders[1][:2] == ("c", "e")
    assert orders[0] != orders[1]
