"""Bound the work Markdown rendering can be made to do: a linear check of a body before rendering.

Python-Markdown is quadratic on some inputs (each unmatched ``[`` scans to the end of its
paragraph; each ``<![CDATA[`` or unclosed ``<a`` to the end of the document; each block that
splits a paragraph makes the rest of it be searched again; each fenced block makes the whole
text be searched again) and recurses once per level of nesting. A hostile file of 1 MB would
stall a build for hours or crash it. This module measures, in linear time, an upper bound of
that work for each of those shapes, and reports a body over the budget as content error BW113
before anything is rendered. Every budget is far above what prose, tables, lists and code need.
"""

from __future__ import annotations

import bisect
import re
from dataclasses import dataclass

MAX_NESTING = 40  # lists and quotes inside each other
MAX_DEFINITIONS = 100  # definition-list entries in one block (each nests the next)
# Budgets, in characters scanned (see each measure below); each is about half a second of work.
BRACKET_BUDGET = 2_000_000
SPLIT_BUDGET = 15_000_000
TAG_BUDGET = 8_000_000
CDATA_BUDGET = 1_000_000
FENCE_BUDGET = 100_000_000
HTML_BUDGET = 2_000_000_000
INLINE_BUDGET = 500_000_000

_BLANK_RE = re.compile(r"\n[ \t]*(?=\n)")
_BRACKET_RE = re.compile(r"[\[\]()]")
_HTML_TAG_RE = re.compile(r"<[A-Za-z/]")
_INLINE_MARK_RE = re.compile(r"[*_`&\\~]")
_TAG_RE = re.compile(r"<(?=[A-Za-z/!?])|>")
_CDATA_RE = re.compile(r"<!\[|\]\]>")
_FENCE_RE = re.compile(r"^ {0,3}(?:`{3,}|~{3,})", re.M)
_DEFINITION_RE = re.compile(r"^ {0,3}:[ \t]", re.M)
# Lines that end one block inside a paragraph and start another.
_SPLIT_RE = re.compile(r"^ {0,3}(?:#|(?:[-*_][ \t]*){3,}$|=+[ \t]*$|-+[ \t]*$|`{3,}|~{3,}|:[ \t]|\*\[|\[\^[^\]\n]*\]:)",
                       re.M)
_DEEP_CANDIDATE_RE = re.compile(r"^[ \t>*+\-0-9.)]{%d,}" % MAX_NESTING, re.M)
_DEEP_LINE_RE = re.compile(r"\n[ \t>*+\-0-9.)]{%d}" % MAX_NESTING)  # a candidate past the first line
_CONTAINER_RE = re.compile(r"[ \t]+|>|[-*+](?=[ \t])|[0-9]{1,9}[.)](?=[ \t])")


@dataclass(frozen=True, slots=True)
class Problem:
    offset: int  # character offset in the body
    message: str
    hint: str


def body_problem(body: str) -> Problem | None:
    """The first way ``body`` would make rendering too slow or too deep, or None."""
    size = len(body)
    # Each measure is at most (number of its characters) x (length of the body): most bodies are
    # cleared by a count, without the scan.
    checks = (
        (_nesting, size >= MAX_NESTING),
        (_definitions, body.count(":") > MAX_DEFINITIONS),
        (_brackets, (body.count("[") + body.count("(")) * size > BRACKET_BUDGET),
        (_splits, body.count("\n") * size > SPLIT_BUDGET),
        (_tags, body.count("<") * size > TAG_BUDGET),
        (_cdata, body.count("<![") * size > CDATA_BUDGET),
        (_fences, True),
        (_html, True),
        (_inline_marks, size > 4096),
    )
    for check, needed in checks:
        problem = check(body) if needed else None
        if problem is not None:
            return problem
    return None


def _blocks(body: str) -> list[int]:
    """Offsets where blank-line-separated blocks end (the last one is the body's end)."""
    return [m.start() for m in _BLANK_RE.finditer(body)] + [len(body)]


def _block_of(ends: list[int], offset: int) -> tuple[int, int]:
    """(start, end) of the block holding ``offset``."""
    i = bisect.bisect_left(ends, offset)
    end = ends[min(i, len(ends) - 1)]
    return (ends[i - 1] if i > 0 else 0), end


def _too_complex(offset: int, what: str) -> Problem:
    return Problem(offset, f"the Markdown body is too complex to render: {what}",
                   "break the text into paragraphs separated by blank lines, and escape stray "
                   "characters such as [ or < with a backslash (\\[, \\<)")


def _fence_starts(body: str) -> list[int]:
    """Where the lines that open or close a fenced code block start. (Most bodies have no fence:
    a search for the run of three characters a fence needs clears them at once, where the
    pattern, anchored at every line, would be tried at every character.)"""
    if "```" not in body and "~~~" not in body:
        return []
    return [m.start() for m in _FENCE_RE.finditer(body)]


