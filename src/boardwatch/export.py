"""Open data: the graph as JSON files under ``data/``, each with a JSON Schema.

``data/entities.json``, ``articles.json``, ``claims.json`` (with each claim's history),
``events.json`` and ``graph.json`` (nodes and typed edges), and ``data/schema/*.schema.json``.
Keys are sorted, lists are in the graph's own stable order, and nothing depends on the
time of the build. The format is documented in docs/data.md.
"""

from __future__ import annotations

import datetime as dt
import json
from importlib import resources
from typing import Any

from . import urls
from .model import Article, Claim, Entity, Event, Graph, Kind, NewClaim, Revisit
from .relations import Relation, relations

DATA = "data"
NAMES = ("entities", "articles", "claims", "events", "graph")
FORMAT = 1  # bumped when a field changes meaning or disappears


def _date(value: dt.date | None) -> str | None:
    return value.isoformat() if value is not None else None


# What json.dumps(item, sort_keys=True, ensure_ascii=False) makes, with one encoder for every
# record rather than one made per call (44,000 records at 10k articles). The records hold no
# cycles, so the encoder does not look for them.
_LINE_ENCODER = json.JSONEncoder(sort_keys=True, ensure_ascii=False, check_circular=False)


def dump_line(item: Any) -> str:
    return _LINE_ENCODER.encode(item)


def _document(head: dict[str, Any], lists: dict[str, list[dict[str, Any]]]) -> bytes:
    """A JSON document: ``head``'s keys sorted, then each list with one item a line (readable,
    easy to diff, and written by the JSON module's fast encoder)."""
    out = dump_line(head)[:-1]
    for name, items in lists.items():
        # The lines live only while they are joined: a document holds 45 MB of them at 10k.
        joined = ",\n".join(map(dump_line, items))
        out = "".join((out, f', "{name}": [\n', joined, "\n]" if items else "]"))
        del joined
    return (out + "}\n").encode("utf-8")


def _doc(name: str, items: list[dict[str, Any]], base_url: str) -> bytes:
    return _document({"$schema": f"schema/{name}.schema.json", "format": FORMAT, "base_url": base_url},
                     {name: items})


def entity_record(e: Entity) -> dict[str, Any]:
    out: dict[str, Any] = {
        "id": e.id, "kind": e.kind.value, "name": e.name, "aliases": list(e.aliases), "summary": e.summary,
        "wikidata": e.wikidata or None, "links": [{"title": link.title, "url": link.url} for link in e.links],
        "tags": list(e.tags), "path": urls.entity_path(e.kind, e.id), "profile_markdown": e.profile_md,
    }
    if e.kind is Kind.PERSON:
        out["roles"] = [{"title": r.title, "of": r.of.id if r.of else None, "start": _date(r.start),
                         "end": _date(r.end)} for r in e.roles]
        out["nationality"] = e.nationality.id if e.nationality else None
    elif e.kind is Kind.STATE:
        out["iso"] = e.iso or None
        out["territory"] = e.territory
    elif e.kind is Kind.BODY:
        out["type"] = e.body_type
        out["parent"] = e.parent.id if e.parent else None
        out["seat"] = e.seat.id if e.seat else None
    else:
        out["status"] = e.status
        out["launched"] = _date(e.launched)
        out["chair"] = e.chair.id if e.chair else None
        out["members"] = [r.id for r in e.members]
        out["focus"] = [r.id for r in e.focus]
        out["invitations"] = [{"invitee": i.invitee.id, "date": _date(i.date), "by": i.by.id if i.by else None,
                               "status": i.status, "source": i.source.id if i.source else None}
                              for i in e.invitations]
    return out


def article_record(a: Article) -> dict[str, Any]:
    return {
        "slug": a.slug, "title": a.title, "date": _date(a.date), "updated": _date(a.updated), "summary": a.summary,
        "authors": list(a.authors),
        "source": ({"name": a.source.name, "url": a.source.url or None, "date": _date(a.source.date)}
                   if a.source else None),
        "actors": [r.id for r in a.actors], "initiatives": [r.id for r in a.initiatives], "tags": list(a.tags),
        "claims": [c.id for c in a.claims if isinstance(c, NewClaim)],
        "revisits": [c.revisits.id for c in a.claims if isinstance(c, Revisit)],
        "path": urls.article_path(a.slug), "body_markdown": a.body_md,
    }


def claim_record(c: Claim) -> dict[str, Any]:
    return {
        "id": c.id, "speaker": c.speaker, "text": c.text, "quote": c.quote or None, "about": list(c.about),
        "date": _date(c.date), "article": c.article, "status": c.status, "path": urls.claim_path(c.id),
        "history": [{"date": _date(s.date), "status": s.status, "note": s.note or None, "article": s.article}
                    for s in c.history],
    }


def event_record(e: Event) -> dict[str, Any]:
    return {"date": _date(e.date), "title": e.title, "type": e.type, "actors": list(e.actors),
            "initiative": e.initiative, "article": e.article, "index": e.index}


def edge_record(r: Relation) -> dict[str, Any]:
    return {"source": r.source, "target": r.target, "type": r.type, "label": r.label(r.source),
            "note": r.note or None, "weight": r.weight, "directed": r.directed}


def articles_document(graph: Graph, base_url: str = "") -> bytes:
    """``data/articles.json``, one record a line in the graph's order of articles."""
    return _doc("articles", [article_record(a) for a in graph.articles.values()], base_url)


def export(graph: Graph, base_url: str = "", without: frozenset[str] = frozenset()) -> dict[str, bytes]:
    """Every file of ``data/``, the five documents and their schemas, but those of ``without``
    (paths), which the caller makes otherwise."""
    entities = sorted(graph.entities.values(), key=lambda e: e.id)
    nodes = [{"id": e.id, "kind": e.kind.value, "name": e.name, "path": urls.entity_path(e.kind, e.id)}
             for e in entities]
    files = {
        f"{DATA}/entities.json": _doc("entities", [entity_record(e) for e in entities], base_url),
        f"{DATA}/claims.json": _doc("claims", [claim_record(c) for c in sorted(graph.claims.values(),
                                                                               key=lambda c: c.id)], base_url),
        f"{DATA}/events.json": _doc("events", [event_record(e) for e in graph.events], base_url),
        f"{DATA}/graph.json": _document({"$schema": "schema/graph.schema.json", "format": FORMAT,
                                         "base_url": base_url},
                                        {"nodes": nodes, "edges": [edge_record(r) for r in relations(graph)]}),
    }
    if f"{DATA}/articles.json" not in without:
        files[f"{DATA}/articles.json"] = articles_document(graph, base_url)
    files.update(schemas())
    return files


def schemas() -> dict[str, bytes]:
    folder = resources.files("boardwatch") / "data_schema"
    return {f"{DATA}/schema/{name}.schema.json": (folder / f"{name}.schema.json").read_bytes() for name in NAMES}
