"""Outputs derived from the graph rather than rendered from templates: Atom feeds, the
sitemap, robots.txt and the open data of ``data/`` (export.py). Each function takes the
graph (and plans) and returns files. The search index, made from the rendered pages, is
search.py's."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from typing import Protocol
from xml.sax.saxutils import escape, quoteattr

from . import urls
from .config import SiteConfig
from .export import DATA, NAMES, export
from .model import Article, Graph
from .pages import PagePlan


def derived_outputs(graph: Graph, plans: Sequence[PagePlan], config: SiteConfig) -> dict[str, bytes]:
    listed = [(p.path, p.view.kind, p.view.noindex) for p in plans]
    return dict(sorted({**graph_outputs(graph, config), **listing_outputs(graph, listed, config)}.items()))


def listing_outputs(graph: Graph, pages: Sequence[tuple[str, str, bool]], config: SiteConfig) -> dict[str, bytes]:
    """The outputs that list the pages, each given as (path, view kind, noindex) in page
    order: the sitemap, when there is a base URL."""
    if not config.base_url:  # a sitemap lists absolute URLs only
        return {}
    return {"sitemap.xml": sitemap(pages, graph, config)}


def graph_outputs(graph: Graph, config: SiteConfig, without: frozenset[str] = frozenset()) -> dict[str, bytes]:
    """The outputs made from the graph alone: all but the sitemap, which lists the pages, and
    those in ``without``, which the caller has otherwise (an entity's feed, a file of ``data/``)."""
    files = {urls.feed_path(): atom_feed(config.title, urls.feed_path(), urls.HOME, graph.articles.values(),
                                         config)}
    for entity_id, back in graph.backlinks.items():
        if urls.feed_path(entity_id) in without:
            continue
        entity = graph.entities[entity_id]
        files[urls.feed_path(entity_id)] = atom_feed(
            f"{entity.name} — {config.title}", urls.feed_path(entity_id), urls.entity_path(entity.kind, entity_id),
            (graph.articles[s] for s in back.articles), config)
    files["robots.txt"] = robots(config)
    files.update(export(graph, config.base_url, without))
    return files


class _Stage(Protocol):
    def write_changed(self, rel: str, data: bytes) -> bool: ...


def write_graph_outputs(graph: Graph, config: SiteConfig, stage: _Stage, without: frozenset[str] = frozenset()
                        ) -> tuple[list[str], list[str]]:
    """Write :func:`graph_outputs` into ``stage`` (publish.Staging or Patch), each file only if
    the output does not already hold it: (every path made, the paths written), each sorted.
    Run in a child process while the pages render, so only the paths travel back."""
    files = graph_outputs(graph, config, without)
    return sorted(files), [rel for rel, data in sorted(files.items()) if stage.write_changed(rel, data)]


def derived_paths(graph: Graph, config: SiteConfig) -> frozenset[str]:
    """The paths :func:`derived_outputs` writes, known without making them."""
    paths = {urls.feed_path(), "robots.txt", *(urls.feed_path(e) for e in graph.backlinks)}
    paths |= {f"{DATA}/{name}.json" for name in NAMES} | {f"{DATA}/schema/{name}.schema.json" for name in NAMES}
    if config.base_url:
        paths.add("sitemap.xml")
    return frozenset(paths)


def rfc3339(value: dt.date) -> str:
    if isinstance(value, dt.datetime):
        return value.astimezone(dt.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{value.isoformat()}T00:00:00Z"


def _href(config: SiteConfig, feed: str, target: str) -> str:
    return config.absolute(target) or urls.relative(feed, target)


def atom_feed(title: str, feed: str, page: str, articles: Iterable[Article], config: SiteConfig) -> bytes:
    entries = list(articles)[: config.feed_limit]
    stamps = [rfc3339(a.updated or a.date) for a in entries]
    updated = max(stamps) if stamps else "1970-01-01T00:00:00Z"
    feed_id = config.absolute(feed) or f"urn:boardwatch:{feed}"
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           f'<feed xmlns="http://www.w3.org/2005/Atom" xml:lang={quoteattr(config.language)}>',
           f"  <title>{escape(title)}</title>",
           f"  <id>{escape(feed_id)}</id>",
           f"  <updated>{updated}</updated>",
           f'  <link rel="self" type="application/atom+xml" href={quoteattr(_href(config, feed, feed))}/>',
           f'  <link rel="alternate" type="text/html" href={quoteattr(_href(config, feed, page))}/>',
           f"  <generator>boardwatch</generator>"]
    if config.description:
        out.append(f"  <subtitle>{escape(config.description)}</subtitle>")
    for article, stamp in zip(entries, stamps):
        path = urls.article_path(article.slug)
        out += ["  <entry>",
                f"    <title>{escape(article.title)}</title>",
                f"    <id>{escape(config.absolute(path) or 'urn:boardwatch:' + path)}</id>",
                f'    <link rel="alternate" type="text/html" href={quoteattr(_href(config, feed, path))}/>',
                f"    <published>{rfc3339(article.date)}</published>",
                f"    <updated>{stamp}</updated>"]
        for author in article.authors or config.authors or (config.title,):
            out.append(f"    <author><name>{escape(author)}</name></author>")
        if article.summary:
            out.append(f"    <summary>{escape(article.summary)}</summary>")
        out.append("  </entry>")
    out.append("</feed>\n")
    return "\n".join(out).encode("utf-8")


def sitemap(pages: Sequence[tuple[str, str, bool]], graph: Graph, config: SiteConfig) -> bytes:
    """Every indexable page of (path, view kind, noindex) ``pages``, in their order."""
    out = ['<?xml version="1.0" encoding="utf-8"?>',
           '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    for path, kind, noindex in pages:
        if noindex:
            continue
        loc = config.absolute(path)
        out.append(f"  <url><loc>{escape(loc)}</loc>")
        if kind == "article":
            article = graph.articles[path.rsplit("/", 1)[1][: -len(".html")]]
            out.append(f"    <lastmod>{(article.updated or article.date).isoformat()[:10]}</lastmod>")
        out.append("  </url>")
    out.append("</urlset>\n")
    return "\n".join(out).encode("utf-8")


def robots(config: SiteConfig) -> bytes:
    lines = ["User-agent: *", "Allow: /"]
    if config.base_url:
        lines.append(f"Sitemap: {config.absolute('sitemap.xml')}")
    return ("\n".join(lines) + "\n").encode("utf-8")
