"""Is the output already what a build would make? The check a build runs before anything else.

After each build the cache folder gets a **stamp** (``uptodate.json``): the output folder, the
digest of the settings, a digest of every content file's metadata (size, modification and
change times) and the list of output files with a digest of their sizes and modification
times. A build whose settings, content metadata and output files all match the stamp has
nothing to do, and knows it from the file system's metadata alone: no manifest, no YAML, no
stage is loaded. Anything else (no stamp, a mismatch, an unreadable or foreign stamp) simply
takes the ordinary path, which judges the change by content hashes (see cache.py).

A content file changed less than :data:`SETTLED_NS` before it was scanned could change again
without its metadata showing it (like Git's racy-clean rule). The stamp keeps such files by
sha256 instead, and the check reads them again; once more than :data:`REHASH_MAX` of them have
settled (after a checkout, say), the stamp is rewritten to vouch for them by metadata alone.

This module imports only the standard library's lightest modules, so that a build with nothing
to do is over before the rest of boardwatch would have finished importing.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from functools import partial
from typing import Any

STAMP = "uptodate.json"
MANIFEST = ".boardwatch/manifest.json"  # in the output: see cache.py
FORMAT = 2
SETTLED_NS = 2_000_000_000  # a file changed this shortly before it was read may change again unseen
# Files the stamp keeps by sha256 after they have settled rather than be rewritten: hashing a
# few files again costs less than rewriting the stamp (a large file at 10k articles).
REHASH_MAX = 32
THEME_DIR = os.path.join(os.path.dirname(os.path.abspath(__file__)), "theme")

Meta = tuple[int, int, int]  # size, mtime_ns, ctime_ns


def digest(parts: Iterable[str | bytes]) -> str:
    h = hashlib.sha256()
    for part in parts:
        data = part.encode("utf-8") if isinstance(part, str) else part
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


def header() -> dict[str, Any]:
    from . import __version__
    return {"format": FORMAT, "boardwatch": __version__, "python": sys.version.split()[0]}


def settings_digest(root: str | os.PathLike[str], *, drafts: bool, base_url: str | None,
                    search: bool | None) -> str:
    """Every input of a build but the content files: settings, templates, theme, static
    files and options (templates and static files by name, size and modification time)."""
    from . import __version__
    from .layout import CONFIG_FILE
    parts: list[str | bytes] = [__version__, f"drafts={drafts}", f"base_url={base_url}", f"search={search}"]
    try:
        with open(os.path.join(root, CONFIG_FILE), "rb") as f:
            parts.append(f.read())
    except (FileNotFoundError, IsADirectoryError):
        parts.append(b"")
    for folder in (os.path.join(root, "templates"), os.path.join(root, "static"), THEME_DIR):
        found: list[tuple[list[str], str]] = []
        for top, _, names in os.walk(folder):
            rel_top = os.path.relpath(top, folder).replace(os.sep, "/")
            for name in names:
                rel = name if rel_top == "." else f"{rel_top}/{name}"
                found.append((rel.split("/"), os.path.join(top, name)))
        for parts_of, path in sorted(found):
            try:
                st = os.stat(path)
            except OSError:
                continue
            if not os.path.isdir(path):
                parts.append(f"{'/'.join(parts_of)}:{st.st_size}:{st.st_mtime_ns}")
    return digest(parts)


def content_entries(folder: str) -> list[os.DirEntry[str]]:
    """Every entry below ``folder`` that ``sources.discover`` looks at: Markdown files and
    symbolic links (to be checked, never followed), but no hidden file or folder and no editor
    backup (a name ending in ``~``). One walk for both the read stage and :func:`scan`."""
    out: list[os.DirEntry[str]] = []
    folders = [folder]
    while folders:
        try:
            with os.scandir(folders.pop()) as it:
                entries = list(it)
        except OSError:
            continue  # as os.walk: a folder that cannot be listed is passed over
        for entry in entries:
            name = entry.name
            if name.startswith("."):
                continue  # hidden files and folders
            if entry.is_file(follow_symlinks=False):  # the common case, told by the folder listing alone
                if name.endswith(".md"):  # (a name ending in "~", an editor backup, does not)
                    out.append(entry)
                continue
            link = entry.is_symlink()
            try:
                is_dir = entry.is_dir()
            except OSError:
                is_dir = False
            if is_dir and not link:
                folders.append(entry.path)
            elif is_dir or (not name.endswith("~") and (link or name.endswith(".md"))):
                out.append(entry)  # a symbolic link (to a folder or a file), or an odd .md file
    return out


def scan(root: str | os.PathLike[str]) -> dict[str, Meta] | None:
    """Every content file ``sources.discover`` would read, as site-relative path -> (size, mtime and
    ctime in ns), from the file system's metadata alone; None when a symbolic link (or no
    content/ folder) calls for the full checks of ``discover``."""
    content = os.path.join(root, "content")
    if not os.path.isdir(content) or os.path.islink(content):
        return None
    prefix = os.path.join(root, "")
    found: dict[str, Meta] = {}
    for entry in content_entries(content):
        if entry.is_symlink():
            return None
        st = entry.stat(follow_symlinks=False)
        found[entry.path[len(prefix):].replace(os.sep, "/")] = (st.st_size, st.st_mtime_ns, st.st_ctime_ns)
    return dict(sorted(found.items()))


def settled(meta: Sequence[int], started_ns: int) -> bool:
    return meta[1] < started_ns - SETTLED_NS and meta[2] < started_ns - SETTLED_NS


def file_sha(root: str | os.PathLike[str], rel: str) -> str | None:
    """The sha256 of the content file at site-relative ``rel`` as ``discover`` computes it."""
    try:
        with open(os.path.join(root, *rel.split("/")), "rb") as f:
            return hashlib.sha256(f.read()).hexdigest()
    except OSError:
        return None


def _content_digest(scanned: Mapping[str, Meta], by_sha: Mapping[str, str | None]) -> str:
    """The content files' digest: each by its metadata, or by its sha256 where ``by_sha`` has it."""
    parts = []
    for rel, meta in scanned.items():
        sha = by_sha.get(rel)
        parts.append(f"{rel}\0{sha}" if sha is not None else f"{rel}\0{meta[0]}\0{meta[1]}\0{meta[2]}")
    return hashlib.sha256("\n".join(parts).encode("utf-8", "surrogateescape")).hexdigest()


