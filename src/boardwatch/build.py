"""The orchestrator: runs the stages in order and is the only module that knows them all.

read -> parse -> validate -> resolve -> plan -> render -> publish. Nothing is written
unless every stage before rendering finished without an error.
"""

from __future__ import annotations

import contextlib
import gc
import os
import sys
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from functools import partial
from pathlib import Path

from typing import TYPE_CHECKING

from . import uptodate
from .diagnostics import Diagnostic, Diagnostics
from .layout import CACHE_DIR

if TYPE_CHECKING:
    from . import cache as caching
    from .sources import Read
    from .config import SiteConfig
    from .model import Article, Graph, Record, Source
    from .pages import PagePlan
    from .publish import Patch

# The stages, the cache and the publisher are imported where they are first needed: a build
# the stamp finds up to date (see uptodate.py) is over before they would have been imported.

Progress = Callable[[str, int, int], None]  # stage, done, total


class BoardwatchError(Exception):
    """Base of the errors boardwatch reports to its user."""


class ContentErrors(BoardwatchError):
    """The site has errors; nothing was written. ``diagnostics`` holds every problem found."""

    def __init__(self, diagnostics: Diagnostics) -> None:
        self.diagnostics = diagnostics
        super().__init__(f"{len(diagnostics.errors)} error(s) in the site")


class OutputError(BoardwatchError):
    """The output folder could not be written (locked, unsafe, or not boardwatch's)."""


@dataclass(frozen=True, slots=True)
class BuildResult:
    out: Path
    pages: int  # pages in the site
    files: int  # files in the output
    warnings: tuple[Diagnostic, ...]
    seconds: float
    rendered: int = 0  # pages rendered by this build (the rest were reused)
    up_to_date: bool = False  # nothing changed: nothing was written


@dataclass(frozen=True, slots=True)
class Loaded:
    config: SiteConfig
    graph: Graph
    plans: tuple[PagePlan, ...]
    diagnostics: Diagnostics


_PARSE_CACHE: caching.ParseCache | None = None  # what parse workers inherit when forked
Parsed = tuple["Record | None", list[Diagnostic], "str | None", list[str]]  # see _parse_chunk
# What the last build with the cache in this process made of each file, by (path, sha256): a
# process that builds again (serve) parses and validates only the files that changed since.
# A record is made from its file alone, and immutable. Builds without the cache never use it.
_LAST_PARSED: dict[tuple[str, str], Parsed] = {}
# And what it read of each content file (see sources.discover): the next build takes a file
# as it was when the stamp's scan vouches for it by its metadata.
_LAST_READ: tuple[str, dict[str, Read]] = ("", {})  # (site folder, files by site path)


def _parse_chunk(sources: Sequence[Source]) -> list[Parsed]:
    """Parse (or take from the parse cache) and validate each source: its record, its problems,
    its new cache entry (None when it came from the cache, or there is no cache), and the ids
    of the claims of a file that failed to validate (so that revisits of them are not reported
    as unknown)."""
    from . import cache as caching
    from .frontmatter import parse
    from .schema import validate
    out: list[Parsed] = []
    if _PARSE_CACHE is not None:
        _PARSE_CACHE.fetch(caching.entry_key(source) for source in sources if source.readable)
    for source in sources:
        diags = Diagnostics()
        found = _PARSE_CACHE.take(source) if _PARSE_CACHE is not None else None
        if isinstance(found, tuple):  # validated before
            out.append((found[0], found[1], None, []))
            continue
        doc, entry = found, None
        if doc is None:
            doc = parse(source, diags)
        record = validate(doc, diags) if doc is not None else None
        if found is None and doc is not None and _PARSE_CACHE is not None:  # parsed now: a new entry
            if record is not None and not diags.has_errors:
                entry = caching.record_entry(doc, record, list(diags))
            entry = entry or caching.cache_entry(doc)
        failed: list[str] = []
        if record is None and doc is not None and isinstance(doc.data.get("claims"), list):
            failed = [c["id"] for c in doc.data["claims"] if isinstance(c, dict) and isinstance(c.get("id"), str)]
        out.append((record, list(diags), entry, failed))
    return out


