"""The express path of an incremental build: edits to the bodies of existing articles.

Most edits change an article's prose and nothing else that other pages show. For such an
edit the graph is the same as in the last build, so nothing needs re-reading, re-validating,
re-resolving or re-planning but the edited files: their pages are rendered again from the
views the last build planned for them, ``data/articles.json`` gets the new bodies, the
search index re-indexes what it must, and every other file is reused.

An article's *shape* decides it: a digest of its front matter (as written), of its first
paragraph (it makes the default summary other pages show) and of the entities its body
mentions, in order. An edit that keeps the shape of every changed file, adds and removes no
file, and changes no setting, template or option takes this path; anything else takes the
full one. The views are kept in ``views.sqlite`` in the cache folder, as JSON of the view
classes alone (a cache is data, never code), each checked against the digest of its text
and the fingerprint the output manifest gives its page.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import hashlib
import json
import mmap
import os
import sqlite3
from collections.abc import Collection, Iterable, Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from markupsafe import Markup

from . import views
from .cache import ByFile, file_identity
from .model import Article, Graph, Source

if TYPE_CHECKING:
    from .workers import Rendered
    from .cache import Manifest, ManifestState
    from .diagnostics import Diagnostics

STORE = "views.sqlite"
LISTING = "listing"  # meta key: [path, view kind, noindex] of every page, in path order
_TABLE = "article_pages"
_CLASSES: dict[str, type[Any]] = {
    name: cls for name, cls in vars(views).items() if isinstance(cls, type) and dataclasses.is_dataclass(cls)}
_FIELDS: dict[type[Any], tuple[str, ...]] = {
    cls: tuple(f.name for f in dataclasses.fields(cls)) for cls in _CLASSES.values()}


# -- views as JSON ------------------------------------------------------------------------------
def _encode(value: Any) -> Any:
    if isinstance(value, (str, int, float)) or value is None:  # bool is an int; Markup a str
        return {"m": str(value)} if isinstance(value, Markup) else value
    if isinstance(value, tuple):
        return [_encode(v) for v in value]
    if isinstance(value, dt.datetime):
        return {"t": value.isoformat()}
    if isinstance(value, dt.date):
        return {"d": value.isoformat()}
    fields = _FIELDS.get(type(value))
    if fields is None:
        raise TypeError(f"cannot keep a {type(value).__name__} in a view")
    return {"c": type(value).__name__, "f": [_encode(getattr(value, name)) for name in fields]}


def _decode(value: Any) -> Any:
    if isinstance(value, list):
        return tuple(_decode(v) for v in value)
    if not isinstance(value, dict):
        return value
    if "m" in value:
        return Markup(value["m"])
    if "t" in value:
        return dt.datetime.fromisoformat(value["t"])
    if "d" in value:
        return dt.date.fromisoformat(value["d"])
    cls = _CLASSES[value["c"]]  # KeyError on a foreign class: the caller ignores the entry
    return cls(**dict(zip(_FIELDS[cls], (_decode(v) for v in value["f"]), strict=True)))


def encode_view(view: views.Page) -> str:
    return json.dumps(_encode(view), ensure_ascii=False, separators=(",", ":"))


def decode_view(text: str, expected: str) -> views.Page | None:
    """The view ``text`` holds, or None unless it is a page view whose repr has the digest
    ``expected`` (anything malformed, foreign or edited is refused, never trusted)."""
    try:
        view = _decode(json.loads(text))
    except (KeyError, TypeError, ValueError, AttributeError):
        return None
    if not isinstance(view, views.Page) or view_digest(view) != expected:
        return None
    return view


def view_digest(view: views.Page) -> str:
    return hashlib.sha256(repr(view).encode("utf-8")).hexdigest()


# -- shapes ---------------------------------------------------------------------------------------
def article_shape(text: str, body: str, article: Article) -> str:
    """What other pages can see of an article: front matter as written, first paragraph, and
    the entities its body mentions. ``text`` is the whole file, ``body`` its body."""
    from .markup import first_paragraph_markdown
    front = text[: len(text) - len(body)]
    mentions = "\x00".join(r.id for r in article.body_refs)
    h = hashlib.sha256()
    for part in (front, first_paragraph_markdown(body), mentions):
        data = part.encode("utf-8")
        h.update(len(data).to_bytes(8, "little"))
        h.update(data)
    return h.hexdigest()


# -- the store ------------------------------------------------------------------------------------
@dataclasses.dataclass(frozen=True, slots=True)
class Row:
    source: str  # content file, e.g. content/articles/x.md
    sha256: str  # of the file as last built
    shape: str
    page: str  # output path of its page
    view: str  # JSON of the view its page was rendered from
    digest: str  # of the view's repr
    links: str  # what other pages count of the article (see affected.links)


class Store:
    """Article views and shapes of the last full build, with a few settings under ``meta``.

    ``meta["inputs"]`` is the inputs digest of the output the store belongs to: the store is
    used only when it equals the output manifest's."""

    def __init__(self, path: Path) -> None:
        self.path = path

    def _connect(self) -> sqlite3.Connection:
        db = sqlite3.connect(self.path, isolation_level=None)
        db.execute("PRAGMA journal_mode=OFF")
        db.execute("PRAGMA synchronous=OFF")
        return db

    def meta(self) -> dict[str, str] | None:
        if not self.path.is_file():
            return None
        try:
            with self._connect() as db:
                return {str(k): str(v) for k, v in db.execute("SELECT key, value FROM meta")}
        except sqlite3.Error:
            return None

    def rows(self, sources: Iterable[str]) -> dict[str, Row]:
        out: dict[str, Row] = {}
        try:
            with self._connect() as db:
                for source in sources:
                    found = db.execute("SELECT source, sha256, shape, page, view, digest, links FROM "
                                       f"{_TABLE} WHERE source = ?", (source,)).fetchone()
                    if found is not None:
                        out[source] = Row(*(str(v) for v in found))
        except sqlite3.Error:
            return {}
        return out

    def digests(self) -> dict[str, tuple[str, str, str, str]]:
        """source -> (sha256, shape, page, view digest) of every row, without the views."""
        known = _KNOWN_DIGESTS.get(file_identity(self.path))
        if known is not None:
            return dict(known)  # the store as this process last wrote it (see remember)
        try:
            with self._connect() as db:
                return {str(r[0]): (str(r[1]), str(r[2]), str(r[3]), str(r[4])) for r in
                        db.execute(f"SELECT source, sha256, shape, page, digest FROM {_TABLE}")}
        except sqlite3.Error:
            return {}

    def write(self, meta: Mapping[str, str], rows: Sequence[Row], *, keep: Iterable[str] | None = None,
              replace_meta: bool = True, drop: Iterable[str] = ()) -> bool:
        """Replace the meta (or, without ``replace_meta``, set only the keys given) and add or
        replace ``rows``; with ``keep``, every other row whose source is not in it goes (a full
        build lists every article it built); the rows of the sources in ``drop`` go. False
        when the store could not be written (it is then gone, or as it was)."""
        _KNOWN_DIGESTS.forget()
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            db = self._connect()
        except sqlite3.Error:
            return False
        try:
            db.execute("BEGIN")
            db.execute("CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)")
            for old in ("articles", "views", "article_views"):  # the layouts of earlier versions
                db.execute(f"DROP TABLE IF EXISTS {old}")
            # The view last: reading the other columns then never goes through its pages.
            db.execute(f"CREATE TABLE IF NOT EXISTS {_TABLE} (source TEXT PRIMARY KEY, sha256 TEXT NOT NULL, "
                       "shape TEXT NOT NULL, page TEXT NOT NULL, digest TEXT NOT NULL, links TEXT NOT NULL, "
                       "view TEXT NOT NULL)")
            if replace_meta:
                db.execute("DELETE FROM meta")
            db.executemany("INSERT OR REPLACE INTO meta VALUES (?, ?)", sorted(meta.items()))
            db.executemany(f"DELETE FROM {_TABLE} WHERE source = ?", ((source,) for source in drop))
            if keep is not None:
                db.execute("CREATE TEMP TABLE keep (source TEXT PRIMARY KEY)")
                db.executemany("INSERT INTO keep VALUES (?)", ((s,) for s in keep))
                db.execute(f"DELETE FROM {_TABLE} WHERE source NOT IN (SELECT source FROM keep)")
            db.executemany(f"INSERT OR REPLACE INTO {_TABLE} (source, sha256, shape, page, view, digest, links) "
                           "VALUES (?, ?, ?, ?, ?, ?, ?)",
                           (dataclasses.astuple(r) for r in rows))
            db.execute("COMMIT")
        except sqlite3.Error:
            self.path.unlink(missing_ok=True)  # a store half-written is no store
            return False
        finally:
            db.close()
        return True


