"""The benchmark scripts run: a smoke test on a small generated corpus (timings are never asserted)."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def test_serve_rebuild_benchmark_times_every_kind_of_rebuild_both_ways(tmp_path: Path) -> None:
    site = tmp_path / "corpus"
    subprocess.run([sys.executable, str(ROOT / "benchmarks/corpus.py"), "--articles", "20", "--seed", "2",
                    "--out", str(site)], check=True, capture_output=True)
    done = subprocess.run([sys.executable, str(ROOT / "benchmarks/serve_rebuild.py"), str(site), "--reps", "1"],
                          capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stderr
    rows = [line for line in done.stdout.splitlines() if line.startswith("| ") and "---" not in line][1:]
    assert [row.split("|")[1].strip() for row in rows] == ["no-op", "body edit", "title edit"]
    for row in rows:
        serve, command, ratio = (cell.strip() for cell in row.split("|")[2:5])
        assert float(serve) >= 0 and float(command) > 0 and ratio.endswith("x")
    assert not list(site.rglob(".boardwatch-cache")), "the benchmark edits a copy, never the site it is given"
