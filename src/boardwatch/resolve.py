"""Resolve references once into a :class:`Graph` with back-links: the `resolve` stage.

Runs in time linear in the number of references. Ids of files that failed an earlier gate
still count as existing, so one broken file gives one error, not one per mention.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from types import MappingProxyType

from .diagnostics import Diagnostic, Diagnostics, Span, did_you_mean
from .model import (
    ACTOR_KINDS, Article, Backlinks, Claim, ClaimStep, Entity, Event, Graph, Kind, NewClaim, Record, Ref,
    Revisit, Source,
)

ANY = frozenset(Kind) - {Kind.ARTICLE}
STATE = frozenset({Kind.STATE})
INITIATIVE = frozenset({Kind.INITIATIVE})
PARENTS = frozenset({Kind.BODY, Kind.STATE})


def sort_date(value: dt.date) -> tuple[dt.date, str]:
    """A total order over dates and aware datetimes."""
    if isinstance(value, dt.datetime):
        return (value.astimezone(dt.timezone.utc).date(), value.astimezone(dt.timezone.utc).isoformat())
    return (value, "")


def day(value: dt.date) -> dt.date:
    return value.date() if isinstance(value, dt.datetime) else value


def resolve(sources: Sequence[Source], records: Sequence[Record], diags: Diagnostics, *,
            drafts: bool = False, failed_claims: frozenset[str] = frozenset(), keep: bool = False) -> Graph:
    """``failed_claims``: claim ids written in articles that failed validation; revisits of them
    are not reported again (the article's own error says what to fix).

    ``keep``: remember what this resolve made for the next one in this process (serve), which
    then checks again only the articles that are not the very records checked last time, and
    reuses the claims, events, back-links and names table whole when no article changed what
    they are made of (see :class:`_Memo`). The graph and the problems found are the same
    either way."""
    global _LAST
    last, _LAST = _LAST, None
    known = _register(sources, records, diags)
    entities = {r.id: r for r in records if isinstance(r, Entity)}
    all_articles = [r for r in records if isinstance(r, Article)]
    slugs = {a.slug for a in all_articles} | known.article_stems
    articles = [a for a in all_articles if drafts or not a.draft]
    checker = _RefChecker(known, entities, diags)

    for entity in entities.values():
        _check_entity(entity, checker, slugs, diags)
    same = last if last is not None and last.same_setting(known, drafts, failed_claims) else None
    checks: dict[str, tuple[Article, tuple[Diagnostic, ...]]] = {}
    for article in articles:
        prior = same.checks.get(article.path) if same is not None else None
        if prior is not None and prior[0] is article:
            diags.extend(prior[1])  # the same record, checked against the same ids: the same problems
            checks[article.path] = prior
            continue
        start = len(diags)
        _check_article(article, checker)
        if keep:
            checks[article.path] = (article, diags.since(start))

    if same is not None and same.links_kept(entities, all_articles):
        claims, events, backlinks, names = same.claims, list(same.events), same.backlinks, same.names
        diags.extend(same.later)
        articles.sort(key=lambda a: (_neg(a.date), a.slug))
    else:
        start = len(diags)
        claims = MappingProxyType(dict(sorted(_claims(articles, all_articles, diags, failed_claims).items())))
        events = _events(articles)
        articles.sort(key=lambda a: (_neg(a.date), a.slug))
        backlinks = MappingProxyType(_backlinks(entities, articles, claims, events))
        names = _names(entities, diags)
        same = None
    graph = Graph(
        entities=MappingProxyType(dict(sorted(entities.items()))),
        articles=MappingProxyType({a.slug: a for a in articles}),
        claims=claims,
        events=tuple(events),
        backlinks=backlinks,
        names=names,
    )
    if keep:
        _LAST = _Memo(known, drafts, failed_claims, entities, {a.path: a for a in all_articles}, checks,
                      graph, same.later if same is not None else diags.since(start))
    return graph


class _Memo:
    """What the last resolve of a process made (see :func:`resolve`'s ``keep``).

    An article's own checks depend on the article and on the ids the site has (their kinds,
    files and names); the claims, events, back-links and names table on the entities and, of
    each article, on its path, slug, date, draft flag, actors, initiatives, claims, events and
    body references, spans included (problems quote lines). Records are frozen, so a record
    that is the very object checked last time needs no second look; one parsed again is
    compared field by field."""

    __slots__ = ("kinds", "files", "duplicates", "names_known", "drafts", "failed_claims", "entities",
                 "articles", "checks", "claims", "events", "backlinks", "names", "later")

    def __init__(self, known: _Known, drafts: bool, failed_claims: frozenset[str], entities: dict[str, Entity],
                 articles: dict[str, Article], checks: dict[str, tuple[Article, tuple[Diagnostic, ...]]],
                 graph: Graph, later: tuple[Diagnostic, ...]) -> None:
        self.kinds, self.files = known.kinds, known.files
        self.duplicates, self.names_known = known.duplicates, known.names
        self.drafts, self.failed_claims = drafts, failed_claims
        self.entities, self.articles, self.checks = entities, articles, checks
        self.claims, self.events, self.backlinks, self.names = graph.claims, graph.events, graph.backlinks, graph.names
        self.later = later  # problems the claims and the names table gave

    def same_setting(self, known: _Known, drafts: bool, failed_claims: frozenset[str]) -> bool:
        return (drafts == self.drafts and failed_claims == self.failed_claims and known.kinds == self.kinds
                and known.files == self.files and known.duplicates == self.duplicates
                and known.names == self.names_known)

    def links_kept(self, entities: dict[str, Entity], articles: list[Article]) -> bool:
        if len(entities) != len(self.entities) or len(articles) != len(self.articles):
            return False
        if any(self.entities.get(i) is not e for i, e in entities.items()):
            return False
        for article in articles:
            before = self.articles.get(article.path)
            if before is not article and (before is None or _links(before) != _links(article)):
                return False
        return True


def _links(a: Article) -> tuple[object, ...]:
    """What the claims, events and back-links take from an article (see :class:`_Memo`)."""
    return (a.slug, a.date, a.draft, a.actors, a.initiatives, a.claims, a.events, a.body_refs)


_LAST: _Memo | None = None


def _a(noun: str) -> str:
    return ("an " if noun[0] in "aeiou" else "a ") + noun


def _neg(value: dt.date) -> tuple[int, str]:
    d, iso = sort_date(value)
    return (-d.toordinal(), "".join(chr(0x10FFFF - ord(ch)) for ch in iso))


class _Known:
    def __init__(self) -> None:
        self.kinds: dict[str, Kind] = {}
        self.files: dict[str, str] = {}
        self.article_stems: set[str] = set()
        self.names: dict[str, str] = {}  # lower-case name or alias -> id
        self.duplicates: set[str] = set()  # ids of two files: reported once as BW302


def _register(sources: Sequence[Source], records: Sequence[Record], diags: Diagnostics) -> _Known:
    known = _Known()
    for source in sources:
        if source.kind is Kind.ARTICLE:
            known.article_stems.add(source.stem)
            continue
        if source.stem in known.kinds:
            other = known.files[source.stem]
            diags.error("BW302", f"id '{source.stem}' is already used by {other}", Span(source.path, 1, 1),
                        hint=f"ids are unique across people, states, bodies and initiatives: rename one of "
                             f"{other} and {source.path}")
            known.duplicates.add(source.stem)
            continue
        known.kinds[source.stem] = source.kind
        known.files[source.stem] = source.path
    seen_slugs: dict[str, Article] = {}
    for record in records:
        if isinstance(record, Entity):
            for name in (record.name, *record.aliases):
                known.names.setdefault(name.casefold(), record.id)
        elif record.slug in seen_slugs:
            # Report on the article whose 'slug:' made the clash, if one of them has it.
            here, first = record, seen_slugs[record.slug]
            if _own_slug(first) and not _own_slug(here):
                here, first = first, here
            diags.error("BW306", f"slug '{record.slug}' is already used by {first.path}", here.span,
                        path="slug" if _own_slug(here) else "",
                        hint="give one of the two articles another file name or a 'slug:' of its own")
        else:
            seen_slugs[record.slug] = record
    return known


def _own_slug(article: Article) -> bool:
    """Whether the article's slug comes from a 'slug:' key rather than its file name."""
    return article.slug != article.path.rsplit("/", 1)[-1][: -len(".md")]


class _RefChecker:
    def __init__(self, known: _Known, entities: dict[str, Entity], diags: Diagnostics) -> None:
        self.known = known
        self.entities = entities
        self.diags = diags

    def check(self, ref: Ref | None, allowed: frozenset[Kind], what: str) -> None:
        if ref is None:
            return
        if ref.id in self.known.duplicates:
            return  # which of the two files is meant is unknown; BW302 says so once
        kind = self.known.kinds.get(ref.id)
        if kind is None:
            self._unknown(ref, what)
        elif kind not in allowed:
            wanted = " or ".join(_a(k.value) for k in sorted(allowed, key=lambda k: k.value)) \
                if allowed != ANY else "an entity"
            hint = f"{what} must name {wanted}; '{ref.id}' is {_a(kind.value)} ({self.known.files[ref.id]})"
            if kind is Kind.INITIATIVE and Kind.INITIATIVE not in allowed:
                hint += "; list initiatives under 'initiatives:' instead"
            self.diags.error("BW303", f"'{ref.id}' is {_a(kind.value)}, not {wanted}", ref.span,
                             path=ref.key_path, hint=hint)

    def check_all(self, refs: Iterable[Ref], allowed: frozenset[Kind], what: str) -> None:
        for ref in refs:
            self.check(ref, allowed, what)

    def _unknown(self, ref: Ref, what: str) -> None:
        by_name = self.known.names.get(ref.id.casefold())
        if by_name:
            hint = f"'{ref.id}' is a name: write its id '{by_name}'"
        else:
            hint = did_you_mean(ref.id, self.known.kinds)
            hint = (hint + " " if hint else "") + (
                "ids are file names under content/people/, states/, bodies/ and initiatives/ without '.md'")
        self.diags.error("BW301", f"unknown id '{ref.id}'" + (f" in {ref.key_path}" if ref.key_path else ""),
                         ref.span, path=ref.key_path, hint=hint)


def _check_entity(entity: Entity, c: _RefChecker, slugs: set[str], diags: Diagnostics) -> None:
    for role in entity.roles:
        c.check(role.of, ANY, "a role's 'of'")
    c.check(entity.nationality, STATE, "'nationality'")
    c.check(entity.seat, STATE, "'seat'")
    c.check(entity.parent, PARENTS, "'parent'")
    c.check(entity.chair, ACTOR_KINDS, "'chair'")
    c.check_all(entity.members, ACTOR_KINDS, "'members'")
    c.check_all(entity.focus, ANY, "'focus'")
    for inv in entity.invitations:
        c.check(inv.invitee, ACTOR_KINDS, "an invitation's 'invitee'")
        c.check(inv.by, ACTOR_KINDS, "an invitation's 'by'")
        if inv.source is not None and inv.source.id not in slugs:
            near = did_you_mean(inv.source.id, slugs)
            diags.error("BW307", f"invitation source '{inv.source.id}' is not an article slug", inv.source.span,
                        path=inv.source.key_path,
                        hint=(near + " " if near else "") + "'source' names the article that reports the "
                             "invitation, by its slug (its file name without .md)")
    c.check_all(entity.body_refs, ANY, "a [[reference]]")


def _check_article(article: Article, c: _RefChecker) -> None:
    c.check_all(article.actors, ACTOR_KINDS, "'actors'")
    c.check_all(article.initiatives, INITIATIVE, "'initiatives'")
    for claim in article.claims:
        if isinstance(claim, NewClaim):
            c.check(claim.speaker, ACTOR_KINDS, "a claim's 'speaker'")
            c.check_all(claim.about, ANY, "a claim's 'about'")
    for event in article.events:
        c.check_all(event.actors, ACTOR_KINDS, "an event's 'actors'")
        c.check(event.initiative, INITIATIVE, "an event's 'initiative'")
    c.check_all(article.body_refs, ANY, "a [[reference]]")
    if not any(c.known.kinds.get(r.id) in ACTOR_KINDS | INITIATIVE for r in article.refs()):
        c.diags.warning("BW309", "the article names no actor or initiative", article.span,
                        hint="add 'actors: [id, ...]' to its front matter so readers can follow it")


def _claims(articles: list[Article], all_articles: list[Article], diags: Diagnostics,
            failed_claims: frozenset[str]) -> dict[str, Claim]:
    firsts: dict[str, tuple[NewClaim, Article]] = {}
    in_drafts: set[str] = set()
    published = {a.path for a in articles}
    for article in sorted(all_articles, key=lambda a: (sort_date(a.date), a.slug)):
        for entry in article.claims:
            if isinstance(entry, NewClaim):
                if entry.id in firsts or entry.id in in_drafts:
                    where = firsts[entry.id][1].path if entry.id in firsts else "a draft"
                    diags.error("BW304", f"claim id '{entry.id}' is already used in {where}", entry.span,
                                path=_item(entry.speaker, "id"), hint="claim ids are unique across the site: choose another id, "
                                "or use 'revisits: <id>' to update the earlier claim")
                elif article.path in published:
                    firsts[entry.id] = (entry, article)
                else:
                    in_drafts.add(entry.id)
    steps: dict[str, list[tuple[tuple[dt.date, str], str, ClaimStep]]] = defaultdict(list)
    for article in articles:
        for entry in article.claims:
            if isinstance(entry, Revisit):
                target = entry.revisits.id
                if target not in firsts:
                    if target in in_drafts or target in failed_claims:
                        continue  # shown with drafts / the failed article has its own error
                    near = did_you_mean(target, firsts)
                    diags.error("BW305", f"revisit of unknown claim '{target}'", entry.revisits.span,
                                path=entry.revisits.key_path,
                                hint=(near + " " if near else "") + "'revisits' takes the id of a claim made in "
                                     "another article")
                    continue
                assert entry.date is not None
                claim_date = firsts[target][0].date or firsts[target][1].date
                if sort_date(entry.date)[0] < sort_date(claim_date)[0]:
                    diags.warning("BW310", f"revisit dated {day(entry.date)} is earlier than the claim "
                                  f"({day(claim_date)})", entry.span, path=_item(entry.revisits, "date"),
                                  hint="check the date: a revisit updates a claim after it was made")
                steps[target].append((sort_date(entry.date), article.slug,
                                      ClaimStep(date=entry.date, status=entry.status, note=entry.note,
                                                article=article.slug)))
    claims: dict[str, Claim] = {}
    for claim_id, (entry, article) in firsts.items():
        date = entry.date or article.date
        first = ClaimStep(date=date, status=entry.status, note=entry.note, article=article.slug)
        later = [step for _, _, step in sorted(steps[claim_id], key=lambda s: (s[0], s[1]))]
        claims[claim_id] = Claim(id=claim_id, speaker=entry.speaker.id, text=entry.text, quote=entry.quote,
                                 about=tuple(dict.fromkeys(r.id for r in entry.about)), date=date,
                                 article=article.slug, history=(first, *later))
    return claims


def _item(ref: Ref, key: str) -> str:
    """The key path of ``key`` in the claim whose ``ref`` is given: claims[2].speaker -> claims[2].id."""
    return ref.key_path.rsplit(".", 1)[0] + "." + key


def _events(articles: list[Article]) -> list[Event]:
    out = [
        Event(date=e.date, title=e.title, actors=tuple(dict.fromkeys(r.id for r in e.actors)),
              initiative=e.initiative.id if e.initiative else None, type=e.type, article=a.slug, index=i)
        for a in articles for i, e in enumerate(a.events)
    ]
    out.sort(key=lambda e: (sort_date(e.date), e.article, e.index))
    return out


def _backlinks(entities: dict[str, Entity], articles: list[Article], claims: Mapping[str, Claim],
               events: list[Event]) -> dict[str, Backlinks]:
    arts: dict[str, dict[str, None]] = defaultdict(dict)
    by: dict[str, list[str]] = defaultdict(list)
    about: dict[str, list[str]] = defaultdict(list)
    evs: dict[str, list[Event]] = defaultdict(list)
    inits: dict[str, dict[str, None]] = defaultdict(dict)
    related: dict[str, dict[str, None]] = defaultdict(dict)
    for article in articles:  # newest first already
        for ref in article.refs():
            arts[ref.id][article.slug] = None
    for claim in claims.values():
        by[claim.speaker].append(claim.id)
        for target in claim.about:
            about[target].append(claim.id)
    for event in events:
        for actor in dict.fromkeys((*event.actors, *([event.initiative] if event.initiative else []))):
            evs[actor].append(event)
    for entity in entities.values():
        for ref in entity.refs():
            if ref.id == entity.id:
                continue
            if entity.kind is Kind.INITIATIVE and ref.key_path != "body":
                inits[ref.id][entity.id] = None
            else:
                related[ref.id][entity.id] = None
    out: dict[str, Backlinks] = {}
    for entity_id in sorted(entities):
        out[entity_id] = Backlinks(
            articles=tuple(arts[entity_id]), claims_by=tuple(sorted(by[entity_id])),
            claims_about=tuple(sorted(about[entity_id])), events=tuple(evs[entity_id]),
            initiatives=tuple(sorted(inits[entity_id])), related=tuple(sorted(related[entity_id])))
    return out


def _names(entities: dict[str, Entity], diags: Diagnostics) -> tuple[tuple[str, str], ...]:
    owners: dict[str, list[Entity]] = defaultdict(list)
    for entity in entities.values():
        for name in dict.fromkeys((entity.name, *entity.aliases)):
            owners[name].append(entity)
    table: list[tuple[str, str]] = []
    for name, who in owners.items():
        ids = sorted({e.id for e in who})
        if len(ids) > 1:
            for e in who:
                if name != e.name:
                    diags.warning("BW308", f"alias '{name}' is also used by {', '.join(i for i in ids if i != e.id)}",
                                  e.span, path="aliases",
                                  hint="an ambiguous alias is not linked automatically; make it specific, "
                                       "or link with [[id]] in the text")
            continue
        table.append((name, ids[0]))
    table.sort(key=lambda item: (-len(item[0]), item[0]))
    return tuple(table)
