"""The render workers: each plans its share of the pages, fingerprints them, and renders and
writes those the previous output lacks (see docs/architecture.md, "Parallel and incremental
builds"). ``build.py`` hands them a job; what comes back is small: a :class:`Rendered` per page.
"""

from __future__ import annotations

import contextlib
import dataclasses
import gc
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from .diagnostics import Diagnostic

if TYPE_CHECKING:
    from .build import Loaded, Progress
    from .pages import PagePlan, Planner, Task
    from .render import RenderContext


# What render workers inherit when they are forked (see parallel.py): what they are asked to
# do, the render context made from the loaded site, and the planner.
_JOB: RenderJob | None = None
_RENDER_CTX: RenderContext | None = None
_PLANNER: Planner | None = None


@dataclass(frozen=True, slots=True)
class RenderJob:
    into: Path | None  # the folder pages are written into; None to check templates only
    keep_views: bool  # return the JSON of article views the express path needs (see Rendered)
    common: str | None  # what every page depends on (see _common_digest); None: no fingerprints
    previous: Mapping[str, str]  # page path -> fingerprint in the output being updated
    stored: Mapping[str, tuple[str, str]] = dataclasses.field(default_factory=dict)  # article page ->
    #   (source sha256, view digest) in the express path's store
    shas: Mapping[str, str] = dataclasses.field(default_factory=dict)  # content file -> sha256
    search: bool = False  # note whether each page rendered opts in to the search index


@dataclass(frozen=True, slots=True)
class Rendered:
    """What became of one page: its path and inputs, what the sitemap needs of its view, its
    fingerprint and view digest (empty without ``common``), whether it was rendered (False:
    the previous output has it as it would be made), and the JSON of its view when the express
    path's store needs it (an article rendered now, or one the store holds otherwise)."""

    path: str
    inputs: frozenset[str]
    kind: str
    noindex: bool
    fingerprint: str
    digest: str
    rendered: bool
    view_json: str | None = None
    indexed: bool | None = None  # marked for the search index (see search.is_marked); None: not looked at


def _render_context(root: Path, loaded: Loaded) -> RenderContext:
    from . import urls
    from .pages import site_view
    from .render import LinkTarget, RenderContext
    from .templates import make_environment, page_titles
    targets = {e.id: LinkTarget(e.name, urls.entity_path(e.kind, e.id), e.kind.value)
               for e in loaded.graph.entities.values()}
    return RenderContext(make_environment(root), site_view(loaded.config, page_titles(root)),
                         loaded.graph.names, targets, autolink=loaded.config.autolink)


def _make(plan: PagePlan, job: RenderJob, folders: set[Path], source_sha: str | None = None) -> Diagnostic | Rendered:
    """Fingerprint ``plan``; render it and write it into the job's folder unless the previous
    output has it. A template error comes back as a diagnostic."""
    from .express import encode_view, fingerprint, view_digest
    from .render import RenderError, render
    assert _RENDER_CTX is not None, "rendering started without its context"
    digest = print_ = ""
    if job.common is not None:
        digest = view_digest(plan.view)
        print_ = fingerprint(job.common, plan.path, plan.template, digest, plan.markdown)
    made = job.common is None or job.previous.get(plan.path) != print_
    indexed = None
    if made:
        try:
            data = render(plan, _RENDER_CTX)
        except RenderError as exc:
            return exc.diagnostic
        if job.search:
            from .search import is_marked
            indexed = is_marked(data)
        if job.into is not None:
            target = job.into.joinpath(*plan.path.split("/"))
            if target.parent not in folders:
                target.parent.mkdir(parents=True, exist_ok=True)
                folders.add(target.parent)
            target.write_bytes(data)
    kept = None
    if job.keep_views and plan.view.kind == "article" and (made or job.stored.get(plan.path) != (source_sha, digest)):
        kept = encode_view(plan.view)
    return Rendered(plan.path, plan.inputs, plan.view.kind, plan.view.noindex, print_, digest, made, kept, indexed)


def _plan_render_chunk(tasks: Sequence[Task]) -> list[list[Diagnostic | Rendered]]:
    """Plan the pages of each task, then make each page as :func:`_make` does."""
    assert _JOB is not None and _PLANNER is not None, "planning started without plan_and_render"
    job, planner = _JOB, _PLANNER
    folders: set[Path] = set()
    out: list[list[Diagnostic | Rendered]] = []
    for task in tasks:
        sha = job.shas.get(planner.g.articles[task[1]].path) if task[0] == "article" else None
        out.append([_make(plan, job, folders, sha) for plan in planner.plan(task)])
    return out


def _precompile(templates: Iterable[str]) -> None:
    """Compile ``templates`` once, before workers are forked: they inherit them compiled."""
    assert _RENDER_CTX is not None
    for name in sorted(templates):
        with contextlib.suppress(Exception):  # a broken template is reported by each render
            _RENDER_CTX.env.get_template(name)


def _report(loaded: Loaded, results: Iterable[Diagnostic | Rendered]) -> list[Rendered]:
    """The pages made; template errors go to the loaded site's diagnostics, once per template line."""
    failed_templates: set[tuple[str, int]] = set()
    made: list[Rendered] = []
    for result in results:
        if isinstance(result, Rendered):
            made.append(result)
            continue
        where = (result.span.file, result.span.line)
        if where not in failed_templates:  # one report per template line, not one per page
            failed_templates.add(where)
            loaded.diagnostics.add(result)
    return made


def plan_and_render(root: Path, loaded: Loaded, static_pages: Sequence[tuple[str, str]], jobs: int,
                    note: Progress, job: RenderJob, tasks: Sequence[Task] | None = None) -> list[Rendered]:
    """Plan every page of the loaded site (or those of ``tasks``) and make it as ``job`` says
    (see :func:`_make`), in ``jobs`` processes that each plan and render their share: no
    process holds every page's view. What became of each page, in path order. Template errors
    are added to the loaded site's diagnostics, once per template line, and so are pages that
    would share a path (BW501)."""
    from .pages import Planner, check_collisions, planning_tasks
    from .parallel import map_chunks, workers_for
    global _JOB, _RENDER_CTX, _PLANNER
    tasks = planning_tasks(loaded.graph, static_pages) if tasks is None else tasks
    # What the workers inherit is made as the graph was loaded (see build._no_cycle_collection):
    # without the cyclic collector, which would walk the whole graph again and again, then
    # frozen out of its sight, so that no worker walks it (copying every page of memory it
    # touches). The build gives it back to the collector when it ends (build._thawed_after).
    collecting = gc.isenabled()
    gc.disable()
    try:
        _JOB, _RENDER_CTX = job, _render_context(root, loaded)
        _PLANNER = Planner(loaded.graph, loaded.config, static_pages)
        if workers_for(len(tasks), jobs) > 1:  # else each is made here when first needed
            _PLANNER.make_all()
            _precompile(_RENDER_CTX.env.list_templates(filter_func=lambda name: name.endswith(".html")))
    finally:
        gc.freeze()
        if collecting:
            gc.enable()
    try:
        # Progress counts planning tasks (a page, or a run of index pages), the unit of work here.
        note("plan", 0, len(tasks))
        results = map_chunks(_plan_render_chunk, tasks, jobs, done=lambda n: note("plan", n, len(tasks)))
    finally:
        _JOB, _RENDER_CTX, _PLANNER = None, None, None
    made = _report(loaded, (page for pages in results for page in pages))
    check_collisions(((page.path, page.inputs) for page in made), loaded.diagnostics)
    return sorted(made, key=lambda page: page.path)
