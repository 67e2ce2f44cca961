"""Where a build's time goes, by stage: one build under cProfile, in one process (--jobs 1, so
no work hides in worker processes), reported as seconds and shares of the whole.

    python3 benchmarks/stages.py SITE_DIR [--search] [--warm]

Profiling slows everything down by a similar factor; read the shares, not the seconds.
"""

from __future__ import annotations

import argparse
import cProfile
import pstats
import shutil
import tempfile
from pathlib import Path

from boardwatch.build import build

# (label, module file suffix, function name): cumulative time of that function.
STAGES = (
    ("read: discover and hash files", "sources.py", "discover"),
    ("parse: split and YAML", "frontmatter.py", "parse"),
    ("validate: schema", "schema.py", "validate"),
    ("resolve: graph and back-links", "resolve.py", "resolve"),
    ("plan: views for every page", "pages.py", "plan"),
    ("fingerprint pages (view digests)", "express.py", "view_digest"),
    ("render: Markdown", "render.py", "markdown"),
    ("render: templates and writing", "workers.py", "_make"),
    ("derived: feeds, data/ (beside planning)", "derived.py", "graph_outputs"),
    ("search index (Pagefind)", "search.py", "search_index"),
    ("express path (a body edit, with --warm)", "express.py", "run"),
)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--search", action="store_true", help="include the search index")
    parser.add_argument("--warm", action="store_true",
                        help="profile a rebuild after one edited article instead of a cold build")
    args = parser.parse_args()
    out = Path(tempfile.mkdtemp(prefix="boardwatch-stages-")) / "out"
    profile = cProfile.Profile()
    try:
        if args.warm:
            build(args.site, out, jobs=1, search=args.search)
            article = sorted((args.site / "content/articles").rglob("*.md"))[0]
            original = article.read_text("utf-8")
            article.write_text(original + "\nOne more sentence.\n", "utf-8")
            try:
                result = profile.runcall(build, args.site, out, jobs=1, search=args.search)
            finally:
                article.write_text(original, "utf-8")
        else:
            result = profile.runcall(build, args.site, out, jobs=1, search=args.search, use_cache=False)
    finally:
        shutil.rmtree(out.parent, ignore_errors=True)
    stats = pstats.Stats(profile)
    total = max(t[3] for t in stats.stats.values())  # type: ignore[attr-defined]
    print(f"{result.pages} pages, {result.rendered} rendered; {total:.1f}s under the profiler\n")
    print("| stage | seconds | share |\n|---|---:|---:|")
    counted: dict[str, float] = {}
    for label, module, name in STAGES:
        seconds = sum(v[3] for (file, _, func), v in stats.stats.items()  # type: ignore[attr-defined]
                      if file.endswith(module) and func == name)
        counted[name] = seconds
        if name == "_make":  # Markdown and view digests are counted on their own rows
            seconds -= counted["markdown"] + counted["view_digest"]
        print(f"| {label} | {seconds:.1f} | {seconds / total:.0%} |")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
