"""Which pages an edit to existing articles can change, so that a rebuild plans only those.

Planning every page of a large site costs seconds, and most edits change few pages. What
decides how many pages there are, and what each page shows of *other* records, is each
article's **links**: the entities it references, its tags, the claims it makes and the claims
it revisits. They give every count and every list membership on other pages (an entity's
analyses, claims and events, a tag's pages, the relations between entities). An edit that
keeps the links of every changed article (its title, summary, date, authors, source, a
claim's wording or status, an event's title or date, its prose) changes only:

- its own page, the home page, the tags index and the pages of its tags;
- the pages of the indexes of articles and of claims that list it or its claims: they are
  ordered by date, so where a date changed, every page of those two indexes (the dates are
  kept beside the links to tell);
- the pages of the entities it references, and the page of each one's full list of analyses
  that lists it (every page of those lists where a date changed): they show its link, its
  claims, its events and its date (which orders their lists and charts);
- the claims it makes or revisits, with the pages that show them: the claim's page, the
  pages of its speaker and of what it is about, and every article in its history;
- entities whose invitations cite it as their source.

Each changed article's links before the edit are kept in the express path's store
(express.py); an edit that changes them, adds or removes a file, or touches an entity,
a setting or a template plans every page.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping, Sequence
from typing import TYPE_CHECKING

from . import urls
from .model import Article, Graph, NewClaim, Revisit, Source
from .pages import Task

if TYPE_CHECKING:
    from .cache import Manifest
    from .express import Store
    from .workers import Rendered


def links(article: Article) -> str:
    """An article's links (see the module's docstring), as canonical JSON, followed by its
    dates, which order the indexes of articles and claims (see :func:`tasks_for`)."""
    entities = sorted({ref.id for ref in article.refs()})
    tags = [urls.tag_slug(tag) for tag in article.tags]  # in order: each one counts
    made = sorted(c.id for c in article.claims if isinstance(c, NewClaim))
    revisited = sorted(c.revisits.id for c in article.claims if isinstance(c, Revisit))
    dates = [article.date.isoformat(), [c.date.isoformat() if c.date else None for c in article.claims]]
    return json.dumps([entities, tags, made, revisited, dates], ensure_ascii=False, separators=(",", ":"))


def tasks_for(graph: Graph, edited: Iterable[Article], per_page: int, moved: bool) -> list[Task]:
    """The planning tasks whose pages an edit of ``edited`` (articles of ``graph``, whose links
    are those of the last build) can change, sorted (each task plans its pages alone). Of the
    indexes of articles and claims, which list them by date, only the pages showing the edited
    articles and their claims, unless a date changed (``moved``): then every page, as any may
    now show other items. The tags index and the pages of the articles' tags are planned: the
    first spelling of a tag names it."""
    tasks: set[Task] = {("home", ""), ("index", "tags")}
    if moved:
        tasks.update({("index", "articles"), ("index", "claims")})
    slugs = set()
    claims: set[str] = set()
    for article in edited:
        slugs.add(article.slug)
        tasks.add(("article", article.slug))
        tasks.update(("tag", urls.tag_slug(tag)) for tag in article.tags)
        for ref in article.refs():
            tasks.add(("entity", ref.id))
            if moved:
                tasks.add(("entity_articles", ref.id))
            elif ref.id in graph.backlinks and article.slug in graph.backlinks[ref.id].articles:
                # the page of the entity's full list of analyses that lists it
                at = graph.backlinks[ref.id].articles.index(article.slug)
                tasks.add(("entity_articles", f"{ref.id}:{at // per_page + 1}"))
        for entry in article.claims:
            claim = graph.claims.get(entry.id if isinstance(entry, NewClaim) else entry.revisits.id)
            if claim is None:
                continue
            claims.add(claim.id)
            tasks.add(("claim", claim.id))
            tasks.update(("article", step.article) for step in claim.history)
            tasks.update(("entity", entity) for entity in (claim.speaker, *claim.about))
    if not moved:
        order = {slug: i for i, slug in enumerate(graph.articles)}
        tasks.update(("index", f"articles:{order[slug] // per_page + 1}") for slug in slugs if slug in order)
        if claims:
            ranked = sorted(graph.claims.values(), key=lambda c: (c.date, c.id), reverse=True)
            tasks.update(("index", f"claims:{i // per_page + 1}") for i, c in enumerate(ranked) if c.id in claims)
    for entity in graph.entities.values():
        if any(inv.source is not None and inv.source.id in slugs for inv in entity.invitations):
            tasks.add(("entity", entity.id))
    return sorted(t for t in tasks if _exists(graph, t))


def _exists(graph: Graph, task: Task) -> bool:
    what, key = task
    if what == "article":
        return key in graph.articles
    if what in ("entity", "entity_articles"):
        return key.partition(":")[0] in graph.entities
    if what == "claim":
        return key in graph.claims
    return True


class Reuse:
    """A rebuild that plans only :attr:`tasks`: every other page is the last build's, as its
    output manifest and the store's listing record it."""

    def __init__(self, tasks: list[Task], listing: list[tuple[str, str, bool]], fingerprints: Mapping[str, str],
                 digests: Mapping[str, str], edited: Sequence[Article], moved: bool) -> None:
        self.tasks = tasks
        self.edited = tuple(edited)  # the articles edited, as they are now
        self.moved = moved  # whether a date changed: the order of articles and claims may have
        self._listing = listing
        self._fingerprints = fingerprints
        self._digests = digests  # article page -> view digest, as the store holds it

    def unchanged_outputs(self, graph: Graph) -> frozenset[str]:
        """The outputs made from the graph that the edits cannot change: the feeds of the
        entities they do not reference (a feed lists the analyses that reference its entity)
        and data/entities.json (each record is an entity's alone)."""
        from .export import DATA
        referenced = {ref.id for article in self.edited for ref in article.refs()}
        return frozenset({f"{DATA}/entities.json", *(urls.feed_path(entity) for entity in graph.backlinks
                                                      if entity not in referenced)})

    def merge(self, planned: Sequence[Rendered]) -> list[Rendered] | None:
        """Every page of the site: ``planned`` and, for the others, what the last build made
        (in path order); None when a planned page is not one of the last build's."""
        from .workers import Rendered
        made = {page.path: page for page in planned}
        if not made.keys() <= self._fingerprints.keys():  # the listing's pages (see reuse)
            return None
        return [made.get(path) or Rendered(path, frozenset(), kind, noindex, self._fingerprints[path],
                                           self._digests.get(path, ""), False)
                for path, kind, noindex in self._listing]


