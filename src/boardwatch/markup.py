"""Markdown -> safe HTML: one Python-Markdown set-up for every body on the site.

- ``[[id]]`` and ``[[id|text]]`` become links to the entity's page (an inline processor, so
  code spans and blocks are left alone by Python-Markdown itself);
- the first plain-text mention of each known name or alias is linked (a tree processor);
- code is highlighted with Pygments (CSS classes, no inline styles);
- the HTML is sanitized with nh3 against an allowlist fit for articles, so raw HTML in a
  contributor's Markdown never reaches a reader as live script.
"""

from __future__ import annotations

import html
import re
import xml.etree.ElementTree as etree
from collections.abc import Callable, Iterable, Iterator, Sequence
from typing import Any
from dataclasses import dataclass

import markdown
import nh3
from markdown.extensions import Extension
from markdown.inlinepatterns import InlineProcessor
from markdown.treeprocessors import Treeprocessor

from .markdown_shortcuts import install_shortcuts
from .refs import REF_PATTERN, REF_RE

ALLOWED_TAGS = frozenset({
    "a", "abbr", "b", "blockquote", "br", "caption", "cite", "code", "col", "colgroup", "dd", "del",
    "details", "dfn", "div", "dl", "dt", "em", "figcaption", "figure", "h2", "h3", "h4", "h5", "h6",
    "hr", "i", "img", "ins", "kbd", "li", "mark", "ol", "p", "pre", "q", "s", "samp", "small", "span",
    "strong", "sub", "summary", "sup", "table", "tbody", "td", "tfoot", "th", "thead", "time", "tr",
    "u", "ul", "var", "wbr",
})
ALLOWED_ATTRIBUTES = {
    "*": {"class", "id", "title", "lang", "dir"},
    "a": {"href", "hreflang"},
    "img": {"src", "alt", "width", "height", "loading"},
    "td": {"colspan", "rowspan", "align"},
    "th": {"colspan", "rowspan", "align", "scope"},
    "ol": {"start", "reversed", "type"},
    "time": {"datetime"},
    "abbr": {"title"},
}
URL_SCHEMES = frozenset({"http", "https", "mailto"})
# Autolinks never go inside these (nor inside headings, where a link would be noise).
NO_AUTOLINK = frozenset({"a", "code", "pre", "h1", "h2", "h3", "h4", "h5", "h6", "kbd", "samp", "abbr"})


_SANITIZER_OPTIONS: dict[str, Any] = {
    "tags": set(ALLOWED_TAGS), "attributes": {k: set(v) for k, v in ALLOWED_ATTRIBUTES.items()},
    "url_schemes": set(URL_SCHEMES), "link_rel": None, "strip_comments": True,
    "clean_content_tags": {"script", "style"},
}
# A reusable nh3 sanitizer (nh3 >= 0.3) does not convert the allowlist again for every fragment.
_CLEANER = nh3.Cleaner(**_SANITIZER_OPTIONS) if hasattr(nh3, "Cleaner") else None


def sanitize(fragment: str) -> str:
    if _CLEANER is not None:
        return _CLEANER.clean(fragment)
    return nh3.clean(fragment, **_SANITIZER_OPTIONS)


@dataclass(frozen=True, slots=True)
class Target:
    """What a reference links to: display name, relative URL, CSS kind."""

    name: str
    href: str
    kind: str


Lookup = Callable[[str], "Target | None"]


class _RefProcessor(InlineProcessor):
    def __init__(self, pattern: str, md: markdown.Markdown, owner: _State) -> None:
        super().__init__(pattern, md)
        self.owner = owner

    # InlineProcessor itself changes Pattern.handleMatch's signature (its stubs ignore the same error)
    def handleMatch(  # type: ignore[override]  # noqa: N802
            self, m: re.Match[str], data: str) -> tuple[etree.Element | str, int, int]:
        ref_id = m.group(1).strip()
        label = (m.group(2) or "").strip()
        target = self.owner.lookup(ref_id) if self.owner.lookup else None
        if target is None:
            span = etree.Element("span")
            span.set("class", "ref ref-missing")
            span.text = label or ref_id
            return span, m.start(0), m.end(0)
        self.owner.linked.add(ref_id)
        link = etree.Element("a")
        link.set("href", target.href)
        link.set("class", f"ref ref-{target.kind}")
        link.text = label or target.name
        return link, m.start(0), m.end(0)


