"""The resolve stage: ids, kinds, claim histories, back-links and drafts, over the base site."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

from site_helpers import BASE_SITE, line_of, make_site

from boardwatch.build import load
from boardwatch.diagnostics import Diagnostic, Severity
from boardwatch.model import Graph


def _load(tmp_path: Path, files: dict[str, str | None] | None = None, *, drafts: bool = False
          ) -> tuple[Graph, list[Diagnostic]]:
    loaded = load(make_site(tmp_path, files), drafts=drafts)
    return loaded.graph, list(loaded.diagnostics.sorted())


def _article(name: str, date: str, *lines: str, body: str = "") -> dict[str, str]:
    head = [f"title: {name}", f"date: {date}", "actors: [vladimir-putin]"]
    return {f"content/articles/{name}.md": "---\n" + "\n".join([*head, *lines]) + "\n---\n" + body}


def _only(diags: list[Diagnostic], code: str) -> Diagnostic:
    assert [d.code for d in diags] == [code], diags
    return diags[0]


def test_the_base_site_resolves_cleanly(tmp_path: Path) -> None:
    graph, diags = _load(tmp_path)
    assert diags == []
    assert set(graph.entities) == {"vladimir-putin", "donald-trump", "dmitry-peskov", "russia", "united-states",
                                   "gaza", "kremlin", "board-of-peace"}
    assert list(graph.articles) == ["putin-invited"]
    assert list(graph.claims) == ["peskov-confirms-invitation"]


def test_unknown_id_suggests_the_nearest(tmp_path: Path) -> None:
    files = _article("a", "2026-01-20", "claims:", "  - id: c", "    speaker: vladimir-puttin", "    text: T")
    _, diags = _load(tmp_path, files)
    d = _only(diags, "BW301")
    text = files["content/articles/a.md"]
    assert (d.span.file, d.span.line, d.span.column) == ("content/articles/a.md", line_of(text, "puttin"), 14)
    assert d.key_path == "claims[0].speaker"
    assert "did you mean 'vladimir-putin'?" in d.hint
    assert "vladimir-puttin" in d.message


def test_unknown_id_without_a_near_one_says_where_ids_come_from(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, _article("a", "2026-01-20", "initiatives: [zzzzqqq]"))
    d = _only(diags, "BW301")
    assert "did you mean" not in d.hint
    assert "file names under content/people/" in d.hint


def test_a_name_used_as_an_id_gets_the_id_as_hint(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, _article("a", "2026-01-20", body="Met [[Vladimir Putin]] and [[Putin|him]].\n"))
    assert [d.code for d in diags] == ["BW301", "BW301"]
    first, second = diags
    assert (first.span.line, first.span.column, first.key_path) == (6, 7, "body")
    assert "write its id 'vladimir-putin'" in first.hint
    assert (second.span.line, second.span.column) == (6, 30)
    assert "'vladimir-putin'" in second.hint


def test_wrong_kind(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, {"content/people/x.md": "---\nname: X\nnationality: kremlin\n---\n"})
    d = _only(diags, "BW303")
    assert (d.span.file, d.span.line, d.span.column, d.key_path) == ("content/people/x.md", 3, 14, "nationality")
    assert "'kremlin' is a body" in d.message
    assert "content/bodies/kremlin.md" in d.hint


def test_an_initiative_listed_as_actor_points_to_initiatives(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, _article("a", "2026-01-20", "initiatives: [russia]", "events:",
                                        "  - date: 2026-01-20", "    title: E", "    actors: [board-of-peace]"))
    assert [d.code for d in diags] == ["BW303", "BW303"]
    assert (diags[0].key_path, diags[1].key_path) == ("initiatives[0]", "events[0].actors[0]")
    assert "'russia' is a state" in diags[0].message
    assert "list initiatives under 'initiatives:'" in diags[1].hint


def test_duplicate_ids_across_kinds(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, {"content/bodies/russia.md": "---\nname: Russia (body)\n---\n"})
    d = _only(diags, "BW302")  # and no wrong-kind errors where russia is named
    assert {d.span.file, *d.message.split()} >= {"content/states/russia.md", "content/bodies/russia.md"}
    assert "content/bodies/russia.md and content/states/russia.md" in d.hint


def test_duplicate_slugs(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, {**_article("b", "2026-01-20", "slug: putin-invited")})
    d = _only(diags, "BW306")  # reported where 'slug:' made the clash
    assert (d.span.file, d.key_path) == ("content/articles/b.md", "slug")
    assert "content/articles/putin-invited.md" in d.message
    assert "slug" in d.hint


def test_same_file_name_in_two_folders(tmp_path: Path) -> None:
    [(_, text)] = _article("putin-invited", "2026-01-20").items()
    _, diags = _load(tmp_path, {"content/articles/2026/putin-invited.md": text})
    d = _only(diags, "BW306")
    assert (d.span.file, d.key_path) == ("content/articles/putin-invited.md", "")
    assert "content/articles/2026/putin-invited.md" in d.message


def test_duplicate_claim_ids(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, _article("later", "2026-01-25", "claims:", "  - id: peskov-confirms-invitation",
                                        "    speaker: dmitry-peskov", "    text: Again."))
    d = _only(diags, "BW304")
    assert d.span.file == "content/articles/later.md"
    assert "content/articles/putin-invited.md" in d.message
    assert "revisits" in d.hint


def _revisit(name: str, date: str, status: str, *extra: str) -> dict[str, str]:
    return _article(name, date, "claims:", "  - revisits: peskov-confirms-invitation", f"    status: {status}", *extra)


def test_claim_history_is_ordered_by_date_whatever_the_file_order(tmp_path: Path) -> None:
    graph, diags = _load(tmp_path, {**_revisit("a-late", "2026-03-01", "false"),
                                    **_revisit("z-early", "2026-02-01", "disputed"),
                                    **_revisit("m-dated", "2026-04-01", "confirmed", "    date: 2026-01-20")})
    assert diags == []
    claim = graph.claims["peskov-confirms-invitation"]
    assert [(s.article, s.status, s.date) for s in claim.history] == [
        ("putin-invited", "reported", dt.date(2026, 1, 19)),
        ("m-dated", "confirmed", dt.date(2026, 1, 20)),
        ("z-early", "disputed", dt.date(2026, 2, 1)),
        ("a-late", "false", dt.date(2026, 3, 1)),
    ]
    assert claim.status == "false"
    assert claim.article == "putin-invited"


def test_revisits_on_one_day_are_ordered_by_slug(tmp_path: Path) -> None:
    graph, _ = _load(tmp_path, {**_revisit("b", "2026-02-01", "false"), **_revisit("a", "2026-02-01", "confirmed")})
    assert [s.article for s in graph.claims["peskov-confirms-invitation"].history] == ["putin-invited", "a", "b"]


def test_revisit_of_an_unknown_claim(tmp_path: Path) -> None:
    files = _article("a", "2026-02-01", "claims:", "  - revisits: peskov-confirms-invitaton", "    status: false")
    _, diags = _load(tmp_path, files)
    d = _only(diags, "BW305")
    assert (d.span.line, d.key_path) == (line_of(files["content/articles/a.md"], "revisits:"),
                                         "claims[0].revisits")
    assert "did you mean 'peskov-confirms-invitation'?" in d.hint


def test_revisit_dated_before_the_claim_is_a_warning(tmp_path: Path) -> None:
    graph, diags = _load(tmp_path, _revisit("a", "2026-02-01", "false", "    date: 2026-01-01"))
    d = _only(diags, "BW310")
    assert d.severity is Severity.WARNING
    assert len(graph.claims["peskov-confirms-invitation"].history) == 2


def test_drafts_are_left_out_unless_asked_for(tmp_path: Path) -> None:
    files = {**_article("draft-piece", "2026-02-01", "draft: true", "claims:", "  - id: draft-claim",
                        "    speaker: vladimir-putin", "    text: T", body="[[dmitry-peskov]]\n"),
             **_article("later", "2026-02-02", "claims:", "  - revisits: draft-claim", "    status: confirmed")}
    graph, diags = _load(tmp_path, files)
    assert diags == []  # the revisit of a draft's claim waits for the draft
    assert "draft-piece" not in graph.articles and "draft-claim" not in graph.claims
    assert "draft-piece" not in graph.backlinks["dmitry-peskov"].articles
    graph, diags = _load(tmp_path, files, drafts=True)
    assert diags == []
    assert "draft-piece" in graph.articles
    assert [s.article for s in graph.claims["draft-claim"].history] == ["draft-piece", "later"]
    assert "draft-piece" in graph.backlinks["dmitry-peskov"].articles


def test_a_draft_claim_id_still_counts_as_used(tmp_path: Path) -> None:
    files = {**_article("draft-piece", "2026-02-01", "draft: true", "claims:", "  - id: c1",
                        "    speaker: vladimir-putin", "    text: T"),
             **_article("other", "2026-02-02", "claims:", "  - id: c1", "    speaker: vladimir-putin", "    text: T")}
    _, diags = _load(tmp_path, files)
    assert [d.code for d in diags] == ["BW304"]


def test_back_links(tmp_path: Path) -> None:
    graph, _ = _load(tmp_path, _article("events-piece", "2026-01-21", "events:", "  - date: 2026-01-21",
                                        "    title: Talks", "    actors: [vladimir-putin, donald-trump]",
                                        "    initiative: board-of-peace"))
    putin = graph.backlinks["vladimir-putin"]
    assert putin.articles == ("events-piece", "putin-invited")  # newest first
    assert putin.claims_about == ("peskov-confirms-invitation",)
    assert putin.claims_by == ()
    assert putin.initiatives == ("board-of-peace",)  # invited to it
    assert [e.title for e in putin.events] == ["Talks"]
    assert graph.backlinks["dmitry-peskov"].claims_by == ("peskov-confirms-invitation",)
    assert graph.backlinks["board-of-peace"].events == putin.events
    russia = graph.backlinks["russia"]
    assert set(russia.related) == {"vladimir-putin", "dmitry-peskov", "kremlin"}
    assert graph.backlinks["donald-trump"].initiatives == ("board-of-peace",)  # chair
    assert graph.backlinks["gaza"].initiatives == ("board-of-peace",)  # focus


def test_articles_newest_first_and_events_chronological(tmp_path: Path) -> None:
    files = {**_article("old", "2025-01-01", "events:", "  - date: 2025-06-01", "    title: Second"),
             **_article("new", "2026-06-01", "events:", "  - date: 2024-01-01", "    title: First")}
    graph, _ = _load(tmp_path, files)
    assert list(graph.articles) == ["new", "putin-invited", "old"]
    assert [e.title for e in graph.events] == ["First", "Second"]


def test_names_table_longest_first_and_ambiguous_aliases_left_out(tmp_path: Path) -> None:
    graph, diags = _load(tmp_path, {"content/people/vladimir-putin-junior.md":
                                    "---\nname: Vladimir Putin Junior\naliases: [Putin]\n---\n"})
    assert [d.code for d in diags] == ["BW308", "BW308"]
    assert all(d.severity is Severity.WARNING for d in diags)
    names = dict(graph.names)
    assert "Putin" not in names
    assert names["Vladimir Putin"] == "vladimir-putin"
    lengths = [len(n) for n, _ in graph.names]
    assert lengths == sorted(lengths, reverse=True)


def test_invitation_source_must_be_an_article(tmp_path: Path) -> None:
    text = BASE_SITE["content/initiatives/board-of-peace.md"].replace("source: putin-invited", "source: putin-invite")
    _, diags = _load(tmp_path, {"content/initiatives/board-of-peace.md": text})
    d = _only(diags, "BW307")
    assert (d.span.line, d.key_path) == (line_of(text, "source:"), "invitations[0].source")
    assert "did you mean 'putin-invited'?" in d.hint


def test_article_naming_no_actor_is_a_warning(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, {"content/articles/lonely.md": "---\ntitle: T\ndate: 2026-01-01\n---\nNo one.\n"})
    d = _only(diags, "BW309")
    assert d.severity is Severity.WARNING
    assert "actors:" in d.hint


def test_a_broken_entity_file_does_not_cascade(tmp_path: Path) -> None:
    # Syntax error: the id still exists, so articles mentioning it raise nothing more.
    _, diags = _load(tmp_path, {"content/people/vladimir-putin.md": "---\nname: [Vladimir Putin\n---\n"})
    assert [(d.code, d.span.file) for d in diags] == [("BW104", "content/people/vladimir-putin.md")]


def test_an_undecodable_entity_file_does_not_cascade(tmp_path: Path) -> None:
    loaded = load(make_site(tmp_path, {"content/people/vladimir-putin.md": b"---\nname: Vladimir Put\xefn\n---\n"}))
    assert [(d.code, d.span.file) for d in loaded.diagnostics.sorted()] == [
        ("BW101", "content/people/vladimir-putin.md")]


def test_an_entity_failing_the_schema_does_not_cascade(tmp_path: Path) -> None:
    _, diags = _load(tmp_path, {"content/people/vladimir-putin.md": "---\naliases: [Putin]\n---\n"})
    assert [(d.code, d.span.file) for d in diags] == [("BW201", "content/people/vladimir-putin.md")]


def test_a_broken_article_does_not_cascade_into_its_revisits(tmp_path: Path) -> None:
    broken = BASE_SITE["content/articles/putin-invited.md"].replace("date: 2026-01-19", "date: someday")
    _, diags = _load(tmp_path, {"content/articles/putin-invited.md": broken,
                                **_revisit("later", "2026-02-01", "confirmed")})
    assert [d.code for d in diags if d.severity is Severity.ERROR] == ["BW206"]
