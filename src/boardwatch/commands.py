"""Sub-commands beyond build and check: ``serve`` and ``new``. Their modules do the work;
this one turns options into calls and results into lines and exit codes."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any


EXIT_OK, EXIT_CONTENT, EXIT_USAGE = 0, 1, 2
# `boardwatch new WHAT` -> the content folder of that kind (the model is imported when one is made)
ENTITY_COMMANDS = {"person": "people", "state": "states", "body": "bodies", "initiative": "initiatives"}


def add_commands(sub: Any) -> None:
    """Register ``serve`` and ``new`` on the CLI's sub-parsers."""
    from .cli import _positive
    s = sub.add_parser("serve", help="preview the site: build, serve, rebuild on change and reload the browser",
                       description="Build the site into a temporary folder (removed on exit), serve it on "
                                   "http://127.0.0.1:8000/, rebuild it whenever content/, templates/, static/ or "
                                   "boardwatch.yaml change, and reload open pages after each build. Errors are "
                                   "shown in the browser over the last good build. Ctrl-C stops.")
    s.add_argument("site", nargs="?", default=".", metavar="SITE_DIR",
                   help="the site folder (default: the current folder)")
    s.add_argument("-p", "--port", type=_port, default=8000,
                   help="port to listen on (default: 8000; 0 picks a free one)")
    s.add_argument("--host", default="127.0.0.1",
                   help="address to listen on (default: 127.0.0.1, this computer only). Another address makes "
                        "the preview reachable from other computers")
    s.add_argument("--drafts", action="store_true", help="include articles marked 'draft: true'")
    s.add_argument("-o", "--out", metavar="DIR",
                   help="build into DIR and keep it (default: a temporary folder, removed on exit)")
    s.add_argument("--no-search", action="store_true", help="skip the full-text search index (faster rebuilds)")
    s.add_argument("--base-url", metavar="URL", help="absolute URL for feeds and canonical links "
                                                     "(overrides base_url in boardwatch.yaml)")
    s.add_argument("-j", "--jobs", type=_positive, metavar="N",
                   help="processes that parse and render (default: one per core)")
    s.add_argument("-q", "--quiet", action="store_true", help="print only the address and problems")
    s.add_argument("-v", "--verbose", action="store_true", help="also print every request")

    n = sub.add_parser("new", help="start a site, or add an article or an entity file",
                       description="Write new files with the keys they need. Existing files are never "
                                   "replaced. Ids and slugs are made from the name or title (accents folded: "
                                   "'Émile Zola' -> emile-zola).")
    kinds = n.add_subparsers(dest="what", metavar="WHAT", required=True)
    site = kinds.add_parser("site", help="a new site with an example of every kind, in a new or empty folder",
                            description="Create a working site in DIR: boardwatch.yaml, one person, one state, "
                                        "one initiative and one article that references them, and a templates/ "
                                        "folder explaining overrides. DIR must not exist or be empty.")
    site.add_argument("dir", metavar="DIR", help="the folder to create")
    site.add_argument("--title", help="the site's title (default: made from the folder name)")
    site.add_argument("--date", type=_date, metavar="YYYY-MM-DD",
                      help="the example article's date (default: today)")
    _quiet_option(site)

    art = kinds.add_parser("article", help="a new article: content/articles/YYYY/<slug>.md",
                           description="Write content/articles/YYYY/<slug>.md with the title, the date and the "
                                       "ids given. Every id must exist.")
    art.add_argument("title", metavar="TITLE", help="the headline; the slug is made from it")
    art.add_argument("--actors", type=_ids, default=[], metavar="ID,ID",
                     help="ids of the people, states and bodies it is about, separated by commas")
    art.add_argument("--initiative", "--initiatives", dest="initiatives", type=_ids, default=[], metavar="ID",
                     help="id(s) of the initiative(s) it is about, separated by commas")
    art.add_argument("--slug", help="the slug (default: made from the title)")
    art.add_argument("--date", type=_date, metavar="YYYY-MM-DD", help="publication date (default: today)")
    art.add_argument("--draft", action="store_true", help="mark it 'draft: true' (left out of builds "
                                                          "without --drafts)")
    _site_option(art)

    for name, folder in ENTITY_COMMANDS.items():
        e = kinds.add_parser(name, help=f"a new {name}: content/{folder}/<id>.md",
                             description=f"Write content/{folder}/<id>.md with the keys a {name} needs and the "
                                         "optional ones commented out.")
        e.add_argument("name", metavar="NAME", help="the display name; the id is made from it")
        e.add_argument("--id", dest="ident", metavar="ID", help="the id (default: made from the name)")
        _site_option(e)


def _site_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("--site", default=".", metavar="DIR", help="the site folder (default: the current folder)")
    _quiet_option(p)


def _quiet_option(p: argparse.ArgumentParser) -> None:
    p.add_argument("-q", "--quiet", action="store_true", help="print only problems")


