"""Incremental builds: what the last build saw, so the next one redoes only what changed.

Two stores, both plain data, JSON (a cache is data, never code: a corrupt or foreign cache is
ignored with a warning, never trusted):

- the **parse cache** (``<cache dir>/parsed.sqlite``): what parsing and validating each content
  file gave (its record, see codec.py; or, when it failed, its front matter with positions),
  as JSON keyed by the file's sha256 and path, so unchanged files skip YAML and validation.
  SQLite lets a build read just the entries it needs and write just those it adds;
- the **output manifest** (``<out>/.boardwatch/manifest.json``): for every page written, the
  fingerprint of everything it was made from, and a digest of every input of the build. A page
  whose fingerprint is unchanged is reused from the previous output instead of rendered; a
  build whose inputs digest is unchanged writes nothing at all.

The up-to-date stamp (uptodate.py) and the article view store (express.py) are kept beside them.

A page's fingerprint hashes the view its template receives (all the data shown on the page),
its Markdown, the autolink names table, every template, the site settings and the boardwatch
version. Hashing the view rather than a list of dependencies means no dependency can be missed.
"""

from __future__ import annotations

import datetime as dt
import functools
import itertools
import json
import operator
import os
import sqlite3
import sys
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from .codec import decode as decode_record, encode as encode_record
from .diagnostics import Diagnostic, Diagnostics, Span
from . import uptodate
from .uptodate import digest

if TYPE_CHECKING:
    from .model import Source
    from .frontmatter import Document, KeyPath
    from .model import Record

FORMAT = 2
MANIFEST = uptodate.MANIFEST
PARSED = "parsed.sqlite"
_DATE, _DATETIME = "\x00date", "\x00datetime"  # NUL never occurs in decoded content


def _header() -> dict[str, Any]:
    from . import __version__
    return {"format": FORMAT, "boardwatch": __version__, "python": sys.version.split()[0]}


@functools.lru_cache(maxsize=1)
def _parse_cache_header() -> str:
    """The parse cache's header: its entries hold validated records, so it is bound to the
    code that parses and validates (every module of the package) as well as the version."""
    package = Path(__file__).parent
    code = digest(part for path in sorted(package.glob("*.py")) for part in (path.name, path.read_bytes()))
    from .codec import layout
    return json.dumps({**_header(), "code": code, "records": digest([layout().description])}, sort_keys=True)


def inputs_digest(settings: str, sources: Iterable[tuple[str, str]]) -> str:
    """Everything a build reads: the digest of its settings and every content file's (path, sha256)."""
    return digest([settings, *(f"{path}:{sha}" for path, sha in sorted(sources))])


# -- JSON encoding of front-matter values (dates are not JSON: see _encode_date) ----------------
def _decode(value: Any) -> Any:
    if isinstance(value, dict):
        return {k: _decode(v) for k, v in value.items()}
    if isinstance(value, list):
        if len(value) == 2 and value[0] == _DATE:
            return dt.date.fromisoformat(value[1])
        if len(value) == 2 and value[0] == _DATETIME:
            return dt.datetime.fromisoformat(value[1])
        return [_decode(v) for v in value]
    return value


def _spans(spans: Mapping[KeyPath, Span]) -> list[list[Any]]:
    return [[list(path), s.line, s.column, s.length] for path, s in spans.items()]


class _Spans(Mapping["KeyPath", Span]):
    """A file's positions as the cache keeps them, each made a Span when asked for: front matter
    has dozens, and validating it asks for a few (making them all was a tenth of loading)."""

    __slots__ = ("_rows", "_file")

    def __init__(self, rows: list[list[Any]], file: str) -> None:
        self._rows: dict[KeyPath, tuple[int, int, int]] = {
            tuple(path): (line, column, length) for path, line, column, length in rows}
        self._file = file

    def __getitem__(self, path: KeyPath) -> Span:
        line, column, length = self._rows[path]
        return Span(self._file, line, column, length)

    def __contains__(self, path: object) -> bool:
        return path in self._rows

    def __iter__(self) -> Iterator[KeyPath]:
        return iter(self._rows)

    def __len__(self) -> int:
        return len(self._rows)


