"""The validate stage: every key type, unknown keys with suggestions, claim revisit rules."""

from __future__ import annotations

import datetime as dt

import pytest

from boardwatch.diagnostics import Diagnostic, Diagnostics
from boardwatch.frontmatter import parse
from boardwatch.model import Article, Entity, Kind, NewClaim, Record, Revisit, Source
from boardwatch.sources import KIND_BY_FOLDER


def _validate(text: str, path: str = "content/articles/a.md") -> tuple[Record | None, list[Diagnostic]]:
    from boardwatch.schema import validate
    folder = path.split("/")[1]
    stem = path.rsplit("/", 1)[1][: -len(".md")]
    diags = Diagnostics()
    doc = parse(Source(path=path, text=text, sha256="", kind=KIND_BY_FOLDER[folder], stem=stem), diags)
    assert doc is not None, list(diags)
    return validate(doc, diags), list(diags)


def _ok(text: str, path: str = "content/articles/a.md") -> Record:
    record, diags = _validate(text, path)
    assert diags == [], diags
    assert record is not None
    return record


def _errors(text: str, path: str = "content/articles/a.md") -> list[Diagnostic]:
    record, diags = _validate(text, path)
    assert record is None, "a record with errors is left out of the graph"
    assert diags
    return diags


def _fm(*lines: str, body: str = "") -> str:
    return "---\n" + "\n".join(lines) + "\n---\n" + body


ARTICLE_HEAD = ("title: T", "date: 2026-01-19")


def _article(*lines: str, body: str = "") -> str:
    return _fm(*ARTICLE_HEAD, *lines, body=body)


# -- entities ---------------------------------------------------------------------------------

def test_person_with_every_key() -> None:
    e = _ok(_fm(
        "name: Vladimir Putin", "aliases: [Putin, Russian President]", "summary: President of Russia.",
        "wikidata: Q7747", "links:", "  - title: Wikipedia", "    url: https://en.wikipedia.org/wiki/Putin",
        "roles:", "  - title: President", "    of: russia", "    from: 2000-05-07", "    to: 2008-05-07",
        "nationality: russia", "tags: [russia, russia, Board]", "extra: {anything: [goes]}",
        body="President of [[russia]].\n"), "content/people/vladimir-putin.md")
    assert isinstance(e, Entity)
    assert (e.id, e.kind, e.name, e.aliases) == ("vladimir-putin", Kind.PERSON, "Vladimir Putin",
                                                 ("Putin", "Russian President"))
    assert (e.summary, e.wikidata) == ("President of Russia.", "Q7747")
    assert [(l.title, l.url) for l in e.links] == [("Wikipedia", "https://en.wikipedia.org/wiki/Putin")]
    [role] = e.roles
    assert (role.title, role.of and role.of.id, role.start, role.end) == (
        "President", "russia", dt.date(2000, 5, 7), dt.date(2008, 5, 7))
    assert e.nationality is not None and (e.nationality.id, e.nationality.span.line) == ("russia", 14)
    assert e.tags == ("russia", "Board")  # duplicates dropped, order kept
    assert e.profile_md == "President of [[russia]].\n"
    [ref] = e.body_refs
    assert (ref.id, ref.span.line, ref.span.column, ref.key_path) == ("russia", 18, 16, "body")


def test_a_single_alias_may_be_written_as_text() -> None:
    e = _ok(_fm("name: Vladimir Putin", "aliases: Putin"), "content/people/vladimir-putin.md")
    assert isinstance(e, Entity) and e.aliases == ("Putin",)


def test_state_keys() -> None:
    e = _ok(_fm("name: Gaza Strip", "territory: true"), "content/states/gaza.md")
    assert isinstance(e, Entity) and (e.kind, e.territory, e.iso) == (Kind.STATE, True, "")
    e = _ok(_fm("name: Russia", "iso: RU"), "content/states/russia.md")
    assert isinstance(e, Entity) and (e.territory, e.iso) == (False, "RU")


@pytest.mark.parametrize("line, code", [("iso: ru", "BW208"), ("iso: RUS", "BW208"), ("territory: yes please", "BW203"),
                                        ("territory: 1", "BW203")])
