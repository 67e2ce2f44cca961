"""Structured data (schema.org JSON-LD) for every page, built in Python from the graph.

Templates emit ``page.jsonld`` inside ``<script type="application/ld+json">``. The text is
``json.dumps`` with sorted keys, and ``<``, ``>`` and ``&`` are written as ``\\u003c`` ...
so no string in the data can ever close the script element. URLs are absolute when the
site has a ``base_url``, and relative to the page otherwise.
"""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterable, Sequence
from typing import Any

from markupsafe import Markup

from . import urls
from .config import SiteConfig
from .model import Article, Claim, Entity, Graph, Kind

CONTEXT = "https://schema.org"
VERDICTS = {"false": 1, "denied": 2, "disputed": 3, "confirmed": 5}  # claim status -> rating (1..5)
BODY_TYPES = {"government": "GovernmentOrganization", "agency": "GovernmentOrganization", "ngo": "NGO",
              "company": "Corporation", "media": "NewsMediaOrganization", "party": "PoliticalParty"}

Data = dict[str, Any]


def dumps(data: Data) -> Markup:
    """JSON safe to place between ``<script type="application/ld+json">`` and ``</script>``."""
    text = json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":"))
    text = text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
    return Markup(text)  # noqa: S704 - escaped above; JSON, not HTML


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


