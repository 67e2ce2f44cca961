"""Validated records as JSON, for the parse cache: an unchanged file skips parsing *and*
validation, which together cost three times what decoding its record does.

The encoding follows the model's type hints, so a field added to a record is encoded without
a change here (a type this module does not know is refused when the codec is first built, and
a test encodes every record of the project's content). A record is a list of its fields'
values in declaration order; a union of records is ``[index, value]``; a date is its ISO text;
a span is ``[line, column, length]``, its file being the record's own. Bodies are not kept:
they are the end of the file, from the line the record gives.

Decoding checks every value's JSON type and every list's length, and raises ``ValueError`` at
the first thing out of place: a cache is data, never trusted, and an entry that does not decode
is parsed again.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import enum
import types
import typing
from collections.abc import Callable, Sequence
from typing import Any

from .diagnostics import Diagnostic, Severity, Span
from .model import Article, Entity, Record

Encoder = Callable[[Any], Any]
Decoder = Callable[[Any, str], Any]  # (JSON value, the record's file) -> value
BODIES = frozenset({"body_md", "profile_md"})  # not kept: read again from the file


class Layout(typing.NamedTuple):
    encode: Encoder  # a record (Entity or Article) -> [index of its type, its fields]
    members: tuple[tuple[type, Callable[[Any, str, str], Any]], ...]  # (type, (fields, file, body) -> record)
    description: str  # every record type's fields and their types: part of the cache's header


def _describe(tp: Any) -> str:
    return getattr(tp, "__qualname__", None) if isinstance(tp, type) else str(tp)  # type: ignore[return-value]


def _build(root: Any) -> Layout:
    encoders: dict[Any, Encoder] = {}
    decoders: dict[Any, Decoder] = {}
    described: list[str] = []

    def enc(tp: Any) -> Encoder:
        if tp not in encoders:
            encoders[tp] = _encoder(tp, enc, described)
        return encoders[tp]

    def dec(tp: Any) -> Decoder:
        if tp not in decoders:
            decoders[tp] = _decoder(tp, dec)
        return decoders[tp]

    encode = enc(root)
    members = tuple((member, _maker(member, dec, "body_md" if member is Article else "profile_md"))
                    for member in typing.get_args(root))
    return Layout(encode, members, "\n".join(sorted(described)))


def _optional(tp: Any) -> Any | None:
    """``X`` of ``X | None``, else None."""
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        args = typing.get_args(tp)
        if type(None) in args:
            rest = tuple(a for a in args if a is not type(None))
            return rest[0] if len(rest) == 1 else typing.Union[rest]  # noqa: UP007 - built from parts
    return None


def _union(tp: Any) -> tuple[Any, ...] | None:
    if typing.get_origin(tp) in (typing.Union, types.UnionType):
        return typing.get_args(tp)
    return None


def _fields(tp: type) -> list[tuple[str, Any]]:
    hints = typing.get_type_hints(tp)
    return [(f.name, hints[f.name]) for f in dataclasses.fields(tp) if f.name not in BODIES]


def _encoder(tp: Any, enc: Callable[[Any], Encoder], described: list[str]) -> Encoder:
    if tp in (str, int, bool):
        return lambda v: v
    if tp is dt.date:
        return lambda v: v.isoformat()
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return lambda v: v.value
    if tp is Span:
        return lambda v: [v.line, v.column, v.length]
    inner = _optional(tp)
    if inner is not None:
        e = enc(inner)
        return lambda v: None if v is None else e(v)
    members = _union(tp)
    if members is not None:
        index = {m: (i, enc(m)) for i, m in enumerate(members)}

        def union(v: Any) -> Any:
            i, e = index[type(v)]
            return [i, e(v)]
        return union
    if typing.get_origin(tp) is tuple:
        args = typing.get_args(tp)
        if len(args) == 2 and args[1] is Ellipsis:
            item = enc(args[0])
            return lambda v: [item(x) for x in v]
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        fields = [(name, enc(hint)) for name, hint in _fields(tp)]
        described.append(f"{tp.__qualname__}(" + ", ".join(f"{n}: {_describe(h)}" for n, h in _fields(tp)) + ")")
        return lambda v: [e(getattr(v, name)) for name, e in fields]
    raise TypeError(f"the record codec cannot encode {tp!r}")


def _bad(what: str, value: Any) -> ValueError:
    return ValueError(f"expected {what}, found {type(value).__name__}")


def _decoder(tp: Any, dec: Callable[[Any], Decoder]) -> Decoder:
    if tp in (str, int, bool):
        def plain(v: Any, _file: str) -> Any:
            if type(v) is not tp:
                raise _bad(tp.__name__, v)
            return v
        return plain
    if tp is dt.date:
        def date(v: Any, _file: str) -> dt.date:
            if type(v) is not str:
                raise _bad("a date", v)
            made = dt.date.fromisoformat(v) if len(v) == 10 else dt.datetime.fromisoformat(v)
            if made.isoformat() != v or (isinstance(made, dt.datetime) and made.tzinfo is None):
                raise ValueError(f"expected a date, or a time with its offset, found {v!r}")
            return made
        return date
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return lambda v, _file: tp(v)
    if tp is Span:
        return _span
    inner = _optional(tp)
    if inner is not None:
        d = dec(inner)
        return lambda v, file: None if v is None else d(v, file)
    members = _union(tp)
    if members is not None:
        choices = [dec(m) for m in members]

        def union(v: Any, file: str) -> Any:
            if type(v) is not list or len(v) != 2 or type(v[0]) is not int or not 0 <= v[0] < len(choices):
                raise _bad("a tagged value", v)
            return choices[v[0]](v[1], file)
        return union
    if typing.get_origin(tp) is tuple:
        item = dec(typing.get_args(tp)[0])

        def sequence(v: Any, file: str) -> tuple[Any, ...]:
            if type(v) is not list:
                raise _bad("a list", v)
            return tuple([item(x, file) for x in v])
        return sequence
    if dataclasses.is_dataclass(tp) and isinstance(tp, type):
        return _maker(tp, dec)
    raise TypeError(f"the record codec cannot decode {tp!r}")


_PLAIN = (str, int, bool)


def _maker(tp: type, dec: Callable[[Any], Decoder], body: str | None = None) -> Callable[..., Any]:
    """The decoder of a dataclass's encoded fields, generated as Python source once (as
    dataclasses makes ``__init__``): a record has hundreds of small objects, and one function
    per value would be twice as slow. With ``body``, it takes a third argument, that field's value.
    The source is made from the model's type hints alone, never from cached data."""
    names: dict[str, Any] = {"cls": tp, "_bad": _bad, "Span": Span}
    fields = _fields(tp)
    values = [f"x{i}" for i in range(len(fields))]
    lines = [f"def make(v, file{', body' if body else ''}):",
             f"    if type(v) is not list or len(v) != {len(fields)}:",
             f"        raise _bad({tp.__name__ + ' fields'!r}, v)",
             f"    {', '.join(values)}{',' if len(values) == 1 else ''} = v"]
    given = []
    for i, (name, hint) in enumerate(fields):
        x, inner = values[i], _optional(hint)
        if hint in _PLAIN or inner in _PLAIN:
            names[f"T{i}"] = hint if hint in _PLAIN else inner
            none_ok = f"{x} is not None and " if inner is not None else ""
            lines += [f"    if {none_ok}type({x}) is not T{i}:", f"        raise _bad({name!r}, {x})"]
            given.append(f"{name}={x}")
        elif hint is Span:  # inline: there is one in nearly every object
            lines += [f"    if type({x}) is not list or len({x}) != 3:", f"        raise _bad({name!r}, {x})",
                      f"    a{i}, b{i}, c{i} = {x}",
                      f"    if type(a{i}) is not int or type(b{i}) is not int or type(c{i}) is not int:",
                      f"        raise _bad({name!r}, {x})"]
            given.append(f"{name}=Span(file, a{i}, b{i}, c{i})")
        elif inner is not None:
            names[f"D{i}"] = dec(inner)
            given.append(f"{name}=None if {x} is None else D{i}({x}, file)")
        else:
            names[f"D{i}"] = dec(hint)
            given.append(f"{name}=D{i}({x}, file)")
    if body:
        given.append(f"{body}=body")
    lines.append(f"    return cls({', '.join(given)})")
    exec("\n".join(lines), names)  # noqa: S102 - source made above from type hints only
    made: Callable[..., Any] = names["make"]
    return made