def _nesting(body: str) -> Problem | None:
    # Cleared at once unless a line starts with enough of the characters that nest (a search
    # for a newline is fast; the pattern anchored at every line is tried at every character).
    if _DEEP_CANDIDATE_RE.match(body) is None and _DEEP_LINE_RE.search(body) is None:
        return None
    fences = _fence_starts(body)
    for match in _DEEP_CANDIDATE_RE.finditer(body):
        if bisect.bisect_left(fences, match.start()) % 2:
            continue  # inside a fenced code block: text, not structure
        depth, line, pos = 0, match.group(0), 0
        while (token := _CONTAINER_RE.match(line, pos)) is not None:  # only the leading run counts
            text = token.group(0)
            depth += len(text.expandtabs(4)) // 2 if text[0] in " \t" else 1
            pos = token.end()
        if depth > MAX_NESTING:
            return Problem(match.start(), f"the Markdown body nests lists or quotes more than {MAX_NESTING} levels deep",
                           "flatten the structure: lists and quotes this deep cannot be read either")
    return None


def _definitions(body: str) -> Problem | None:
    ends = _blocks(body)
    counts: dict[int, int] = {}
    for match in _DEFINITION_RE.finditer(body):
        start, _ = _block_of(ends, match.start())
        counts[start] = counts.get(start, 0) + 1
        if counts[start] > MAX_DEFINITIONS:
            return _too_complex(match.start(), f"more than {MAX_DEFINITIONS} definition-list entries "
                                               "without a blank line between them")
    return None


def _brackets(body: str) -> Problem | None:
    """Each '[' (and each '(' of a link's address) makes link parsing scan to its match or to the
    end of its block."""
    ends = iter(_blocks(body))
    end = next(ends)
    stacks: dict[str, list[int]] = {"[": [], "(": []}
    closers = {"]": "[", ")": "("}
    cost = 0
    for match in _BRACKET_RE.finditer(body):
        pos = match.start()
        while pos > end:
            cost += sum(end - p for stack in stacks.values() for p in stack)
            for stack in stacks.values():
                stack.clear()
            end = next(ends)
        char = match.group(0)
        if char in stacks:
            stacks[char].append(pos)
        elif stacks[closers[char]]:
            cost += pos - stacks[closers[char]].pop()
        if cost > BRACKET_BUDGET:
            return _too_complex(pos, "too many unmatched or nested brackets")
    cost += sum(end - p for stack in stacks.values() for p in stack)
    if cost > BRACKET_BUDGET:
        first = min(p for stack in stacks.values() for p in stack)
        return _too_complex(first, "too many unmatched or nested brackets")
    return None


def _inline_marks(body: str) -> Problem | None:
    """Each emphasis, code or entity match rebuilds the text of its block."""
    start = 0
    cost = 0
    for end in _blocks(body):
        if end - start > 4096:  # smaller blocks cost little whatever they hold
            marks = len(_INLINE_MARK_RE.findall(body, start, end))
            cost += marks * (end - start)
            if cost > INLINE_BUDGET:
                return _too_complex(start, "too many *, _, `, & or \\ in one block")
        start = end
    return None


def _html(body: str) -> Problem | None:
    """Raw HTML is parsed with work that grows with the number of tags times the text's length."""
    tags = len(_HTML_TAG_RE.findall(body))
    if tags * len(body) > HTML_BUDGET:
        first = _HTML_TAG_RE.search(body)
        return _too_complex(first.start() if first else 0, f"{tags:,} HTML tags in {len(body):,} characters")
    return None


def _splits(body: str) -> Problem | None:
    """Each heading, rule, fence or definition line inside a block makes the rest be searched again."""
    ends = _blocks(body)
    cost = 0
    for match in _SPLIT_RE.finditer(body):
        start, end = _block_of(ends, match.start())
        cost += end - start
        if cost > SPLIT_BUDGET:
            return _too_complex(match.start(), "too many headings, rules or similar lines without blank "
                                               "lines between them")
    return None


def _pending_cost(pattern: re.Pattern[str], opener: str, body: str, budget: int, what: str) -> Problem | None:
    """Each opener scans to the next closer (or the end of the body): the sum of those distances."""
    waiting = 0  # openers not yet closed
    waiting_sum = 0  # sum of their offsets
    cost = 0
    first = -1
    for match in pattern.finditer(body):
        pos = match.start()
        if match.group(0) == opener:
            waiting += 1
            waiting_sum += pos
            first = pos if first < 0 else first
        elif waiting:
            cost += waiting * pos - waiting_sum
            waiting = waiting_sum = 0
            first = -1
        if cost > budget:
            return _too_complex(pos, what)
    cost += waiting * len(body) - waiting_sum
    return _too_complex(first, what) if cost > budget else None


def _tags(body: str) -> Problem | None:
    return _pending_cost(_TAG_RE, "<", body, TAG_BUDGET, "too many '<' that open no HTML tag")


def _cdata(body: str) -> Problem | None:
    return _pending_cost(_CDATA_RE, "<![", body, CDATA_BUDGET, "too many unclosed '<![' sections")


def _fences(body: str) -> Problem | None:
    """Each fenced code block makes the whole text be searched again."""
    fences = _fence_starts(body)
    if len(fences) * len(body) > FENCE_BUDGET:
        return _too_complex(fences[0], f"{len(fences)} code fences in {len(body):,} characters")
    return None