class Builder:
    """JSON-LD for the pages of one site. ``page`` arguments are site paths of the page the
    data goes on, so relative URLs can be made when there is no base_url."""

    def __init__(self, graph: Graph, config: SiteConfig) -> None:
        self.g = graph
        self.config = config
        # An entity's reference is the same from every page of a folder (its URL is absolute,
        # or relative from the folder): made once per folder, shared, never changed.
        self._refs: dict[tuple[str, str], Data] = {}

    def url(self, page: str, target: str) -> str:
        return self.config.absolute(target) or urls.relative(page, target)

    def _clean(self, data: Data) -> Data:
        return {k: v for k, v in data.items() if v not in (None, "", [], ())}

    def publisher(self, page: str) -> Data:
        return self._clean({"@type": "Organization", "name": self.config.title, "url": self.url(page, urls.HOME)})

    def _doc(self, type_: str, page: str, **fields: Any) -> Markup:
        data = {"@context": CONTEXT, "@type": type_, "url": self.url(page, page)}
        if self.config.base_url:
            data["@id"] = self.config.absolute(page)
        data.update(fields)
        return dumps(self._clean(data))

    # -- entities ------------------------------------------------------------------------------
    def entity_type(self, e: Entity) -> str:
        if e.kind is Kind.PERSON:
            return "Person"
        if e.kind is Kind.STATE:
            return "AdministrativeArea" if e.territory else "Country"
        if e.kind is Kind.BODY:
            return BODY_TYPES.get(e.body_type, "Organization")
        return "Organization"

    def ref(self, page: str, entity_id: str) -> Data:
        key = (entity_id, page[:page.rfind("/") + 1])
        data = self._refs.get(key)
        if data is None:
            e = self.g.entities[entity_id]
            data = self._refs[key] = self._clean({
                "@type": self.entity_type(e), "name": e.name, "url": self.url(page, urls.entity_path(e.kind, e.id)),
                "sameAs": self._same_as(e)})
        return data

    def refs(self, page: str, ids: Iterable[str]) -> list[Data]:
        return [self.ref(page, i) for i in dict.fromkeys(ids) if i in self.g.entities]

    def _same_as(self, e: Entity) -> list[str]:
        out = [f"https://www.wikidata.org/wiki/{e.wikidata}"] if e.wikidata else []
        return out + [link.url for link in e.links]

    def entity(self, e: Entity, page: str) -> Markup:
        fields: Data = {"name": e.name, "alternateName": list(e.aliases), "description": e.summary,
                        "sameAs": self._same_as(e), "keywords": list(e.tags)}
        if e.kind is Kind.PERSON:
            fields["jobTitle"] = [r.title for r in e.roles if r.end is None]
            fields["affiliation"] = self.refs(page, (r.of.id for r in e.roles if r.of and r.end is None))
            if e.nationality:
                fields["nationality"] = self.ref(page, e.nationality.id)
        elif e.kind is Kind.STATE:
            if e.iso:
                fields["identifier"] = e.iso
        elif e.kind is Kind.BODY:
            if e.parent:
                fields["parentOrganization"] = self.ref(page, e.parent.id)
            if e.seat:
                fields["location"] = self.ref(page, e.seat.id)
        else:
            fields["foundingDate"] = _date(e.launched)
            roles = [{"@type": "OrganizationRole", "roleName": "Chair", "member": self.ref(page, e.chair.id)}] \
                if e.chair and e.chair.id in self.g.entities else []
            fields["member"] = roles + self.refs(page, (r.id for r in e.members))
            fields["areaServed"] = self.refs(page, (r.id for r in e.focus))
        return self._doc(self.entity_type(e), page, **fields)

    # -- articles and claims -------------------------------------------------------------------
    def article(self, a: Article, page: str, summary: str) -> Markup:
        authors = [{"@type": "Person", "name": n} for n in a.authors] or [self.publisher(page)]
        listed = [r.id for r in (*a.actors, *a.initiatives)]
        mentioned = [r.id for r in a.refs() if r.id not in set(listed)]
        return self._doc(
            "NewsArticle", page, headline=a.title, description=summary, datePublished=_date(a.date),
            dateModified=_date(a.updated or a.date), author=authors, publisher=self.publisher(page),
            mainEntityOfPage=self.url(page, page), about=self.refs(page, listed),
            mentions=self.refs(page, mentioned), keywords=list(a.tags),
            isBasedOn=a.source.url if a.source and a.source.url else None, inLanguage=self.config.language)

    def claim(self, c: Claim, page: str) -> Markup:
        first = self.g.articles[c.article]
        claim: Data = self._clean({
            "@type": "Claim", "text": c.text, "author": self.ref(page, c.speaker), "datePublished": _date(c.date),
            "about": self.refs(page, c.about),
            "firstAppearance": {"@type": "NewsArticle", "headline": first.title,
                                "url": self.url(page, urls.article_path(first.slug))},
            "appearance": [{"@type": "NewsArticle", "headline": self.g.articles[slug].title,
                            "url": self.url(page, urls.article_path(slug))}
                           for slug in dict.fromkeys(s.article for s in c.history)],
        })
        if c.status not in VERDICTS:
            claim.pop("@type")
            return self._doc("Claim", page, **claim)
        step = c.history[-1]
        return self._doc(
            "ClaimReview", page, claimReviewed=c.text, datePublished=_date(step.date),
            author=self.publisher(page), itemReviewed=claim, inLanguage=self.config.language,
            reviewRating={"@type": "Rating", "ratingValue": VERDICTS[c.status], "bestRating": 5, "worstRating": 1,
                          "alternateName": c.status.capitalize()})

    # -- site, indexes and plain pages ---------------------------------------------------------
    def website(self, page: str) -> Markup:
        search = self.url(page, urls.SEARCH) + "?q={search_term_string}"
        return self._doc("WebSite", page, name=self.config.title, description=self.config.description,
                         inLanguage=self.config.language,
                         publisher=self.publisher(page),
                         potentialAction={"@type": "SearchAction", "target": search,
                                          "query-input": "required name=search_term_string"})

    def collection(self, title: str, page: str, items: Sequence[tuple[str, str]], first: int = 1,
                   total: int = 0) -> Markup:
        """A CollectionPage whose main entity lists ``items`` ((name, site path) pairs)."""
        listing = {"@type": "ItemList", "numberOfItems": total or len(items),
                   "itemListElement": [{"@type": "ListItem", "position": first + i, "name": name,
                                        "url": self.url(page, path)} for i, (name, path) in enumerate(items)]}
        return self._doc("CollectionPage", page, name=title, mainEntity=listing, isPartOf=self._site_ref(page),
                         inLanguage=self.config.language)

    def webpage(self, title: str, page: str, type_: str = "WebPage") -> Markup:
        return self._doc(type_, page, name=title, isPartOf=self._site_ref(page), inLanguage=self.config.language)

    def _site_ref(self, page: str) -> Data:
        return {"@type": "WebSite", "name": self.config.title, "url": self.url(page, urls.HOME)}
