"""Diagnostics -> text for people (with a source excerpt and a caret), GitHub annotations,
or JSON. Formatting happens here, late, from the data the stages collected."""

from __future__ import annotations

import json
import os
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from .diagnostics import Diagnostic, Severity

MAX_PER_CODE_AND_FILE = 10


def use_color(stream_isatty: bool) -> bool:
    return stream_isatty and "NO_COLOR" not in os.environ and os.environ.get("TERM") != "dumb"


def _paint(text: str, code: str, color: bool) -> str:
    return f"\033[{code}m{text}\033[0m" if color else text


def format_text(diags: Sequence[Diagnostic], root: Path, *, color: bool = False) -> str:
    lines: list[str] = []
    shown: Counter[tuple[str, str]] = Counter()
    hidden: Counter[tuple[str, str]] = Counter()
    cache: dict[str, list[str]] = {}
    for d in diags:
        key = (d.span.file, d.code)
        shown[key] += 1
        if shown[key] > MAX_PER_CODE_AND_FILE:
            hidden[key] += 1
            continue
        where = d.span.file
        if d.span.line:
            where += f":{d.span.line}"
            if d.span.column:
                where += f":{d.span.column}"
        label = _paint(d.severity.value, "1;31" if d.severity is Severity.ERROR else "1;33", color)
        message = d.message
        if d.key_path and d.key_path not in message and d.key_path != "body":
            message += f" (at {d.key_path})"
        lines.append(f"{_paint(where, '1', color)}: {label} {d.code} {message}")
        lines += _excerpt(d, root, cache, color)
        if d.hint:
            lines.append(f"   {_paint('hint:', '36', color)} {d.hint}")
        lines.append("")
    for (file, code), count in sorted(hidden.items()):
        lines.append(f"{file}: ... and {count} more {code} in this file")
    return "\n".join(lines).rstrip("\n") + ("\n" if lines else "")


def _excerpt(d: Diagnostic, root: Path, cache: dict[str, list[str]], color: bool) -> list[str]:
    if d.span.line <= 0 or d.span.file.startswith("("):
        return []
    if d.span.file not in cache:
        try:
            raw = (root / d.span.file).read_bytes()
            cache[d.span.file] = raw.decode("utf-8", errors="replace").lstrip("\ufeff").splitlines()
        except OSError:
            cache[d.span.file] = []
    source = cache[d.span.file]
    if d.span.line > len(source):
        return []
    text = source[d.span.line - 1].replace("\t", " ")
    number = str(d.span.line)
    out = [f"   {number} | {text}"]
    if d.span.column:
        width = max(1, min(d.span.length or 1, len(text) - d.span.column + 1))
        out.append(f"   {' ' * len(number)} | {' ' * (d.span.column - 1)}{_paint('^' * width, '1;31', color)}")
    return out


def _escape_github(text: str, *, prop: bool = False) -> str:
    text = text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")
    if prop:
        text = text.replace(":", "%3A").replace(",", "%2C")
    return text


def format_github(diags: Sequence[Diagnostic]) -> str:
    lines = []
    for d in diags:
        level = "error" if d.severity is Severity.ERROR else "warning"
        props = [f"file={_escape_github(d.span.file, prop=True)}"]
        if d.span.line:
            props.append(f"line={d.span.line}")
        if d.span.column:
            props.append(f"col={d.span.column}")
        props.append(f"title={d.code}")
        message = d.message + (f" ({d.key_path})" if d.key_path and d.key_path not in d.message else "")
        if d.hint:
            message += f". {d.hint[0].upper()}{d.hint[1:]}"
        lines.append(f"::{level} {','.join(props)}::{_escape_github(message)}")
    return "\n".join(lines) + ("\n" if lines else "")


def format_json(diags: Sequence[Diagnostic]) -> str:
    return json.dumps([
        {"file": d.span.file, "line": d.span.line, "column": d.span.column, "path": d.key_path,
         "code": d.code, "severity": d.severity.value, "message": d.message, "hint": d.hint}
        for d in diags
    ], indent=2, ensure_ascii=False) + "\n"


def summary(diags: Sequence[Diagnostic]) -> str:
    errors = sum(1 for d in diags if d.severity is Severity.ERROR)
    warnings = len(diags) - errors
    files = len({d.span.file for d in diags})
    parts = []
    if errors:
        parts.append(f"{errors} error{'s' if errors != 1 else ''}")
    if warnings:
        parts.append(f"{warnings} warning{'s' if warnings != 1 else ''}")
    if not parts:
        return "no problems found"
    return " and ".join(parts) + f" in {files} file{'s' if files != 1 else ''}"
