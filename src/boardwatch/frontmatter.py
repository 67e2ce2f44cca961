"""Split the ``---`` block off a source and load it safely: the `parse` stage.

Positions come from YAML node marks, shifted by the block's offset, so every line number
is absolute in the file. Limits on nesting and alias expansion keep hostile YAML cheap.
"""

from __future__ import annotations

import bisect
import datetime as dt
import re
from dataclasses import dataclass
from collections.abc import Mapping
from typing import Any, Protocol, cast

import yaml

from .diagnostics import Diagnostics, Span
from .model import Source

try:  # libyaml is much faster when present; behaviour is the same
    # CSafeLoader has SafeLoader's interface without subclassing it
    _Loader = cast("type[yaml.SafeLoader]", yaml.CSafeLoader)
except AttributeError:  # pragma: no cover - depends on the PyYAML build
    _Loader = yaml.SafeLoader

MAX_DEPTH = 12
MAX_NODES = 20_000
_SAFE_NESTING = 1_000  # PyYAML's recursive composer is known to be safe this deep
_COLLECTION_TAGS = frozenset({"tag:yaml.org,2002:map", "tag:yaml.org,2002:seq"})

KeyPath = tuple[str | int, ...]


class _Mark(Protocol):
    """A position in the YAML text: a yaml.Mark, or libyaml's own mark from the C loader's events."""

    @property
    def index(self) -> int: ...
    @property
    def line(self) -> int: ...
    @property
    def column(self) -> int: ...


class _Events(Protocol):
    """The event stream of a loader (PyYAML's stubs leave SafeLoader.get_event unannotated)."""

    def get_event(self) -> yaml.Event | None: ...
    def dispose(self) -> None: ...


@dataclass(frozen=True, slots=True)
class Document:
    source: Source
    data: dict[str, Any]
    values: Mapping[KeyPath, Span]  # where each value starts
    keys: Mapping[KeyPath, Span]  # where each mapping key is written
    body: str
    body_line: int  # file line where the body starts

    def span(self, path: KeyPath) -> Span:
        """The best-known place for a key path: the value, else its key, else its nearest parent."""
        while True:
            if path in self.values:
                return self.values[path]
            if path in self.keys:
                return self.keys[path]
            if not path:
                return Span(self.source.path, 1, 1)
            path = path[:-1]

    def key_span(self, path: KeyPath) -> Span:
        return self.keys.get(path) or self.span(path)


def format_path(path: KeyPath) -> str:
    out = ""
    for part in path:
        out += f"[{part}]" if isinstance(part, int) else (f".{part}" if out else str(part))
    return out


def parse(source: Source, diags: Diagnostics) -> Document | None:
    text = source.text
    rel = source.path
    if not source.readable:
        return None  # already reported when it was read
    if not text.strip():
        diags.error("BW109", "the file is empty", Span(rel, 1, 1),
                    hint="start the file with a front-matter block: a line '---', 'name: ...' or 'title: ...', "
                         "and a closing '---'")
        return None
    lines = text.split("\n")
    if lines[0].rstrip() != "---":
        diags.error("BW102", "the file does not start with a front-matter block", Span(rel, 1, 1),
                    hint="make '---' the very first line, then the YAML keys, then another '---' line")
        return None
    close = next((i for i in range(1, len(lines)) if lines[i].rstrip() in ("---", "...")), None)
    if close is None:
        diags.error("BW103", "the front-matter block opened on line 1 is never closed", Span(rel, 1, 1),
                    hint="add a line '---' after the last YAML key, before the Markdown body")
        return None
    yaml_text = "\n".join(lines[1:close]) + "\n"
    offset = 1  # YAML line 0 is file line 2 (1-based)
    body = "\n".join(lines[close + 1:])
    body_line = close + 2
    if "\t" in yaml_text:
        for i, line in enumerate(lines[1:close]):
            indent = line[: len(line) - len(line.lstrip(" \t"))]
            if "\t" in indent:
                diags.error("BW104", "a tab is used for indentation in the front matter", Span(rel, i + 2, indent.index("\t") + 1),
                            hint="YAML indents with spaces only: replace the tab with spaces")
                return None
    loaded = load_mapping(yaml_text, rel, offset, diags)
    if loaded is None:
        return None
    data, values, keys = loaded
    return Document(source, data, values, keys, body, body_line)


