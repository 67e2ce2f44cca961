"""Check the shape of each document and turn it into a typed record: the `validate` stage.

Every bad key is reported (not only the first); a record with any shape error is left out
of the graph, but its id still counts as existing, so one broken file does not cascade into
"unknown id" errors everywhere it is mentioned.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable
from typing import Any, TypedDict, TypeVar

from .complexity import body_problem
from .diagnostics import Diagnostics, Span, did_you_mean
from .frontmatter import Document, KeyPath, format_path
from .model import (
    BODY_TYPES, CLAIM_STATUSES, EVENT_TYPES, INITIATIVE_STATUSES, INVITATION_STATUSES,
    Article, ClaimEntry, Entity, EventEntry, Invitation, Kind, Link, NewClaim, Record, Ref,
    Revisit, Role, Source, SourceInfo,
)
from .refs import scan_refs
from .sources import ID_HINT, is_valid_id

T = TypeVar("T")
_MISSING = object()
WIKIDATA_RE = re.compile(r"^Q[1-9][0-9]*$")
ISO_RE = re.compile(r"^[A-Z]{2}$")
RESERVED_RE = re.compile(r"^(index|page-[0-9]+)$")  # the names index pages take
URL_RE = re.compile(r"^https?://[^\s/?#]+[^\s]*$", re.I)

COMMON_KEYS = ("name", "aliases", "summary", "wikidata", "links", "tags", "extra")
ENTITY_KEYS: dict[Kind, tuple[str, ...]] = {
    Kind.PERSON: COMMON_KEYS + ("roles", "nationality"),
    Kind.STATE: COMMON_KEYS + ("iso", "territory"),
    Kind.BODY: COMMON_KEYS + ("type", "parent", "seat"),
    Kind.INITIATIVE: COMMON_KEYS + ("status", "launched", "chair", "members", "focus", "invitations"),
}
ARTICLE_KEYS = ("title", "date", "updated", "summary", "authors", "source", "actors", "initiatives",
                "tags", "draft", "claims", "events", "slug", "extra")
CLAIM_KEYS = ("id", "speaker", "text", "quote", "about", "date", "status", "note")
REVISIT_KEYS = ("revisits", "status", "note", "date")
EVENT_KEYS = ("date", "title", "actors", "initiative", "type")


class _Checker:
    """Typed reads from one document; each failed read is reported and marks the record bad."""

    def __init__(self, doc: Document, diags: Diagnostics) -> None:
        self.doc = doc
        self.diags = diags
        self.ok = True
        self.file = doc.source.path

    # -- reporting -------------------------------------------------------------------------
    def fail(self, code: str, path: KeyPath, message: str, hint: str, *, at_key: bool = False) -> None:
        span = self.doc.key_span(path) if at_key else self.doc.span(path)
        self.diags.error(code, message, span, path=format_path(path), hint=hint)
        self.ok = False

    def keys(self, mapping: dict[str, Any], path: KeyPath, allowed: tuple[str, ...], what: str) -> None:
        for key in mapping:
            if key not in allowed:
                near = did_you_mean(key, allowed)
                self.fail("BW202", (*path, key), f"unknown key '{key}' in {what}",
                          (near + " " if near else "") + "known keys: " + ", ".join(allowed), at_key=True)

    def mapping(self, value: Any, path: KeyPath, what: str) -> dict[str, Any] | None:
        if isinstance(value, dict):
            return value
        self.fail("BW203", path, f"{what} must be a mapping of keys to values, found {_describe(value)}",
                  "write it as indented 'key: value' lines")
        return None

    # -- reads -----------------------------------------------------------------------------
    def get(self, m: dict[str, Any], key: str, path: KeyPath, read: Callable[[Any, KeyPath], T | None],
            *, required: bool = False, what: str = "") -> T | None:
        value = m.get(key, _MISSING)
        if value is _MISSING or value is None:
            if required:
                self.fail("BW201", path, f"missing required key '{key}'" + (f" in {what}" if what else ""),
                          f"add '{key}: ...'" + _REQUIRED_HINTS.get(key, ""), at_key=True)
            return None
        return read(value, (*path, key))

    def text(self, value: Any, path: KeyPath) -> str | None:
        if isinstance(value, bool):
            self.fail("BW203", path, f"'{format_path(path)}' must be text, found {_describe(value)}",
                      "YAML reads unquoted yes, no, on, off, true and false as true/false: put the text in "
                      "double quotes, e.g. \"on\"")
            return None
        if isinstance(value, (dict, list)):
            self.fail("BW203", path, f"'{format_path(path)}' must be text, found {_describe(value)}",
                      "write plain text; put it in double quotes if it contains ': ' or starts with a symbol")
            return None
        if isinstance(value, (int, float, dt.date)):
            return str(value)  # `title: 1984` is clearly meant as text
        text = str(value).strip()
        if not text:
            self.fail("BW208", path, f"'{path[-1]}' is empty", "write a value or remove the key")
            return None
        return text

    def texts(self, value: Any, path: KeyPath) -> tuple[str, ...] | None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.fail("BW203", path, f"'{path[-1]}' must be a list, found {_describe(value)}",
                      "write a list such as [one, two]")
            return None
        out = [self.text(v, (*path, i)) for i, v in enumerate(items)]
        return tuple(v for v in out if v is not None)

    def flag(self, value: Any, path: KeyPath) -> bool | None:
        if isinstance(value, bool):
            return value
        self.fail("BW203", path, f"'{path[-1]}' must be true or false, found {_describe(value)}",
                  f"write '{path[-1]}: true' or '{path[-1]}: false'")
        return None

    def date(self, value: Any, path: KeyPath) -> dt.date | None:
        if isinstance(value, dt.datetime):
            return value if value.tzinfo else value.replace(tzinfo=dt.timezone.utc)
        if isinstance(value, dt.date):
            return value
        if isinstance(value, str):
            try:
                parsed = dt.datetime.fromisoformat(value.strip())
            except ValueError:
                pass
            else:
                if len(value.strip()) == 10:
                    return parsed.date()
                return parsed if parsed.tzinfo else parsed.replace(tzinfo=dt.timezone.utc)
        self.fail("BW206", path, f"'{path[-1]}' is not a valid date: {_show(value)}",
                  "write the date as YYYY-MM-DD, e.g. 2026-01-19 (a time with offset is allowed: "
                  "2026-01-19T09:30:00+03:00)")
        return None

    def choice(self, choices: tuple[str, ...]) -> Callable[[Any, KeyPath], str | None]:
        def read(value: Any, path: KeyPath) -> str | None:
            if isinstance(value, str) and value in choices:
                return value
            if isinstance(value, bool) and str(value).lower() in choices:
                return str(value).lower()  # YAML reads `status: false` as a boolean
            near = did_you_mean(str(value), choices) if isinstance(value, str) else ""
            self.fail("BW204", path, f"'{path[-1]}' must be one of {', '.join(choices)}; found {_show(value)}",
                      near or f"use one of: {', '.join(choices)}")
            return None
        return read

    def ident(self, value: Any, path: KeyPath) -> Ref | None:
        span = self.doc.span(path)
        if not isinstance(value, str):
            self.fail("BW203", path, f"'{format_path(path)}' must be an id, found {_describe(value)}",
                      "write the id of an entity file, e.g. vladimir-putin for content/people/vladimir-putin.md")
            return None
        # Invalid ids still become refs: resolve reports them with the nearest existing ids.
        return Ref(value.strip(), span, format_path(path))

    def idents(self, value: Any, path: KeyPath) -> tuple[Ref, ...] | None:
        items = [value] if isinstance(value, str) else value
        if not isinstance(items, list):
            self.fail("BW203", path, f"'{path[-1]}' must be a list of ids, found {_describe(value)}",
                      "write a list such as [vladimir-putin, russia]")
            return None
        out = [self.ident(v, (*path, i)) for i, v in enumerate(items)]
        return tuple(v for v in out if v is not None)

    def url(self, value: Any, path: KeyPath) -> str | None:
        text = self.text(value, path)
        if text is None:
            return None
        if not URL_RE.match(text):
            self.fail("BW207", path, f"'{path[-1]}' must be an http:// or https:// URL, found {_show(text)}",
                      "write the full address, starting with https://")
            return None
        return text

    def pattern(self, regex: re.Pattern[str], hint: str) -> Callable[[Any, KeyPath], str | None]:
        def read(value: Any, path: KeyPath) -> str | None:
            text = self.text(value, path)
            if text is not None and not regex.match(text):
                self.fail("BW208", path, f"'{path[-1]}' has an invalid value {_show(text)}", hint)
                return None
            return text
        return read

    def records(self, value: Any, path: KeyPath, read: Callable[[dict[str, Any], KeyPath], T | None],
                what: str) -> tuple[T, ...]:
        if not isinstance(value, list):
            self.fail("BW203", path, f"'{path[-1]}' must be a list of {what}, found {_describe(value)}",
                      f"write each {what[:-1] if what.endswith('s') else what} as an item starting with '- '")
            return ()
        out: list[T] = []
        for i, item in enumerate(value):
            m = self.mapping(item, (*path, i), f"each item of '{path[-1]}'")
            if m is not None:
                rec = read(m, (*path, i))
                if rec is not None:
                    out.append(rec)
        return tuple(out)

    # -- nested records ----------------------------------------------------------------------
    def link(self, m: dict[str, Any], path: KeyPath) -> Link | None:
        self.keys(m, path, ("title", "url"), "a link")
        title = self.get(m, "title", path, self.text, required=True, what="a link")
        url = self.get(m, "url", path, self.url, required=True, what="a link")
        return Link(title=title, url=url) if title and url else None

    def role(self, m: dict[str, Any], path: KeyPath) -> Role | None:
        self.keys(m, path, ("title", "of", "from", "to"), "a role")
        title = self.get(m, "title", path, self.text, required=True, what="a role")
        return Role(title=title, of=self.get(m, "of", path, self.ident),
                    start=self.get(m, "from", path, self.date),
                    end=self.get(m, "to", path, self.date)) if title else None

    def invitation(self, m: dict[str, Any], path: KeyPath) -> Invitation | None:
        self.keys(m, path, ("invitee", "date", "by", "status", "source"), "an invitation")
        invitee = self.get(m, "invitee", path, self.ident, required=True, what="an invitation")
        status = self.get(m, "status", path, self.choice(INVITATION_STATUSES)) or "pending"
        return Invitation(invitee=invitee, date=self.get(m, "date", path, self.date),
                          by=self.get(m, "by", path, self.ident), status=status,
                          source=self.get(m, "source", path, self.ident)) if invitee else None

    def claim(self, m: dict[str, Any], path: KeyPath, article_date: dt.date | None) -> ClaimEntry | None:
        span = self.doc.span(path)
        if "revisits" in m:
            for key in m:
                if key in ("id", "speaker", "text", "quote", "about"):
                    self.fail("BW209", (*path, key), f"a revisit cannot set '{key}'",
                              "a revisit only adds a dated status to an existing claim: keep 'revisits', 'status', "
                              "'note' and optionally 'date'; to make a new claim, drop 'revisits' and give an id",
                              at_key=True)
            self.keys({k: v for k, v in m.items() if k not in CLAIM_KEYS}, path, REVISIT_KEYS, "a claim revisit")
            target = self.get(m, "revisits", path, self.ident)
            status = self.get(m, "status", path, self.choice(CLAIM_STATUSES), required=True, what="a revisit")
            note = self.get(m, "note", path, self.text) or ""
            date = self.get(m, "date", path, self.date) or article_date
            if target is None or status is None or date is None:
                return None
            return Revisit(revisits=target, status=status, note=note, date=date, span=span)
        self.keys(m, path, CLAIM_KEYS, "a claim")
        claim_id = self.get(m, "id", path, self.slug, required=True, what="a claim")
        speaker = self.get(m, "speaker", path, self.ident, required=True, what="a claim")
        text = self.get(m, "text", path, self.text, required=True, what="a claim")
        quote = self.get(m, "quote", path, self.text) or ""
        about = self.get(m, "about", path, self.idents) or ()
        date = self.get(m, "date", path, self.date) or article_date
        status = self.get(m, "status", path, self.choice(CLAIM_STATUSES)) or "reported"
        note = self.get(m, "note", path, self.text) or ""
        if claim_id is None or speaker is None or text is None:
            return None
        return NewClaim(id=claim_id, speaker=speaker, text=text, quote=quote, about=about, date=date,
                        status=status, note=note, span=span)

    def event(self, m: dict[str, Any], path: KeyPath) -> EventEntry | None:
        self.keys(m, path, EVENT_KEYS, "an event")
        date = self.get(m, "date", path, self.date, required=True, what="an event")
        title = self.get(m, "title", path, self.text, required=True, what="an event")
        actors = self.get(m, "actors", path, self.idents) or ()
        initiative = self.get(m, "initiative", path, self.ident)
        etype = self.get(m, "type", path, self.choice(EVENT_TYPES)) or "other"
        if date is None or title is None:
            return None
        return EventEntry(date=date, title=title, actors=actors, initiative=initiative, type=etype,
                          span=self.doc.span(path))

    def source_info(self, value: Any, path: KeyPath) -> SourceInfo | None:
        m = self.mapping(value, path, "'source'")
        if m is None:
            return None
        self.keys(m, path, ("name", "url", "date"), "'source'")
        return SourceInfo(name=self.get(m, "name", path, self.text) or "",
                          url=self.get(m, "url", path, self.url) or "",
                          date=self.get(m, "date", path, self.date))

    def slug(self, value: Any, path: KeyPath) -> str | None:
        text = self.text(value, path)
        if text is not None and not is_valid_id(text):
            self.fail("BW205", path, f"'{text}' is not a valid {path[-1]}", ID_HINT)
            return None
        return text


_REQUIRED_HINTS = {
    "name": " with the display name, e.g. 'name: Vladimir Putin'",
    "title": " with the headline",
    "date": " with the publication date as YYYY-MM-DD",
    "speaker": " with the id of who made the claim, e.g. 'speaker: dmitry-peskov'",
    "text": " with the claim in the article's own words",
    "id": " with an id unique across the site, e.g. 'id: peskov-confirms-invitation'",
    "status": " with one of " + ", ".join(CLAIM_STATUSES),
    "invitee": " with the id of who was invited",
    "url": " with an http(s) address",
}


def _describe(value: Any) -> str:
    if isinstance(value, bool):
        return f"{str(value).lower()} (true/false)"
    if isinstance(value, dict):
        return "a mapping"
    if isinstance(value, list):
        return "a list"
    if isinstance(value, (int, float)):
        return f"the number {value}"
    if isinstance(value, dt.date):
        return f"the date {value.isoformat()}"
    if value is None:
        return "nothing"
    return f"the text {_show(value)}"


def _show(value: Any) -> str:
    text = repr(value) if isinstance(value, str) else str(value)
    return text if len(text) <= 60 else text[:57] + "..."


def validate(doc: Document, diags: Diagnostics) -> Record | None:
    source = doc.source
    c = _Checker(doc, diags)
    # Problems of the file name concern the whole file: no line.
    if not is_valid_id(source.stem):
        diags.error("BW205", f"file name '{source.stem}.md' does not give a valid "
                             f"{'slug' if source.kind is Kind.ARTICLE else 'id'}", Span(source.path),
                    hint="rename the file: " + ID_HINT)
        c.ok = False
    elif RESERVED_RE.match(source.stem) and not (source.kind is Kind.ARTICLE and "slug" in doc.data):
        diags.error("BW205", f"'{source.stem}' is reserved for the index pages of content/{source.kind.folder}/",
                    Span(source.path), hint="rename the file (for an article, or set 'slug:' to another value)")
        c.ok = False
    problem = body_problem(doc.body)  # here, not in parse: documents from the parse cache pass this way too
    if problem is not None:
        line = doc.body_line + doc.body.count("\n", 0, problem.offset)
        column = problem.offset - (doc.body.rfind("\n", 0, problem.offset) + 1) + 1
        diags.error("BW113", problem.message, Span(source.path, line, column), hint=problem.hint)
        c.ok = False
    refs = scan_refs(doc.body, doc.body_line, source.path)
    record: Record | None
    if source.kind is Kind.ARTICLE:
        record = _article(c, doc, refs)
    else:
        record = _entity(c, doc, refs)
    return record if c.ok else None


class _KindFields(TypedDict, total=False):
    """The Entity fields of one kind of entity; the others keep their defaults."""

    roles: tuple[Role, ...]
    nationality: Ref | None
    iso: str
    territory: bool
    body_type: str
    parent: Ref | None
    seat: Ref | None
    status: str
    launched: dt.date | None
    chair: Ref | None
    members: tuple[Ref, ...]
    focus: tuple[Ref, ...]
    invitations: tuple[Invitation, ...]


def _entity(c: _Checker, doc: Document, refs: tuple[Ref, ...]) -> Entity | None:
    kind = doc.source.kind
    d = doc.data
    what = f"a {kind.value} file"
    c.keys(d, (), ENTITY_KEYS[kind], what)
    name = c.get(d, "name", (), c.text, required=True)
    fields: _KindFields = {}
    if kind is Kind.PERSON:
        fields["roles"] = c.get(d, "roles", (), lambda v, p: c.records(v, p, c.role, "roles")) or ()
        fields["nationality"] = c.get(d, "nationality", (), c.ident)
    elif kind is Kind.STATE:
        fields["iso"] = c.get(d, "iso", (), c.pattern(ISO_RE, "write the two-letter ISO 3166-1 code in capitals, "
                                                               "e.g. RU")) or ""
        fields["territory"] = bool(c.get(d, "territory", (), c.flag))
    elif kind is Kind.BODY:
        fields["body_type"] = c.get(d, "type", (), c.choice(BODY_TYPES)) or "other"
        fields["parent"] = c.get(d, "parent", (), c.ident)
        fields["seat"] = c.get(d, "seat", (), c.ident)
    else:
        fields["status"] = c.get(d, "status", (), c.choice(INITIATIVE_STATUSES)) or "proposed"
        fields["launched"] = c.get(d, "launched", (), c.date)
        fields["chair"] = c.get(d, "chair", (), c.ident)
        fields["members"] = c.get(d, "members", (), c.idents) or ()
        fields["focus"] = c.get(d, "focus", (), c.idents) or ()
        fields["invitations"] = c.get(
            d, "invitations", (), lambda v, p: c.records(v, p, c.invitation, "invitations")) or ()
    aliases = c.get(d, "aliases", (), c.texts) or ()
    summary = c.get(d, "summary", (), c.text) or ""
    wikidata = c.get(d, "wikidata", (), c.pattern(WIKIDATA_RE, "a Wikidata id is Q followed by digits, e.g. Q7747")
                     ) or ""
    links = c.get(d, "links", (), lambda v, p: c.records(v, p, c.link, "links")) or ()
    tags = _tags(c, d)
    if "extra" in d:
        c.get(d, "extra", (), lambda v, p: c.mapping(v, p, "'extra'"))
    if name is None:
        return None
    return Entity(id=doc.source.stem, kind=kind, name=name, path=doc.source.path, span=doc.span(()),
                  profile_md=doc.body, body_line=doc.body_line, body_refs=refs, aliases=aliases, summary=summary,
                  wikidata=wikidata, links=links, tags=tags, **fields)


def _tags(c: _Checker, d: dict[str, Any]) -> tuple[str, ...]:
    tags = c.get(d, "tags", (), c.texts) or ()
    return tuple(dict.fromkeys(tags))


def _article(c: _Checker, doc: Document, refs: tuple[Ref, ...]) -> Article | None:
    d = doc.data
    c.keys(d, (), ARTICLE_KEYS, "an article")
    title = c.get(d, "title", (), c.text, required=True)
    date = c.get(d, "date", (), c.date, required=True)
    slug = c.get(d, "slug", (), c.slug) or doc.source.stem
    if "slug" in d and isinstance(d["slug"], str) and RESERVED_RE.match(d["slug"]):
        c.fail("BW205", ("slug",), f"slug '{d['slug']}' is reserved for the index pages of content/articles/",
               "choose another slug")
    claims: tuple[ClaimEntry, ...] = c.get(
        d, "claims", (), lambda v, p: c.records(v, p, lambda m, q: c.claim(m, q, date), "claims")) or ()
    events = c.get(d, "events", (), lambda v, p: c.records(v, p, c.event, "events")) or ()
    updated = c.get(d, "updated", (), c.date)
    summary = c.get(d, "summary", (), c.text) or ""
    authors = c.get(d, "authors", (), c.texts) or ()
    source = c.get(d, "source", (), c.source_info)
    actors = c.get(d, "actors", (), c.idents) or ()
    initiatives = c.get(d, "initiatives", (), c.idents) or ()
    tags = _tags(c, d)
    draft = bool(c.get(d, "draft", (), c.flag))
    if "extra" in d:
        c.get(d, "extra", (), lambda v, p: c.mapping(v, p, "'extra'"))
    if title is None or date is None:
        return None
    return Article(slug=slug, path=doc.source.path, span=doc.span(()), title=title, date=date, claims=claims,
                   events=events, body_md=doc.body, body_line=doc.body_line, body_refs=refs, updated=updated,
                   summary=summary, authors=authors, source=source, actors=actors, initiatives=initiatives, tags=tags,
                   draft=draft)


def cached_record_problem(record: Record, source: Source, *, body_checked: bool = False) -> str | None:
    """What is wrong with ``record``, taken from the parse cache for ``source``, that validating
    the file would never have let through; None when nothing is. A cache is data from the site
    folder, which anyone may write: a record from it must keep every promise a validated one
    makes that paths, links and rendering rely on: its file, kind and id; ids that make page
    paths; http(s) links only; values from the closed lists; a body within the Markdown limits
    (the body is the file's own, read now; ``body_checked``: the caller checks it apart)."""
    if record.path != source.path:
        return "a record of another file"
    urls: list[str] = []
    if isinstance(record, Entity):
        if record.kind is not source.kind or record.id != source.stem or not is_valid_id(record.id) \
                or RESERVED_RE.match(record.id):
            return "an entity that is not this file's"
        urls += [link.url for link in record.links]
        if record.wikidata and not WIKIDATA_RE.match(record.wikidata) or record.iso and not ISO_RE.match(record.iso):
            return "a malformed code"
        if record.body_type not in ("", *BODY_TYPES) or record.status not in ("", *INITIATIVE_STATUSES) \
                or any(inv.status not in INVITATION_STATUSES for inv in record.invitations):
            return "a value from no list"
        body = record.profile_md
    else:
        if source.kind is not Kind.ARTICLE or not is_valid_id(source.stem) or not is_valid_id(record.slug) \
                or RESERVED_RE.match(record.slug):
            return "an article that is not this file's"
        if record.source is not None and record.source.url:
            urls.append(record.source.url)
        for claim in record.claims:
            if claim.status not in CLAIM_STATUSES or isinstance(claim, NewClaim) and not is_valid_id(claim.id):
                return "a malformed claim"
        if any(event.type not in EVENT_TYPES for event in record.events):
            return "a value from no list"
        body = record.body_md
    if not all(URL_RE.match(url) for url in urls):
        return "a link that is not http(s)"
    if not body_checked and body_problem(body) is not None:
        return "a body beyond the Markdown limits"
    return None
