"""parallel.py: work spread over processes gives what the same work gives in one process."""

from __future__ import annotations

import gc
import os
import time
from pathlib import Path

import pytest

from boardwatch.build import build, load
from boardwatch.derived import derived_outputs, derived_paths
from boardwatch.parallel import Background, map_chunks

HERE = Path(__file__).resolve().parents[2]


def _squares(items: list[int]) -> list[int]:
    return [i * i for i in items]


def test_map_chunks_keeps_the_order_whatever_the_jobs() -> None:
    items = list(range(1000))
    assert map_chunks(_squares, items, 1) == map_chunks(_squares, items, 2) == [i * i for i in items]


@pytest.mark.parametrize("jobs", [1, 2])
def test_a_background_result_is_the_one_made_here(jobs: int) -> None:
    table = {str(i): bytes(range(i % 256)) * 50 for i in range(2000)}  # inherited, and large
    with Background(lambda: {k: v[::-1] for k, v in table.items()}, jobs) as later:
        mine = {k: v[::-1] for k, v in table.items()}
        assert later.result() == mine
        assert later.result() is later.result()  # asked twice, made once


def test_a_background_child_is_another_process_that_is_gone_afterwards() -> None:
    with Background(os.getpid, 2) as later:
        child = later.result()
    assert child != os.getpid()
    with pytest.raises(ChildProcessError):
        os.waitpid(child, os.WNOHANG)  # reaped, not a zombie


def _fails() -> int:
    raise ValueError("no such thing")


def test_a_failure_in_the_background_is_raised_here_with_its_message() -> None:
    with Background(_fails, 2) as later, pytest.raises(RuntimeError, match="ValueError: no such thing"):
        later.result()


def test_leaving_early_ends_the_background_child() -> None:
    started = time.monotonic()
    with Background(lambda: time.sleep(600), 2) as later:
        pid = later._pid
        assert pid > 0
    assert time.monotonic() - started < 30
    with pytest.raises(ChildProcessError):  # killed and reaped
        os.waitpid(pid, os.WNOHANG)


@pytest.mark.parametrize("base_url", ["", "https://example.org/watch/"])
def test_derived_paths_are_the_files_derived_outputs_make(base_url: str) -> None:
    loaded = load(HERE, base_url=base_url)  # "" overrides the site's own base_url: no sitemap
    assert not loaded.diagnostics.has_errors
    made = derived_outputs(loaded.graph, loaded.plans, loaded.config)
    assert set(made) == derived_paths(loaded.graph, loaded.config)
    assert ("sitemap.xml" in made) == bool(base_url)


def test_a_build_leaves_no_object_frozen_out_of_the_collector_but_what_it_keeps(tmp_path: Path) -> None:
    build(HERE, tmp_path / "cached", jobs=2, cache_dir=tmp_path / "cache", search=False)
    assert gc.get_freeze_count() > 0  # the records kept for the next build of this process
    build(HERE, tmp_path / "out", jobs=2, use_cache=False, search=False)  # keeps nothing
    assert gc.get_freeze_count() == 0
    assert gc.isenabled()