def _port(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a port number, got {text!r}") from None
    if not 0 <= value <= 65535:
        raise argparse.ArgumentTypeError("a port is between 0 and 65535")
    return value


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a date as YYYY-MM-DD, got {text!r}") from None


def _ids(text: str) -> list[str]:
    return [part.strip() for part in text.split(",") if part.strip()]


def run_command(args: argparse.Namespace, out: Any) -> int:
    if args.command == "serve":
        return _serve(args, out)
    if args.command == "new":
        return _new(args, out)
    raise SystemExit(EXIT_USAGE)  # pragma: no cover - argparse knows every command


def _fail(message: str, hint: str = "") -> None:
    print(f"boardwatch: error: {message}", file=sys.stderr)
    if hint:
        print(f"   hint: {hint}", file=sys.stderr)


# -- new --------------------------------------------------------------------------------------

def _new(args: argparse.Namespace, out: Any) -> int:
    from .scaffold import ScaffoldError, new_article, new_entity, new_site
    today = getattr(args, "date", None) or dt.date.today()
    try:
        if args.what == "site":
            target = Path(args.dir)
            written = new_site(target, today=today, title=args.title)
            out.info(f"created a site in {target} ({len(written)} files). Next:\n"
                     f"  cd {target}\n"
                     "  boardwatch serve        # preview at http://127.0.0.1:8000/\n"
                     "  boardwatch build        # build into site/")
            return EXIT_OK
        root = Path(args.site)
        if not root.is_dir():
            _fail(f"site folder '{args.site}' does not exist", "pass the site's folder with --site DIR")
            return EXIT_USAGE
        if args.what == "article":
            path = new_article(root, args.title, date=today, actors=args.actors, initiatives=args.initiatives,
                               slug=args.slug, draft=args.draft)
        else:
            from .sources import KIND_BY_FOLDER
            path = new_entity(root, KIND_BY_FOLDER[ENTITY_COMMANDS[args.what]], args.name, ident=args.ident)
    except ScaffoldError as exc:
        _fail(exc.message, exc.hint)
        return EXIT_CONTENT
    except OSError as exc:
        _fail(f"cannot write: {exc}")
        return EXIT_CONTENT
    out.info(f"created {path.relative_to(root).as_posix()}")
    return EXIT_OK


# -- serve ------------------------------------------------------------------------------------

class _Printer:
    """How ``serve`` reports: the address once, one line per build, problems in full."""

    def __init__(self, out: Any, root: Path, verbose: bool) -> None:
        self.out, self.root, self.verbose = out, root, verbose

    def ready(self, url: str, folder: Path, temporary: bool) -> None:
        where = "a temporary folder, removed on exit" if temporary else str(folder)
        if self.verbose:
            where += f" ({folder})" if temporary else ""
        print(f"serving {url} (built into {where}); Ctrl-C to stop", file=self.out.out, flush=True)

    def built(self, outcome: Any) -> None:
        because = ""
        # Editors' temporary files (no extension, gone by now) started the build too, but say nothing.
        changed = [p for p in outcome.changed if Path(p).suffix or (self.root / p).exists()]
        if changed:
            shown = ", ".join(changed[:3]) + (f" and {len(changed) - 3} more" if len(changed) > 3 else "")
            because = f" after changes to {shown}"
        if outcome.problem:
            if outcome.diagnostics:
                self.out.diagnostics(outcome.diagnostics, self.root)
            else:
                print(f"boardwatch: error: {outcome.problem}", file=self.out.err, flush=True)
            print(f"build failed{because}; still serving the last good build, with the errors shown on "
                  "every page", file=self.out.err, flush=True)
            return
        if outcome.diagnostics:
            self.out.diagnostics(outcome.diagnostics, self.root)
        result = outcome.result
        if result.up_to_date:
            self.out.info(f"nothing changed{because} ({outcome.seconds:.2f}s)")
        else:
            self.out.info(f"built {result.pages} pages{because} in {outcome.seconds:.2f}s"
                          + (f" ({result.rendered} rendered)" if result.rendered != result.pages else ""))

    def request(self, line: str) -> None:
        if self.verbose:
            print(line, file=self.out.err, flush=True)


def _serve(args: argparse.Namespace, out: Any) -> int:
    from .serve import Options, ServeError, serve
    root = Path(args.site)
    if not root.is_dir():
        _fail(f"site folder '{args.site}' does not exist")
        return EXIT_USAGE
    options = Options(host=args.host, port=args.port, out=Path(args.out) if args.out else None,
                      drafts=args.drafts, search=False if args.no_search else None, jobs=args.jobs,
                      base_url=args.base_url)
    try:
        serve(root, options, _Printer(out, root, args.verbose))
    except ServeError as exc:
        _fail(str(exc), "choose another port with --port (0 picks a free one)" if "listen" in str(exc) else "")
        return EXIT_USAGE
    except KeyboardInterrupt:
        pass
    print("stopped", file=out.err, flush=True)
    return EXIT_OK