def _cached_records(sources: Sequence[Source], jobs: int) -> dict[int, Parsed]:
    """The records the parse cache holds for ``sources``, by index, decoded here rather than in
    the parse workers: decoding is quick, and sending tens of thousands of records back from
    workers would cost more than it does. Their bodies are checked against the Markdown limits
    in a child process meanwhile."""
    from . import cache as caching
    from .parallel import Background
    cache = _PARSE_CACHE
    if cache is None:
        return {}
    cache.fetch(caching.entry_key(source) for source in sources if source.readable)
    found: dict[int, Parsed] = {}
    with Background(partial(caching.bodies_beyond_limits, cache.read_ahead(), sources), jobs) as beyond:
        for i, source in enumerate(sources):
            hit = cache.take_record(source, body_checked=True)
            if hit is not None:
                found[i] = (hit[0], hit[1], None, [])
        refused = beyond.result()
    return {i: parsed for i, parsed in found.items() if caching.entry_key(sources[i]) not in refused}


@contextlib.contextmanager
def _no_cycle_collection(freeze: bool = False) -> Iterator[None]:
    """Loading builds millions of small objects and no garbage cycles; the cyclic collector,
    run again and again as they pile up, would cost a third of it. Reference counting still
    frees everything as usual. With ``freeze``, what was loaded is then moved out of the
    collector's sight (``gc.freeze``) until :func:`_thawed_after` ends: otherwise its next
    collections walk all of it again, in this process and in each forked worker, where
    walking the objects copies every page of memory the worker shares with this process."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if freeze:
            gc.freeze()
        if collecting:
            gc.enable()


@contextlib.contextmanager
def _quick_part() -> Iterator[None]:
    """The part of a build before the full path: the stamp, the manifest, the express path.
    It allocates little that could form cycles but much that lives (the manifest: 80,000
    objects at 10k articles), so the cyclic collector is kept off, and what the part made is
    then counted among the oldest objects, which the collector seldom walks, instead of being
    walked as new at the next allocation (15 ms of an edit's rebuild). Records kept frozen
    for the next build (see _thawed_after) stay frozen: then the walk is left to happen."""
    collecting = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if collecting:
            if not _LAST_PARSED:
                gc.freeze()  # clears the count of new objects...
                gc.unfreeze()  # ...and puts every object with the oldest
            gc.enable()


@contextlib.contextmanager
def _thawed_after() -> Iterator[None]:
    """Give what a frozen load kept back to the cyclic collector when the build is over, but
    for the records this process keeps for its next build (see _LAST_PARSED): the collector
    walking them again and again would slow every later build of the process down."""
    try:
        yield
    finally:
        gc.unfreeze()
        if _LAST_PARSED:
            gc.freeze()


def load(root: Path, *, drafts: bool = False, base_url: str | None = None, search: bool | None = None,
         jobs: int = 1,
         sources: Sequence[Source] | None = None, diags: Diagnostics | None = None,
         parse_cache: caching.ParseCache | None = None,
         freeze: bool = False, plan: bool = True) -> Loaded:
    """Every stage up to planning; problems are collected, never raised. ``freeze``: see
    :func:`_no_cycle_collection` (the caller runs :func:`_thawed_after`). ``plan=False``
    stops before planning (a build plans in its render workers)."""
    with _no_cycle_collection(freeze):
        config, graph, diags = _load_graph(root, drafts=drafts, base_url=base_url, search=search, jobs=jobs,
                                           sources=sources, diags=diags, parse_cache=parse_cache)
        if diags.has_errors or not plan:
            return Loaded(config, graph, (), diags)
        from .pages import plan_pages
        from .templates import static_pages
        return Loaded(config, graph, plan_pages(graph, config, diags, static_pages(root)), diags)


def _load_graph(root: Path, *, drafts: bool, base_url: str | None, search: bool | None, jobs: int,
                sources: Sequence[Source] | None, diags: Diagnostics | None,
                parse_cache: caching.ParseCache | None) -> tuple[SiteConfig, Graph, Diagnostics]:
    from .config import load_config
    from .parallel import map_chunks
    from .resolve import resolve
    from .sources import discover
    diags = diags if diags is not None else Diagnostics()
    config = load_config(root, diags, base_url=base_url, search=search)
    if sources is None:
        sources = discover(root, diags)
    global _PARSE_CACHE, _LAST_PARSED
    _PARSE_CACHE = parse_cache if parse_cache is not None and parse_cache.enabled else None
    last = _LAST_PARSED if _PARSE_CACHE is not None else {}
    todo = [source for source in sources if (source.path, source.sha256) not in last]
    try:  # records from the cache here; the other files parsed and validated in parallel
        cached = _cached_records(todo, jobs)
        fresh = iter(map_chunks(_parse_chunk, [s for i, s in enumerate(todo) if i not in cached], jobs))
    finally:
        _PARSE_CACHE = None
    decoded = iter(cached[i] if i in cached else next(fresh) for i in range(len(todo)))
    parsed = [last.get((source.path, source.sha256)) or next(decoded) for source in sources]
    # Kept for the next build of this process; a build without the cache keeps nothing.
    _LAST_PARSED = {(source.path, source.sha256): (record, found, None, failed)
                    for source, (record, found, _, failed) in zip(sources, parsed, strict=True)} \
        if parse_cache is not None and parse_cache.enabled else {}
    records: list[Record] = []
    failed_claims: set[str] = set()
    for source, (record, found, entry, failed) in zip(sources, parsed, strict=True):
        diags.extend(found)
        if parse_cache is not None:
            parse_cache.keep(source, entry)
        if record is not None:
            records.append(record)
        failed_claims.update(failed)
    graph = resolve(sources, records, diags, drafts=drafts, failed_claims=frozenset(failed_claims),
                    keep=parse_cache is not None and parse_cache.enabled)
    return config, graph, diags


def check(root: Path, *, drafts: bool = True, base_url: str | None = None, render_pages: bool = True,
          jobs: int | None = None, progress: Progress | None = None) -> Diagnostics:
    """Validate everything a build validates, including the templates, and write nothing.
    Pages are planned and rendered as a build does (in the workers); ``render_pages=False``
    only plans them, here."""
    from .derived import derived_paths
    from .parallel import default_jobs
    from .templates import static_pages
    from .workers import RenderJob, plan_and_render
    jobs = jobs or default_jobs()
    note = progress or (lambda *_: None)
    note("read", 0, 0)
    with _thawed_after():
        loaded = load(root, drafts=drafts, base_url=base_url, jobs=jobs, freeze=True, plan=not render_pages)
        pages = {p.path for p in loaded.plans}
        if render_pages and not loaded.diagnostics.has_errors:
            made = plan_and_render(root, loaded, static_pages(root), jobs, note, RenderJob(None, False, None, {}))
            pages = {page.path for page in made}
    if not loaded.diagnostics.has_errors:  # static files that would replace a page (BW501), as build finds them
        from .static import static_files
        static_files(root, pages | derived_paths(loaded.graph, loaded.config), loaded.diagnostics)
    return loaded.diagnostics


def build(root: Path, out: Path | None = None, *, drafts: bool = False, base_url: str | None = None,
          progress: Progress | None = None, jobs: int | None = None, use_cache: bool = True,
          cache_dir: Path | None = None, search: bool | None = None) -> BuildResult:
    """Build the site in ``root`` into ``out`` (default ``root/site``).

    With the cache (the default), unchanged files are not parsed again, unchanged pages are
    reused from the previous output, and a build with no changed input writes nothing.
    ``jobs`` processes parse and render (default: one per core); the output is the same
    whatever the number.
    """
    try:
        return _build(root, out, drafts=drafts, base_url=base_url, progress=progress, jobs=jobs,
                      use_cache=use_cache, cache_dir=cache_dir, search=search)
    finally:
        publish = sys.modules.get("boardwatch.publish")  # not imported by a build with nothing to do
        if publish is not None:
            publish.settle()  # the old copies of files a patch replaced are gone before it returns


def _build(root: Path, out: Path | None, *, drafts: bool, base_url: str | None, progress: Progress | None,
           jobs: int | None, use_cache: bool, cache_dir: Path | None, search: bool | None) -> BuildResult:
    started = time.perf_counter()
    note = progress or (lambda *_: None)
    out = out if out is not None else root / "site"
    if use_cache and cache_dir is None:
        cache_dir = root / CACHE_DIR
    settings = uptodate.settings_digest(root, drafts=drafts, base_url=base_url, search=search)
    diags = Diagnostics()
    with _quick_part():  # without the cyclic collector walking the manifest again and again (40 ms)
        seen = uptodate.check(root, out, cache_dir, settings) if use_cache and cache_dir is not None else None
        if seen is not None and seen.up_to_date is not None:  # the last build's stamp vouches for everything
            return BuildResult(out=out, pages=seen.up_to_date[0], files=seen.up_to_date[1], warnings=(),
                               seconds=time.perf_counter() - started, up_to_date=True)
        if seen is not None and seen.problem is not None and cache_dir is not None:
            from .cache import stamp_problem
            stamp_problem(cache_dir / uptodate.STAMP, seen.problem, diags)
        for stamped in {cache_dir, root / CACHE_DIR}:
            uptodate.forget(stamped)  # until this build is over, the output is not what a stamp says
        from . import cache as caching
        from .publish import MARKER, Patch, PublishError, Staging, check_output, clean_stale, output_lock
        try:
            check_output(out, root)
        except PublishError as exc:
            raise OutputError(str(exc)) from exc
        if clean_stale(out) and seen is not None:  # finish or drop what an interrupted build left
            seen.outputs_vouched = False  # the output changed since the stamp's check
        note("read", 0, 0)
        scanned: dict[str, uptodate.Meta] | None
        if seen is not None and seen.scanned is not None:  # what the stamp's check saw is used, not seen again
            started_ns, scanned = seen.started_ns, seen.scanned
        else:
            started_ns = time.time_ns()
            scanned = uptodate.scan(root)
        manifest_state = caching.manifest_state(out)  # taken before it is read: see check_manifest_state
        manifest = caching.load_manifest(out, diags) if use_cache else None
        # The previous output is trusted only as the manifest left it (a hand edit voids it).
        if manifest is not None and not (seen is not None and seen.outputs_vouched) \
                and not caching.output_unchanged(out, manifest):
            manifest = None
        shas: dict[str, str] | None = None  # every content file's sha256, when few need reading
        if manifest is not None and scanned is not None:
            shas = caching.current_shas(root, scanned, manifest)
            if shas is not None and caching.inputs_digest(settings, shas.items()) == manifest.inputs:
                # Nothing changed since the last build, judged from file metadata and, for the few
                # files it does not vouch for, their bytes. Not a page is read or written.
                return _unchanged(out, manifest, cache_dir, settings, scanned, shas, started_ns, diags, started)
        from . import express
        store = express.Store(cache_dir / express.STORE) if use_cache and cache_dir is not None else None
        if manifest is not None and store is not None and scanned is not None and shas is not None \
                and manifest.settings == settings:
            try:
                done = express.run(root, out, manifest, store, scanned, shas, settings, started_ns, diags,
                                   base_url=base_url, search=search, manifest_state=manifest_state)
            except PublishError as exc:
                raise OutputError(str(exc)) from exc
            if done is not None:
                if diags.has_errors:
                    raise ContentErrors(diags)
                if done[3] is not None and cache_dir is not None:
                    uptodate.save(cache_dir, out, settings, done[3].sources, done[3].files, len(done[3].pages))
                return BuildResult(out=out, pages=done[0], files=done[1], warnings=diags.warnings,
                                   seconds=time.perf_counter() - started, rendered=done[2], up_to_date=done[2] == 0)
    from .affected import reuse
    from .derived import derived_paths, listing_outputs, write_graph_outputs
    from .parallel import Background, default_jobs
    from .search import PageFiles, page_marks, search_index
    from .sources import discover
    from .static import static_files
    from .workers import RenderJob, plan_and_render
    jobs = jobs or default_jobs()
    global _LAST_READ
    read_now: dict[str, Read] | None = {} if use_cache else None
    sources = discover(root, diags, known=_vouched_reads(root, scanned, manifest), record=read_now)
    _LAST_READ = (os.path.abspath(root), read_now or {})
    inputs = caching.inputs_digest(settings, ((s.path, s.sha256) for s in sources))
    if manifest is not None and manifest.inputs == inputs and not diags.has_errors:
        # Every file read again (touched, say, by a checkout) and none changed.
        return _unchanged(out, manifest, cache_dir, settings, scanned, {s.path: s.sha256 for s in sources},
                          started_ns, diags, started)
    parse_cache = caching.load_parse_cache(cache_dir if use_cache else None, diags)
    note("parse", 0, len(sources))
    with _thawed_after():
        loaded = load(root, drafts=drafts, base_url=base_url, search=search, jobs=jobs, sources=sources,
                      diags=diags, parse_cache=parse_cache, freeze=True, plan=False)
        if diags.has_errors:
            raise ContentErrors(diags)
        from .templates import static_pages
        read = {s.path: s.sha256 for s in sources if s.readable}
        known = store.digests() if store is not None else {}
        stored = {page: (sha, digest) for sha, _, page, digest in known.values()}
        # Fingerprints serve the manifest and the search shards' keys: without either, none.
        common = _common_digest(root, loaded) if use_cache or loaded.config.search else None
        # Edits that keep every article's links change few pages: only those are planned (the
        # output is checked under its lock to be what the manifest says before anything is written).
        narrow = reuse(loaded.graph, sources, manifest, store, common, known, loaded.config.per_page) \
            if manifest is not None and store is not None and common is not None else None
        # ... and where they keep its order too, data/articles.json is patched where their
        # records are rather than made whole (45 MB at 10,000 articles).
        spliced = frozenset({express.ARTICLES_JSON}) if narrow is not None and not narrow.moved \
            and manifest is not None and express.ARTICLES_JSON in manifest.files else frozenset()
        # Feeds and data/ files that such edits cannot change are kept as the output has them.
        kept = frozenset(narrow.unchanged_outputs(loaded.graph) & manifest.files.keys()) \
            if narrow is not None and manifest is not None else frozenset()
        try:
            # A first build is written beside the output and swapped in; later ones patch it in place.
            # Feeds and data/ come from the graph alone: a child process writes them meanwhile.
            with output_lock(out), (Patch(out) if manifest is not None else Staging(out)) as stage, \
                    Background(partial(write_graph_outputs, loaded.graph, loaded.config, stage, spliced | kept),
                               jobs) as graph_files:
                if manifest is not None:
                    caching.check_manifest_state(out, manifest_state)
                # Workers plan and fingerprint every page and write those the output lacks into
                # the stage: a page made from exactly what made it last time is kept as it is.
                job = RenderJob(stage.files_root, store is not None, common,
                                manifest.pages if manifest is not None else {}, stored, read, loaded.config.search)
                made = plan_and_render(root, loaded, static_pages(root), jobs, note, job,
                                       narrow.tasks if narrow is not None else None)
                planned: frozenset[str] | None = None  # the pages planned, when not all of them
                if narrow is not None and not diags.has_errors:
                    merged = narrow.merge(made)  # None: a page the last build did not make (never expected)
                    if merged is not None:
                        planned = frozenset(page.path for page in made)
                    made = merged if merged is not None else plan_and_render(root, loaded, static_pages(root),
                                                                             jobs, note, job)
                if diags.has_errors:
                    raise ContentErrors(diags)
                copies = static_files(root, {p.path for p in made} | derived_paths(loaded.graph, loaded.config), diags)
                if diags.has_errors:
                    raise ContentErrors(diags)
                fingerprints = {page.path: page.fingerprint for page in made}
                rendered = [page.path for page in made if page.rendered]
                stage.adopt(rendered)
                listed = [(page.path, page.kind, page.noindex) for page in made]
                derived, derived_written = graph_files.result()
                stage.adopt(derived_written)
                derived = sorted({*derived, *kept, *spliced})
                if spliced:
                    assert narrow is not None and isinstance(stage, Patch)
                    _splice_articles(out, stage, loaded, narrow.edited)
                files: dict[str, bytes | Path] = dict(listing_outputs(loaded.graph, listed, loaded.config))
                marks: dict[str, bool] | None = None
                if loaded.config.search:  # Pagefind over every page, rendered now or reused
                    pages = PageFiles([page.path for page in made], set(rendered), stage.files_root, out)
                    marks = page_marks(pages, {page.path: page.indexed for page in made if page.indexed is not None},
                                       manifest.unindexed if manifest is not None else None)
                    files.update(search_index(pages, fingerprints, out if manifest is not None else None,
                                              indexed=marks))
                files[f"{MARKER}/build.txt"] = _build_info()
                note("write", 0, len(files) + len(copies))
                for rel, source in sorted(copies.items()):
                    stage.copy(rel, source)
                for rel, data in sorted(files.items()):
                    if isinstance(data, Path):
                        stage.keep(rel, data)
                    else:
                        stage.write_changed(rel, data)
                written = sorted({*files, *derived, *copies, *fingerprints})
                for rel in sorted(set(manifest.files if manifest is not None else ()) - set(written)):
                    stage.remove(rel)  # pages whose source is gone, and other files no longer made
                if use_cache:
                    assert common is not None
                    new = caching.Manifest(
                        inputs, fingerprints, stage.new_stats(written, manifest.files if manifest is not None else {}),
                        caching.settled_sources(scanned, read, started_ns),
                        settings, common, sorted(rel for rel, mark in marks.items() if not mark) if marks is not None else None)
                    stage.write(caching.MANIFEST, caching.manifest_update(out, manifest, new))
                stage.commit()
                if use_cache:
                    caching.remember_manifest(out, new)  # (still under the lock: the file is this one)
        except PublishError as exc:
            raise OutputError(str(exc)) from exc
        # Still frozen (see _no_cycle_collection): collecting the whole graph here would be wasted.
        if use_cache:
            caching.save_parse_cache(cache_dir, parse_cache)
        if store is not None and common is not None:
            express.remember(store, loaded.graph, sources, inputs, common, {page.path: page for page in made},
                             known, planned=planned)
        if use_cache and cache_dir is not None:
            uptodate.save(cache_dir, out, settings, new.sources, new.files, len(new.pages))
    return BuildResult(out=out, pages=len(made), files=len(written),
                       warnings=diags.warnings, seconds=time.perf_counter() - started, rendered=len(rendered))


def _splice_articles(out: Path, stage: Patch, loaded: Loaded, edited: Sequence[Article]) -> None:
    """Patch data/articles.json with the records of ``edited``, in place of those the output
    holds (found under the output lock), or write it whole where one is not found exactly once."""
    from .export import article_record, articles_document
    from .express import ARTICLES_JSON, output_articles_json_edits
    from .urls import article_path
    edits = output_articles_json_edits(out, {article_path(a.slug): article_record(a) for a in edited})
    if edits is not None:
        stage.splice(ARTICLES_JSON, edits)
    else:
        stage.write_changed(ARTICLES_JSON, articles_document(loaded.graph, loaded.config.base_url))


def _vouched_reads(root: Path, scanned: Mapping[str, uptodate.Meta] | None, manifest: caching.Manifest | None
                   ) -> dict[str, Read]:
    """The files this process read in its last build that are unchanged since: their metadata
    now is what the manifest recorded once it had settled (see cache.settled_sources), and the
    manifest's sha256 is that of the file as read. The same trust as a build with nothing to do."""
    if _LAST_READ[0] != os.path.abspath(root) or scanned is None or manifest is None:
        return {}
    out: dict[str, Read] = {}
    for rel, read in _LAST_READ[1].items():
        meta, known = scanned.get(rel), manifest.sources.get(rel)
        if meta is not None and known is not None and known[0] is not None and list(meta) == known[:3] \
                and known[3] == read[0].sha256 and read[0].readable:
            out[rel] = read
    return out


def _unchanged(out: Path, manifest: caching.Manifest, cache_dir: Path | None, settings: str,
               scanned: dict[str, uptodate.Meta] | None, shas: dict[str, str], started_ns: int,
               diags: Diagnostics, started: float) -> BuildResult:
    """A build that found nothing changed, from the manifest: it writes nothing in the output,
    but stamps what it found (see uptodate.py), so that the next build need not judge again
    by reading the files whose metadata the manifest does not vouch for."""
    from .cache import settled_sources
    if cache_dir is not None and scanned is not None:
        uptodate.save(cache_dir, out, settings, settled_sources(scanned, shas, started_ns), manifest.files,
                      len(manifest.pages))
    return BuildResult(out=out, pages=len(manifest.pages), files=len(manifest.files),
                       warnings=diags.warnings, seconds=time.perf_counter() - started, up_to_date=True)


def _common_digest(root: Path, loaded: Loaded) -> str:
    """What every page depends on: version, settings, every template, the autolink names."""
    from . import __version__
    from .pages import site_view
    from .templates import page_titles
    parts: list[str | bytes] = [__version__, repr(loaded.config), repr(loaded.graph.names)]
    for folder in (root / "templates", Path(uptodate.THEME_DIR) / "templates"):
        if folder.is_dir():
            for path in sorted(folder.rglob("*.html")):
                parts += [path.relative_to(folder).as_posix(), path.read_bytes()]
    parts.append(repr(site_view(loaded.config, page_titles(root))))
    return uptodate.digest(parts)


def _build_info() -> bytes:
    from . import __version__
    return f"boardwatch {__version__}\n".encode("utf-8")