# The digests of the store this process last wrote (see remember): a process that builds
# again (serve) does not read 10,000 rows to learn what it wrote.
_KNOWN_DIGESTS: ByFile[dict[str, tuple[str, str, str, str]]] = ByFile()


def _remember_digests(store: Store, known: Mapping[str, tuple[str, str, str, str]], rows: Sequence[Row],
                      kept: Iterable[str] | None) -> None:
    """After ``store`` was written with ``rows`` over the rows ``known`` (of them only those of
    the sources ``kept``, when given): keep its digests for this process's next build."""
    now = dict(known) if kept is None else {source: known[source] for source in kept if source in known}
    now.update((r.source, (r.sha256, r.shape, r.page, r.digest)) for r in rows)
    _KNOWN_DIGESTS.put(file_identity(store.path), now)


# -- data/articles.json ---------------------------------------------------------------------------
def articles_json_edits(previous: bytes | mmap.mmap, records: Mapping[str, dict[str, Any]]
                        ) -> list[tuple[int, int, bytes]] | None:
    """How to turn ``data/articles.json`` of the last build into one with the records of the
    articles at the given paths replaced (one record a line, see export.py): (start, end, new
    bytes) for each, in file order; None when a record is not found exactly once."""
    from .export import dump_line
    edits: list[tuple[int, int, bytes]] = []
    for path, record in records.items():
        # Bytes throughout: the file is large. The needle occurs outside JSON strings only
        # (quotes inside them are escaped).
        needle = f', "path": {json.dumps(path)}, '.encode("utf-8")
        at = previous.find(needle)
        if at < 0 or previous.find(needle, at + 1) >= 0:
            return None
        start = previous.rfind(b"\n", 0, at) + 1
        end = previous.find(b"\n", at)
        if end < 0:
            return None
        if previous[end - 1:end] == b",":
            end -= 1  # the comma between records stays
        edits.append((start, end, dump_line(record).encode("utf-8")))
    edits.sort()
    if any(a[1] > b[0] for a, b in zip(edits, edits[1:])):
        return None
    return edits


