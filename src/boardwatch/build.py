"""The orchestrator: runs the stages in order and is the only module that knows them all.

read -> parse -> validate -> resolve -> plan -> render -> publish. Nothing is written
unless every stage before rendering finished without an error.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from .config import SiteConfig, load_config
from .derived import derived_outputs
from .diagnostics import Diagnostic, Diagnostics, Span
from .frontmatter import parse
from .model import Graph, Record
from .pages import PagePlan, plan_pages, site_view
from .publish import MARKER, PublishError, check_output, output_lock, publish
from .render import RenderError, render
from .resolve import resolve
from .schema import validate
from .sources import discover
from .templates import make_environment, static_pages

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
    pages: int
    files: int
    warnings: tuple[Diagnostic, ...]
    seconds: float


@dataclass(frozen=True, slots=True)
class Loaded:
    config: SiteConfig
    graph: Graph
    plans: tuple[PagePlan, ...]
    diagnostics: Diagnostics


def load(root: Path, *, drafts: bool = False, base_url: str | None = None) -> Loaded:
    """Every stage up to planning; problems are collected, never raised."""
    diags = Diagnostics()
    config = load_config(root, diags, base_url=base_url)
    sources = discover(root, diags)
    docs = [d for s in sources if (d := parse(s, diags)) is not None]
    records: list[Record] = []
    failed_claims: set[str] = set()
    for doc in docs:
        record = validate(doc, diags)
        if record is not None:
            records.append(record)
        elif isinstance(doc.data.get("claims"), list):
            failed_claims.update(c["id"] for c in doc.data["claims"] if isinstance(c, dict)
                                 and isinstance(c.get("id"), str))
    graph = resolve(sources, records, diags, drafts=drafts, failed_claims=frozenset(failed_claims))
    plans = plan_pages(graph, config, diags, static_pages(root)) if not diags.has_errors else ()
    return Loaded(config, graph, plans, diags)


def check(root: Path, *, drafts: bool = True, base_url: str | None = None, render_pages: bool = True
          ) -> Diagnostics:
    """Validate everything a build validates, including the templates, and write nothing."""
    loaded = load(root, drafts=drafts, base_url=base_url)
    if render_pages and not loaded.diagnostics.has_errors:
        _render_all(root, loaded, lambda *_: None)
    return loaded.diagnostics


def build(root: Path, out: Path | None = None, *, drafts: bool = False, base_url: str | None = None,
          progress: Progress | None = None) -> BuildResult:
    started = time.perf_counter()
    note = progress or (lambda *_: None)
    out = out if out is not None else root / "site"
    try:
        check_output(out, root)
    except PublishError as exc:
        raise OutputError(str(exc)) from exc
    note("read", 0, 0)
    loaded = load(root, drafts=drafts, base_url=base_url)
    if loaded.diagnostics.has_errors:
        raise ContentErrors(loaded.diagnostics)
    files = _render_all(root, loaded, note)
    if loaded.diagnostics.has_errors:
        raise ContentErrors(loaded.diagnostics)
    files.update(derived_outputs(loaded.graph, loaded.plans, loaded.config))
    copies = _static_files(root, set(files), loaded.diagnostics)
    if loaded.diagnostics.has_errors:
        raise ContentErrors(loaded.diagnostics)
    files[f"{MARKER}/build.txt"] = _build_info(files, copies)
    note("write", 0, len(files) + len(copies))
    try:
        with output_lock(out):
            publish(files, copies, out)
    except PublishError as exc:
        raise OutputError(str(exc)) from exc
    return BuildResult(out=out, pages=len(loaded.plans), files=len(files) + len(copies),
                       warnings=loaded.diagnostics.warnings, seconds=time.perf_counter() - started)


def _render_all(root: Path, loaded: Loaded, note: Progress) -> dict[str, bytes]:
    env = make_environment(root)
    site = site_view(loaded.config, tuple((t.split("/", 1)[1], title) for t, title in static_pages(root)))
    files: dict[str, bytes] = {}
    failed_templates: set[tuple[str, int]] = set()
    total = len(loaded.plans)
    for done, plan in enumerate(loaded.plans, 1):
        try:
            files[plan.path] = render(plan, env, site)
        except RenderError as exc:
            where = (exc.diagnostic.span.file, exc.diagnostic.span.line)
            if where not in failed_templates:  # one report per template line, not one per page
                failed_templates.add(where)
                loaded.diagnostics.add(exc.diagnostic)
        if done % 50 == 0 or done == total:
            note("render", done, total)
    return files


def _static_files(root: Path, generated: set[str], diags: Diagnostics) -> dict[str, Path]:
    copies: dict[str, Path] = {}
    theme_static = resources.files("boardwatch") / "theme" / "static"
    with resources.as_file(theme_static) as theme_dir:
        for path in sorted(Path(theme_dir).rglob("*")):
            if path.is_file():
                copies["assets/" + path.relative_to(theme_dir).as_posix()] = path
    static = root / "static"
    if static.is_dir():
        real_root = root.resolve()
        for dirpath, dirnames, filenames in os.walk(static):
            dirnames[:] = sorted(d for d in dirnames if not d.startswith("."))
            for name in sorted(filenames):
                path = Path(dirpath, name)
                rel = path.relative_to(static).as_posix()
                span = Span("static/" + rel)
                if name.startswith("."):
                    continue
                if path.is_symlink() and not path.resolve().is_relative_to(real_root):
                    diags.error("BW110", "symbolic link points outside the site folder", span,
                                hint="copy the file into static/ instead of linking to it")
                    continue
                if any(c in rel for c in '\\:*?"<>|\x00') or rel.startswith(MARKER):
                    diags.error("BW110", f"unsafe static file name '{rel}'", span,
                                hint="use letters, digits, '-', '_' and '.' in static file names")
                    continue
                if rel in generated or rel.casefold() in {g.casefold() for g in copies}:
                    diags.error("BW501", f"static/{rel} would overwrite a page boardwatch writes at {rel}", span,
                                hint="rename or move the static file")
                    continue
                copies[rel] = path
    return copies


def _build_info(files: dict[str, bytes], copies: dict[str, Path]) -> bytes:
    from . import __version__
    return (f"boardwatch {__version__}\n{len(files) + len(copies)} files\n").encode("utf-8")
