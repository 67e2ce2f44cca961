"""How fast an edit shows up in ``boardwatch serve``, which rebuilds inside the process it keeps,
against the same rebuild run as a fresh ``boardwatch build`` command, in the same run.

    python3 benchmarks/serve_rebuild.py SITE_DIR [--reps 3] [--search]

The site's content and settings are copied to a temporary folder, which is edited and then
removed. Each repetition times, both ways, in alternating order: a rebuild with nothing
changed, one after a sentence is added to an article's body, and one after its title changes.
Each way builds into its own output and cache folders, as serve (which builds into a
temporary folder) and a command building site/ do: neither sees the other's builds.
While the in-process rebuilds run, a thread waits beside them, as serve's file watcher does
(boardwatch then does in one process what it would otherwise split with a forked child).
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable
from pathlib import Path

from boardwatch.build import build
from boardwatch.uptodate import SETTLED_NS


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("site", type=Path)
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--search", action="store_true", help="build the search index too")
    args = parser.parse_args()
    sys.path.insert(0, str(Path(__file__).resolve().parent))
    from run import compile_bytecode
    compile_bytecode()  # as an installed package has it (see run.py)
    with tempfile.TemporaryDirectory(prefix="boardwatch-serve-bench-") as tmp:
        site, out = Path(tmp) / "site", Path(tmp) / "out-serve"
        cache = Path(tmp) / "cache-serve"
        shutil.copytree(args.site / "content", site / "content")
        if (args.site / "boardwatch.yaml").is_file():
            shutil.copy(args.site / "boardwatch.yaml", site / "boardwatch.yaml")
        search = None if args.search else False
        command = [sys.executable, "-m", "boardwatch", "build", str(site), "--out", str(Path(tmp) / "out-command"),
                   "--cache-dir", str(Path(tmp) / "cache-command"), "-q", *([] if args.search else ["--no-search"])]
        # Files written within the last two seconds are not trusted by their metadata (see
        # uptodate.SETTLED_NS); a serve session starts on files that have long settled.
        time.sleep(SETTLED_NS / 1e9 + 0.1)
        build(site, out, search=search, cache_dir=cache)  # the first build, as serve makes before it serves
        subprocess.run(command, check=True)  # and the command's first build
        watcher_stop = threading.Event()
        watcher = threading.Thread(target=watcher_stop.wait, daemon=True)
        watcher.start()
        articles = sorted((site / "content/articles").rglob("*.md"))
        article = articles[len(articles) // 2]

        def in_process() -> float:
            start = time.perf_counter()
            build(site, out, search=search, cache_dir=cache)
            return time.perf_counter() - start

        def as_command() -> float:
            start = time.perf_counter()
            subprocess.run(command, check=True)
            return time.perf_counter() - start

        def add_sentence(n: int) -> None:
            article.write_text(article.read_text("utf-8") + f"\nA sentence added, edit {n}.\n", "utf-8")

        def retitle(n: int) -> None:
            article.write_text(article.read_text("utf-8").replace("\ntitle: \"", f"\ntitle: \"Revised {n}, ", 1),
                               "utf-8")

        kinds: dict[str, Callable[[int], None] | None] = {"no-op": None, "body edit": add_sentence,
                                                          "title edit": retitle}
        times: dict[tuple[str, str], list[float]] = {}
        edits = 0
        for rep in range(args.reps):
            ways = (("serve", in_process), ("command", as_command))
            for kind, edit in kinds.items():
                for way, run in (ways if rep % 2 == 0 else ways[::-1]):
                    if edit is not None:
                        edits += 1
                        edit(edits)
                    times.setdefault((kind, way), []).append(run())
        watcher_stop.set()
        print(f"{args.site}: {args.reps} repetition(s), medians; search {'on' if args.search else 'off'}")
        print("| rebuild | in serve's process (s) | as a command (s) | command / serve |")
        print("|---|---:|---:|---:|")
        for kind in kinds:
            serve, cmd = statistics.median(times[(kind, "serve")]), statistics.median(times[(kind, "command")])
            print(f"| {kind} | {serve:.2f} | {cmd:.2f} | {cmd / serve:.1f}x |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
