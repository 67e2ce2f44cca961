"""The static full-text search index: Pagefind, run over the rendered pages at build time.

Pages opt in with ``data-pagefind-body`` (articles, entities, claims, standalone pages) and
declare filters (kind, actor, initiative) with ``data-pagefind-filter``; see base.html. The
index goes to ``pagefind/`` in the output; the search page loads Pagefind's UI from there.

**Shards.** A large site's index is split into shards by a hash of each page's path, so that
Pagefind indexes a few hundred pages at a time (its memory grows with the pages it holds)
and a rebuild indexes again only the shards whose pages changed. Each shard is a complete
Pagefind index: the first one that holds pages lives in ``pagefind/`` itself, with Pagefind's
scripts, and the others in ``pagefind/<n>/``, without them. The browser searches them all as
one: the search page reads ``pagefind/shards.json`` and merges the other shards into the
first (Pagefind's ``mergeIndex``), filters included. A site of up to :data:`SHARD_PAGES`
pages has one shard, laid out the way a single Pagefind index always is.

``shards.json`` also records each shard's key: a digest of the Pagefind version, the shard
count and the (path, fingerprint) of every page in the shard that Pagefind reads (of every
page, when the build cannot say which pages are marked without reading them). A shard whose
key, place and files are those of the previous build is not indexed again: its files are
taken from the previous output as they are. Which pages are marked is found by the render
workers in the pages they render, and kept in the output manifest for the others.

**Determinism.** Pagefind (1.5) names its files by content hash, but writes its filter
indexes (and the order of filters in its metadata) in hash-map order, which changes from run
to run. So each shard is made canonical here: filter values sorted, filters sorted by name,
and the files whose content changed renamed by a hash of their new content. Two builds of
the same pages then give the same bytes.
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import re
import shutil
import struct
import subprocess
import tempfile
from collections.abc import Collection, Iterable, Iterator, Mapping, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .uptodate import digest

BUNDLE = "pagefind"
SHARDS = f"{BUNDLE}/shards.json"
SIGNATURE = b"pagefind_dcd"  # what Pagefind's compressed index files start with, once gunzipped
SHARD_PAGES = 1000  # pages per shard before the index is split in more shards
MAX_SHARDS = 32
PARALLEL = 2  # Pagefind runs at once (each one is itself multi-threaded)
FORMAT = "1"  # of shards.json and of the canonical bundle: a change invalidates every shard
# The attribute inside a start tag; text that merely mentions it is escaped ("&lt;main ...").
_BODY = re.compile(rb"<[A-Za-z][^<>]*?\sdata-pagefind-body(?=[\s/>=])")
# What a shard without Pagefind's scripts keeps (the index proper).
_INDEX_FILE = re.compile(r"(?:fragment|index|filter)/[^/]+|pagefind-entry\.json|pagefind\.[^/]+\.pf_meta")


class SearchIndexError(RuntimeError):
    """Pagefind is missing or failed."""


def _executable() -> Path:
    try:
        from pagefind.service import get_executable
    except ImportError as exc:  # pragma: no cover - pagefind is a dependency
        raise SearchIndexError("the 'pagefind' package is not installed") from exc
    found = get_executable()
    if found is None:
        raise SearchIndexError("the Pagefind binary was not found (install 'pagefind[extended]' or 'pagefind_bin')")
    return found


def shard_count(pages: int, shard_pages: int = SHARD_PAGES) -> int:
    """How many shards ``pages`` pages are split in: a power of two, one up to ``shard_pages``."""
    count = 1
    while count < MAX_SHARDS and count * shard_pages < pages:
        count *= 2
    return count


def shard_of(path: str, count: int) -> int:
    """The shard of the page at site path ``path``: stable across builds and machines."""
    return int.from_bytes(hashlib.sha256(path.encode("utf-8")).digest()[:8], "big") % count


@dataclass(frozen=True, slots=True)
class _Shard:
    number: int
    pages: tuple[str, ...]  # site paths, sorted
    key: str | None  # None: not reusable (no fingerprints)


class PageFiles(Mapping[str, Path]):
    """Where to read each page: under ``fresh_root`` for the pages in ``fresh`` (written by
    this build, not yet in place), under ``root`` for the others. Each path is made when it
    is asked for: most pages of a large site are never read (their shard is reused)."""

    def __init__(self, names: Iterable[str], fresh: Collection[str], fresh_root: Path, root: Path) -> None:
        self._names = list(names)
        self._known = set(self._names)
        self._fresh, self._fresh_root, self._root = fresh, fresh_root, root

    def __getitem__(self, rel: str) -> Path:
        if rel not in self._known:
            raise KeyError(rel)
        return (self._fresh_root if rel in self._fresh else self._root) / rel

    def __iter__(self) -> Iterator[str]:
        return iter(self._names)

    def __len__(self) -> int:
        return len(self._names)


def search_index(pages: Mapping[str, Path], keys: Mapping[str, str] | None = None,
                 previous: Path | None = None, *, shard_pages: int | None = None,
                 indexed: Mapping[str, bool] | None = None) -> dict[str, bytes | Path]:
    """Index the HTML ``pages`` (site path -> file to read) and return Pagefind's bundle as
    {``pagefind/...``: bytes to write, or the Path of a file of the previous output to reuse}.

    ``keys`` (site path -> fingerprint, which changes whenever the page's bytes change) and
    ``previous`` (the previous output folder, checked against its manifest) let the shards
    whose pages are all unchanged be reused; without them everything is indexed.
    ``indexed`` (site path -> whether the page is marked, see :func:`is_marked`), when it
    covers every page, spares reading the pages to find out, and then a shard's key covers
    only the pages Pagefind reads: a shard whose only changed pages are unmarked is reused.
    ``shard_pages`` (default :data:`SHARD_PAGES`, read at each call) sets when the index is split.
    """
    names = sorted(rel for rel in pages if rel.endswith(".html"))
    executable = _executable()
    version = _version(executable)
    count = shard_count(len(names), shard_pages or SHARD_PAGES)
    known_marks = indexed is not None and all(rel in indexed for rel in names)

    def is_page_marked(rel: str) -> bool:
        return indexed[rel] if indexed is not None and known_marks else _marked(pages[rel])
    # Pagefind indexes only the pages marked data-pagefind-body when any page is; every page
    # otherwise. Shards decide it for the whole site, so that each shard indexes what one
    # index of the whole site would.
    marked = any(is_page_marked(rel) for rel in names)
    groups: list[list[str]] = [[] for _ in range(count)]
    for rel in names:
        groups[shard_of(rel, count)].append(rel)
    feeds: dict[int, list[str]] = {}  # shard -> pages Pagefind reads, for the shards looked at

    def read_by_pagefind(number: int, group: Sequence[str]) -> list[str]:
        if number not in feeds:
            feeds[number] = [rel for rel in group if not marked or is_page_marked(rel)]
        return feeds[number]
    shards = [_Shard(n, tuple(group), _shard_key(read_by_pagefind(n, group) if known_marks else group, keys,
                                                 version, count, marked, known_marks))
              for n, group in enumerate(groups)]
    before = _previous_shards(previous)

    def feed(shard: _Shard) -> list[str]:
        return read_by_pagefind(shard.number, shard.pages)

    def known(shard: _Shard) -> dict[str, Any] | None:
        entry = before.get(shard.number)
        return entry if entry is not None and shard.key is not None and entry.get("key") == shard.key else None

    # A shard holds pages when it did last time with the same key; otherwise its pages say.
    full = [s for s in shards if ((entry := known(s)) is not None and entry.get("path") is not None)
            or (entry is None and feed(s))]
    if not full:
        raise SearchIndexError("there is no page to index")
    places = {s.number: "" if s is full[0] else f"{s.number}/" for s in full}
    out: dict[str, bytes | Path] = {}
    todo: list[_Shard] = []
    listed: list[dict[str, Any]] = []
    for shard in shards:
        place = places.get(shard.number)
        if place is None:  # nothing to index
            listed.append({"shard": shard.number, "key": shard.key, "path": None, "files": None})
            continue
        entry = known(shard)
        if previous is not None and entry is not None and entry.get("path") == place:
            reused = _reusable(previous, place, entry)
            if reused is not None:
                out.update(reused)
                listed.append({"shard": shard.number, "key": shard.key, "path": place, "files": entry["files"]})
                continue
        todo.append(shard)
    if previous is not None and any(not feed(shard) for shard in todo):  # the record was wrong
        return search_index(pages, keys, None, shard_pages=shard_pages)
    built = _index_all([(shard, places[shard.number], feed(shard)) for shard in todo], pages, executable)
    for shard, files in zip(todo, built):
        out.update(files)
        listed.append({"shard": shard.number, "key": shard.key, "path": places[shard.number],
                       "files": _files_digest(f[len(BUNDLE) + 1 + len(places[shard.number]):] for f in files)})
    manifest = {"format": FORMAT, "pagefind": version, "count": count,
                "shards": sorted(listed, key=lambda item: item["shard"])}
    out[SHARDS] = json.dumps(manifest, sort_keys=True, separators=(",", ":")).encode("utf-8")
    return dict(sorted(out.items()))


def _version(executable: Path) -> str:
    result = subprocess.run([str(executable), "--version"], capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind failed: {(result.stderr or result.stdout).strip()[:2000]}")
    return result.stdout.strip()


def page_marks(pages: Mapping[str, Path], fresh: Mapping[str, bool],
               unindexed: Collection[str] | None) -> dict[str, bool]:
    """Whether each of ``pages`` (site path -> file) is marked for the index: as found in the
    pages rendered now (``fresh``), else as the previous output's manifest recorded
    (``unindexed``: the pages that were not), else as the page's file says."""
    unmarked = set(unindexed) if unindexed is not None else None
    out: dict[str, bool] = {}
    for rel in pages:
        mark = fresh.get(rel)
        if mark is None:
            mark = rel not in unmarked if unmarked is not None else _marked(pages[rel])
        out[rel] = mark
    return out


def is_marked(html: bytes) -> bool:
    """Whether a page opts in to the index (``data-pagefind-body`` on an element)."""
    return b"data-pagefind-body" in html and _BODY.search(html) is not None


def _marked(page: Path) -> bool:
    return is_marked(page.read_bytes())


def _shard_key(pages: Sequence[str], keys: Mapping[str, str] | None, version: str, count: int,
               marked: bool, fed_only: bool = False) -> str | None:
    """The key of a shard: its place in the split, and the pages it holds with their
    fingerprints (``fed_only``: the pages Pagefind reads, the others cannot change it)."""
    if keys is None or any(rel not in keys for rel in pages):
        return None
    parts = [FORMAT, version, str(count), str(marked), "fed" if fed_only else "all"]
    for rel in pages:
        parts += [rel, keys[rel]]
    return digest(parts)


def _files_digest(names: Iterator[str] | Sequence[str]) -> str:
    return digest(sorted(names))


def _previous_shards(previous: Path | None) -> dict[int, dict[str, Any]]:
    """The shards of the previous output by number, from its shards.json ({} if unreadable)."""
    if previous is None:
        return {}
    try:
        manifest = json.loads((previous / SHARDS).read_bytes())
        entries = manifest["shards"] if manifest.get("format") == FORMAT else []
        return {int(entry["shard"]): entry for entry in entries if isinstance(entry, dict)}
    except (OSError, ValueError, TypeError, KeyError, AttributeError):
        return {}


def _reusable(previous: Path, place: str, entry: Mapping[str, Any]) -> dict[str, Path] | None:
    """The files of a previous shard at ``place``, if they are exactly the ones it recorded."""
    folder = previous / BUNDLE / place
    names: list[str] = []
    for base, dirs, files in os.walk(folder):
        rel = Path(base).relative_to(folder).as_posix()
        if rel == "." and not place:  # the first shard's folder also holds shards.json and the others
            dirs[:] = [d for d in dirs if not d.isdigit()]
            files = [f for f in files if f"{BUNDLE}/{f}" != SHARDS]
        names += [f if rel == "." else f"{rel}/{f}" for f in files]
    if "pagefind-entry.json" not in names or _files_digest(names) != entry.get("files"):
        return None
    return {f"{BUNDLE}/{place}{name}": folder / name for name in names}


def _index_all(jobs: Sequence[tuple[_Shard, str, Sequence[str]]], html: Mapping[str, Path],
               executable: Path) -> list[dict[str, bytes]]:
    """Index each shard (at most :data:`PARALLEL` at once); their files, in the order given."""
    if not jobs:
        return []
    with tempfile.TemporaryDirectory(prefix="boardwatch-search-") as tmp:
        def one(job: tuple[_Shard, str, Sequence[str]]) -> dict[str, bytes]:
            shard, place, feed = job
            return _index_shard(Path(tmp, str(shard.number)), place, {rel: html[rel] for rel in feed}, executable)
        with ThreadPoolExecutor(max_workers=max(1, min(PARALLEL, len(jobs)))) as pool:
            return list(pool.map(one, jobs))


def _index_shard(work: Path, place: str, pages: Mapping[str, Path], executable: Path) -> dict[str, bytes]:
    """Run Pagefind over ``pages`` (hard links in ``work``); the canonical bundle at ``place``."""
    site, bundle = work / "site", work / "bundle"
    site.mkdir(parents=True)
    for rel, source in sorted(pages.items()):
        target = site.joinpath(*rel.split("/"))
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(source, target)
        except OSError:  # another file system, or no links there
            shutil.copyfile(source, target)
    result = subprocess.run([str(executable), "--site", str(site), "--output-path", str(bundle), "--silent"],
                            capture_output=True, text=True, check=False)
    if result.returncode != 0:
        raise SearchIndexError(f"Pagefind failed: {(result.stderr or result.stdout).strip()[:2000]}")
    files = canonical({f"{BUNDLE}/{path.relative_to(bundle).as_posix()}": path.read_bytes()
                       for path in sorted(bundle.rglob("*")) if path.is_file()})
    shutil.rmtree(work)
    if not place:
        return files
    return {f"{BUNDLE}/{place}{rel[len(BUNDLE) + 1:]}": data for rel, data in files.items()
            if _INDEX_FILE.fullmatch(rel[len(BUNDLE) + 1:])}


# -- making Pagefind's bundle deterministic ----------------------------------------------------

def canonical(files: Mapping[str, bytes]) -> dict[str, bytes]:
    """The same bundle with filter indexes and metadata in a fixed order (see the module doc)."""
    out = dict(files)
    renamed: dict[str, str] = {}  # old hash -> new hash (file names without folder and suffix)
    for path in sorted(p for p in files if p.startswith(f"{BUNDLE}/filter/") and p.endswith(".pf_filter")):
        name, values = _unpack(files[path])
        values = sorted(([v, sorted(pages)] for v, pages in values), key=lambda item: item[0])
        data = _pack([name, values])
        old = path.rsplit("/", 1)[1][: -len(".pf_filter")]
        new = _rehash(old, data)
        renamed[old] = new
        del out[path]
        out[f"{BUNDLE}/filter/{new}.pf_filter"] = data
    entry_path = f"{BUNDLE}/pagefind-entry.json"
    entry = json.loads(files[entry_path]) if entry_path in files else None
    for path in sorted(p for p in files if re.fullmatch(rf"{BUNDLE}/pagefind\.[^/]+\.pf_meta", p)):
        meta = _unpack(files[path])
        meta[3] = sorted(([name, renamed.get(h, h)] for name, h in meta[3]), key=lambda item: item[0])
        for i in range(4, len(meta)):  # sorts and metadata field names: order carries no meaning
            if all(isinstance(x, str) for x in meta[i]):
                meta[i] = sorted(meta[i])
        data = _pack(meta)
        old = path[len(f"{BUNDLE}/pagefind."): -len(".pf_meta")]
        new = _rehash(old, data)
        del out[path]
        out[f"{BUNDLE}/pagefind.{new}.pf_meta"] = data
        if entry is not None:
            for language in entry.get("languages", {}).values():
                if language.get("hash") == old:
                    language["hash"] = new
    if entry is not None:
        out[entry_path] = json.dumps(entry, ensure_ascii=False, separators=(",", ":")).encode("utf-8")
    return dict(sorted(out.items()))


def _rehash(old: str, data: bytes) -> str:
    prefix, _, digest = old.rpartition("_")
    return f"{prefix}_{hashlib.sha256(data).hexdigest()[:len(digest)]}"


def _unpack(data: bytes) -> Any:
    raw = gzip.decompress(data)
    if not raw.startswith(SIGNATURE):
        raise SearchIndexError("unexpected Pagefind index format")
    value, end = _cbor_decode(raw, len(SIGNATURE))
    if end != len(raw):
        raise SearchIndexError("unexpected Pagefind index format")
    return value


def _pack(value: Any) -> bytes:
    return gzip.compress(SIGNATURE + _cbor_encode(value), compresslevel=9, mtime=0)


def _cbor_head(major: int, arg: int) -> bytes:
    if arg < 24:
        return bytes([major << 5 | arg])
    for info, fmt, limit in ((24, ">B", 1 << 8), (25, ">H", 1 << 16), (26, ">I", 1 << 32), (27, ">Q", 1 << 64)):
        if arg < limit:
            return bytes([major << 5 | info]) + struct.pack(fmt, arg)
    raise SearchIndexError("integer too large for the index")


def _cbor_encode(value: Any) -> bytes:
    """The subset of CBOR (RFC 8949) that Pagefind's index files use, shortest form."""
    if value is None or isinstance(value, bool):
        return bytes([0xF6 if value is None else 0xF5 if value else 0xF4])
    if isinstance(value, int):
        return _cbor_head(0, value) if value >= 0 else _cbor_head(1, -1 - value)
    if isinstance(value, bytes):
        return _cbor_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _cbor_head(3, len(raw)) + raw
    if isinstance(value, list):
        return _cbor_head(4, len(value)) + b"".join(_cbor_encode(v) for v in value)
    if isinstance(value, dict):
        return _cbor_head(5, len(value)) + b"".join(_cbor_encode(k) + _cbor_encode(v) for k, v in value.items())
    raise SearchIndexError(f"cannot encode {type(value).__name__} in the index")


def _cbor_decode(data: bytes, i: int) -> tuple[Any, int]:
    major, info = data[i] >> 5, data[i] & 31
    i += 1
    if major == 7:
        simple = {20: False, 21: True, 22: None}
        if info not in simple:
            raise SearchIndexError("unexpected value in the Pagefind index")
        return simple[info], i
    if info < 24:
        arg = info
    elif info <= 27:
        size = 1 << (info - 24)
        arg = int.from_bytes(data[i:i + size], "big")
        i += size
    else:
        raise SearchIndexError("unexpected value in the Pagefind index")
    if major == 0:
        return arg, i
    if major == 1:
        return -1 - arg, i
    if major in (2, 3):
        chunk = data[i:i + arg]
        return (bytes(chunk) if major == 2 else chunk.decode("utf-8")), i + arg
    if major == 4:
        items = []
        for _ in range(arg):
            item, i = _cbor_decode(data, i)
            items.append(item)
        return items, i
    if major == 5:
        mapping = {}
        for _ in range(arg):
            key, i = _cbor_decode(data, i)
            mapping[key], i = _cbor_decode(data, i)
        return mapping, i
    raise SearchIndexError("unexpected value in the Pagefind index")