_FETCH = 500  # entries read by one query (SQLite allows 32,766 parameters)


class ParseCache:
    """What parsing and validating each unchanged file gave, in an SQLite file of the cache
    folder, keyed by the file's path and sha256 (see :func:`entry_key`). An entry holds the
    validated record and its warnings (see codec.py); for a file that failed validation, its
    parsed front matter with positions, so that validating it again reports the same errors at
    the same places. Entries are read a few hundred to a query (see :meth:`fetch`) where they
    are needed, and a build writes only the entries it added and removes those no file uses."""

    def __init__(self, path: Path | None, *, valid: bool = True) -> None:
        self.path = path
        self.enabled = path is not None
        self.valid = valid  # False: the file is corrupt or foreign; it is replaced when saved
        self.fresh: dict[str, str] = {}  # key -> entry made by this build (see record_entry, cache_entry)
        self.used: set[str] = set()  # the key of every file this build read
        self._db: tuple[int, sqlite3.Connection] | None = None  # (pid, connection): never across a fork
        self._fetched: dict[str, Any] = {}  # entries read ahead (see fetch), as text or decoded, until taken
        self._asked: set[str] = set()  # keys fetched already: those not in _fetched are not in the cache

    def _connection(self) -> sqlite3.Connection | None:
        if self.path is None or not self.valid:
            return None
        if self._db is None or self._db[0] != os.getpid():
            try:
                self._db = (os.getpid(), _read_only(self.path))
            except sqlite3.Error:
                self.valid = False
                return None
        return self._db[1]

    def fetch(self, keys: Iterable[str]) -> None:
        """Read the entries of ``keys`` ahead, a few hundred to a query: one query a file cost
        about as much as decoding its entry."""
        db = self._connection()
        if db is None:
            return
        wanted = sorted(set(keys) - self._asked)
        try:
            for start in range(0, len(wanted), _FETCH):
                batch = wanted[start:start + _FETCH]
                self._fetched.update(db.execute(f"SELECT sha256, entry FROM entries WHERE sha256 IN "
                                                f"({','.join('?' * len(batch))})", batch).fetchall())
                self._asked.update(batch)
        except sqlite3.Error:
            return  # each entry is then asked for on its own

    def _entry(self, key: str) -> Any:
        text = self._fetched.pop(key, None)
        if text is None:
            db = self._connection()
            if db is None or key in self._asked:
                return None
            try:
                row = db.execute("SELECT entry FROM entries WHERE sha256 = ?", (key,)).fetchone()
            except sqlite3.Error:
                return None
            if row is None:
                return None
            text = row[0]
        if not isinstance(text, str):
            return text
        try:
            return json.loads(text)
        except (ValueError, TypeError):
            return None

    def take(self, source: Source, *, body_checked: bool = False) -> Document | tuple[Record, list[Diagnostic]] | None:
        """``source``'s entry: its validated record and warnings, or (for a file that failed
        validation) its parsed document; None when there is none that decodes, or a record
        that validating the file would not give (see schema.cached_record_problem, and
        :func:`bodies_beyond_limits` for ``body_checked``)."""
        if not self.enabled:
            return None
        return _taken(source, self._entry(entry_key(source)), body_checked)

    def take_record(self, source: Source, *, body_checked: bool = False) -> tuple[Record, list[Diagnostic]] | None:
        """``source``'s validated record and warnings, when its entry holds them (see :meth:`take`);
        an entry that holds a document instead stays for :meth:`take`."""
        if not self.enabled:
            return None
        key = entry_key(source)
        entry = self._entry(key)
        if isinstance(entry, dict) and "record" not in entry:
            self._fetched[key] = entry  # decoded already
            return None
        found = _taken(source, entry, body_checked)
        return found if isinstance(found, tuple) else None

    def read_ahead(self) -> dict[str, Any]:
        """The entries read ahead and not yet taken, by key (a copy)."""
        return dict(self._fetched)

    def keep(self, source: Source, entry: str | None) -> None:
        """Keep ``source``'s entry for the next build: ``entry`` when it was made now
        (see :func:`record_entry`, :func:`cache_entry`), else the one it was taken from."""
        if not self.enabled:
            return
        key = entry_key(source)
        self.used.add(key)
        if entry is not None:
            self.fresh[key] = entry

    def close(self) -> None:
        if self._db is not None and self._db[0] == os.getpid():
            self._db[1].close()
        self._db = None


