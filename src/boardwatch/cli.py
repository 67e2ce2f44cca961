"""The command line: the only place that prints or chooses an exit code.

Exit codes: 0 success, 1 content errors (or warnings under --strict), 2 usage errors,
3 internal error (a bug: please report it).
"""

from __future__ import annotations

import argparse
import gc
import sys
import time
import traceback
from collections.abc import Sequence
from pathlib import Path
from typing import TextIO

from . import __version__
from .build import ContentErrors, OutputError, build, check
from .diagnostics import Diagnostic, Severity
from .report import format_github, format_json, format_text, summary, use_color

EXIT_OK, EXIT_CONTENT, EXIT_USAGE, EXIT_INTERNAL = 0, 1, 2, 3


class Output:
    """Where and how the CLI writes: diagnostics to stderr, results to stdout."""

    def __init__(self, *, quiet: bool = False, verbose: bool = False, fmt: str = "text",
                 out: TextIO | None = None, err: TextIO | None = None) -> None:
        self.quiet = quiet
        self.verbose = verbose
        self.fmt = fmt
        self.out = out or sys.stdout
        self.err = err or sys.stderr
        self.color = use_color(self.err.isatty())
        self.live = self.err.isatty() and not quiet and fmt == "text"
        self._bar_open = False

    def info(self, text: str) -> None:
        self.end_progress()
        if not self.quiet:
            print(text, file=self.out, flush=True)

    def end_progress(self) -> None:
        """Clear a progress bar left unfinished on the terminal, so the next line starts clean."""
        if self._bar_open:
            print("\r\033[K", end="", file=self.err, flush=True)
            self._bar_open = False

    def diagnostics(self, diags: Sequence[Diagnostic], root: Path) -> None:
        self.end_progress()
        if self.fmt == "json":
            self.out.write(format_json(diags))
        elif self.fmt == "github":
            self.out.write(format_github(diags))
        elif diags:
            self.err.write(format_text(diags, root, color=self.color))
            print(summary(diags), file=self.err)

    def progress(self, stage: str, done: int, total: int) -> None:
        if self.quiet or self.fmt != "text":
            return
        if self.live and total:  # a terminal: one bar per stage, redrawn in place
            width = 30
            filled = int(width * done / total)
            bar = "#" * filled + "-" * (width - filled)
            end = "\n" if done == total else ""
            print(f"\r{stage:>7} [{bar}] {done}/{total}", end=end, file=self.err, flush=True)
            self._bar_open = done != total
        elif self.live:
            if self.verbose:
                print(f"{stage}...", file=self.err, flush=True)
        elif self.verbose:  # a log: every step on a line of its own
            print(f"{stage}: {done}/{total}" if total else f"{stage}...", file=self.err, flush=True)
        elif total and done == 0:  # a log: one plain line as each stage starts
            unit = "tasks, each planning and rendering pages" if stage == "plan" else "files"
            print(f"{stage}: {total} {unit}", file=self.err, flush=True)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="boardwatch",
        description="Build a cross-linked news-analysis site from a folder of Markdown files.",
        epilog="Exit codes: 0 success, 1 content errors, 2 usage errors. See docs/errors.md for every "
               "error code.")
    parser.add_argument("--version", action="version", version=f"boardwatch {__version__}")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", required=True)

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("site", nargs="?", default=".", metavar="SITE_DIR",
                       help="the site folder, holding content/ and boardwatch.yaml (default: the current folder)")
        p.add_argument("-q", "--quiet", action="store_true", help="print only problems")
        p.add_argument("-v", "--verbose", action="store_true",
                       help="print each stage as it runs, and tracebacks of internal errors")
        p.add_argument("--strict", action="store_true", help="treat warnings as errors (exit 1 on any warning)")
        p.add_argument("--format", choices=("text", "github", "json"), default="text",
                       help="how problems are printed: text for people (default), github for pull-request "
                            "annotations, json for tools")
        p.add_argument("--drafts", action="store_true", help="include articles marked 'draft: true'")
        p.add_argument("--base-url", metavar="URL",
                       help="absolute URL the site is published at, for feeds, sitemap and canonical links "
                            "(overrides base_url in boardwatch.yaml)")

    b = sub.add_parser("build", help="build the site into an output folder",
                       description="Build the site in SITE_DIR into site/ (or --out). The output is written to a "
                                   "temporary folder beside it and swapped in only when complete, so a failed "
                                   "build leaves the previous site untouched.")
    common(b)
    b.add_argument("-o", "--out", metavar="DIR", help="output folder (default: SITE_DIR/site)")
    b.add_argument("-j", "--jobs", type=_positive, metavar="N",
                   help="processes that parse and render (default: one per core); the output is identical "
                        "whatever N is")
    b.add_argument("--no-search", action="store_true",
                   help="skip the full-text search index (faster previews; overrides 'search' in boardwatch.yaml)")
    b.add_argument("--no-cache", action="store_true",
                   help="ignore and do not write the cache: parse and render everything (a cold build)")
    b.add_argument("--cache-dir", metavar="DIR",
                   help="where parsed content is cached between builds (default: SITE_DIR/.boardwatch-cache); "
                        "keep it, and the output folder, between CI runs for incremental builds")

    c = sub.add_parser("check", help="validate the site and write nothing",
                       description="Validate everything a build validates (content, settings, templates) and "
                                   "write nothing. Drafts are checked too. Exit 1 on errors.")
    common(c)
    from .commands import add_commands
    add_commands(sub)
    return parser


