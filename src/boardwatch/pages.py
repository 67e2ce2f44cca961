"""Graph -> the pages of the site, each with its template, view and inputs: the `plan` stage.

Each :class:`PagePlan` says which source files it depends on, so incremental rebuilds can
tell which pages a change touches. Two plans that would write one path are an error.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from markupsafe import Markup

from . import graphics, relations, urls
from .config import SiteConfig
from .diagnostics import Diagnostics, Span
from .jsonld import Builder as JsonLd
from .markup import plain_summary
from .model import FOLDERS, Article, Claim, Entity, Event, Graph, Kind, NewClaim, Revisit
from .resolve import sort_date
from .views import (
    BODY_TYPE_LABELS, ArticleLink, ArticlePage, ClaimPage, ClaimView, Crumb, EntityLink, EntityPage, EventView, HomePage,
    InvitationView, LinkView, ListPage, MonthCount, NavItem, Page, RelationView, RevisitView, RoleView,
    SiteView, StaticPage, StepView, TagLink, TagPage, pager as make_pager,
)

SECTION_TITLES = {"articles": "Analyses", "people": "People", "states": "States", "bodies": "Bodies",
                  "initiatives": "Initiatives", "claims": "Claims", "tags": "Tags"}
ALL_ARTICLES = "*articles"  # coarse dependency: any article
ALL_ENTITIES = "*entities"
ENTITY_ARTICLES = 10  # analyses listed on an entity's page; more go to its full, paginated list
ENTITY_CLAIMS = 20  # newest claims by, and about, an entity shown on its page
ENTITY_EVENTS = 30  # newest events in an entity page's timeline
GRAPH_NODES = 12  # neighbours drawn in a relationship graph; every relation stays in its table
INDEX_SECTIONS = ("articles", "initiatives", "people", "states", "bodies", "claims", "tags")

K = TypeVar("K")
V = TypeVar("V")


class _Made(dict[K, V]):
    """A dict whose values are made by ``make`` when first asked for (``[]`` alone: neither
    ``get`` nor ``in`` makes one)."""

    def __init__(self, make: Callable[[K], V]) -> None:
        super().__init__()
        self._make = make

    def __missing__(self, key: K) -> V:
        value = self[key] = self._make(key)
        return value


@dataclass(frozen=True, slots=True)
class Markdown:
    """A Markdown field of a view, rendered in the render stage (the costly part of a page)."""

    field: str  # the view field that receives the HTML, e.g. "body"
    text: str
    self_id: str = ""  # an entity's own page does not autolink its own name


@dataclass(frozen=True, slots=True)
class PagePlan:
    path: str  # output path, site-relative
    template: str
    view: Page
    inputs: frozenset[str]  # source files (and "*" wildcards) the page is made from
    markdown: Markdown | None = None


def site_view(config: SiteConfig, extra_pages: Sequence[tuple[str, str]] = ()) -> SiteView:
    nav = [NavItem(title=SECTION_TITLES[s], path=urls.index_path(s), section=s)
           for s in ("articles", "initiatives", "people", "states", "bodies", "claims")]
    nav += [NavItem(title=title, path=path, section=path) for path, title in extra_pages]
    from . import __version__
    return SiteView(title=config.title, description=config.description, language=config.language,
                    base_url=config.base_url, authors=config.authors, nav=tuple(nav),
                    generator=f"boardwatch {__version__}")


# A unit of planning: (what, key). Planning a site is running every task of planning_tasks;
# a build runs them in its render workers, each task giving one or more pages.
Task = tuple[str, str]


def planning_tasks(graph: Graph, static_pages: Sequence[tuple[str, str]] = ()) -> list[Task]:
    """The tasks whose pages are the whole site, in a fixed order."""
    tasks: list[Task] = [("home", "")]
    tasks += [("article", slug) for slug in graph.articles]
    tasks += [("entity", eid) for eid in graph.entities]
    tasks += [("claim", cid) for cid in graph.claims]
    tasks += [("indexes", ""), ("tags", "")]
    tasks += [("entity_articles", eid) for eid in graph.entities]
    tasks += [("page", str(i)) for i in range(len(static_pages))]
    tasks += [("search", ""), ("404", "")]
    return tasks


def plan_pages(graph: Graph, config: SiteConfig, diags: Diagnostics,
               static_pages: Sequence[tuple[str, str]] = ()) -> tuple[PagePlan, ...]:
    """Every page of the site. ``static_pages`` are (template name, title) pairs from templates/pages/."""
    planner = Planner(graph, config, static_pages)
    plans = [plan for task in planning_tasks(graph, static_pages) for plan in planner.plan(task)]
    check_collisions(((p.path, p.inputs) for p in plans), diags)
    return tuple(sorted(plans, key=lambda p: p.path))


def check_collisions(pages: Iterable[tuple[str, frozenset[str]]], diags: Diagnostics) -> None:
    """BW501 for every path that two pages would be written to; ``pages`` are (path, inputs)."""
    owners: dict[str, list[tuple[str, frozenset[str]]]] = {}
    for path, inputs in pages:
        owners.setdefault(path.casefold(), []).append((path, inputs))
    for _, clash in sorted(owners.items()):
        if len(clash) > 1:
            sources = sorted({i for _, inputs in clash for i in inputs if not i.startswith("*")} or {"(generated)"})
            diags.error("BW501", f"{len(clash)} pages would be written to {clash[0][0]}: " + ", ".join(sources),
                        Span(sources[0]), hint="rename one of the files (or its slug) so each page has its own path")


class Planner:
    """Plans the pages of the site one task at a time (see :func:`planning_tasks`).
    ``static_pages`` are (template name, title) pairs from templates/pages/."""

    def __init__(self, graph: Graph, config: SiteConfig, static_pages: Sequence[tuple[str, str]] = ()) -> None:
        self.g = graph
        self.config = config
        self.static_pages = tuple(static_pages)
        # Made when a page first asks for them: a rebuild that plans a few pages needs few of
        # the links and claim views of a large site (an article's link holds its summary).
        self.article_links: _Made[str, ArticleLink] = _Made(lambda slug: self._article_link(graph.articles[slug]))
        counts = {eid: len(b.articles) for eid, b in graph.backlinks.items()}
        self.entity_links = {e.id: self._entity_link(e, counts.get(e.id, 0)) for e in graph.entities.values()}
        self.claim_views: _Made[str, ClaimView] = _Made(lambda cid: self._claim_view(graph.claims[cid]))
        self.events_by_article: dict[str, list[Event]] = {}
        for event in graph.events:
            self.events_by_article.setdefault(event.article, []).append(event)
        self.ld = JsonLd(graph, config)
        # Each entity's relations, indexed once: looking them up per page is then linear overall.
        self.relations: dict[str, list[relations.Relation]] = {}
        for rel in relations.relations(graph):
            self.relations.setdefault(rel.source, []).append(rel)
            if rel.target != rel.source:
                self.relations.setdefault(rel.target, []).append(rel)
        self.tag_counts: Counter[str] = Counter()
        self.tag_names: dict[str, str] = {}
        tagged: tuple[Article | Entity, ...] = (*graph.articles.values(), *graph.entities.values())
        for record in tagged:
            for tag in record.tags:
                slug = urls.tag_slug(tag)
                self.tag_names.setdefault(slug, tag)
                self.tag_counts[slug] += 1

    def make_all(self) -> None:
        """Make every article's link and every claim's view now: before workers are forked,
        which would each make most of them again."""
        for slug in self.g.articles:
            self.article_links[slug]  # noqa: B018 - made on first access
        for cid in self.g.claims:
            self.claim_views[cid]  # noqa: B018

    def plan(self, task: Task) -> list[PagePlan]:
        what, key = task
        g = self.g
        if what == "home":
            return [self.home()]
        if what == "article":
            return [self.article(g.articles[key])]
        if what == "entity":
            return [self.entity(g.entities[key])]
        if what == "claim":
            return [self.claim_page(g.claims[key])]
        if what == "indexes":
            return self.indexes()
        if what == "index":  # "section" (all its pages) or "section:n" (its n-th page alone)
            section, _, page = key.partition(":")
            return self.index(section, int(page) if page else None)
        if what == "tags":
            return self.tags()
        if what == "tag":
            return self.tags(key)
        if what == "entity_articles":  # "id" (all its pages) or "id:n" (its n-th page alone)
            entity, _, page = key.partition(":")
            return self.entity_articles(g.entities[entity], int(page) if page else None)
        if what == "page":
            return [self.static_page(*self.static_pages[int(key)])]
        if what == "search":
            return [self.search()]
        if what == "404":
            return [self.not_found()]
        raise ValueError(f"unknown planning task {task!r}")

    # -- small views -------------------------------------------------------------------------
    def _summary(self, article: Article) -> str:
        if article.summary:
            return article.summary
        entities = self.g.entities
        return plain_summary(article.body_md, lambda i: entities[i].name if i in entities else None)

    def _article_link(self, a: Article) -> ArticleLink:
        return ArticleLink(slug=a.slug, title=a.title, date=a.date, path=urls.article_path(a.slug),
                           summary=self._summary(a))

    def _entity_link(self, e: Entity, count: int = 0) -> EntityLink:
        return EntityLink(id=e.id, name=e.name, kind=e.kind.value, path=urls.entity_path(e.kind, e.id),
                          summary=e.summary, status=e.status, count=count)

    def link(self, entity_id: str | None) -> EntityLink | None:
        return self.entity_links.get(entity_id) if entity_id else None

    def links(self, ids: Iterable[str]) -> tuple[EntityLink, ...]:
        return tuple(link for i in dict.fromkeys(ids) if (link := self.entity_links.get(i)))

    def tag_links(self, tags: Iterable[str]) -> tuple[TagLink, ...]:
        out = {urls.tag_slug(t): TagLink(name=t, path=urls.tag_path(t), count=self.tag_counts[urls.tag_slug(t)])
               for t in tags}
        return tuple(out.values())

    def _claim_view(self, c: Claim) -> ClaimView:
        speaker = self.entity_links[c.speaker]
        steps = tuple(StepView(date=s.date, status=s.status, note=s.note, article=self.article_links[s.article])
                      for s in c.history)
        return ClaimView(id=c.id, path=urls.claim_path(c.id), speaker=speaker, text=c.text, quote=c.quote,
                         about=self.links(c.about), date=c.date, article=self.article_links[c.article],
                         history=steps)

    def _event_view(self, e: Event) -> EventView:
        return EventView(date=e.date, title=e.title, type=e.type, actors=self.links(e.actors),
                         initiative=self.link(e.initiative), article=self.article_links[e.article])

    def _base(self, path: str) -> dict[str, object]:
        return {"path": path, "canonical": self.config.absolute(path)}

    # -- pages -------------------------------------------------------------------------------
    def home(self) -> PagePlan:
        g = self.g
        initiatives = tuple(self.entity_links[e.id] for e in g.entities.values() if e.kind is Kind.INITIATIVE)
        actors = sorted((link for link in self.entity_links.values() if link.kind != "initiative" and link.count),
                        key=lambda link: (-link.count, link.name))
        claims = sorted(g.claims.values(), key=lambda c: (c.history[-1].date, c.id), reverse=True)[:6]
        view = HomePage(kind="home", title=self.config.title, description=self.config.description,
                        latest=tuple(self.article_links[slug] for slug in itertools.islice(g.articles, 10)),
                        initiatives=initiatives, actors=tuple(actors[:12]),
                        claims=tuple(self.claim_views[c.id] for c in claims), feed=urls.feed_path(),
                        jsonld=self.ld.website(urls.HOME), **self._base(urls.HOME))  # type: ignore[arg-type]
        return PagePlan(urls.HOME, "home.html", view, frozenset({ALL_ARTICLES, ALL_ENTITIES}))

    def article(self, a: Article) -> PagePlan:
        path = urls.article_path(a.slug)
        body = Markup("")  # rendered with the page, see Markdown
        listed = {r.id for r in (*a.actors, *a.initiatives)}
        touched = [r.id for r in a.refs() if r.id not in listed]
        new_claims = tuple(self.claim_views[c.id] for c in a.claims
                           if isinstance(c, NewClaim) and c.id in self.g.claims)
        revisits = []
        for entry in a.claims:
            if isinstance(entry, Revisit) and entry.revisits.id in self.g.claims:
                claim = self.claim_views[entry.revisits.id]
                step = next(s for s in claim.history if s.article.slug == a.slug and s.date == entry.date)
                revisits.append(RevisitView(claim=claim, step=step))
        events = tuple(self._event_view(e) for e in self.events_by_article.get(a.slug, ()))
        view = ArticlePage(
            kind="article", title=a.title, description=self.article_links[a.slug].summary, section="articles",
            breadcrumbs=(Crumb("Home", urls.HOME), Crumb("Analyses", urls.index_path("articles"))),
            slug=a.slug, date=a.date, updated=a.updated, summary=self.article_links[a.slug].summary,
            authors=a.authors, source_name=a.source.name if a.source else "",
            source_url=a.source.url if a.source else "", source_date=a.source.date if a.source else None,
            body=body, actors=self.links(r.id for r in a.actors), initiatives=self.links(r.id for r in a.initiatives),
            mentioned=self.links(touched), claims=new_claims, revisits=tuple(revisits), events=events,
            tags=self.tag_links(a.tags), jsonld=self.ld.article(a, path, self.article_links[a.slug].summary),
            **self._base(path))  # type: ignore[arg-type]
        inputs = {a.path} | {self.g.entities[i].path for i in (r.id for r in a.refs()) if i in self.g.entities}
        # A claim shows its whole history, so every article that revisits it is an input too.
        inputs |= {self.g.articles[step.article.slug].path
                   for claim in (*new_claims, *(r.claim for r in revisits)) for step in claim.history}
        return PagePlan(path, "article.html", view, frozenset(inputs | {"*names"}), Markdown("body", a.body_md))

    def entity(self, e: Entity) -> PagePlan:
        path = urls.entity_path(e.kind, e.id)
        back = self.g.backlinks[e.id]
        section = FOLDERS[e.kind]
        facts: list[tuple[str, tuple[EntityLink, ...] | str]] = []
        if e.kind is Kind.PERSON and e.nationality:
            facts.append(("Nationality", self.links([e.nationality.id])))
        if e.kind is Kind.STATE:
            facts.append(("Status", "Territory" if e.territory else "State"))
            if e.iso:
                facts.append(("ISO code", e.iso))
        if e.kind is Kind.BODY:
            facts.append(("Type", BODY_TYPE_LABELS[e.body_type]))
            if e.parent:
                facts.append(("Part of", self.links([e.parent.id])))
            if e.seat:
                facts.append(("Seat", self.links([e.seat.id])))
        own_refs = {r.id for r in e.refs() if r.key_path != "body"}
        related = self.links(sorted((set(back.related) | own_refs) - {e.id}))
        view = EntityPage(
            kind=e.kind.value, title=e.name, description=e.summary, section=section,
            breadcrumbs=(Crumb("Home", urls.HOME), Crumb(SECTION_TITLES[section], urls.index_path(section))),
            feed=urls.feed_path(e.id), id=e.id, name=e.name, summary=e.summary, aliases=e.aliases,
            wikidata=e.wikidata, links=tuple(LinkView(title=l.title, url=l.url) for l in e.links),
            tags=self.tag_links(e.tags),
            profile=Markup(""),
            facts=tuple(facts),
            roles=tuple(RoleView(title=r.title, of=self.link(r.of.id if r.of else None), start=r.start, end=r.end)
                        for r in e.roles),
            invitations=tuple(InvitationView(
                invitee=self.entity_links[i.invitee.id], date=i.date, by=self.link(i.by.id if i.by else None),
                status=i.status,
                source=self.article_links[i.source.id] if i.source and i.source.id in self.g.articles else None)
                for i in e.invitations if i.invitee.id in self.entity_links),
            members=self.links(r.id for r in e.members), focus=self.links(r.id for r in e.focus),
            chair=self.link(e.chair.id if e.chair else None), status=e.status, launched=e.launched,
            initiatives=self.links(back.initiatives), related=related,
            articles=tuple(self.article_links[s] for s in back.articles[:ENTITY_ARTICLES]),
            articles_total=len(back.articles),
            articles_more=self._entity_articles_paths(e)[0] if len(back.articles) > ENTITY_ARTICLES else "",
            claims_by=self._newest_claims(back.claims_by), claims_by_total=len(back.claims_by),
            claims_about=self._newest_claims(back.claims_about), claims_about_total=len(back.claims_about),
            events=tuple(self._event_view(ev) for ev in back.events[-ENTITY_EVENTS:]),
            events_total=len(back.events), jsonld=self.ld.entity(e, path),
            **self._pictures(e), **self._base(path))  # type: ignore[arg-type]
        inputs = {e.path} | {self.g.articles[s].path for s in back.articles}
        inputs |= {self.g.entities[i].path for i, _ in relations.around(e.id, tuple(self.relations.get(e.id, ())))}
        inputs |= {self.g.entities[i].path for i in (*back.related, *back.initiatives, *own_refs)
                   if i in self.g.entities}
        template = f"{e.kind.value}.html"
        return PagePlan(path, template, view, frozenset(inputs | {"*names"}), Markdown("profile", e.profile_md, e.id))

    def claim_page(self, c: Claim) -> PagePlan:
        view = self.claim_views[c.id]
        page = ClaimPage(kind="claim", title=f"Claim by {view.speaker.name}: {c.text}", description=c.text,
                         section="claims", breadcrumbs=(Crumb("Home", urls.HOME),
                                                        Crumb("Claims", urls.index_path("claims"))),
                         claim=view, jsonld=self.ld.claim(c, view.path),
                         **self._base(view.path))  # type: ignore[arg-type]
        inputs = {self.g.articles[s.article].path for s in c.history}
        inputs |= {self.g.entities[i].path for i in (c.speaker, *c.about)}
        return PagePlan(view.path, "claim.html", page, frozenset(inputs))

    def indexes(self) -> list[PagePlan]:
        return [plan for section in INDEX_SECTIONS for plan in self.index(section)]

    def index(self, section: str, page: int | None = None) -> list[PagePlan]:
        """The pages of ``section``'s index, or its ``page``-th alone."""
        g = self.g
        if section == "articles":
            return self._paginate(section, "article", "articles", tuple(g.articles), self.article_links, page)
        if section == "claims":
            ids = tuple(c.id for c in sorted(g.claims.values(), key=lambda c: (c.date, c.id), reverse=True))
            return self._paginate(section, "claim", "claims", ids, self.claim_views, page)
        if section == "tags":
            tags = tuple(sorted((TagLink(name=self.tag_names[s], path=f"tags/{s}.html", count=n)
                                 for s, n in self.tag_counts.items()), key=lambda t: (t.name.casefold(), t.path)))
            return self._paginate(section, "tag", "tags", tags, None, page)
        kind = next(k for k, folder in FOLDERS.items() if folder == section and k is not Kind.ARTICLE)
        items = tuple(sorted((l for l in self.entity_links.values() if l.kind == kind.value),
                             key=lambda l: (l.name.casefold(), l.id)))
        return self._paginate(section, kind.value, "entities", items, None, page)

    def _paginate(self, section: str, items_kind: str, field: str, keys: tuple[Any, ...],
                  items: Mapping[Any, object] | None, only: int | None = None) -> list[PagePlan]:
        """The index pages of ``section``, listing ``keys`` (or the ``items`` they are keys of)
        in order in ``field``; with ``only``, that page alone."""
        per = self.config.per_page
        count = max(1, -(-len(keys) // per))
        paths = tuple(urls.index_path(section, n) for n in range(1, count + 1))
        plans = []
        for n in range(1, count + 1) if only is None else [only] if 1 <= only <= count else []:
            path = paths[n - 1]
            pager = make_pager(n, paths)
            title = SECTION_TITLES[section] + (f" (page {n} of {count})" if count > 1 else "")
            shown = keys[(n - 1) * per: n * per]
            if items is not None:
                shown = tuple(items[key] for key in shown)
            view = ListPage(kind="list", title=title, section=section, items_kind=items_kind,
                            breadcrumbs=(Crumb("Home", urls.HOME),), total=len(keys), pager=pager,
                            jsonld=self.ld.collection(title, path, _names_and_paths(shown), (n - 1) * per + 1,
                                                      len(keys)),
                            **{field: shown}, **self._base(path))  # type: ignore[arg-type]
            deps = ALL_ARTICLES if items_kind in ("article", "claim", "tag") else ALL_ENTITIES
            plans.append(PagePlan(path, "list.html", view, frozenset({deps, ALL_ENTITIES})))
        return plans

    def tags(self, only: str | None = None) -> list[PagePlan]:
        """Every tag's page, or the page of the tag whose slug is ``only``."""
        slugs = sorted(self.tag_names) if only is None else [only] if only in self.tag_names else []
        tagged_articles: dict[str, list[ArticleLink]] = {slug: [] for slug in slugs}
        tagged_entities: dict[str, list[EntityLink]] = {slug: [] for slug in slugs}
        for a in self.g.articles.values():
            for slug in dict.fromkeys(urls.tag_slug(t) for t in a.tags):
                if slug in tagged_articles:
                    tagged_articles[slug].append(self.article_links[a.slug])
        for e in self.g.entities.values():
            for slug in dict.fromkeys(urls.tag_slug(t) for t in e.tags):
                if slug in tagged_entities:
                    tagged_entities[slug].append(self.entity_links[e.id])
        plans = []
        for slug in slugs:
            path = f"tags/{slug}.html"
            name = self.tag_names[slug]
            view = TagPage(kind="tag", title=f"Tagged “{name}”", section="tags", tag=name,
                           articles=tuple(tagged_articles[slug]), entities=tuple(tagged_entities[slug]),
                           breadcrumbs=(Crumb("Home", urls.HOME), Crumb("Tags", urls.index_path("tags"))),
                           jsonld=self.ld.collection(f"Tagged “{name}”", path, _names_and_paths(
                               (*tagged_articles[slug], *tagged_entities[slug]))),
                           **self._base(path))  # type: ignore[arg-type]
            plans.append(PagePlan(path, "tag.html", view, frozenset({ALL_ARTICLES, ALL_ENTITIES})))
        return plans

    # -- readers' extras: search page, full lists of an entity's analyses, pictures ----------
    def static_page(self, template: str, title: str) -> PagePlan:
        path = template.split("/", 1)[1]
        return PagePlan(path, template, StaticPage(kind="page", path=path, title=title, template=template,
                                                   section=path, canonical=self.config.absolute(path),
                                                   breadcrumbs=(Crumb("Home", urls.HOME),),
                                                   jsonld=self.ld.webpage(title, path)),
                        frozenset({"templates/" + template}))

    def not_found(self) -> PagePlan:
        return PagePlan(urls.NOT_FOUND, "404.html",
                        StaticPage(kind="404", path=urls.NOT_FOUND, title="Page not found", template="404.html",
                                   noindex=True, link_base=self.config.base_url or "/",
                                   jsonld=self.ld.webpage("Page not found", urls.NOT_FOUND)), frozenset())

    def search(self) -> PagePlan:
        view = StaticPage(kind="search", title="Search", template="search.html", section="search",
                          breadcrumbs=(Crumb("Home", urls.HOME),), noindex=True,
                          jsonld=self.ld.webpage("Search", urls.SEARCH, "SearchResultsPage"),
                          **self._base(urls.SEARCH))  # type: ignore[arg-type]
        return PagePlan(urls.SEARCH, "search.html", view, frozenset())

    def _entity_articles_paths(self, e: Entity) -> tuple[str, ...]:
        count = max(1, -(-len(self.g.backlinks[e.id].articles) // self.config.per_page))
        folder = f"{FOLDERS[e.kind]}/{e.id}"
        return tuple(f"{folder}/analyses.html" if n == 1 else f"{folder}/analyses-{n}.html"
                     for n in range(1, count + 1))

    def _newest_claims(self, ids: tuple[str, ...]) -> tuple[ClaimView, ...]:
        claims = self.g.claims
        newest = sorted(ids, key=lambda c: (sort_date(claims[c].date), c), reverse=True)[:ENTITY_CLAIMS]
        return tuple(self.claim_views[c] for c in newest)

    def entity_articles(self, e: Entity, only: int | None = None) -> list[PagePlan]:
        """Every analysis touching ``e``, paginated, when its page shows only the newest (or
        the ``only``-th page alone)."""
        slugs = self.g.backlinks[e.id].articles
        if len(slugs) <= ENTITY_ARTICLES:
            return []
        paths = self._entity_articles_paths(e)
        per, count, section = self.config.per_page, len(paths), FOLDERS[e.kind]
        plans = []
        for n, path in enumerate(paths, 1):
            if only is not None and n != only:
                continue
            shown = tuple(self.article_links[s] for s in slugs[(n - 1) * per: n * per])
            title = f"Analyses of {e.name}" + (f" (page {n} of {count})" if count > 1 else "")
            pager = make_pager(n, paths)
            view = ListPage(kind="list", title=title, section=section, items_kind="article", articles=shown,
                            total=len(slugs), pager=pager, feed=urls.feed_path(e.id),
                            breadcrumbs=(Crumb("Home", urls.HOME), Crumb(SECTION_TITLES[section],
                                         urls.index_path(section)), Crumb(e.name, urls.entity_path(e.kind, e.id))),
                            jsonld=self.ld.collection(title, path, _names_and_paths(shown), (n - 1) * per + 1,
                                                      len(slugs)),
                            **self._base(path))  # type: ignore[arg-type]
            inputs = {e.path} | {self.g.articles[a.slug].path for a in shown}
            plans.append(PagePlan(path, "list.html", view, frozenset(inputs)))
        return plans

    def _pictures(self, e: Entity) -> dict[str, object]:
        """The relationship graph of ``e`` with its text table, and its timeline (initiatives)
        or its coverage per month (actors)."""
        around = relations.around(e.id, tuple(self.relations.get(e.id, ())))
        rows = tuple(RelationView(label=rel.label(e.id), entity=self.entity_links[other])
                     for other, rels in around for rel in rels)
        nodes = tuple(graphics.Node(name=self.entity_links[other].name, kind=self.entity_links[other].kind,
                                    labels=tuple(r.label(e.id) for r in rels),
                                    outgoing=any(r.directed and r.source == e.id for r in rels),
                                    incoming=any(r.directed and r.target == e.id for r in rels))
                      for other, rels in around[:GRAPH_NODES])
        out: dict[str, object] = {
            "relations": rows,
            "graph": graphics.relationship_svg(f"graph-{e.id}", e.name, e.kind.value, nodes, total=len(around))}
        back = self.g.backlinks[e.id]
        if e.kind is Kind.INITIATIVE:
            # The newest events, as the timeline beside it lists: a chart of thousands reads as nothing.
            marks = [graphics.Mark(ev.date, ev.title, ev.type) for ev in back.events[-ENTITY_EVENTS:]]
            out["timeline_chart"] = graphics.timeline_svg(f"timeline-{e.id}", e.name, marks)
        else:
            counts = graphics.coverage_counts([self.g.articles[s].date for s in back.articles])
            out["coverage"] = tuple(MonthCount(month=m, label=graphics.month_label(m), count=c) for m, c in counts)
            out["coverage_chart"] = graphics.coverage_svg(f"coverage-{e.id}", e.name, counts)
        return out


def _names_and_paths(items: Iterable[object]) -> list[tuple[str, str]]:
    """(name, site path) of list items, for an ItemList in structured data."""
    out = []
    for item in items:
        name = getattr(item, "title", None) or getattr(item, "name", None) or getattr(item, "text", "")
        out.append((str(name), str(getattr(item, "path"))))
    return out