def _taken(source: Source, entry: Any, body_checked: bool) -> Document | tuple[Record, list[Diagnostic]] | None:
    """What :meth:`ParseCache.take` gives for ``entry``, the decoded JSON of ``source``'s entry."""
    from .frontmatter import Document
    body = _body(source, entry)
    if body is None:
        return None
    assert isinstance(entry, dict)
    try:
        if "record" in entry:
            from .schema import cached_record_problem
            found = decode_record(entry["record"], source.path, body)
            return None if cached_record_problem(found[0], source, body_checked=body_checked) else found
        return Document(source, _decode(entry["data"]), _Spans(entry["values"], source.path),
                        _Spans(entry["keys"], source.path), body, entry["body_line"])
    except (KeyError, TypeError, ValueError, IndexError):
        return None


def _body(source: Source, entry: Any) -> str | None:
    """``source``'s body, from the line that ``entry`` (decoded JSON) says it starts on; None
    when the entry says no line of the file."""
    if not isinstance(entry, dict):
        return None
    body_line = entry.get("body_line")
    if type(body_line) is not int or body_line < 1:
        return None
    lines = source.text.split("\n")
    if body_line > len(lines) + 1:
        return None
    return "\n".join(lines[body_line - 1:])


def bodies_beyond_limits(entries: Mapping[str, Any], sources: Iterable[Source]) -> set[str]:
    """The keys of ``entries`` (see ParseCache.read_ahead) that hold the record of one of
    ``sources`` whose body is beyond the Markdown limits, which validating the file would have
    refused: checked apart from ParseCache.take, so that it can run beside it."""
    from .complexity import body_problem
    beyond = set()
    for source in sources:
        key = entry_key(source)
        text = entries.get(key)
        try:
            entry = json.loads(text) if isinstance(text, str) else text
        except (TypeError, ValueError):
            continue  # ParseCache.take refuses it
        body = _body(source, entry) if isinstance(entry, dict) and "record" in entry else None
        if body is not None and body_problem(body) is not None:
            beyond.add(key)
    return beyond


def entry_key(source: Source) -> str:
    """A file's key in the parse cache: its sha256 and its path, which a record depends on
    (its kind, id or slug come from where the file is)."""
    return f"{source.sha256}:{source.path}"


def cache_entry(doc: Document) -> str:
    """What the parse cache keeps of a parsed document that failed validation, as the JSON
    text it stores."""
    return json.dumps({"data": doc.data, "values": _spans(doc.values), "keys": _spans(doc.keys),
                       "body_line": doc.body_line}, default=_encode_date, ensure_ascii=False)


def record_entry(doc: Document, record: Record, warnings: Sequence[Diagnostic]) -> str | None:
    """What the parse cache keeps of a document that validated: its record and warnings, as
    the JSON text it stores; None when the record cannot be kept (see codec.encode)."""
    encoded = encode_record(record, warnings, doc.source.path)
    if encoded is None:
        return None
    return json.dumps({"record": encoded, "body_line": doc.body_line}, ensure_ascii=False,
                      separators=(",", ":"))


def _encode_date(value: Any) -> Any:
    """A date or time as JSON (which has neither): a list that ``_decode`` turns back into it.
    ``json.dumps`` calls this for them alone."""
    if isinstance(value, dt.datetime):
        return [_DATETIME, value.isoformat()]
    if isinstance(value, dt.date):
        return [_DATE, value.isoformat()]
    raise TypeError(f"{type(value).__name__} is not JSON")