def test_bad_state_values(line: str, code: str) -> None:
    [d] = _errors(_fm("name: Russia", line), "content/states/russia.md")
    assert (d.code, d.span.line, d.key_path) == (code, 3, line.split(":")[0])


def test_body_keys_and_type_default() -> None:
    e = _ok(_fm("name: Kremlin", "type: government", "parent: russia", "seat: russia"), "content/bodies/kremlin.md")
    assert isinstance(e, Entity) and (e.body_type, e.parent and e.parent.id, e.seat and e.seat.id) == (
        "government", "russia", "russia")
    e = _ok(_fm("name: Kremlin"), "content/bodies/kremlin.md")
    assert isinstance(e, Entity) and e.body_type == "other"


def test_bad_choice_suggests_the_nearest() -> None:
    [d] = _errors(_fm("name: Kremlin", "type: goverment"), "content/bodies/kremlin.md")
    assert (d.code, d.span.line, d.span.column, d.key_path) == ("BW204", 3, 7, "type")
    assert "'government'" in d.hint


def test_initiative_keys() -> None:
    e = _ok(_fm(
        "name: Board of Peace", "status: forming", "launched: 2026-01-15", "chair: donald-trump",
        "members: united-states", "focus: [gaza, israel]", "invitations:", "  - invitee: vladimir-putin",
        "    date: 2026-01-19", "    by: donald-trump", "    status: declined", "    source: putin-invited",
        "  - invitee: xi-jinping"), "content/initiatives/board-of-peace.md")
    assert isinstance(e, Entity)
    assert (e.status, e.launched, e.chair and e.chair.id) == ("forming", dt.date(2026, 1, 15), "donald-trump")
    assert [r.id for r in e.members] == ["united-states"]
    assert [r.id for r in e.focus] == ["gaza", "israel"]
    first, second = e.invitations
    assert (first.invitee.id, first.date, first.by and first.by.id, first.status, first.source and first.source.id) == (
        "vladimir-putin", dt.date(2026, 1, 19), "donald-trump", "declined", "putin-invited")
    assert (second.invitee.id, second.status, second.source) == ("xi-jinping", "pending", None)
    assert first.invitee.key_path == "invitations[0].invitee"


def test_initiative_defaults() -> None:
    e = _ok(_fm("name: Board of Peace"), "content/initiatives/board-of-peace.md")
    assert isinstance(e, Entity) and (e.status, e.chair, e.members, e.invitations) == ("proposed", None, (), ())


def test_invitation_problems_are_all_reported() -> None:
    diags = _errors(_fm("name: Board of Peace", "invitations:", "  - date: 2026-01-19", "    status: maybe",
                        "    sorce: x"), "content/initiatives/board-of-peace.md")
    assert [(d.code, d.span.line, d.key_path) for d in diags] == [
        ("BW201", 4, "invitations[0]"), ("BW204", 5, "invitations[0].status"), ("BW202", 6, "invitations[0].sorce")]
    assert "'invitee" in diags[0].hint
    assert "did you mean 'source'?" in diags[2].hint


def test_members_must_be_ids() -> None:
    [d] = _errors(_fm("name: B", "members: {a: b}"), "content/initiatives/b.md")
    assert (d.code, d.key_path) == ("BW203", "members")
    [d] = _errors(_fm("name: B", "members: [a, {b: c}]"), "content/initiatives/b.md")
    assert (d.code, d.key_path) == ("BW203", "members[1]")


@pytest.mark.parametrize("url", ["javascript:alert(1)", "ftp://example.org/x", "//example.org", "example.org",
                                 "https://", "data:text/html,hi"])
def test_links_must_be_http(url: str) -> None:
    [d] = _errors(_fm("name: X", "links:", "  - title: T", f'    url: "{url}"'), "content/people/x.md")
    assert (d.code, d.span.line, d.span.column, d.key_path) == ("BW207", 5, 10, "links[0].url")
    assert "https://" in d.hint


def test_link_needs_a_title() -> None:
    [d] = _errors(_fm("name: X", "links:", "  - url: https://example.org/"), "content/people/x.md")
    assert (d.code, d.key_path) == ("BW201", "links[0]")


def test_wikidata_pattern() -> None:
    [d] = _errors(_fm("name: X", "wikidata: 7747"), "content/people/x.md")
    assert (d.code, d.key_path) == ("BW208", "wikidata")
    assert "Q7747" in d.hint


