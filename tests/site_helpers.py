"""Helpers shared by the tests: write a site, build or check it, and read facts off the pages.

Import them from here (``from site_helpers import make_site, parse_html``): a module of its
own, because ``conftest`` names a different module in each folder that has one.

- :func:`make_site` writes a site from a ``{relative path: text}`` dict, on top of
  :data:`BASE_SITE` (a small valid site) unless ``base=False``. A value of ``None``
  removes a base file; ``bytes`` are written as they are (for encoding tests).
- :func:`diagnose` runs every check a build runs and returns the diagnostics, sorted.
- :func:`parse_html` turns a page into a tiny read-only tree (stdlib ``html.parser``) with
  ``find_all``, ``text`` and ``links``; :func:`link_problems` checks every internal link of
  an output folder.
"""

from __future__ import annotations

import html.parser
import posixpath
import shutil
import textwrap
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from boardwatch.build import BuildResult, ContentErrors, build, check
from boardwatch.diagnostics import Diagnostic, Severity

__all__ = [
    "BASE_SITE", "EXTERNAL_SCHEMES", "FIXTURE_SITE", "INVALID_SITES", "REPO", "SITES", "TESTS", "Node",
    "build_errors", "build_site", "codes", "copy_site", "diagnose", "errors_of", "line_of", "link_problems",
    "make_site", "page", "parse_html", "tree_bytes", "write_files",
]

TESTS = Path(__file__).resolve().parent
REPO = TESTS.parent
SITES = TESTS / "sites"
FIXTURE_SITE = SITES / "board-of-peace"
INVALID_SITES = SITES / "invalid"


# -- writing sites ---------------------------------------------------------------------------

def _doc(text: str) -> str:
    return textwrap.dedent(text).lstrip("\n")


#: A small valid site: three people, three states, a body, an initiative and one article.
#: Tests extend it, or break one file at a time, through :func:`make_site`.
BASE_SITE: dict[str, str] = {
    "boardwatch.yaml": _doc("""
        title: Test site
        description: A small site for tests.
        language: en
        """),
    "content/people/vladimir-putin.md": _doc("""
        ---
        name: Vladimir Putin
        aliases: [Putin]
        summary: President of Russia.
        nationality: russia
        ---
        Vladimir Putin is the president of [[russia]].
        """),
    "content/people/donald-trump.md": _doc("""
        ---
        name: Donald Trump
        aliases: [Trump]
        nationality: united-states
        roles:
          - title: President of the United States
            of: united-states
            from: 2025-01-20
        ---
        Donald Trump chairs the [[board-of-peace]].
        """),
    "content/people/dmitry-peskov.md": _doc("""
        ---
        name: Dmitry Peskov
        aliases: [Peskov]
        nationality: russia
        roles:
          - title: Press secretary
            of: kremlin
        ---
        Spokesman of the [[kremlin]].
        """),
    "content/states/russia.md": _doc("""
        ---
        name: Russia
        iso: RU
        ---
        Russia is led by [[vladimir-putin]].
        """),
    "content/states/united-states.md": _doc("""
        ---
        name: United States
        iso: US
        ---
        """),
    "content/states/gaza.md": _doc("""
        ---
        name: Gaza Strip
        aliases: [Gaza]
        territory: true
        ---
        """),
    "content/bodies/kremlin.md": _doc("""
        ---
        name: Kremlin
        type: government
        seat: russia
        ---
        """),
    "content/initiatives/board-of-peace.md": _doc("""
        ---
        name: Board of Peace
        status: forming
        chair: donald-trump
        focus: [gaza]
        invitations:
          - invitee: vladimir-putin
            date: 2026-01-19
            by: donald-trump
            status: pending
            source: putin-invited
        ---
        A board chaired by [[donald-trump]].
        """),
    "content/articles/putin-invited.md": _doc("""
        ---
        title: Putin invited to the Board of Peace
        date: 2026-01-19
        actors: [vladimir-putin, dmitry-peskov]
        initiatives: [board-of-peace]
        tags: [diplomacy]
        claims:
          - id: peskov-confirms-invitation
            speaker: dmitry-peskov
            text: Putin has received the invitation.
            about: [vladimir-putin]
        ---
        [[vladimir-putin]] was invited by Trump to the [[board-of-peace]].
        """),
}