def load_mapping(yaml_text: str, rel: str, offset: int, diags: Diagnostics
                 ) -> tuple[dict[str, Any], dict[KeyPath, Span], dict[KeyPath, Span]] | None:
    """Safe-load a YAML mapping, recording file positions (YAML line 0 is file line ``offset + 1``)."""
    where = _Positions(yaml_text, offset)
    too_deep = _nesting_mark(yaml_text)
    if too_deep is not None:
        diags.error("BW107", f"the front matter is nested more than {MAX_DEPTH} levels deep",
                    Span(rel, *where.at(too_deep)),
                    hint=f"keep front matter under {MAX_DEPTH} levels deep and avoid YAML anchors and aliases")
        return None
    loader = _Loader(yaml_text)
    try:
        node = loader.get_single_node()
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        line, column = where.at(mark) if mark else (1, 1)
        problem = exc.problem or "invalid YAML"
        context = f" ({exc.context})" if exc.context else ""
        diags.error("BW104", f"YAML syntax error: {problem}{context}", Span(rel, line, column),
                    hint=_yaml_hint(problem))
        return None
    except yaml.reader.ReaderError as exc:  # a character YAML does not allow, such as a control character
        line = yaml_text.count("\n", 0, exc.position) + 1 + offset
        column = exc.position - (yaml_text.rfind("\n", 0, exc.position) + 1) + 1
        diags.error("BW104", f"YAML cannot contain the character U+{exc.character:04X} ({exc.reason})",
                    Span(rel, line, column), hint="remove the character, or write it as an escape inside "
                                                  "double quotes, e.g. \"\\u0001\"")
        return None
    except yaml.YAMLError as exc:
        diags.error("BW104", f"YAML error: {exc}", Span(rel, offset + 1, 1), hint="check the front matter's YAML syntax")
        return None
    finally:
        loader.dispose()
    if node is None:
        diags.error("BW105", "the front matter is empty" if offset else "the file is empty", Span(rel, 1, 1),
                    hint="write the required keys between the two '---' lines" if offset else "write 'key: value' lines")
        return None
    walker = _Walker(rel, where, diags)
    try:
        data = walker.value(node, (), 0)
    except _TooBig as exc:
        diags.error("BW107", str(exc), Span(rel, offset + 1, 1),
                    hint=f"keep front matter under {MAX_DEPTH} levels deep and avoid YAML anchors and aliases")
        return None
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        span = Span(rel, *where.at(mark)) if mark else Span(rel, offset + 1, 1)
        diags.error("BW104", f"YAML value error: {getattr(exc, 'problem', None) or exc}", span,
                    hint="quote the value if it is meant as text")
        return None
    if not isinstance(data, dict):
        diags.error("BW105", f"the front matter is a {_yaml_type(data)}, not a mapping of keys to values",
                    Span(rel, *where.at(node.start_mark)),
                    hint="write one 'key: value' per line between the '---' lines")
        return None
    if walker.failed:
        return None
    return data, walker.values, walker.keys


def _nesting_mark(yaml_text: str) -> _Mark | None:
    """Where the YAML first nests deeper than the limit, read from the event stream, or None.

    PyYAML builds its node tree recursively (in C with libyaml), so a few thousand nested
    ``[`` or ``- `` would overflow the stack and crash the process before the limits of the
    walker below apply; libyaml's parser itself keeps an explicit stack, so events are safe.
    A syntax error is left for the real load to report.
    """
    # Each level of nesting takes one of these characters; below a thousand levels the load is
    # safe (and the walker reports anything over MAX_DEPTH), so nearly every file skips this pass.
    if sum(yaml_text.count(c) for c in "[{-?:") <= _SAFE_NESTING:
        return None
    loader: _Events = _Loader(yaml_text)
    depth = 0
    try:
        while True:
            event = loader.get_event()
            if event is None or isinstance(event, yaml.StreamEndEvent):
                return None
            if isinstance(event, yaml.CollectionStartEvent):
                depth += 1
                if depth > MAX_DEPTH + 1:
                    return event.start_mark
            elif isinstance(event, yaml.CollectionEndEvent):
                depth -= 1
    except yaml.YAMLError:
        return None
    finally:
        loader.dispose()


class _Positions:
    """File line and column of a YAML mark. YAML also breaks lines at U+0085, U+2028 and U+2029,
    which are not line breaks of the file; when the text has any, positions come from the
    mark's character index instead of its line."""

    def __init__(self, yaml_text: str, offset: int) -> None:
        self.offset = offset
        odd = any(c in yaml_text for c in "\x85\u2028\u2029")
        self.newlines = [m.start() for m in re.finditer("\n", yaml_text)] if odd else None

    def at(self, mark: _Mark) -> tuple[int, int]:
        if self.newlines is None:
            return mark.line + 1 + self.offset, mark.column + 1
        before = bisect.bisect_left(self.newlines, mark.index)
        start = self.newlines[before - 1] + 1 if before else 0
        return before + 1 + self.offset, mark.index - start + 1


