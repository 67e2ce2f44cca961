"""Which pages an edit to existing articles can change, so that a rebuild plans only those.

Planning every page of a large site costs seconds, and most edits change few pages. What
decides how many pages there are, and what each page shows of *other* records, is each
article's **links**: the entities it references, its tags, the claims it makes and the claims
it revisits. They give every count and every list membership on other pages (an entity's
analyses, claims and events, a tag's pages, the relations between entities). An edit that
keeps the links of every changed article (its title, summary, date, authors, source, a
claim's wording or status, an event's title or date, its prose) changes only:

- its own page, and every page listing the site's articles, claims or tags (home, indexes,
  tag pages: planned whatever the edit, they are few);
- the pages of the entities it references, and their full lists of analyses: they show its
  link, its claims, its events and its date (which orders their lists and charts);
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
    """An article's links (see the module's docstring), as canonical JSON."""
    entities = sorted({ref.id for ref in article.refs()})
    tags = [urls.tag_slug(tag) for tag in article.tags]  # in order: each one counts
    made = sorted(c.id for c in article.claims if isinstance(c, NewClaim))
    revisited = sorted(c.revisits.id for c in article.claims if isinstance(c, Revisit))
    return json.dumps([entities, tags, made, revisited], ensure_ascii=False, separators=(",", ":"))


def tasks_for(graph: Graph, edited: Iterable[Article]) -> list[Task]:
    """The planning tasks whose pages an edit of ``edited`` (articles of ``graph``, whose links
    are those of the last build) can change, sorted (each task plans its pages alone)."""
    tasks: set[Task] = {("home", ""), ("indexes", ""), ("tags", "")}
    slugs = set()
    for article in edited:
        slugs.add(article.slug)
        tasks.add(("article", article.slug))
        for ref in article.refs():
            tasks.update({("entity", ref.id), ("entity_articles", ref.id)})
        for entry in article.claims:
            claim = graph.claims.get(entry.id if isinstance(entry, NewClaim) else entry.revisits.id)
            if claim is None:
                continue
            tasks.add(("claim", claim.id))
            tasks.update(("article", step.article) for step in claim.history)
            tasks.update(("entity", entity) for entity in (claim.speaker, *claim.about))
    for entity in graph.entities.values():
        if any(inv.source is not None and inv.source.id in slugs for inv in entity.invitations):
            tasks.add(("entity", entity.id))
    return sorted(t for t in tasks if _exists(graph, t))


def _exists(graph: Graph, task: Task) -> bool:
    what, key = task
    if what == "article":
        return key in graph.articles
    if what in ("entity", "entity_articles"):
        return key in graph.entities
    if what == "claim":
        return key in graph.claims
    return True


class Reuse:
    """A rebuild that plans only :attr:`tasks`: every other page is the last build's, as its
    output manifest and the store's listing record it."""

    def __init__(self, tasks: list[Task], listing: list[tuple[str, str, bool]], fingerprints: Mapping[str, str],
                 digests: Mapping[str, str]) -> None:
        self.tasks = tasks
        self._listing = listing
        self._fingerprints = fingerprints
        self._digests = digests  # article page -> view digest, as the store holds it

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
          known: Mapping[str, tuple[str, str, str, str]]) -> Reuse | None:
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
    for path in changed:
        article, row = articles.get(path), rows.get(path)
        if article is None or row is None or row.sha256 != manifest.sources[path][3] \
                or row.page != urls.article_path(article.slug) or row.links != links(article):
            return None
        edited.append(article)
    try:
        listing = [(str(path), str(kind), bool(noindex)) for path, kind, noindex in json.loads(meta[LISTING])]
    except (KeyError, TypeError, ValueError):
        return None
    if {path for path, _, _ in listing} != manifest.pages.keys():
        return None
    digests = {page: digest for _, _, page, digest in known.values()}
    return Reuse(tasks_for(graph, edited), listing, manifest.pages, digests)
