"""Shortcuts through Python-Markdown that change nothing in its output: a stage is skipped on
text that cannot match it.

Python-Markdown tries each of its ~16 inline patterns on every piece of text, and a dozen
block processors search every block with a regex, though most text holds none of the
characters they look for (``*``, ``[``, ``<``, ``#``, ``>`` ...). Knowing, for each pattern,
strings one of which every match contains, a text holding none of them gets the answer
trying would give ("no match") without the regex. The tables are keyed by the regex itself:
a pattern of another Python-Markdown version, or one of another extension, is always tried.
tests/fuzz/test_fuzz_inline.py renders random Markdown with and without these shortcuts.
"""

from __future__ import annotations

import re
import xml.etree.ElementTree as etree
from collections.abc import Callable
from typing import Any

import markdown
from markdown import treeprocessors, util

from .refs import REF_PATTERN


def install_shortcuts(md: markdown.Markdown) -> None:
    """Put the shortcuts into ``md``, once all its extensions are loaded."""
    if INLINE_HOOKS:
        md.treeprocessors.register(_InlineTreeprocessor(md), "inline", 20)
    _gate_block_processors(md)


# The inline stage is replaced only where Python-Markdown has the two methods it relies on.
INLINE_HOOKS = all(hasattr(treeprocessors.InlineProcessor, name) for name in
                   ("_InlineProcessor__handleInline", "_InlineProcessor__applyPattern"))


# What a match of each inline pattern contains (one or two strings), by the pattern's regex:
# Python-Markdown 3.11's and the [[ref]] pattern.
_NEEDS: dict[str, tuple[str, ...]] = {
    r"(?:(?<!\\)((?:\\{2})+)(?=`+)|(?<!\\)`)": ("`",),  # code span
    r"\\(.)": ("\\",),  # backslash escape
    r"\[\^([^\]]*)\]": ("[^",),  # footnote reference
    REF_PATTERN: ("[[",),
    r"(?<!\!)\[": ("[",),  # links and references
    r"\!\[": ("![",),  # images
    r"<([A-Za-z][A-Za-z0-9+.-]*://[^<>]*)>": ("<",),
    r"<([^<> !]+@[^@<> ]+)>": ("<",),
    r"  \n": ("  \n",),  # hard line break
    r"(&(?:\#[0-9]+|\#x[0-9a-fA-F]+|[a-zA-Z0-9]+);)": ("&",),
    r"\*|_": ("*", "_"),  # emphasis
}
_HTML_PREFIX = "(<("  # the inline HTML pattern: every match starts with "<"


def _needs(pattern: object) -> tuple[str, ...]:
    """The strings one of which any match of an inline ``pattern`` contains; () if unknown."""
    compiled = getattr(pattern, "compiled_re", None)
    if not isinstance(compiled, re.Pattern) or compiled.flags & re.IGNORECASE:
        return ()
    source = compiled.pattern
    if source in _NEEDS:
        return _NEEDS[source]
    if source.startswith(_HTML_PREFIX) and source.endswith(")>)"):
        return ("<",)
    return ()


