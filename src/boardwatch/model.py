"""The typed, immutable records of a site. No I/O and no logic beyond derived properties."""

from __future__ import annotations

import datetime as dt
import enum
from collections.abc import Mapping
from dataclasses import dataclass, field

from .diagnostics import Span

Date = dt.date  # a datetime.date, or an aware datetime.datetime when a time was given


class Kind(enum.Enum):
    PERSON = "person"
    STATE = "state"
    BODY = "body"
    INITIATIVE = "initiative"
    ARTICLE = "article"

    @property
    def folder(self) -> str:
        return FOLDERS[self]

    @property
    def plural(self) -> str:
        return FOLDERS[self]


FOLDERS: dict[Kind, str] = {
    Kind.PERSON: "people",
    Kind.STATE: "states",
    Kind.BODY: "bodies",
    Kind.INITIATIVE: "initiatives",
    Kind.ARTICLE: "articles",
}
ENTITY_KINDS: tuple[Kind, ...] = (Kind.PERSON, Kind.STATE, Kind.BODY, Kind.INITIATIVE)
ACTOR_KINDS: frozenset[Kind] = frozenset({Kind.PERSON, Kind.STATE, Kind.BODY})

BODY_TYPES = (
    "government", "agency", "international-organization", "alliance", "party",
    "armed-group", "company", "media", "ngo", "other",
)
INITIATIVE_STATUSES = ("proposed", "forming", "active", "stalled", "concluded", "collapsed")
INVITATION_STATUSES = ("pending", "accepted", "declined", "withdrawn")
CLAIM_STATUSES = ("reported", "confirmed", "disputed", "denied", "false", "unverified")
EVENT_TYPES = ("invitation", "statement", "meeting", "agreement", "vote", "sanction", "military", "other")


@dataclass(frozen=True, slots=True)
class Source:
    """A decoded content file."""

    path: str  # site-relative POSIX path, e.g. content/people/vladimir-putin.md
    text: str
    sha256: str
    kind: Kind
    stem: str  # file name without .md
    readable: bool = True  # False when it could not be read or decoded (already reported); its id still counts


@dataclass(frozen=True, slots=True)
class Ref:
    """An id as written, with where it was written."""

    id: str
    span: Span
    key_path: str = ""

    def __reduce__(self) -> tuple[type[Ref], tuple[str, Span, str]]:
        # Rebuilt by its constructor when pickled (records travel back from the parse
        # workers by the tens of thousands): about twice as fast as the generic way.
        return (Ref, (self.id, self.span, self.key_path))


@dataclass(frozen=True, slots=True, kw_only=True)
class Link:
    title: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Role:
    title: str
    of: Ref | None = None
    start: Date | None = None
    end: Date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class Invitation:
    invitee: Ref
    date: Date | None = None
    by: Ref | None = None
    status: str = "pending"
    source: Ref | None = None  # an article slug


@dataclass(frozen=True, slots=True, kw_only=True)
class Entity:
    id: str
    kind: Kind
    name: str
    path: str
    span: Span
    aliases: tuple[str, ...] = ()
    summary: str = ""
    wikidata: str = ""
    links: tuple[Link, ...] = ()
    tags: tuple[str, ...] = ()
    profile_md: str = ""
    body_line: int = 1
    # person
    roles: tuple[Role, ...] = ()
    nationality: Ref | None = None
    # state
    iso: str = ""
    territory: bool = False
    # body
    body_type: str = ""
    parent: Ref | None = None
    seat: Ref | None = None
    # initiative
    status: str = ""
    launched: Date | None = None
    chair: Ref | None = None
    members: tuple[Ref, ...] = ()
    focus: tuple[Ref, ...] = ()
    invitations: tuple[Invitation, ...] = ()
    body_refs: tuple[Ref, ...] = ()

    def refs(self) -> tuple[Ref, ...]:
        """Every entity reference this record makes, in file order."""
        out: list[Ref] = [r.of for r in self.roles if r.of]
        for single in (self.nationality, self.parent, self.seat, self.chair):
            if single:
                out.append(single)
        out.extend(self.members)
        out.extend(self.focus)
        for inv in self.invitations:
            out.append(inv.invitee)
            if inv.by:
                out.append(inv.by)
        out.extend(self.body_refs)
        return tuple(out)


@dataclass(frozen=True, slots=True, kw_only=True)
class SourceInfo:
    name: str = ""
    url: str = ""
    date: Date | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class NewClaim:
    id: str
    speaker: Ref
    text: str
    span: Span
    quote: str = ""
    about: tuple[Ref, ...] = ()
    date: Date | None = None
    status: str = "reported"
    note: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Revisit:
    revisits: Ref
    status: str
    span: Span
    note: str = ""
    date: Date | None = None


ClaimEntry = NewClaim | Revisit


@dataclass(frozen=True, slots=True, kw_only=True)
class EventEntry:
    date: Date
    title: str
    span: Span
    actors: tuple[Ref, ...] = ()
    initiative: Ref | None = None
    type: str = "other"


@dataclass(frozen=True, slots=True, kw_only=True)
class Article:
    slug: str
    path: str
    span: Span
    title: str
    date: Date
    updated: Date | None = None
    summary: str = ""
    authors: tuple[str, ...] = ()
    source: SourceInfo | None = None
    actors: tuple[Ref, ...] = ()
    initiatives: tuple[Ref, ...] = ()
    tags: tuple[str, ...] = ()
    draft: bool = False
    claims: tuple[ClaimEntry, ...] = ()
    events: tuple[EventEntry, ...] = ()
    body_md: str = ""
    body_line: int = 1
    body_refs: tuple[Ref, ...] = ()

    def refs(self) -> tuple[Ref, ...]:
        out: list[Ref] = [*self.actors, *self.initiatives]
        for c in self.claims:
            if isinstance(c, NewClaim):
                out.append(c.speaker)
                out.extend(c.about)
        for e in self.events:
            out.extend(e.actors)
            if e.initiative:
                out.append(e.initiative)
        out.extend(self.body_refs)
        return tuple(out)


Record = Entity | Article


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimStep:
    date: Date
    status: str
    note: str
    article: str  # slug


@dataclass(frozen=True, slots=True, kw_only=True)
class Claim:
    id: str
    speaker: str
    text: str
    quote: str
    about: tuple[str, ...]
    date: Date
    article: str  # slug of the article that first reported it
    history: tuple[ClaimStep, ...]

    @property
    def status(self) -> str:
        return self.history[-1].status


@dataclass(frozen=True, slots=True, kw_only=True)
class Event:
    date: Date
    title: str
    actors: tuple[str, ...]
    initiative: str | None
    type: str
    article: str  # slug
    index: int  # position within its article, for stable ordering


@dataclass(frozen=True, slots=True, kw_only=True)
class Backlinks:
    """Everything that touches one entity, each tuple sorted."""

    articles: tuple[str, ...] = ()  # slugs, newest first
    claims_by: tuple[str, ...] = ()  # claim ids
    claims_about: tuple[str, ...] = ()
    events: tuple[Event, ...] = ()
    initiatives: tuple[str, ...] = ()  # initiatives naming this entity (chair/member/focus/invitee)
    related: tuple[str, ...] = ()  # entities naming this one in their own front matter


@dataclass(frozen=True, slots=True, kw_only=True)
class Graph:
    entities: Mapping[str, Entity]
    articles: Mapping[str, Article]  # by slug, newest first
    claims: Mapping[str, Claim]
    events: tuple[Event, ...]  # chronological
    backlinks: Mapping[str, Backlinks]
    names: tuple[tuple[str, str], ...] = field(default=())  # (name or alias, entity id), for autolink