_LAYOUT: Layout | None = None


def layout() -> Layout:
    global _LAYOUT
    if _LAYOUT is None:
        _LAYOUT = _build(Entity | Article)
    return _LAYOUT


def _spans_in(value: Any, file: str) -> bool:
    """Whether every Span inside ``value`` (a record or diagnostic) is in ``file``."""
    if isinstance(value, Span):
        return value.file == file
    if isinstance(value, (tuple, list)):
        return all(_spans_in(v, file) for v in value)
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        return all(_spans_in(getattr(value, f.name), file) for f in dataclasses.fields(value))
    return True


def encode(record: Record, diagnostics: Sequence[Diagnostic], file: str) -> list[Any] | None:
    """``record`` (validated from ``file``, with the warnings validating it gave) as JSON
    values; None when something in it points into another file, which the encoding cannot say."""
    if not _spans_in(record, file) or not all(d.span.file == file for d in diagnostics):
        return None
    warnings = [[d.code, d.severity.value, d.message, [d.span.line, d.span.column, d.span.length], d.key_path, d.hint]
                for d in diagnostics]
    return [layout().encode(record), warnings]


def decode(value: Any, file: str, body: str) -> tuple[Record, list[Diagnostic]]:
    """What :func:`encode` gave, with ``body`` (the file's body) put back; ValueError (or
    TypeError) when it is not such a value."""
    if type(value) is not list or len(value) != 2 or type(value[1]) is not list \
            or type(value[0]) is not list or len(value[0]) != 2:
        raise _bad("a record and its warnings", value)
    index, fields = value[0]
    members = layout().members
    if type(index) is not int or not 0 <= index < len(members):
        raise _bad("a record type", index)
    record: Record = members[index][1](fields, file, body)
    diagnostics = []
    for item in value[1]:
        if type(item) is not list or len(item) != 6:
            raise _bad("a warning", item)
        code, severity, message, span, key_path, hint = item
        if not all(type(x) is str for x in (code, severity, message, key_path, hint)):
            raise _bad("a warning", item)
        diagnostics.append(Diagnostic(code, Severity(severity), message, _span(span, file), key_path, hint))
    return record, diagnostics


def _span(v: Any, file: str) -> Span:
    if type(v) is not list or len(v) != 3 or type(v[0]) is not int or type(v[1]) is not int \
            or type(v[2]) is not int:
        raise _bad("a position", v)
    return Span(file, v[0], v[1], v[2])