class _InlineTreeprocessor(treeprocessors.InlineProcessor):
    """Python-Markdown's inline stage, but a pattern is only tried on text that could match it.

    Python-Markdown tries each of its ~16 inline patterns on every piece of text, and most
    text holds none of the characters they look for (``*``, ``[``, ``<``, a backquote ...).
    Skipping a pattern that cannot match is exactly what trying it would do (no match, start
    again from the text's beginning with the next pattern), so the output is the same.
    """

    def __init__(self, md: markdown.Markdown) -> None:
        super().__init__(md)
        self._patterns: tuple[tuple[Any, str, str], ...] = ()
        self._known: dict[object, tuple[Any, str, str]] = {}

    def run(self, tree: etree.Element, ancestors: list[str] | None = None) -> etree.Element:
        patterns = []
        for pattern in self.inlinePatterns:
            entry = self._known.get(pattern)
            if entry is None:
                needs = _needs(pattern) or ("",)  # "" is in every text: always tried
                entry = self._known[pattern] = (pattern, needs[0], needs[-1])
            patterns.append(entry)
        self._patterns = tuple(patterns)
        return super().run(tree, ancestors)

    def _InlineProcessor__handleInline(self, data: str, patternIndex: int = 0) -> str:  # noqa: N802,N803
        if isinstance(data, util.AtomicString):
            return data
        apply = self._InlineProcessor__applyPattern  # type: ignore[attr-defined]
        patterns = self._patterns
        count = len(patterns)
        start = 0
        while patternIndex < count:
            pattern, need, other_need = patterns[patternIndex]
            if need not in data and other_need not in data:  # cannot match: as if tried in vain
                patternIndex += 1
                start = 0
                continue
            data, matched, start = apply(pattern, data, patternIndex, start)
            if not matched:
                patternIndex += 1
        return data


# Block processors whose work starts with a regex search of the block, by class, the method
# that searches (test, or run where test is always true) and the regex: on a block holding
# none of the strings, the method answers False without changing anything, as it would have.
_BLOCK_NEEDS: dict[tuple[str, str, str], tuple[str, ...]] = {
    ("BlockQuoteProcessor", "test", r"(^|\n)[ ]{0,3}>[ ]?(.*)"): (">",),
    ("HashHeaderProcessor", "test",
     r"(?:^|\n)(?P<level>#{1,6})(?P<header>(?:\\.|[^\\#]|#+(?=[^#\n]))*?)#*(?:\n|$)"): ("#",),
    ("SetextHeaderProcessor", "test", r"^.*?\n(?:=+|-+)[ ]*(\n|$)"): ("\n=", "\n-"),
    ("HRProcessor", "test",
     r"^[ ]{0,3}(?=(?P<atomicgroup>(-+[ ]{0,2}){3,}|(_+[ ]{0,2}){3,}|(\*+[ ]{0,2}){3,}))(?P=atomicgroup)[ ]*$"):
        ("-", "_", "*"),
    ("DefListProcessor", "test", r"(^|\n)[ ]{0,3}:[ ]{1,3}(.*?)(\n|$)"): (":",),
    ("FootnoteBlockProcessor", "run", r"^[ ]{0,3}\[\^([^\]]*)\]:[ ]*(.*)$"): ("[^",),
    ("AbbrBlockprocessor", "run", r"^[*]\[(?P<abbr>[^\\]*?)\][ ]?:[ ]*\n?[ ]*(?P<title>.*)$"): ("*[",),
    ("ReferenceProcessor", "run",
     r"""^[ ]{0,3}\[([^\[\]]*)\]:[ ]*(?:\n[ ]*)?([^\s]+)[ ]*(?:\n[ ]*)?((["\'])(.*)\4[ ]*|\((.*)\)[ ]*)?$"""):
        ("]:",),
}


def _gate_block_processors(md: markdown.Markdown) -> None:
    """Answer "no" for the block processors of ``_BLOCK_NEEDS`` on blocks that cannot match."""
    for processor in md.parser.blockprocessors:
        regex = getattr(processor, "SEARCH_RE", None) or getattr(processor, "RE", None)
        if not isinstance(regex, re.Pattern):
            continue
        for method in ("test", "run"):
            needs = _BLOCK_NEEDS.get((type(processor).__name__, method, regex.pattern))
            if needs:
                setattr(processor, method, _gated(getattr(processor, method), needs, method == "run"))


def _gated(method: Callable[[Any, Any], Any], needs: tuple[str, ...], on_run: bool) -> Callable[[Any, Any], Any]:
    def gate(parent: Any, block_or_blocks: Any) -> Any:
        block = block_or_blocks[0] if on_run else block_or_blocks
        if not any(n in block for n in needs):
            return False
        return method(parent, block_or_blocks)
    return gate