def _outputs_digest(out: str, files: Iterable[str]) -> str | None:
    """The digest of the output files' sizes and modification times; None when one is missing."""
    base = os.path.join(out, "")
    parts = []
    for rel in files:
        try:
            st = os.stat(base + rel)
        except OSError:
            return None
        parts.append(f"{st.st_size}:{st.st_mtime_ns}")
    return hashlib.sha256("\n".join(parts).encode("ascii")).hexdigest()


def _meanwhile(work: Callable[[], str | None]) -> Callable[[], str | None]:
    """Start ``work`` in a forked child, beside what the caller does next; the function
    returned waits for its result (None when it failed). Where forking is not safe (no fork,
    or other threads running) the work is done at once."""
    threading = sys.modules.get("threading")
    if not hasattr(os, "fork") or (threading is not None and threading.active_count() > 1):
        value = work()
        return lambda: value
    read, write = os.pipe()
    pid = os.fork()
    if pid == 0:  # the child: write the result and leave at once, running no clean-up of the parent's
        try:
            os.close(read)
            os.write(write, (work() or "").encode("utf-8"))
        finally:
            os._exit(0)
    os.close(write)

    def result() -> str | None:
        try:
            with os.fdopen(read, "rb") as f:
                data = f.read()
        finally:
            os.waitpid(pid, 0)
        return data.decode("utf-8") or None
    return result


class Verdict:
    """What :func:`check` found. ``up_to_date``: (pages, files) of an output the stamp vouches
    for, else None. On the way it may have scanned the content files (``scanned``, taken at
    ``started_ns``) and found every output file and the manifest as the stamp recorded them
    (``outputs_vouched``): the build uses both rather than look again. ``problem``: what is
    wrong with the stamp ("unreadable" or "foreign"), if anything."""

    __slots__ = ("up_to_date", "scanned", "started_ns", "outputs_vouched", "problem")

    def __init__(self, started_ns: int, *, up_to_date: tuple[int, int] | None = None,
                 scanned: dict[str, Meta] | None = None, outputs_vouched: bool = False,
                 problem: str | None = None) -> None:
        self.started_ns = started_ns
        self.up_to_date = up_to_date
        self.scanned = scanned
        self.outputs_vouched = outputs_vouched
        self.problem = problem