class _AutolinkProcessor(Treeprocessor):
    def __init__(self, md: markdown.Markdown, owner: _State) -> None:
        super().__init__(md)
        self.owner = owner
        self.pattern: re.Pattern[str] | None = None

    def run(self, root: etree.Element) -> None:
        if not self.owner.names or self.owner.lookup is None:
            return
        self.pattern = self.owner.pattern_for(root)
        if self.pattern is not None:
            self._walk(root)

    def _walk(self, element: etree.Element) -> None:
        if element.tag in NO_AUTOLINK:
            return
        if element.text:
            new_text, nodes = self._link(element.text)
            if nodes:
                element.text = new_text
                for i, node in enumerate(nodes):
                    element.insert(i, node)
        for child in list(element):
            self._walk(child)
            if child.tail:
                new_tail, nodes = self._link(child.tail)
                if nodes:
                    child.tail = new_tail
                    position = list(element).index(child) + 1
                    for i, node in enumerate(nodes):
                        element.insert(position + i, node)

    def _link(self, text: str) -> tuple[str, list[etree.Element]]:
        """Split ``text`` at the first mentions not yet linked: (leading text, [a, a, ...] with tails)."""
        assert self.pattern is not None and self.owner.lookup is not None
        nodes: list[etree.Element] = []
        lead = text
        last = 0
        for match in mentions(self.pattern, text):
            entity_id = self.owner.names[match.group(0)]
            if entity_id in self.owner.linked or entity_id == self.owner.self_id:
                continue
            target = self.owner.lookup(entity_id)
            if target is None:
                continue
            self.owner.linked.add(entity_id)
            link = etree.Element("a")
            link.set("href", target.href)
            link.set("class", f"ref ref-{target.kind} autolink")
            link.text = match.group(0)
            if nodes:
                nodes[-1].tail = text[last:match.start()]
            else:
                lead = text[:match.start()]
            nodes.append(link)
            last = match.end()
        if nodes:
            nodes[-1].tail = text[last:]
        return lead, nodes


_WORD_CHAR = re.compile(r"[\w-]")


def mentions(names_re: re.Pattern[str], text: str) -> Iterator[re.Match[str]]:
    """The matches of ``names_re`` in ``text`` that are whole words (not preceded by a word
    character or '-'), left to right, as a look-behind before the pattern would find them.

    The check is made here, on the few places the names match, because a regex that starts
    with a look-behind is tried at every position of the text, several times slower.
    """
    pos = 0
    while (match := names_re.search(text, pos)) is not None:
        start = match.start()
        if start and _WORD_CHAR.match(text, start - 1):
            pos = start + 1  # inside a longer word: a mention may still start further on
            continue
        yield match
        pos = match.end()


def _names_pattern(names: Iterable[str]) -> re.Pattern[str]:
    # Whole words only: what follows is checked here, what precedes by mentions().
    return re.compile(rf"(?:{trie_pattern(names)})(?![\w-])")


def _texts(element: etree.Element, into: list[str]) -> list[str]:
    """The texts the autolinker reads below ``element`` (see _AutolinkProcessor._walk)."""
    if element.tag in NO_AUTOLINK:
        return into
    if element.text:
        into.append(element.text)
    for child in element:
        _texts(child, into)
        if child.tail:
            into.append(child.tail)
    return into


class _State:
    # Compiling the pattern of every name costs about as much as rendering a few dozen bodies
    # (40 ms for 2,800 names): a renderer used for a few bodies (an edit's rebuild) matches
    # each with a pattern of the names its text contains instead, and compiles the whole one
    # on this many-th body. Either finds the same mentions: a name that is not in a text
    # cannot match in it, and dropping it leaves the others in the same order of preference.
    WHOLE_AFTER = 8

    def __init__(self) -> None:
        self.lookup: Lookup | None = None
        self.linked: set[str] = set()
        self.self_id = ""
        self.names: dict[str, str] = {}
        self.names_re: re.Pattern[str] | None = None  # of every name, once compiled
        self.documents = 0

    def pattern_for(self, root: etree.Element) -> re.Pattern[str] | None:
        """The pattern to find mentions with in the tree under ``root``; None if none can occur."""
        self.documents += 1
        if self.names_re is None and (self.documents >= self.WHOLE_AFTER or len(self.names) <= 64):
            self.names_re = _names_pattern(self.names)
        if self.names_re is not None:
            return self.names_re
        text = "\x00".join(_texts(root, []))
        found = [name for name in self.names if name in text]
        return _names_pattern(found) if found else None


class _Extension(Extension):
    def __init__(self, state: _State) -> None:
        super().__init__()
        self.state = state

    def extendMarkdown(self, md: markdown.Markdown) -> None:  # noqa: N802
        # Priority above links (160) so '[[x]]' is not read as a reference-style link.
        md.inlinePatterns.register(_RefProcessor(REF_PATTERN, md, self.state), "boardwatch-ref", 175)
        md.treeprocessors.register(_AutolinkProcessor(md, self.state), "boardwatch-autolink", 1)