def _read_json(path: Path, what: str, diags: Diagnostics) -> dict[str, Any] | None:
    if not path.is_file():
        return None
    try:
        data = json.loads(path.read_text("utf-8"))
    except (OSError, UnicodeDecodeError, ValueError):
        _unreadable(path, what, diags)
        return None
    if not isinstance(data, dict) or data.get("header") != _header():
        _foreign(path, what, diags)
        return None
    return data


def _unreadable(path: Path, what: str, diags: Diagnostics,
                hint: str = "nothing to do: this build starts from scratch and writes a new one") -> None:
    diags.warning("BW701", f"the {what} is unreadable and was ignored", Span(str(path)), hint=hint)


def _foreign(path: Path, what: str, diags: Diagnostics,
             hint: str = "nothing to do: this build writes a new one") -> None:
    diags.warning("BW701", f"the {what} was written by another version of boardwatch or Python and was "
                           "ignored", Span(str(path)), hint=hint)


def stamp_problem(path: Path, problem: str, diags: Diagnostics) -> None:
    """Warn of an unreadable or foreign stamp (see uptodate.check); the build judges without it."""
    (_foreign if problem == "foreign" else _unreadable)(
        path, "up-to-date stamp", diags, "nothing to do: this build compares the files themselves and writes a new stamp")


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"{path.absolute().as_uri()}?mode=ro", uri=True, timeout=10)


def load_parse_cache(cache_dir: Path | None, diags: Diagnostics) -> ParseCache:
    """The parse cache of ``cache_dir`` (disabled without one). Only its header is read here."""
    if cache_dir is None:
        return ParseCache(None)
    path = cache_dir / PARSED
    if not path.is_file():
        return ParseCache(path, valid=False)
    try:
        db = _read_only(path)
        try:
            header = db.execute("SELECT value FROM meta WHERE key = 'header'").fetchone()
        finally:
            db.close()
    except sqlite3.Error:
        _unreadable(path, "parse cache", diags)
        return ParseCache(path, valid=False)
    if header is None or header[0] != _parse_cache_header():
        _foreign(path, "parse cache", diags)
        return ParseCache(path, valid=False)
    return ParseCache(path)


_T = TypeVar("_T")
Identity = tuple[str, tuple[int, int, int, int]]  # a file's path, size, times and inode (see file_identity)


def file_identity(path: Path) -> Identity | None:
    """A file's path with its size, modification and change times and inode, as
    :func:`manifest_state` gives them: any write to the file, or its replacement, changes one."""
    try:
        st = os.stat(path)
    except OSError:
        return None
    return os.path.abspath(path), (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino)


class ByFile(Generic[_T]):
    """What this process last read from or wrote to a file, kept with the file's identity
    then: given back only while the file is as it was, so a process that builds again (serve)
    does not read again what it knows, and a write by anyone else is never missed."""

    __slots__ = ("_kept",)

    def __init__(self) -> None:
        self._kept: tuple[Identity, _T] | None = None

    def get(self, identity: Identity | None) -> _T | None:
        """What was kept for the file, if its :func:`file_identity` is still ``identity``."""
        kept = self._kept
        return kept[1] if kept is not None and identity is not None and kept[0] == identity else None

    def put(self, identity: Identity | None, value: _T) -> None:
        """Keep ``value`` for the file whose :func:`file_identity` was ``identity`` when it
        was read or just after it was written (nothing when there was no file)."""
        self._kept = (identity, value) if identity is not None else None

    def forget(self) -> None:
        self._kept = None

    @property
    def held(self) -> bool:
        return self._kept is not None


# The keys of the parse cache this process last saved: every entry it holds is one of them,
# so a process that builds again drops the entries no file uses now by key, rather than by
# comparing every entry with 11,800 used keys.
_SAVED_KEYS: ByFile[frozenset[str]] = ByFile()


