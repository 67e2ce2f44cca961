"""Read-only views handed to templates: the documented template API (docs/templates.md).

Templates never see the internal model. Every view holds site paths (``people/x.html``);
templates turn them into relative links with ``url(path)``.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from markupsafe import Markup

STATUS_LABELS = {
    # claims
    "reported": "Reported", "confirmed": "Confirmed", "disputed": "Disputed", "denied": "Denied",
    "false": "False", "unverified": "Unverified",
    # initiatives
    "proposed": "Proposed", "forming": "Forming", "active": "Active", "stalled": "Stalled",
    "concluded": "Concluded", "collapsed": "Collapsed",
    # invitations
    "pending": "Pending", "accepted": "Accepted", "declined": "Declined", "withdrawn": "Withdrawn",
}
KIND_LABELS = {"person": "Person", "state": "State", "body": "Body", "initiative": "Initiative",
               "article": "Article", "claim": "Claim"}
BODY_TYPE_LABELS = {
    "government": "Government", "agency": "Agency", "international-organization": "International organization",
    "alliance": "Alliance", "party": "Party", "armed-group": "Armed group", "company": "Company",
    "media": "Media", "ngo": "NGO", "other": "Other",
}


@dataclass(frozen=True, slots=True)
class Crumb:
    title: str
    path: str


@dataclass(frozen=True, slots=True)
class LinkView:
    title: str
    url: str


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityLink:
    id: str
    name: str
    kind: str  # person | state | body | initiative
    path: str
    summary: str = ""
    status: str = ""  # initiatives only
    count: int = 0  # articles touching it, where a list needs it

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticleLink:
    slug: str
    title: str
    date: dt.date
    path: str
    summary: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class TagLink:
    name: str
    path: str
    count: int = 0


@dataclass(frozen=True, slots=True, kw_only=True)
class StepView:
    date: dt.date
    status: str
    note: str
    article: ArticleLink

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimView:
    id: str
    path: str
    speaker: EntityLink
    text: str
    quote: str
    about: tuple[EntityLink, ...]
    date: dt.date
    article: ArticleLink
    history: tuple[StepView, ...]

    @property
    def status(self) -> str:
        return self.history[-1].status

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]

    @property
    def revised(self) -> bool:
        return len(self.history) > 1


@dataclass(frozen=True, slots=True, kw_only=True)
class RevisitView:
    """A step an article adds to an earlier claim."""

    claim: ClaimView
    step: StepView


@dataclass(frozen=True, slots=True, kw_only=True)
class EventView:
    date: dt.date
    title: str
    type: str
    actors: tuple[EntityLink, ...]
    initiative: EntityLink | None
    article: ArticleLink


@dataclass(frozen=True, slots=True, kw_only=True)
class RoleView:
    title: str
    of: EntityLink | None
    start: dt.date | None
    end: dt.date | None


@dataclass(frozen=True, slots=True, kw_only=True)
class InvitationView:
    invitee: EntityLink
    date: dt.date | None
    by: EntityLink | None
    status: str
    source: ArticleLink | None

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.status]


@dataclass(frozen=True, slots=True, kw_only=True)
class RelationView:
    """One relation of the page's entity, read from its side: "chairs" -> Board of Peace."""

    label: str
    entity: EntityLink


@dataclass(frozen=True, slots=True, kw_only=True)
class MonthCount:
    month: str  # "2026-01"
    label: str  # "Jan 2026"
    count: int


@dataclass(frozen=True, slots=True, kw_only=True)
class PageLink:
    number: int  # 0 marks a gap between numbers
    path: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class Pager:
    """Where a page of a long list stands. ``window`` links the first and last pages and the
    neighbours of this one, with gaps between: never every page, so a list of thousands of
    pages stays linear in size."""

    number: int
    count: int
    previous: str = ""
    next: str = ""
    window: tuple[PageLink, ...] = ()


def pager(number: int, paths: tuple[str, ...], *, around: int = 2) -> Pager:
    """The pager of page ``number`` (1-based) of the pages at ``paths``."""
    count = len(paths)
    shown = sorted({1, count, *range(max(1, number - around), min(count, number + around) + 1)})
    window: list[PageLink] = []
    for previous, n in zip([0, *shown], shown):
        if n - previous > 1 and previous:
            window.append(PageLink(number=0))
        window.append(PageLink(number=n, path=paths[n - 1]))
    return Pager(number=number, count=count, previous=paths[number - 2] if number > 1 else "",
                 next=paths[number] if number < count else "", window=tuple(window))


@dataclass(frozen=True, slots=True, kw_only=True)
class NavItem:
    title: str
    path: str
    section: str


@dataclass(frozen=True, slots=True, kw_only=True)
class SiteView:
    title: str
    description: str
    language: str
    base_url: str
    authors: tuple[str, ...]
    nav: tuple[NavItem, ...]
    generator: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Page:
    """Fields every page has."""

    kind: str  # home | article | person | state | body | initiative | claim | list | tag | page | search | 404
    path: str
    title: str
    description: str = ""
    section: str = ""  # nav section this page belongs to
    breadcrumbs: tuple[Crumb, ...] = ()
    canonical: str = ""  # absolute URL when base_url is set
    feed: str = ""  # site path of this page's own Atom feed, if any
    noindex: bool = False
    jsonld: Markup = Markup("")  # schema.org JSON-LD, already safe inside <script type="application/ld+json">
    link_base: str = ""  # when set, links are link_base + site path instead of relative (the 404 page)


