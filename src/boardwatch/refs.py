"""Find ``[[id]]`` and ``[[id|text]]`` references in a Markdown body, skipping code.

The scan runs on the raw body, before Markdown, so every reference keeps its file line and
column for error messages. Rendering uses the same pattern inside Python-Markdown, which
skips code spans and blocks the same way.
"""

from __future__ import annotations

import re

from .diagnostics import Span
from .model import Ref

REF_PATTERN = r"\[\[([^\[\]|\n]+?)(?:\|([^\[\]\n]+?))?\]\]"
REF_RE = re.compile(REF_PATTERN)
_FENCE_RE = re.compile(r"^ {0,3}(`{3,}|~{3,})")
_LIST_RE = re.compile(r"^(\s+|\s*([-*+]|\d+[.)])\s)")
_CODE_SPAN_RE = re.compile(r"(`+)(?:.+?)\1", re.S)


def scan_refs(body: str, first_line: int, file: str) -> tuple[Ref, ...]:
    if "[[" not in body:
        return ()
    refs: list[Ref] = []
    fence: str | None = None
    in_code = False  # inside an indented code block
    last_text = ""  # the last non-blank line outside code
    previous_blank = True
    for offset, line in enumerate(body.split("\n")):
        # (Each pattern is tried only on lines holding what it needs to match: most hold nothing.)
        marker = _FENCE_RE.match(line) if "```" in line or "~~~" in line else None
        if fence is not None:
            if marker and marker.group(1)[0] == fence[0] and len(marker.group(1)) >= len(fence):
                fence = None
            continue
        if marker:
            fence = marker.group(1)
            continue
        indented = line.startswith(("    ", "\t")) and bool(line.strip())
        if indented and (in_code or (previous_blank and not _LIST_RE.match(last_text))):
            in_code = True
            continue
        blank = not line.strip()
        in_code = in_code and blank
        previous_blank = blank
        if blank:
            continue
        last_text = line
        if "[[" not in line:
            continue
        masked = _CODE_SPAN_RE.sub(lambda m: " " * len(m.group(0)), line) if "`" in line else line
        for match in REF_RE.finditer(masked):
            ref_id = match.group(1).strip()
            column = match.start(1) + 1
            refs.append(Ref(ref_id, Span(file, first_line + offset, column, len(match.group(1))), "body"))
    return tuple(refs)