def check(root: str | os.PathLike[str], out: str | os.PathLike[str], cache_dir: str | os.PathLike[str],
          settings: str) -> Verdict:
    """Whether the stamp vouches that a build would change nothing in ``out`` (see :class:`Verdict`)."""
    started_ns = time.time_ns()
    path = os.path.join(cache_dir, STAMP)
    try:
        with open(path, "rb") as f:
            stamp = json.loads(f.read())
    except FileNotFoundError:
        return Verdict(started_ns)
    except (OSError, ValueError):
        return Verdict(started_ns, problem="unreadable")
    try:
        if stamp["header"] != header():
            return Verdict(started_ns, problem="foreign")
        if stamp["out"] != os.path.abspath(out):
            return Verdict(started_ns)
        by_sha = {str(rel): str(sha) for rel, sha in stamp["by_sha"].items()}
        outputs = [str(rel) for rel in stamp["outputs"]]
        pages, files = int(stamp["pages"]), int(stamp["files"])
        content, output = str(stamp["content"]), str(stamp["output"])
    except (ValueError, TypeError, KeyError, AttributeError):
        return Verdict(started_ns, problem="unreadable")
    # The output files are checked in a child process while this one checks the content files.
    outputs_digest = _meanwhile(partial(_outputs_digest, os.fspath(out), outputs))
    try:
        scanned = scan(root)
        now: dict[str, str | None] = {rel: file_sha(root, rel) for rel in by_sha} \
            if stamp["settings"] == settings else {}
    finally:
        vouched = outputs_digest() == output
    seen = Verdict(started_ns, scanned=scanned, outputs_vouched=vouched)
    if not vouched or scanned is None or stamp["settings"] != settings or not by_sha.keys() <= scanned.keys() \
            or None in now.values() or _content_digest(scanned, now) != content:
        return seen
    still = {rel: sha for rel, sha in by_sha.items() if not settled(scanned[rel], started_ns)}
    if len(by_sha) - len(still) > REHASH_MAX:  # many have settled: vouch for them by metadata from now on
        _write(path, {**stamp, "by_sha": still, "content": _content_digest(scanned, still)})
    seen.up_to_date = (pages, files)
    return seen


def save(cache_dir: str | os.PathLike[str], out: str | os.PathLike[str], settings: str,
         sources: Mapping[str, Sequence[Any]], files: Mapping[str, Sequence[int]], pages: int) -> None:
    """Stamp the output a build just finished: ``sources`` maps each content file to [size,
    mtime_ns, ctime_ns, sha256] as the manifest holds it (the metadata None where it had not
    settled), ``files`` each output file to [size, mtime_ns]."""
    by_sha = {rel: str(v[3]) for rel, v in sources.items() if v[0] is None}
    scanned = {rel: (v[0], v[1], v[2]) if v[0] is not None else (0, 0, 0) for rel, v in sorted(sources.items())}
    stats = {rel: f"{v[0]}:{v[1]}" for rel, v in files.items()}
    try:  # the manifest too: a build that trusts the stamp's outputs trusts the manifest listing them
        st = os.stat(os.path.join(out, MANIFEST))
        stats[MANIFEST] = f"{st.st_size}:{st.st_mtime_ns}"
    except OSError:
        return
    outputs = sorted(stats)
    os.makedirs(cache_dir, exist_ok=True)
    _write(os.path.join(cache_dir, STAMP), {
        "header": header(), "out": os.path.abspath(out), "settings": settings, "pages": pages,
        "files": len(files), "by_sha": by_sha, "content": _content_digest(scanned, by_sha), "outputs": outputs,
        "output": hashlib.sha256("\n".join([stats[rel] for rel in outputs]).encode("ascii")).hexdigest()})


def forget(cache_dir: str | os.PathLike[str] | None) -> None:
    """Drop the stamp: the build about to run may change the output."""
    if cache_dir is not None:
        try:
            os.unlink(os.path.join(cache_dir, STAMP))
        except OSError:
            pass


def _write(path: str, data: Mapping[str, Any]) -> None:
    tmp = f"{path}.{os.getpid()}.tmp"
    try:
        with open(tmp, "w", encoding="utf-8") as f:
            f.write(json.dumps(data, sort_keys=True))
        os.replace(tmp, path)
    except OSError:
        try:
            os.unlink(tmp)
        except OSError:
            pass