class _TooBig(Exception):
    pass


class _Walker:
    """Builds plain Python values from YAML nodes and records where each value was written."""

    def __init__(self, rel: str, where: _Positions, diags: Diagnostics) -> None:
        self.rel = rel
        self.where = where
        self.diags = diags
        self.values: dict[KeyPath, Span] = {}
        self.keys: dict[KeyPath, Span] = {}
        self.count = 0
        self.failed = False
        self.constructor = yaml.SafeLoader("")  # only its scalar constructor is used

    def span(self, node: yaml.Node) -> Span:
        length = node.end_mark.index - node.start_mark.index if node.end_mark.line == node.start_mark.line else 0
        return Span(self.rel, *self.where.at(node.start_mark), length)

    def value(self, node: yaml.Node, path: KeyPath, depth: int) -> Any:
        self.count += 1
        if self.count > MAX_NODES:
            raise _TooBig(f"the front matter expands to more than {MAX_NODES:,} values (alias expansion?)")
        if depth > MAX_DEPTH:
            raise _TooBig(f"the front matter is nested more than {MAX_DEPTH} levels deep")
        self.values.setdefault(path, self.span(node))
        if isinstance(node, (yaml.MappingNode, yaml.SequenceNode)) and node.tag not in _COLLECTION_TAGS:
            # A tag such as !!python/object on a mapping or list: the safe loader would refuse it,
            # and ignoring it would silently read something the writer did not mean.
            raise yaml.constructor.ConstructorError(
                None, None, f"the YAML tag '{_short_tag(node.tag)}' is not allowed in front matter", node.start_mark)
        if isinstance(node, yaml.MappingNode):
            out: dict[Any, Any] = {}
            for key_node, value_node in node.value:
                if key_node.tag == "tag:yaml.org,2002:merge":
                    raise _TooBig("YAML merge keys ('<<') are not supported in front matter")
                key = self.scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else None
                if key is None or isinstance(key, (list, dict)):
                    self.diags.error("BW105", "a key must be plain text", self.span(key_node), hint="write 'key: value'")
                    self.failed = True
                    continue
                key = key if isinstance(key, str) else str(key).lower() if isinstance(key, bool) else str(key)
                if key in out:
                    first = self.keys[(*path, key)]
                    self.diags.error("BW108", f"key '{key}' is given twice (first on line {first.line})",
                                     self.span(key_node), path=format_path((*path, key)),
                                     hint="remove one of them; YAML would silently keep only the last")
                    self.failed = True
                    continue
                self.keys[(*path, key)] = self.span(key_node)
                out[key] = self.value(value_node, (*path, key), depth + 1)
            return out
        if isinstance(node, yaml.SequenceNode):
            return [self.value(item, (*path, i), depth + 1) for i, item in enumerate(node.value)]
        return self.scalar(node)

    def scalar(self, node: yaml.Node) -> Any:
        try:
            value = self.constructor.construct_object(node, deep=True)
        except (ValueError, OverflowError, KeyError, TypeError, IndexError):
            # e.g. 2026-13-01 looks like a date to YAML but is none, and `!!bool maybe` is no
            # bool (PyYAML raises KeyError): keep the text, so the schema reports it with its
            # key and line instead of crashing.
            return node.value
        if isinstance(value, bytes):  # !!binary
            return value.decode("latin-1")
        return value


def _short_tag(tag: str) -> str:
    return "!!" + tag[len("tag:yaml.org,2002:"):] if tag.startswith("tag:yaml.org,2002:") else tag


def _yaml_type(value: Any) -> str:
    if isinstance(value, list):
        return "list"
    if isinstance(value, str):
        return "single text value"
    if isinstance(value, (dt.date, int, float, bool)):
        return f"single {type(value).__name__} value"
    return type(value).__name__


def _yaml_hint(problem: str) -> str:
    if "mapping values are not allowed" in problem:
        return "a value contains ': '; put the whole value in double quotes"
    if "found character '\\t'" in problem or "tab" in problem:
        return "YAML indents with spaces only: replace tabs with spaces"
    if "expected <block end>" in problem or "indentation" in problem:
        return "check the indentation: items of one list or mapping must line up"
    if "found undefined alias" in problem:
        return "a value starting with '*' is read as a YAML alias; quote it"
    if "found character" in problem and "cannot start any token" in problem:
        return "quote the value: it starts with a character YAML reserves (such as ` @ or %)"
    if "could not find expected ':'" in problem:
        return "each line needs 'key: value'; quote values that span lines or contain ':'"
    return "check the YAML syntax near this line; quote text values that contain special characters"