def output_articles_json_edits(out: Path, records: Mapping[str, dict[str, Any]]) -> list[tuple[int, int, bytes]] | None:
    """:func:`articles_json_edits` for the output's file, mapped rather than read (it is large,
    and most of it stays as it is); None when it cannot be read."""
    try:
        with open(out / ARTICLES_JSON, "rb") as f, mmap.mmap(f.fileno(), 0, access=mmap.ACCESS_READ) as mapped:
            return articles_json_edits(mapped, records)
    except (OSError, ValueError):
        return None


# -- the build ------------------------------------------------------------------------------------
ARTICLES_JSON = "data/articles.json"


def fingerprint(common: str, path: str, template: str, view_digest: str, markdown: object) -> str:
    """What a page is made from: everything pages share, its view (by digest) and its Markdown."""
    from .uptodate import digest
    return digest([common, path, template, view_digest, repr(markdown)])


def run(root: Path, out: Path, manifest: Manifest, store: Store, scanned: Mapping[str, tuple[int, int, int]],
        shas: Mapping[str, str], settings: str, started_ns: int, diags: Diagnostics, *,
        base_url: str | None = None, search: bool | None = None,
        manifest_state: ManifestState | None) -> tuple[int, int, int, Manifest | None] | None:
    """Build by the express path when the change allows it: (pages, files, pages rendered, the
    manifest written, or None with errors), or None to take the full path. ``shas`` is every
    content file's sha256 now (see cache.current_shas: no file added or removed, few read
    again). Problems in the changed files are added to ``diags`` (the caller raises them) and
    nothing is written. ``manifest_state`` is :func:`cache.manifest_state` as it was when
    ``manifest`` was read."""
    from . import cache as caching
    from .config import load_config
    from .diagnostics import Diagnostics
    from .export import article_record
    from .frontmatter import parse
    from .pages import Markdown, PagePlan, site_view
    from .publish import Patch, output_lock
    from .render import LinkTarget, RenderContext, RenderError, render
    from .schema import validate
    from .sources import read_one
    from .templates import make_environment, page_titles

    meta = store.meta()
    if meta is None or meta.get("inputs") != manifest.inputs or meta.get("common") != manifest.common:
        return None
    local = Diagnostics()
    changed: dict[str, Source] = {}
    for rel in sorted(rel for rel, sha in shas.items() if sha != manifest.sources[rel][3]):
        source = read_one(root, rel, local)
        if source is None or not source.readable or local.has_errors:
            return None
        if source.sha256 != manifest.sources[rel][3]:
            changed[rel] = source
    if not changed:  # changed back since the caller hashed it: the full path judges it
        return None
    shas = {**shas, **{rel: s.sha256 for rel, s in changed.items()}}
    inputs = caching.inputs_digest(settings, shas.items())
    rows = store.rows(changed)
    plans: list[PagePlan] = []
    records: dict[str, dict[str, Any]] = {}
    updated: list[Row] = []
    for rel, source in changed.items():
        row = rows.get(rel)
        if row is None or row.sha256 != manifest.sources[rel][3] or row.page not in manifest.pages:
            return None
        found = Diagnostics()
        doc = parse(source, found)
        record = validate(doc, found) if doc is not None else None
        if found.has_errors:
            diags.extend(found)
            return 0, 0, 0, None
        if doc is None or not isinstance(record, Article) or article_shape(source.text, doc.body, record) != row.shape:
            return None
        view = decode_view(row.view, row.digest)
        if view is None:
            return None
        diags.extend(found)  # warnings
        plans.append(PagePlan(row.page, "article.html", view, frozenset(), Markdown("body", record.body_md)))
        records[row.page] = article_record(record)
        updated.append(dataclasses.replace(row, sha256=source.sha256))
    fingerprints = dict(manifest.pages)
    for plan in plans:
        fingerprints[plan.path] = fingerprint(manifest.common, plan.path, plan.template, view_digest(plan.view),
                                              plan.markdown)
    config = load_config(root, local, base_url=base_url, search=search)
    context = json.loads(meta["context"])
    targets = {i: LinkTarget(name, path, kind) for i, (name, path, kind) in context["targets"].items()}
    ctx = RenderContext(make_environment(root), site_view(config, page_titles(root)),
                        [(name, i) for name, i in context["names"]], targets, autolink=config.autolink)
    rendered: dict[str, bytes] = {}
    for plan in plans:
        try:
            rendered[plan.path] = render(plan, ctx)
        except RenderError as exc:
            diags.add(exc.diagnostic)
            return 0, 0, 0, None
    new_files = dict(rendered)
    with output_lock(out), Patch(out) as patch:
        caching.check_manifest_state(out, manifest_state)  # the output is still what was read
        # Found under the lock: the splice copies the rest of the file as it is now.
        spliced = [ARTICLES_JSON] if ARTICLES_JSON in manifest.files else []
        articles_json = output_articles_json_edits(out, records) if spliced else []
        if articles_json is None:
            return None  # the patch is dropped unwritten
        for rel, data in sorted(new_files.items()):
            patch.write(rel, data)
        for rel in spliced:
            patch.splice(rel, articles_json)
        stats = dict(manifest.files)
        unindexed = manifest.unindexed
        if config.search:
            from .search import BUNDLE, PageFiles, is_marked, page_marks, search_index
            pages = PageFiles(manifest.pages, new_files, patch.files_root, out)
            marks = page_marks(pages, {rel: is_marked(data) for rel, data in rendered.items()}, unindexed)
            unindexed = sorted(rel for rel, mark in marks.items() if not mark)
            bundle = search_index(pages, fingerprints, out, indexed=marks)
            old = {rel for rel in manifest.files if rel.startswith(BUNDLE + "/")}
            for rel, item in sorted(bundle.items()):
                # A shard indexed again gives back every file, most of them as they were.
                if not isinstance(item, Path) and (patch.write_changed(rel, item) or rel not in stats):
                    new_files[rel] = item
            for rel in sorted(old - set(bundle)):
                patch.remove(rel)
                del stats[rel]
        for rel in [*new_files, *spliced]:
            st = os.stat(patch.file(rel) if rel in patch.written else out / rel)
            stats[rel] = [st.st_size, st.st_mtime_ns]
        new = caching.Manifest(inputs, fingerprints, stats, caching.settled_sources(scanned, shas, started_ns),
                               settings, manifest.common, unindexed)
        patch.write(caching.MANIFEST, caching.manifest_update(out, manifest, new))  # last: the output now matches it
        patch.commit()
        caching.remember_manifest(out, new)
    store.write({"inputs": inputs}, updated, replace_meta=False)  # the listing and names stay as they are
    return len(manifest.pages), len(stats), len(plans), new