def test_missing_name() -> None:
    [d] = _errors(_fm("summary: nobody"), "content/people/x.md")
    assert (d.code, d.key_path) == ("BW201", "")
    assert "name: Vladimir Putin" in d.hint


def test_role_unknown_key_suggests() -> None:
    [d] = _errors(_fm("name: X", "roles:", "  - title: T", "    form: 2020-01-01"), "content/people/x.md")
    assert (d.code, d.span.line, d.span.column, d.key_path) == ("BW202", 5, 5, "roles[0].form")
    assert "did you mean 'from'?" in d.hint


def test_unknown_entity_key_suggests_and_lists_known_keys() -> None:
    [d] = _errors(_fm("name: X", "nationalty: russia"), "content/people/x.md")
    assert (d.code, d.span.line, d.span.column, d.key_path) == ("BW202", 3, 1, "nationalty")
    assert "did you mean 'nationality'?" in d.hint
    assert "roles" in d.hint  # the known keys are listed


def test_article_keys_belong_to_articles_only() -> None:
    [d] = _errors(_fm("name: X", "title: T"), "content/people/x.md")
    assert (d.code, d.key_path) == ("BW202", "title")


@pytest.mark.parametrize("name", ["Vladimir_Putin", "VladimirPutin", "putin--v"])
def test_file_name_must_give_a_valid_id(name: str) -> None:
    [d] = _errors(_fm("name: X"), f"content/people/{name}.md")
    assert (d.code, d.span.file) == ("BW205", f"content/people/{name}.md")
    assert f"'{name}.md'" in d.message
    assert "lower-case" in d.hint


# -- articles ---------------------------------------------------------------------------------

def test_article_with_every_key() -> None:
    a = _ok(_article(
        "updated: 2026-01-20", "summary: S", "authors: [A, B]", "source:", "  name: Report",
        "  url: https://example.org/r", "  date: 2026-01-18", "actors: [vladimir-putin, russia]",
        "initiatives: board-of-peace", "tags: [gaza]", "draft: true", "slug: custom-slug", "extra: {x: 1}",
        body="See [[vladimir-putin|him]].\n"))
    assert isinstance(a, Article)
    assert (a.slug, a.title, a.date, a.updated, a.summary, a.authors, a.draft) == (
        "custom-slug", "T", dt.date(2026, 1, 19), dt.date(2026, 1, 20), "S", ("A", "B"), True)
    assert a.source is not None and (a.source.name, a.source.url, a.source.date) == (
        "Report", "https://example.org/r", dt.date(2026, 1, 18))
    assert [r.id for r in a.actors] == ["vladimir-putin", "russia"]
    assert [r.id for r in a.initiatives] == ["board-of-peace"]
    assert a.tags == ("gaza",)
    assert [(r.id, r.span.line, r.span.column) for r in a.body_refs] == [("vladimir-putin", 18, 7)]


def test_slug_defaults_to_the_file_name() -> None:
    a = _ok(_article(), "content/articles/2026/putin-invited.md")
    assert isinstance(a, Article) and a.slug == "putin-invited"


def test_a_date_with_time_and_offset_is_kept_aware() -> None:
    a = _ok(_fm("title: T", "date: 2026-01-19T09:30:00+03:00"))
    assert isinstance(a, Article) and isinstance(a.date, dt.datetime)
    assert a.date.utcoffset() == dt.timedelta(hours=3)
    a = _ok(_fm("title: T", 'date: "2026-01-19 09:30"'))
    assert isinstance(a, Article) and isinstance(a.date, dt.datetime) and a.date.tzinfo is not None
    a = _ok(_fm("title: T", 'date: "2026-01-19"'))
    assert isinstance(a, Article) and a.date == dt.date(2026, 1, 19) and not isinstance(a.date, dt.datetime)


def test_a_number_title_is_text() -> None:
    a = _ok(_fm("title: 1984", "date: 2026-01-19"))
    assert isinstance(a, Article) and a.title == "1984"


@pytest.mark.parametrize("value", ["2026-13-01", "19 January 2026", "yesterday", "2026-02-30", "[2026]", "true"])
def test_bad_dates(value: str) -> None:
    diags = _errors(_fm("title: T", f"date: {value}"))
    assert [(d.code, d.span.line, d.span.column, d.key_path) for d in diags] == [("BW206", 3, 7, "date")]
    assert "YYYY-MM-DD" in diags[0].hint