def write_files(root: Path, files: Mapping[str, str | bytes | None]) -> Path:
    """Write ``files`` under ``root``; ``None`` deletes a file. Returns ``root``."""
    for rel, data in files.items():
        path = root.joinpath(*rel.split("/"))
        if data is None:
            path.unlink(missing_ok=True)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(data, bytes):
            path.write_bytes(data)
        else:
            path.write_text(data, encoding="utf-8", newline="")
    return root


def make_site(tmp_path: Path, files: Mapping[str, str | bytes | None] | None = None, *, base: bool = True,
              name: str = "site") -> Path:
    """A site folder ``tmp_path/name``: :data:`BASE_SITE` (unless ``base=False``) plus ``files``."""
    root = tmp_path / name
    root.mkdir(parents=True, exist_ok=True)
    merged: dict[str, str | bytes | None] = dict(BASE_SITE) if base else {}
    merged.update(files or {})
    return write_files(root, {k: v for k, v in merged.items() if v is not None})


def copy_site(source: Path, target: Path) -> Path:
    """Copy a site (its boardwatch.yaml, content/, templates/ and static/) so a test can change it
    or build it without writing anything next to the original."""
    target.mkdir(parents=True, exist_ok=True)
    for name in ("content", "templates", "static"):
        if (source / name).is_dir():
            shutil.copytree(source / name, target / name, ignore=shutil.ignore_patterns(".*"))
    if (source / "boardwatch.yaml").is_file():
        shutil.copyfile(source / "boardwatch.yaml", target / "boardwatch.yaml")
    return target


def line_of(text: str, needle: str, nth: int = 1) -> int:
    """1-based line of the ``nth`` line of ``text`` containing ``needle``."""
    hits = [i for i, line in enumerate(text.split("\n"), 1) if needle in line]
    assert len(hits) >= nth, f"{needle!r} occurs {len(hits)} times"
    return hits[nth - 1]


# -- building and checking -------------------------------------------------------------------

def diagnose(root: Path, *, drafts: bool = True, base_url: str | None = None) -> list[Diagnostic]:
    """Everything a build would report for ``root`` (content, config, templates), sorted; writes nothing."""
    return list(check(root, drafts=drafts, base_url=base_url, jobs=1).sorted())


def build_site(root: Path, out: Path | None, **kwargs: Any) -> BuildResult:
    """:func:`boardwatch.build.build` in this process (``jobs=1``), for speed and plain tracebacks."""
    kwargs.setdefault("jobs", 1)
    return build(root, out, **kwargs)


def errors_of(root: Path, **kwargs: Any) -> list[Diagnostic]:
    return [d for d in diagnose(root, **kwargs) if d.severity is Severity.ERROR]


def build_errors(root: Path, out: Path, **kwargs: Any) -> list[Diagnostic]:
    """Build, expecting it to fail; the errors it raised, sorted."""
    with pytest.raises(ContentErrors) as info:
        build_site(root, out, **kwargs)
    return list(info.value.diagnostics.errors)


def codes(diags: list[Diagnostic]) -> list[str]:
    return [d.code for d in diags]


def tree_bytes(out: Path) -> dict[str, bytes]:
    """Every file under ``out`` (site path -> bytes)."""
    return {p.relative_to(out).as_posix(): p.read_bytes() for p in sorted(out.rglob("*")) if p.is_file()}


# -- reading pages -------------------------------------------------------------------------

VOID = frozenset({"area", "base", "br", "col", "embed", "hr", "img", "input", "link", "meta", "source",
                  "track", "wbr"})