def remember(store: Store, graph: Graph, sources: Sequence[Source], inputs: str, common: str,
             made: Mapping[str, Rendered], known: Mapping[str, tuple[str, str, str, str]], *,
             planned: Collection[str] | None = None) -> None:
    """After a full build: keep what the express path needs. ``made`` holds each page's view
    digest and, where the store's row is not already up to date, the JSON of its view;
    ``known`` is what the store held before the build (see :meth:`Store.digests`).

    ``planned``: the pages a build planned when it planned only those an edit can change (see
    affected.Reuse). Every other page is then the last build's, with its row as the store
    holds it, and the store's listing and names are as the last build left them (that build
    reused the listing, and no entity changed): only the rows of planned article pages are
    looked at, and of the meta only the inputs digest is written."""
    from . import urls
    texts = {s.path: s for s in sources}
    if planned is not None:
        edited = [a for a in graph.articles.values() if urls.article_path(a.slug) in planned]
        rows, keep = _rows(edited, texts, made, known)
        dropped = sorted({a.path for a in edited} - set(keep))
        if store.write({"inputs": inputs}, rows, replace_meta=False, drop=dropped):
            _remember_digests(store, {k: v for k, v in known.items() if k not in dropped}, rows, None)
        return
    context = {"names": [list(pair) for pair in graph.names],
               "targets": {e.id: [e.name, urls.entity_path(e.kind, e.id), e.kind.value]
                           for e in sorted(graph.entities.values(), key=lambda e: e.id)}}
    listing = [[page.path, page.kind, page.noindex] for page in sorted(made.values(), key=lambda page: page.path)]
    meta = {"inputs": inputs, "common": common, "context": json.dumps(context, ensure_ascii=False, sort_keys=True),
            LISTING: json.dumps(listing, ensure_ascii=False, separators=(",", ":"))}
    rows, keep = _rows(graph.articles.values(), texts, made, known)
    if store.write(meta, rows, keep=keep):
        _remember_digests(store, known, rows, keep)


def _rows(articles: Iterable[Article], texts: Mapping[str, Source], made: Mapping[str, Rendered],
          known: Mapping[str, tuple[str, str, str, str]]) -> tuple[list[Row], list[str]]:
    """The rows of ``articles`` that are new or changed, and the sources of every one whose row
    is current once they are written: an article whose row is neither goes from the store."""
    from . import urls
    from .affected import links
    rows: list[Row] = []
    keep: list[str] = []
    for article in articles:
        page = urls.article_path(article.slug)
        source = texts.get(article.path)
        result = made.get(page)
        if source is None or result is None or result.kind != "article":
            continue
        row = known.get(article.path)
        if row is not None and (row[0], row[2], row[3]) == (source.sha256, page, result.digest):
            keep.append(article.path)  # the same file makes the same shape
            continue
        shape = article_shape(source.text, article.body_md, article)
        if result.view_json is None:  # the worker judged the row current; it is not: leave it out
            continue
        keep.append(article.path)
        rows.append(Row(article.path, source.sha256, shape, page, result.view_json, result.digest, links(article)))
    return rows, keep