def save_parse_cache(cache_dir: Path | None, cache: ParseCache) -> None:
    """Add the entries this build parsed and drop those no file used, so deleted files do
    not linger. A cache that cannot be written is removed: a cache half-written is no cache."""
    saved = _SAVED_KEYS.get(file_identity(cache.path)) if cache.path is not None and cache.valid else None
    _SAVED_KEYS.forget()
    cache.close()
    if cache_dir is None or cache.path is None:
        return
    cache_dir.mkdir(parents=True, exist_ok=True)
    for earlier in ("parsed.json", "settled.json"):  # files of earlier versions' caches
        (cache_dir / earlier).unlink(missing_ok=True)
    if not cache.valid:
        cache.path.unlink(missing_ok=True)
    try:
        db = sqlite3.connect(cache.path, isolation_level=None, timeout=10)
    except sqlite3.Error:
        return
    try:
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        db.execute("BEGIN IMMEDIATE")
        db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
        db.execute("CREATE TABLE IF NOT EXISTS entries (sha256 TEXT PRIMARY KEY, entry TEXT NOT NULL)")
        db.execute("INSERT OR REPLACE INTO meta VALUES ('header', ?)", (_parse_cache_header(),))
        db.executemany("INSERT OR REPLACE INTO entries VALUES (?, ?)", sorted(cache.fresh.items()))
        if saved is not None:  # the file is as this process left it: its keys are known
            db.executemany("DELETE FROM entries WHERE sha256 = ?", ((sha,) for sha in sorted(saved - cache.used)))
        else:
            db.execute("CREATE TEMP TABLE used (sha256 TEXT PRIMARY KEY)")
            db.executemany("INSERT OR IGNORE INTO used VALUES (?)", ((sha,) for sha in sorted(cache.used)))
            db.execute("DELETE FROM entries WHERE sha256 NOT IN (SELECT sha256 FROM used)")
        db.execute("COMMIT")
    except sqlite3.Error:
        db.close()
        cache.path.unlink(missing_ok=True)
        return
    db.close()
    _SAVED_KEYS.put(file_identity(cache.path), frozenset(cache.used) | frozenset(cache.fresh))


@dataclass(frozen=True)
class Manifest:
    inputs: str  # digest of every input of the build
    pages: Mapping[str, str]  # output path -> fingerprint
    files: Mapping[str, list[int]]  # every output file -> [size, mtime_ns], to notice hand edits
    sources: Mapping[str, list[Any]]  # content file -> [size, mtime_ns, ctime_ns, sha256] as read
    settings: str = ""  # digest of the inputs that are not content files
    common: str = ""  # digest of what every page depends on (see build._common_digest)
    unindexed: Sequence[str] | None = None  # pages not marked for the search index; None: not known


def settled_sources(scanned: Mapping[str, tuple[int, int, int]] | None, shas: Mapping[str, str],
                    started_ns: int) -> dict[str, list[Any]]:
    """Every content file's sha256, with what a later build may trust without reading: the
    metadata, taken before reading, of the files whose modification and change times were
    already settled then (like Git's racy-clean rule); None for the others."""
    out: dict[str, list[Any]] = {rel: [None, None, None, sha] for rel, sha in shas.items()}
    for rel, meta in (scanned or {}).items():
        if rel in shas and uptodate.settled(meta, started_ns):
            out[rel] = [*meta, shas[rel]]
    return out


def changed_sources(scanned: Mapping[str, tuple[int, int, int]], manifest: Manifest) -> tuple[set[str], set[str]]:
    """(files whose metadata no longer vouches for the sha256 the manifest holds, files gone)."""
    suspect = {rel for rel, meta in scanned.items()
               if (known := manifest.sources.get(rel)) is None or known[:3] != list(meta)}
    return suspect, set(manifest.sources) - set(scanned)


MAX_SUSPECTS = 64  # content files a build reads again to see what changed; more take the full path


def current_shas(root: Path, scanned: Mapping[str, tuple[int, int, int]], manifest: Manifest) -> dict[str, str] | None:
    """The sha256 of every content file when none was added or removed since the last build:
    from the manifest where the metadata vouches for it, by reading the file where it does
    not (at most :data:`MAX_SUSPECTS` files); None otherwise."""
    suspect, gone = changed_sources(scanned, manifest)
    if gone or len(suspect) > MAX_SUSPECTS or not suspect <= set(manifest.sources):
        return None
    shas = {rel: str(manifest.sources[rel][3]) for rel in scanned}
    for rel in sorted(suspect):
        sha = uptodate.file_sha(root, rel)
        if sha is None:
            return None
        shas[rel] = sha
    return shas