@dataclass(eq=False)
class Node:
    """An element of a parsed page: tag, attributes and children (nodes or text)."""

    tag: str
    attrs: dict[str, str] = field(default_factory=dict)
    children: list[Node | str] = field(default_factory=list)

    def get(self, name: str, default: str = "") -> str:
        return self.attrs.get(name, default)

    @property
    def classes(self) -> set[str]:
        return set(self.get("class").split())

    def iter(self) -> Iterator[Node]:
        """This element and every element below it, in document order."""
        yield self
        for child in self.children:
            if isinstance(child, Node):
                yield from child.iter()

    def find_all(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> list[Node]:
        """Elements below (and including) this one with ``tag``, class ``cls`` and attribute values."""
        return [n for n in self.iter()
                if (tag is None or n.tag == tag) and (cls is None or cls in n.classes)
                and all(n.attrs.get(k.rstrip("_").replace("_", "-")) == v for k, v in attrs.items())]

    def find(self, tag: str | None = None, *, cls: str | None = None, **attrs: str) -> Node:
        found = self.find_all(tag, cls=cls, **attrs)
        assert found, f"no <{tag or '*'}> with class={cls!r} {attrs} in:\n{self.text[:500]}"
        return found[0]

    def raw_text(self) -> str:
        return "".join(c if isinstance(c, str) else c.raw_text() for c in self.children)

    @property
    def text(self) -> str:
        """Text content with white space collapsed."""
        return " ".join(self.raw_text().split())

    def links(self) -> list[Node]:
        return self.find_all("a")

    def hrefs(self) -> list[str]:
        return [a.get("href") for a in self.links()]

    def section(self, heading_id: str) -> Node:
        """The nearest <section> (or parent) holding the heading with ``id``."""
        for node in self.iter():
            for child in node.children:
                if isinstance(child, Node) and child.get("id") == heading_id:
                    return node
        raise AssertionError(f"no element with id={heading_id!r}")

    def dl(self) -> dict[str, Node]:
        """``<dt>`` text -> its ``<dd>`` for every definition list below."""
        out: dict[str, Node] = {}
        for dl in self.find_all("dl"):
            term = None
            for child in dl.children:
                if isinstance(child, Node) and child.tag == "dt":
                    term = child.text
                elif isinstance(child, Node) and child.tag == "dd" and term is not None:
                    out.setdefault(term, child)
        return out


class _TreeBuilder(html.parser.HTMLParser):
    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.root = Node("#document")
        self.stack = [self.root]

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        node = Node(tag, {k: v or "" for k, v in attrs})
        self.stack[-1].children.append(node)
        if tag not in VOID:
            self.stack.append(node)

    def handle_startendtag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.stack[-1].children.append(Node(tag, {k: v or "" for k, v in attrs}))

    def handle_endtag(self, tag: str) -> None:
        for i in range(len(self.stack) - 1, 0, -1):
            if self.stack[i].tag == tag:
                del self.stack[i:]
                return

    def handle_data(self, data: str) -> None:
        self.stack[-1].children.append(data)


def parse_html(text: str) -> Node:
    builder = _TreeBuilder()
    builder.feed(text)
    builder.close()
    return builder.root


def page(out: Path, rel: str) -> Node:
    """The parsed page at site path ``rel`` of the output folder ``out``."""
    path = out / rel
    assert path.is_file(), f"{rel} was not written; pages: {sorted(p.relative_to(out).as_posix() for p in out.rglob('*.html'))}"
    return parse_html(path.read_text("utf-8"))


EXTERNAL_SCHEMES = ("http:", "https:", "mailto:")


def link_problems(out: Path) -> list[str]:
    """Every internal href/src in every HTML page of ``out`` that does not lead to a file,
    and every ``#fragment`` (same page or another page) whose id is missing.

    Links must be relative, so the site works from disk and from any sub-path; the one
    exception is the 404 page, which a server shows at any depth: it may link from the root
    (``/assets/...``) or by absolute URL."""
    pages = {p.relative_to(out).as_posix(): parse_html(p.read_text("utf-8")) for p in sorted(out.rglob("*.html"))}
    ids = {rel: {n.get("id") for n in doc.iter() if n.get("id")} for rel, doc in pages.items()}
    problems: list[str] = []
    for rel, doc in pages.items():
        for node in doc.iter():
            for attr in ("href", "src"):
                url = node.attrs.get(attr)
                if url is None:
                    continue
                problem = _link_problem(out, rel, url, ids)
                if problem:
                    problems.append(f"{rel}: <{node.tag} {attr}={url!r}>: {problem}")
    return problems


def _link_problem(out: Path, rel: str, url: str, ids: dict[str, set[str]]) -> str:
    if url.lower().startswith(EXTERNAL_SCHEMES):
        return ""
    if not url:
        return "empty URL"
    parts = urlsplit(url)
    if parts.scheme or parts.netloc:
        return "a link with a scheme other than http(s) or mailto"
    base = posixpath.dirname(rel)
    if url.startswith("/"):
        if rel != "404.html":
            return "not a relative link (the site must work from any sub-path)"
        base = ""
    target = rel
    if parts.path:
        target = posixpath.normpath(posixpath.join(base, unquote(parts.path).lstrip("/")))
        if target.startswith("../") or target == "..":
            return "leads outside the site"
        if parts.path.endswith("/"):
            target = posixpath.normpath(posixpath.join(target, "index.html"))
        if not (out / target).is_file():
            return f"no file {target}"
    if parts.fragment and target.endswith(".html") and parts.fragment not in ids.get(target, set()):
        return f"no id {parts.fragment!r} in {target}"
    return ""