@dataclass(frozen=True, slots=True, kw_only=True)
class HomePage(Page):
    latest: tuple[ArticleLink, ...]
    initiatives: tuple[EntityLink, ...]
    actors: tuple[EntityLink, ...]
    claims: tuple[ClaimView, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class ArticlePage(Page):
    slug: str
    date: dt.date
    updated: dt.date | None
    summary: str
    authors: tuple[str, ...]
    source_name: str
    source_url: str
    source_date: dt.date | None
    body: Markup
    actors: tuple[EntityLink, ...]
    initiatives: tuple[EntityLink, ...]
    mentioned: tuple[EntityLink, ...]  # every other entity the article touches
    claims: tuple[ClaimView, ...]
    revisits: tuple[RevisitView, ...]
    events: tuple[EventView, ...]
    tags: tuple[TagLink, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class EntityPage(Page):
    id: str
    name: str
    summary: str
    aliases: tuple[str, ...]
    wikidata: str
    links: tuple[LinkView, ...]
    tags: tuple[TagLink, ...]
    profile: Markup
    facts: tuple[tuple[str, tuple[EntityLink, ...] | str], ...]  # label -> links or text
    roles: tuple[RoleView, ...]
    invitations: tuple[InvitationView, ...]
    members: tuple[EntityLink, ...]
    focus: tuple[EntityLink, ...]
    chair: EntityLink | None
    status: str
    launched: dt.date | None
    initiatives: tuple[EntityLink, ...]
    related: tuple[EntityLink, ...]
    articles: tuple[ArticleLink, ...]
    claims_by: tuple[ClaimView, ...]
    claims_about: tuple[ClaimView, ...]
    events: tuple[EventView, ...]
    articles_total: int = 0  # analyses touching the entity; ``articles`` may hold only the newest
    claims_by_total: int = 0  # claims by the entity; ``claims_by`` holds the newest
    claims_about_total: int = 0  # claims about the entity; ``claims_about`` holds the newest
    events_total: int = 0  # dated events of the entity; ``events`` holds the newest, oldest first
    articles_more: str = ""  # site path of the full, paginated list when ``articles`` is capped
    relations: tuple[RelationView, ...] = ()  # every relation, the text alternative of ``graph``
    graph: Markup = Markup("")  # inline SVG: relationship graph around the entity
    timeline_chart: Markup = Markup("")  # inline SVG: the initiative's dated events (initiatives)
    coverage: tuple[MonthCount, ...] = ()  # analyses per month (people, states, bodies)
    coverage_chart: Markup = Markup("")  # inline SVG of ``coverage``

    @property
    def status_label(self) -> str:
        return STATUS_LABELS.get(self.status, self.status)

    @property
    def kind_label(self) -> str:
        return KIND_LABELS[self.kind]


@dataclass(frozen=True, slots=True, kw_only=True)
class ClaimPage(Page):
    claim: ClaimView


@dataclass(frozen=True, slots=True, kw_only=True)
class ListPage(Page):
    """An index: of articles, entities of one kind, claims or tags; paginated."""

    items_kind: str  # article | person | state | body | initiative | claim | tag
    articles: tuple[ArticleLink, ...] = ()
    entities: tuple[EntityLink, ...] = ()
    claims: tuple[ClaimView, ...] = ()
    tags: tuple[TagLink, ...] = ()
    total: int = 0
    pager: Pager = field(default_factory=lambda: Pager(number=1, count=1))


@dataclass(frozen=True, slots=True, kw_only=True)
class TagPage(Page):
    tag: str
    articles: tuple[ArticleLink, ...]
    entities: tuple[EntityLink, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class StaticPage(Page):
    """A page from the site's ``templates/pages/NAME.html``, the search page or the 404 page."""

    template: str


def _plain_reprs() -> None:
    """Give every view the repr a dataclass has, without the guard against cycles that wraps
    it (views hold no cycles). A page's fingerprint hashes its view's repr (see
    express.view_digest), about 10 KB a page: the guard, entered for every view object, made
    a third of that time. One ``exec`` defines them all; the text is the same."""
    import dataclasses
    classes = [cls for cls in globals().values() if isinstance(cls, type) and dataclasses.is_dataclass(cls)]
    source = []
    for i, cls in enumerate(classes):
        body = ", ".join(f"{f.name}={{self.{f.name}!r}}" for f in dataclasses.fields(cls) if f.repr)
        source.append(f"def repr_{i}(self):\n    return self.__class__.__qualname__ + f\"({body})\"\n")
    made: dict[str, object] = {}
    exec("".join(source), made)  # noqa: S102 - our own field names, checked identifiers
    for i, cls in enumerate(classes):
        cls.__repr__ = made[f"repr_{i}"]  # type: ignore[assignment,method-assign]


_plain_reprs()