ManifestState = tuple[int, int, int, int]


def manifest_state(out: Path) -> ManifestState | None:
    """The output manifest's size, modification and change times and inode, or None if there
    is none: any write to the file, or its replacement, changes one of them."""
    try:
        st = os.stat(out / MANIFEST)
    except OSError:
        return None
    return st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino


def check_manifest_state(out: Path, state: ManifestState | None) -> None:
    """Under the output lock, before a build patches the output it read: refuse if another
    build replaced the output's manifest since (it finished while this one was reading), for
    a patch made from an older view of the output would not match what is there now."""
    from .publish import PublishError
    if manifest_state(out) != state:
        raise PublishError(f"another boardwatch build updated {out} while this one was reading it; "
                           "nothing was written: run the build again")


# The manifest this process last read or wrote: a process that builds again (serve) does not
# decode the same 6 MB of JSON again.
_KNOWN_MANIFEST: ByFile[Manifest] = ByFile()


def remember_manifest(out: Path, manifest: Manifest) -> None:
    """Keep ``manifest``, just written to ``out``, for this process's next build."""
    _KNOWN_MANIFEST.put(file_identity(out / MANIFEST), manifest)


def load_manifest(out: Path, diags: Diagnostics) -> Manifest | None:
    identity = file_identity(out / MANIFEST)  # before reading: a later write is then noticed
    known = _KNOWN_MANIFEST.get(identity)
    if known is not None:
        return known
    data = _read_json(out / MANIFEST, "output manifest", diags)
    if data is None:
        return None
    try:
        unindexed = data.get("unindexed")
        manifest = Manifest(str(data["inputs"]), dict(data["pages"]), dict(data["files"]), dict(data["sources"]),
                            str(data["settings"]), str(data["common"]),
                            [str(rel) for rel in unindexed] if isinstance(unindexed, list) else None)
        _KNOWN_MANIFEST.put(identity, manifest)
        return manifest
    except (KeyError, TypeError, ValueError):
        diags.warning("BW701", "the output manifest is malformed and was ignored", Span(str(out / MANIFEST)),
                      hint="nothing to do: this build renders every page")
        return None


def manifest_bytes(manifest: Manifest) -> bytes:
    """The manifest as compact JSON, every key in order (built in order: sorting keys while
    encoding, or sorting what already is, costs about as much as the encoding)."""
    data = {"common": manifest.common, "files": _in_order(manifest.files),
            "header": dict(sorted(_header().items())), "inputs": manifest.inputs,
            "pages": _in_order(manifest.pages), "settings": manifest.settings, "sources": _in_order(manifest.sources),
            "unindexed": sorted(manifest.unindexed) if manifest.unindexed is not None else None}
    return (json.dumps(data, separators=(",", ":")) + "\n").encode("utf-8")


_SECTIONS = ("files", "pages", "sources")  # the mappings
# How manifest_bytes lays out the manifest: each part's key, in order, with the characters
# around it. Keys are JSON strings and values in the mappings are lists or strings, so each
# occurs once, at its part.
_PARTS = (("common", b'{"common":'), ("files", b'","files":{'), ("header", b'},"header":{'),
          ("inputs", b'},"inputs":'), ("pages", b'","pages":{'), ("settings", b'},"settings":'),
          ("sources", b'","sources":{'), ("unindexed", b'},"unindexed":'))


