"""The Jinja environment: the site's ``templates/`` over the built-in theme.

``theme/article.html`` always names the built-in original, so a site override can extend
it and change one block. Undefined variables are errors (StrictUndefined) and every value
is escaped (autoescape) unless it is already Markup from the sanitizer.
"""

from __future__ import annotations

import datetime as dt
import functools
import re
from pathlib import Path
from typing import Any

from jinja2 import (BaseLoader, BytecodeCache, ChoiceLoader, Environment, FileSystemLoader, PackageLoader,
                    PrefixLoader, StrictUndefined, TemplateError)
from jinja2.bccache import Bucket
from jinja2.loaders import split_template_path
from markupsafe import Markup, escape

from . import urls

THEME = PackageLoader("boardwatch", "theme/templates")
_TITLE_RE = re.compile(r"\{#\s*title:\s*(.+?)\s*#\}")


class _SiteLoader(FileSystemLoader):
    """The site's ``templates/``; a template that is a symbolic link out of the site is refused
    before it is read, so no template name can make a build read (and publish) other files."""

    def __init__(self, root: Path) -> None:
        super().__init__(root / "templates")
        self.real_root = root.resolve()

    def get_source(self, environment: Environment, template: str) -> tuple[str, str, Any]:
        path = Path(self.searchpath[0], *split_template_path(template))
        if path.is_file() and not path.resolve().is_relative_to(self.real_root):
            raise TemplateError(f"templates/{template} is a symbolic link to a file outside the site folder; "
                                "copy the file into templates/ instead")
        return super().get_source(environment, template)


class _InMemory(BytecodeCache):
    """Templates compiled once per process, kept in memory: a process that builds many times
    (serve, tests) does not parse and compile the same templates for each build. Each entry
    is keyed by the template's name and file and checked against its source's checksum, so an
    edited template is compiled again. Never written to disk: a cache read back from disk
    would be code, and a cache is data."""

    def __init__(self) -> None:
        self._compiled: dict[str, bytes] = {}

    def load_bytecode(self, bucket: Bucket) -> None:
        data = self._compiled.get(bucket.key)
        if data is not None:
            bucket.bytecode_from_string(data)  # dropped by the bucket if the checksum differs

    def dump_bytecode(self, bucket: Bucket) -> None:
        self._compiled[bucket.key] = bucket.bytecode_to_string()


_COMPILED = _InMemory()


def make_environment(root: Path | None) -> Environment:
    loaders: list[BaseLoader] = []
    if root is not None and (root / "templates").is_dir():
        loaders.append(_SiteLoader(root))
    loaders += [PrefixLoader({"theme": THEME}), THEME]
    # One environment serves one build, whose templates do not change while it runs: a
    # template is loaded once, never checked against its file again (auto_reload). What it
    # compiles outlives it in memory (_InMemory), checked against the source of the next build.
    env = Environment(loader=ChoiceLoader(loaders), autoescape=True, undefined=StrictUndefined,
                      keep_trailing_newline=True, trim_blocks=True, lstrip_blocks=True, auto_reload=False,
                      bytecode_cache=_COMPILED)
    env.filters["date"] = format_date
    env.filters["isodate"] = iso_date
    env.filters["tag_slug"] = urls.tag_slug
    env.globals["search_filter_tags"] = search_filter_tags
    return env


_FILTER_KINDS = {"article": "Analysis", "person": "Person", "state": "State", "body": "Body",
                 "initiative": "Initiative", "claim": "Claim", "page": "Page"}


def search_filter_tags(page: Any) -> Markup:
    """The hidden Pagefind filters of ``page`` (``m.search_filters`` in _macros.html): its kind,
    and the names of the actors and initiatives it is about, each once (compared without
    case, as Jinja's ``unique`` does). Nothing for pages that are not indexed."""
    kind = page.kind
    if kind not in _FILTER_KINDS:
        return Markup("")
    actors: list[Any] = []
    initiatives: list[Any] = []
    if kind == "article":
        actors = [a for a in page.actors if a.kind != "initiative"]
        initiatives = [*page.initiatives, *(a for a in page.actors if a.kind == "initiative")]
    elif kind == "claim":
        claim = page.claim
        actors = [claim.speaker, *(a for a in claim.about if a.kind != "initiative")]
        initiatives = [a for a in claim.about if a.kind == "initiative"]
    elif kind == "initiative":
        initiatives = [page]
    elif kind != "page":
        actors = [page]
        initiatives = list(page.initiatives)
    out = [f'<div class="search-filters" hidden>\n<span data-pagefind-filter="kind:{_FILTER_KINDS[kind]}"></span>\n']
    for facet, items in (("actor", actors), ("initiative", initiatives)):
        seen: set[str] = set()
        for name in (item.name for item in items):
            key = name.lower()
            if key not in seen:
                seen.add(key)
                out.append(f'<span data-pagefind-filter="{facet}:{escape(name)}"></span>')
    out.append("</div>\n")
    return Markup("".join(out))


@functools.lru_cache(maxsize=4096)  # a site has far fewer dates than it shows
def format_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    if isinstance(value, dt.datetime):
        value = value.date()
    return f"{value.day} {value:%B} {value.year}"


def iso_date(value: dt.date | None) -> str:
    if value is None:
        return ""
    return value.isoformat()


def page_titles(root: Path | None) -> tuple[tuple[str, str], ...]:
    """(output path, title) of each of the site's own pages (see :func:`static_pages`)."""
    return tuple((t.split("/", 1)[1], title) for t, title in static_pages(root))


def static_pages(root: Path | None) -> tuple[tuple[str, str], ...]:
    """(template name, title) for each ``templates/pages/NAME.html`` of the site, in name order.

    The title is read from a ``{# title: About this site #}`` comment, or made from the name.
    """
    if root is None:
        return ()
    folder = root / "templates" / "pages"
    if not folder.is_dir():
        return ()
    out = []
    for path in sorted(folder.glob("*.html")):
        name = path.name[: -len(".html")]
        if not re.match(r"^[a-z0-9]+(-[a-z0-9]+)*$", name) or name in ("index", "404", "search"):
            continue
        inside = path.resolve().is_relative_to(root.resolve())  # a link out is refused when rendered
        match = _TITLE_RE.search(path.read_text("utf-8", errors="replace")) if inside else None
        title = match.group(1) if match else name.replace("-", " ").capitalize()
        out.append((f"pages/{path.name}", title))
    return tuple(out)
