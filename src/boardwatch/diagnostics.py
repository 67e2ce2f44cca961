"""Problems found in a site, kept as data until the CLI prints them.

Every stage appends :class:`Diagnostic` records to one :class:`Diagnostics` collector and
carries on, so one run reports every problem at once. Codes are stable and documented in
``docs/errors.md``; tests assert codes, never the English.
"""

from __future__ import annotations

import difflib
import enum
from collections.abc import Iterable, Iterator
from dataclasses import dataclass


class Severity(enum.Enum):
    ERROR = "error"
    WARNING = "warning"


@dataclass(frozen=True, slots=True, order=True)
class Span:
    """A place in a source file: site-relative POSIX path, 1-based line and column."""

    file: str
    line: int = 0
    column: int = 0
    length: int = 0

    def __reduce__(self) -> tuple[type[Span], tuple[str, int, int, int]]:
        # Rebuilt by its constructor when pickled (see model.Ref): twice as fast as the generic way.
        return (Span, (self.file, self.line, self.column, self.length))


# Stable codes. BW1xx syntax, BW2xx shape, BW3xx graph, BW4xx config, BW5xx output,
# BW6xx templates, BW9xx internal.
CODES: dict[str, str] = {
    "BW101": "file is not valid UTF-8",
    "BW102": "file has no front matter (first line must be ---)",
    "BW103": "front matter is not closed by a --- line",
    "BW104": "YAML syntax error in front matter",
    "BW105": "front matter is not a mapping of keys to values",
    "BW106": "file too large",
    "BW107": "YAML too deeply nested or too many aliases",
    "BW108": "duplicate key in front matter",
    "BW109": "file is empty",
    "BW110": "unsafe file name or path",
    "BW111": "file could not be read",
    "BW112": "file in an unknown content folder",
    "BW113": "Markdown body too deeply nested or too complex",
    "BW201": "missing required key",
    "BW202": "unknown key",
    "BW203": "wrong type",
    "BW204": "value not among the allowed choices",
    "BW205": "invalid id or slug",
    "BW206": "invalid date",
    "BW207": "invalid URL",
    "BW208": "invalid value",
    "BW209": "key not allowed on a claim revisit",
    "BW301": "unknown id",
    "BW302": "id used by two files",
    "BW303": "reference to the wrong kind of entity",
    "BW304": "duplicate claim id",
    "BW305": "revisit of an unknown claim",
    "BW306": "article slug used twice",
    "BW307": "invitation source is not an article",
    "BW308": "alias used by several entities",
    "BW309": "article names no actor",
    "BW310": "revisit dated before the claim",
    "BW401": "unknown key in boardwatch.yaml",
    "BW402": "invalid value in boardwatch.yaml",
    "BW403": "boardwatch.yaml could not be read",
    "BW501": "two pages would be written to the same path",
    "BW502": "output folder problem",
    "BW601": "template error",
    "BW701": "cache ignored",
    "BW900": "internal error",
}


@dataclass(frozen=True, slots=True)
class Diagnostic:
    code: str
    severity: Severity
    message: str
    span: Span
    key_path: str = ""
    hint: str = ""

    @property
    def sort_key(self) -> tuple[str, int, int, str, str]:
        return (self.span.file, self.span.line, self.span.column, self.code, self.message)


class Diagnostics:
    """Append-only collector shared by the stages of one run."""

    def __init__(self) -> None:
        self._items: list[Diagnostic] = []

    def add(self, diagnostic: Diagnostic) -> None:
        self._items.append(diagnostic)

    def error(self, code: str, message: str, span: Span, *, path: str = "", hint: str = "") -> None:
        self.add(Diagnostic(code, Severity.ERROR, message, span, path, hint))

    def warning(self, code: str, message: str, span: Span, *, path: str = "", hint: str = "") -> None:
        self.add(Diagnostic(code, Severity.WARNING, message, span, path, hint))

    def extend(self, items: Iterable[Diagnostic]) -> None:
        self._items.extend(items)

    @property
    def has_errors(self) -> bool:
        return any(d.severity is Severity.ERROR for d in self._items)

    @property
    def errors(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.sorted() if d.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Diagnostic, ...]:
        return tuple(d for d in self.sorted() if d.severity is Severity.WARNING)

    def sorted(self) -> tuple[Diagnostic, ...]:
        unique = dict.fromkeys(self._items)
        return tuple(sorted(unique, key=lambda d: d.sort_key))

    def __iter__(self) -> Iterator[Diagnostic]:
        return iter(self.sorted())

    def __len__(self) -> int:
        return len(self._items)

    def since(self, start: int) -> tuple[Diagnostic, ...]:
        """The problems added after the first ``start``, in the order they were added."""
        return tuple(self._items[start:])


def suggest(word: str, candidates: Iterable[str], *, n: int = 3) -> list[str]:
    """The closest candidates to ``word``, best first (difflib, as Python's own "did you mean")."""
    pool = sorted(set(candidates))
    close = difflib.get_close_matches(word, pool, n=n, cutoff=0.6)
    if not close:
        # Prefix/substring matches catch 'putin' -> 'vladimir-putin'.
        close = [c for c in pool if word and (word in c or c in word)][:n]
    return close


def did_you_mean(word: str, candidates: Iterable[str]) -> str:
    close = suggest(word, candidates)
    if not close:
        return ""
    if len(close) == 1:
        return f"did you mean '{close[0]}'?"
    return "did you mean " + ", ".join(f"'{c}'" for c in close[:-1]) + f" or '{close[-1]}'?"