def manifest_splice(previous: bytes, old: Manifest, new: Manifest) -> bytes | None:
    """:func:`manifest_bytes` of ``new``, made from ``previous`` (the bytes ``old`` was read from)
    by replacing the values that changed, as an edit's rebuild changes a few of 67,000 at 10k
    articles; None when a key was added or removed, or anything but the inputs digest and the
    values of the three mappings changed (the caller then encodes it whole). Each value
    replaced is found exactly once in its part and checked to hold what ``old`` says, so bytes
    that do not match ``old`` are never patched into bytes that do not match ``new``."""
    if (old.common, old.settings, old.unindexed) != (new.common, new.settings, new.unindexed):
        return None
    # Five braces of each kind are the whole's and its four mappings': then no object is nested
    # where it should not be and no key holds a brace, and each marker occurs once (a file
    # with a brace in its name is simply encoded whole).
    if not previous.startswith(_PARTS[0][1]) or previous.count(b"{") != 5 or previous.count(b"}") != 5:
        return None
    found: list[tuple[int, int]] = []  # where each part's marker is, and where its value starts
    for _, marker in _PARTS:
        at = previous.find(marker, found[-1][1] if found else 0)
        if at < 0:
            return None
        found.append((at, at + len(marker)))
    # A part ends where the next one's marker starts, or after it opens, with the quote closing a string.
    ends = [at + marker.startswith(b'"') for (_, marker), (at, _) in zip(_PARTS[1:], found[1:])] + [len(previous)]
    bounds = {name: (begin, end) for (name, _), (_, begin), end in zip(_PARTS, found, ends)}
    decoder = json.JSONDecoder()
    edits: list[tuple[int, int, bytes]] = []

    def value_at(begin: int, end: int, before: Any, after: Any) -> bool:
        """Replace the JSON value at previous[begin:], before ``end``, if it holds ``before``."""
        tail = previous[begin:min(end, begin + 4096)].decode("utf-8", "replace")
        try:
            value, length = decoder.raw_decode(tail)
        except ValueError:
            return False
        if value != before:
            return False
        edits.append((begin, begin + len(tail[:length].encode("utf-8")),
                      json.dumps(after, separators=(",", ":")).encode("utf-8")))
        return True

    def entry(start: int, end: int, key: str, before: Any, after: Any) -> bool:
        needle = json.dumps(key).encode("utf-8") + b":"
        at, key_at = start, -1
        while (at := previous.find(needle, at, end)) >= 0:
            if previous[at - 1:at] in (b",", b"{"):  # a key, not the end of a longer one
                if key_at >= 0:
                    return False
                key_at = at
            at += 1
        return key_at >= 0 and value_at(key_at + len(needle), end, before, after)

    if old.inputs != new.inputs and not value_at(*bounds["inputs"], old.inputs, new.inputs):
        return None
    for name in _SECTIONS:
        before, after = getattr(old, name), getattr(new, name)
        keys = list(after)
        if keys == list(before):  # the same keys in the same order: values compared pairwise, in C
            changed: Iterable[str] = itertools.compress(keys, map(operator.ne, before.values(), after.values()))
        elif before.keys() == after.keys():
            changed = [key for key in keys if before[key] != after[key]]
        else:
            return None
        for key in changed:
            if not entry(*bounds[name], key, before[key], after[key]):
                return None
    edits.sort()
    whole = memoryview(previous)  # slices of it are not copies
    parts: list[bytes | memoryview] = []
    last = 0
    for begin, end, data in edits:
        parts += [whole[last:begin], data]
        last = end
    parts.append(whole[last:])
    return b"".join(parts)


def manifest_update(out: Path, old: Manifest | None, new: Manifest) -> bytes:
    """The bytes of ``new`` to replace the manifest of ``out``, read as ``old`` (under the output
    lock, its state checked since, see check_manifest_state): patched where it can be."""
    if old is not None:
        try:
            patched = manifest_splice((out / MANIFEST).read_bytes(), old, new)
        except OSError:
            patched = None
        if patched is not None:
            return patched
    return manifest_bytes(new)


def _in_order(mapping: Mapping[str, Any]) -> Mapping[str, Any]:
    keys = list(mapping)
    return mapping if all(a < b for a, b in zip(keys, keys[1:])) else dict(sorted(mapping.items()))


def output_unchanged(out: Path, manifest: Manifest) -> bool:
    """True when every output file the manifest lists is still there, unedited."""
    base = os.path.join(out, "")
    for rel, (size, mtime) in manifest.files.items():
        try:
            st = os.stat(base + rel)
        except OSError:
            return False
        if st.st_size != size or st.st_mtime_ns != mtime:
            return False
    return True