@pytest.mark.parametrize("missing, present", [("title", "date: 2026-01-19"), ("date", "title: T")])
def test_missing_required_article_keys(missing: str, present: str) -> None:
    [d] = _errors(_fm(present, "tags: [x]"))
    assert (d.code, d.key_path, d.span.line) == ("BW201", "", 2)
    assert f"'{missing}'" in d.message
    assert f"add '{missing}: ...'" in d.hint


def test_null_counts_as_missing_and_empty_text_is_invalid() -> None:
    [d] = _errors(_fm("title:", "date: 2026-01-19"))
    assert d.code == "BW201"
    [d] = _errors(_fm('title: "  "', "date: 2026-01-19"))
    assert (d.code, d.key_path) == ("BW208", "title")


def test_list_where_text_is_wanted() -> None:
    [d] = _errors(_fm("title: [Putin, invited]", "date: 2026-01-19"))
    assert (d.code, d.span.line, d.span.column, d.key_path) == ("BW203", 2, 8, "title")
    assert "a list" in d.message


@pytest.mark.parametrize("line, path", [("draft: maybe", "draft"), ("actors: {a: b}", "actors"),
                                        ("source: just a name", "source"), ("claims: a claim", "claims"),
                                        ("events: {date: 2026-01-01}", "events"), ("extra: [1]", "extra"),
                                        ("authors: {a: b}", "authors")])
def test_wrong_types(line: str, path: str) -> None:
    [d] = _errors(_article(line))
    assert (d.code, d.span.line, d.key_path) == ("BW203", 4, path)


@pytest.mark.parametrize("slug", ["Not A Slug", "a_b", "-a"])
def test_invalid_slug_override(slug: str) -> None:
    [d] = _errors(_article(f'slug: "{slug}"'))
    assert (d.code, d.span.line, d.key_path) == ("BW205", 4, "slug")


def test_every_bad_key_is_reported() -> None:
    diags = _errors(_fm("titel: T", "date: someday", "draft: perhaps", "tags: {a: b}"))
    assert sorted((d.code, d.span.line) for d in diags) == [
        ("BW201", 2), ("BW202", 2), ("BW203", 4), ("BW203", 5), ("BW206", 3)]
    unknown = next(d for d in diags if d.code == "BW202")
    assert "did you mean 'title'?" in unknown.hint


# -- claims and revisits ----------------------------------------------------------------------

def test_new_claim_defaults() -> None:
    a = _ok(_article("claims:", "  - id: c1", "    speaker: dmitry-peskov", "    text: Said a thing."))
    assert isinstance(a, Article)
    [c] = a.claims
    assert isinstance(c, NewClaim)
    assert (c.id, c.speaker.id, c.text, c.status, c.date, c.quote, c.about, c.note) == (
        "c1", "dmitry-peskov", "Said a thing.", "reported", dt.date(2026, 1, 19), "", (), "")
    assert (c.span.line, c.speaker.key_path) == (5, "claims[0].speaker")


def test_new_claim_with_every_key() -> None:
    a = _ok(_article("claims:", "  - id: c1", "    speaker: dmitry-peskov", "    text: Said.", "    quote: words",
                     "    about: [vladimir-putin]", "    date: 2026-01-18", "    status: disputed", "    note: N"))
    assert isinstance(a, Article)
    [c] = a.claims
    assert isinstance(c, NewClaim)
    assert (c.quote, [r.id for r in c.about], c.date, c.status, c.note) == (
        "words", ["vladimir-putin"], dt.date(2026, 1, 18), "disputed", "N")


def test_new_claim_needs_id_speaker_and_text() -> None:
    diags = _errors(_article("claims:", "  - quote: q"))
    assert sorted(d.hint.split(" ")[1] for d in diags if d.code == "BW201") == ["'id:", "'speaker:", "'text:"]
    assert {d.key_path for d in diags} == {"claims[0]"}


def test_claim_key_typo_suggests_speaker() -> None:
    diags = _errors(_article("claims:", "  - id: c1", "    speakr: dmitry-peskov", "    text: T"))
    unknown = next(d for d in diags if d.code == "BW202")
    assert (unknown.span.line, unknown.span.column, unknown.key_path) == (6, 5, "claims[0].speakr")
    assert "did you mean 'speaker'?" in unknown.hint


