"""Discover the content files of a site and decode them: the `read` stage.

Kind comes from the folder (``content/people/`` holds people, and so on). Paths are checked
before anything is read: nothing outside the site folder is followed, and every id that a
file name would give must be safe as a URL and as a file name on every platform.
"""

from __future__ import annotations

import hashlib
import os
import re
from collections.abc import Mapping
from pathlib import Path

from .diagnostics import Diagnostic, Diagnostics, Span
from .model import FOLDERS, Kind, Source
from .uptodate import content_entries

ID_RE = re.compile(r"^[a-z0-9]+(-[a-z0-9]+)*$")
MAX_FILE_BYTES = 1_000_000
WINDOWS_RESERVED = frozenset(
    {"con", "prn", "aux", "nul"} | {f"com{i}" for i in range(1, 10)} | {f"lpt{i}" for i in range(1, 10)}
)
KIND_BY_FOLDER = {folder: kind for kind, folder in FOLDERS.items()}
ID_HINT = "ids use lower-case letters, digits and single hyphens, e.g. 'vladimir-putin'"


def reserved_on_windows(name: str) -> bool:
    """A file or folder name Windows cannot create: a device name (con, nul.txt, COM1.html...),
    or one ending in a dot or a space."""
    return name.split(".", 1)[0].strip().lower() in WINDOWS_RESERVED or name.endswith((".", " "))


def is_valid_id(value: str) -> bool:
    return bool(ID_RE.match(value)) and value not in WINDOWS_RESERVED and len(value) <= 120


Read = tuple[Source, list[Diagnostic]]  # a file as read, with the problems reading it found


def discover(root: Path, diags: Diagnostics, *, known: Mapping[str, Read] | None = None,
             record: dict[str, Read] | None = None) -> tuple[Source, ...]:
    """Every content file under ``root/content``, decoded, in path order.

    ``known`` holds files the caller vouches are unchanged since they were read (by their
    metadata, see build._vouched_reads): they are taken as they were, not read again. Every
    file that is not a symbolic link goes into ``record``, when given, as it was read."""
    content = root / "content"
    if not content.is_dir():
        diags.error("BW111", "there is no content/ folder", Span("content"),
                    hint=f"create {content} with articles/, people/, states/, bodies/ and initiatives/ in it, "
                         "or run 'boardwatch new site DIR'")
        return ()
    real_root = root.resolve()
    prefix = os.path.join(root, "")
    found: list[Source] = []
    # Strings, not Paths, on this path: it runs once per content file. Sorted as Paths sort.
    for entry in sorted(content_entries(os.path.join(root, "content")), key=lambda e: e.path.split(os.sep)):
        rel = entry.path[len(prefix):].replace(os.sep, "/")
        link = entry.is_symlink()
        kept = known.get(rel) if known is not None and not link else None
        source: Source | None
        problems: list[Diagnostic] = []
        if kept is not None:
            source, problems = kept
            diags.extend(problems)
        elif record is None:
            source = _read(entry.path, rel, real_root, diags, link=link)
        else:
            local = Diagnostics()
            source = _read(entry.path, rel, real_root, local, link=link)
            diags.extend(local)
            problems = list(local)
        if record is not None and source is not None and not link:
            record[rel] = (source, problems)
        if source is not None:
            found.append(source)
    return tuple(found)


def read_one(root: Path, rel: str, diags: Diagnostics) -> Source | None:
    """The content file at site-relative ``rel``, read and checked as ``discover`` does."""
    path = os.path.join(root, *rel.split("/"))
    return _read(path, rel, root.resolve(), diags, link=os.path.islink(path))


def _read(path: str, rel: str, real_root: Path, diags: Diagnostics, *, link: bool) -> Source | None:
    span = Span(rel)
    if "\x00" in rel or "\\" in rel or ":" in rel:
        diags.error("BW110", f"unsafe file name {rel!r}", span, hint="rename the file: " + ID_HINT)
        return None
    if link:
        target = Path(path).resolve()
        if not target.is_relative_to(real_root):
            diags.error("BW110", "symbolic link points outside the site folder", span,
                        hint="copy the file into the site instead of linking to it")
            return None
        if os.path.isdir(path):
            diags.error("BW110", "symbolic link to a folder inside content/", span,
                        hint="move the files into place instead of linking the folder")
            return None
    name = os.path.basename(path)
    if not name.endswith(".md"):
        return None
    parts = rel.split("/")[1:]  # below content/
    folder = parts[0] if len(parts) > 1 else ""
    kind = KIND_BY_FOLDER.get(folder)
    if kind is None:
        diags.error("BW112", f"'{rel}' is not in a known content folder", span,
                    hint="put articles under content/articles/ and entities under content/people/, "
                         "content/states/, content/bodies/ or content/initiatives/")
        return None
    if kind is not Kind.ARTICLE and len(parts) != 2:
        diags.error("BW112", f"entity files live directly in content/{folder}/, not in sub-folders", span,
                    hint=f"move the file to content/{folder}/{name}")
        return None
    stem = name[: -len(".md")]
    # A file that cannot be read still names an id, so mentions of it are not reported as unknown.
    unreadable = Source(path=rel, text="", sha256="", kind=kind, stem=stem, readable=False)
    try:
        with open(path, "rb") as f:
            raw = f.read()
    except OSError as exc:
        diags.error("BW111", f"could not read the file: {exc.strerror or exc}", span,
                    hint="check the file's permissions")
        return unreadable
    if len(raw) > MAX_FILE_BYTES:
        diags.error("BW106", f"file is {len(raw):,} bytes; the limit is {MAX_FILE_BYTES:,}", span,
                    hint="split it into several articles, or move large material to static/")
        return unreadable
    text = decode(raw, rel, diags)
    if text is None:
        return unreadable
    return Source(path=rel, text=text, sha256=hashlib.sha256(raw).hexdigest(), kind=kind, stem=stem)


def decode(raw: bytes, rel: str, diags: Diagnostics) -> str | None:
    """UTF-8 with an optional byte-order mark; CRLF and lone CR become LF."""
    if raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        line = raw.count(b"\n", 0, exc.start) + 1
        column = exc.start - (raw.rfind(b"\n", 0, exc.start) + 1) + 1
        diags.error("BW101", f"byte 0x{raw[exc.start]:02x} is not valid UTF-8", Span(rel, line, column),
                    hint="save the file as UTF-8 (most editors offer 'Save with encoding')")
        return None
    if "\r" in text:
        text = text.replace("\r\n", "\n").replace("\r", "\n")
    if "\x00" in text:
        line = text.count("\n", 0, text.index("\x00")) + 1
        diags.error("BW101", "file contains a NUL character", Span(rel, line),
                    hint="the file looks binary; content files are UTF-8 text")
        return None
    return text