def _positive(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 1:
        raise argparse.ArgumentTypeError("must be 1 or more")
    return value


def entry() -> None:
    """The ``boardwatch`` command: :func:`main`, then exit. Everything still alive is frozen
    out of the cyclic collector first: the process is ending, and the collection Python runs
    on the way out would walk a whole site's graph for nothing."""
    code = main()
    gc.freeze()
    sys.exit(code)


def main(argv: Sequence[str] | None = None) -> int:
    parser = _parser()
    args = parser.parse_args(argv)
    out = Output(quiet=getattr(args, "quiet", False), verbose=getattr(args, "verbose", False),
                 fmt=getattr(args, "format", "text"))
    try:
        if args.command == "build":
            return _build(args, out)
        if args.command == "check":
            return _check(args, out)
        from .commands import run_command
        return run_command(args, out)
    except KeyboardInterrupt:
        out.end_progress()
        print("interrupted; the previous output is untouched", file=sys.stderr)
        return 130
    except Exception as exc:  # noqa: BLE001 - the one place a bug becomes a message
        print(f"internal error BW900: {type(exc).__name__}: {exc}\n"
              "This is a bug in boardwatch, not in your site. Please report it with the command you ran"
              + (":" if out.verbose else " (add --verbose for details)."), file=sys.stderr)
        if out.verbose:
            traceback.print_exc()
        return EXIT_INTERNAL


def _site(args: argparse.Namespace) -> Path:
    root = Path(args.site)
    if not root.is_dir():
        print(f"boardwatch: error: site folder '{args.site}' does not exist", file=sys.stderr)
        raise SystemExit(EXIT_USAGE)
    return root


def _build(args: argparse.Namespace, out: Output) -> int:
    root = _site(args)
    target = Path(args.out) if args.out else root / "site"
    try:
        result = build(root, target, drafts=args.drafts, base_url=args.base_url, progress=out.progress,
                       jobs=args.jobs, use_cache=not args.no_cache, search=False if args.no_search else None,
                       cache_dir=Path(args.cache_dir) if args.cache_dir else None)
    except ContentErrors as exc:
        out.diagnostics(exc.diagnostics.sorted(), root)
        if out.fmt == "text":
            print(f"build failed; nothing was written to {target}", file=sys.stderr)
        return EXIT_CONTENT
    except OutputError as exc:
        out.end_progress()
        print(f"boardwatch: error: {exc}", file=sys.stderr)
        return EXIT_USAGE
    out.diagnostics(result.warnings, root)
    if result.up_to_date:
        out.info(f"{result.out} is up to date ({result.pages} pages); nothing written "
                 f"in {result.seconds:.2f}s")
    else:
        reused = result.pages - result.rendered
        out.info(f"built {result.pages} pages ({result.files} files) into {result.out} in {result.seconds:.2f}s"
                 + (f": {result.rendered} rendered, {reused} unchanged" if reused else ""))
    if args.strict and result.warnings:
        print("--strict: warnings count as errors", file=sys.stderr)
        return EXIT_CONTENT
    return EXIT_OK


def _check(args: argparse.Namespace, out: Output) -> int:
    root = _site(args)
    started = time.perf_counter()
    diags = check(root, base_url=args.base_url, progress=out.progress)
    seconds = time.perf_counter() - started
    items = diags.sorted()
    out.diagnostics(items, root)
    strict_failure = args.strict and not diags.has_errors and any(d.severity is Severity.WARNING for d in items)
    failed = diags.has_errors or strict_failure
    if strict_failure:
        print("--strict: warnings count as errors", file=sys.stderr)
    if out.fmt == "text":
        if failed:
            print(f"check failed in {seconds:.2f}s; nothing was written", file=sys.stderr)
        else:
            out.info(f"check passed in {seconds:.2f}s: {summary(items)}; nothing was written")
    return EXIT_CONTENT if failed else EXIT_OK