def trie_pattern(words: Iterable[str]) -> str:
    """A regex alternation of ``words`` shaped as a trie, longest match first.

    Python's ``re`` tries the branches of ``a|b|c`` one by one at every position; factoring
    common prefixes makes matching thousands of names about as cheap as matching a few.
    """
    trie: dict[str, Any] = {}
    for word in words:
        node = trie
        for ch in word:
            node = node.setdefault(ch, {})
        node[""] = {}  # end of a word

    def build(node: dict[str, Any]) -> str:
        ends = "" in node
        branches = [re.escape(ch) + build(child) for ch, child in sorted(node.items()) if ch]
        if not branches:
            return ""
        body = branches[0] if len(branches) == 1 else "(?:" + "|".join(branches) + ")"
        return f"(?:{body})?" if ends else body  # optional tail: greedy, so the longest name wins

    return build(trie)


class Renderer:
    """Renders Markdown bodies for one site. Not thread-safe: make one per worker."""

    def __init__(self, names: Sequence[tuple[str, str]] = (), *, autolink: bool = True,
                 shortcuts: bool = True) -> None:
        """``shortcuts=False`` renders with Python-Markdown's own stages only, the reference
        the shortcuts (markdown_shortcuts.py) are tested against; the HTML is the same."""
        self.state = _State()
        if autolink and names:
            self.state.names = dict(names)
        # Extensions as objects, not names: a name is looked up among installed packages'
        # entry points, which costs more than the rest of the set-up.
        from markdown.extensions.codehilite import CodeHiliteExtension
        from markdown.extensions.extra import ExtraExtension
        from markdown.extensions.sane_lists import SaneListExtension
        from markdown.extensions.toc import TocExtension
        self.md = markdown.Markdown(
            extensions=[ExtraExtension(), SaneListExtension(), CodeHiliteExtension(guess_lang=False, css_class="highlight"),
                        TocExtension(permalink=False), _Extension(self.state)],
            output_format="html",
        )
        if shortcuts:
            install_shortcuts(self.md)

    def render(self, text: str, lookup: Lookup, *, self_id: str = "") -> str:
        """Markdown to sanitized HTML; ``lookup`` maps an id to its link target from this page."""
        self.state.lookup = lookup
        self.state.linked = set()
        self.state.self_id = self_id
        try:
            self.md.reset()
            return sanitize(self.md.convert(text))
        finally:
            self.state.lookup = None




_BLOCK_START_RE = re.compile(r"^\s*(#|```|~~~|[-*+] |\d+[.)] |>|<|\||    |\t|\[\^)")


_PARAGRAPH_BREAK_RE = re.compile(r"\n\s*\n")


def first_paragraph_markdown(text: str) -> str:
    """The Markdown of the first plain paragraph of a body (no heading, list, code, quote or HTML).

    The blocks of ``re.split(r"\\n\\s*\\n", text.strip("\\n"))``, in order, found one at a time:
    the first plain one is nearly always the first block, and the rest of the body is not split."""
    text = text.strip("\n")
    start = 0
    while True:
        found = _PARAGRAPH_BREAK_RE.search(text, start)
        block = text[start:found.start()] if found is not None else text[start:]
        if block.strip() and not _BLOCK_START_RE.match(block):
            return block
        if found is None:
            return ""
        start = found.end()


# (pattern, replacement, strings one of which each match contains: without them, no regex runs)
_INLINE_RULES = (
    (re.compile(r"!\[([^\]]*)\]\([^)]*\)"), r"\1", ("![",)),  # images -> alt text
    (re.compile(r"\[([^\]]+)\]\([^)]*\)"), r"\1", ("](",)),  # links -> text
    (re.compile(r"\[([^\]]+)\]\[[^\]]*\]"), r"\1", ("][",)),  # reference links -> text
    (re.compile(r"<[^>]*>"), "", ("<",)),  # raw HTML tags
    (re.compile(r"\*\*|\*|~~|`+"), "", ("*", "~~", "`")),  # emphasis and code markers
    (re.compile(r"(?<!\w)_+|_+(?!\w)"), "", ("_",)),  # underscore emphasis, not snake_case
    (re.compile(r"\\([\\`*_{}\[\]()#+\-.!|])"), r"\1", ("\\",)),  # backslash escapes
)


def plain_summary(text: str, names: Callable[[str], str | None]) -> str:
    """Plain text of a body's first paragraph, for default summaries; ``names`` gives an id's name."""
    lead = first_paragraph_markdown(text)
    if not lead:
        return ""
    if "[[" in lead:
        lead = REF_RE.sub(lambda m: (m.group(2) or names(m.group(1).strip()) or m.group(1)).strip(), lead)
    for pattern, replacement, needs in _INLINE_RULES:
        if any(n in lead for n in needs):
            lead = pattern.sub(replacement, lead)
    return " ".join(html.unescape(lead).split())