def reuse(graph: Graph, sources: Sequence[Source], manifest: Manifest, store: Store, common: str,
          known: Mapping[str, tuple[str, str, str, str]], per_page: int) -> Reuse | None:
    """How to rebuild after edits that keep the links of existing articles and change nothing
    else, or None when the change is another (every page is then planned). ``known`` is the
    store's rows without their views (see express.Store.digests)."""
    from .express import LISTING
    if manifest.common != common or set(manifest.sources) != {s.path for s in sources}:
        return None
    changed = [s.path for s in sources if s.sha256 != manifest.sources[s.path][3]]
    meta = store.meta()
    if not changed or meta is None or meta.get("inputs") != manifest.inputs or meta.get("common") != common:
        return None
    articles = {a.path: a for a in graph.articles.values()}
    rows = store.rows(changed)
    edited: list[Article] = []
    moved = False
    for path in changed:
        article, row = articles.get(path), rows.get(path)
        if article is None or row is None or row.sha256 != manifest.sources[path][3] \
                or row.page != urls.article_path(article.slug):
            return None
        now = links(article)
        if row.links != now:
            try:
                before = json.loads(row.links)
            except ValueError:
                return None
            if not isinstance(before, list) or before[:4] != json.loads(now)[:4]:
                return None  # links changed
            moved = True  # dates changed
        edited.append(article)
    try:
        listing = [(str(path), str(kind), bool(noindex)) for path, kind, noindex in json.loads(meta[LISTING])]
    except (KeyError, TypeError, ValueError):
        return None
    if {path for path, _, _ in listing} != manifest.pages.keys():
        return None
    digests = {page: digest for _, _, page, digest in known.values()}
    return Reuse(tasks_for(graph, edited, per_page, moved), listing, manifest.pages, digests, edited, moved)