def test_bad_claim_status_suggests() -> None:
    [d] = _errors(_article("claims:", "  - id: c1", "    speaker: s", "    text: T", "    status: verified"))
    assert (d.code, d.span.line, d.span.column, d.key_path) == ("BW204", 8, 13, "claims[0].status")
    assert "'unverified'" in d.hint


def test_invalid_claim_id() -> None:
    [d] = _errors(_article("claims:", "  - id: Claim One", "    speaker: s", "    text: T"))
    assert (d.code, d.key_path) == ("BW205", "claims[0].id")


def test_claim_item_must_be_a_mapping() -> None:
    [d] = _errors(_article("claims:", "  - Putin said something"))
    assert (d.code, d.span.line, d.key_path) == ("BW203", 5, "claims[0]")


def test_revisit() -> None:
    a = _ok(_article("claims:", "  - revisits: c1", "    status: confirmed", "    note: On the record.",
                     "  - revisits: c2", "    status: denied", "    date: 2026-02-01"))
    assert isinstance(a, Article)
    first, second = a.claims
    assert isinstance(first, Revisit) and isinstance(second, Revisit)
    assert (first.revisits.id, first.status, first.note, first.date) == (
        "c1", "confirmed", "On the record.", dt.date(2026, 1, 19))
    assert (first.revisits.span.line, first.revisits.key_path) == (5, "claims[0].revisits")
    assert (second.date, second.note) == (dt.date(2026, 2, 1), "")


@pytest.mark.parametrize("key", ["speaker", "id", "text", "quote", "about"])
def test_revisit_cannot_set_claim_keys(key: str) -> None:
    diags = _errors(_article("claims:", "  - revisits: c1", "    status: confirmed", f"    {key}: x"))
    assert [(d.code, d.span.line, d.span.column, d.key_path) for d in diags] == [
        ("BW209", 7, 5, f"claims[0].{key}")]
    assert "revisits" in diags[0].hint and "drop 'revisits'" in diags[0].hint


def test_revisit_needs_a_status() -> None:
    [d] = _errors(_article("claims:", "  - revisits: c1", "    note: n"))
    assert (d.code, d.key_path) == ("BW201", "claims[0]")
    assert "confirmed" in d.hint


def test_revisit_unknown_key_suggests() -> None:
    [d] = _errors(_article("claims:", "  - revisits: c1", "    status: confirmed", "    nte: n"))
    assert (d.code, d.key_path) == ("BW202", "claims[0].nte")
    assert "did you mean 'note'?" in d.hint


# -- events -----------------------------------------------------------------------------------

def test_event_keys_and_defaults() -> None:
    a = _ok(_article("events:", "  - date: 2026-01-19", "    title: E", "    actors: [a, b]",
                     "    initiative: board-of-peace", "    type: meeting", "  - date: 2026-01-20", "    title: F"))
    assert isinstance(a, Article)
    first, second = a.events
    assert (first.title, [r.id for r in first.actors], first.initiative and first.initiative.id, first.type) == (
        "E", ["a", "b"], "board-of-peace", "meeting")
    assert (second.type, second.actors, second.initiative) == ("other", (), None)


def test_event_problems() -> None:
    diags = _errors(_article("events:", "  - title: E", "    type: party", "    actor: [a]"))
    assert sorted((d.code, d.key_path) for d in diags) == [
        ("BW201", "events[0]"), ("BW202", "events[0].actor"), ("BW204", "events[0].type")]
    assert "did you mean 'actors'?" in next(d.hint for d in diags if d.code == "BW202")


def test_unquoted_false_is_the_claim_status_false() -> None:
    # YAML reads `false` as a boolean; the status 'false' must still be accepted.
    a = _ok(_article("claims:", "  - id: c1", "    speaker: s", "    text: T", "    status: false",
                     "  - revisits: c0", "    status: false"))
    assert isinstance(a, Article)
    assert [c.status for c in a.claims] == ["false", "false"]
    [d] = _errors(_fm("name: B", "status: true"), "content/initiatives/b.md")
    assert d.code == "BW204"
