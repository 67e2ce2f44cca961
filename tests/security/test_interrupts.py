"""Nothing lost: a build interrupted by a signal, or racing another build, leaves the previous
output exactly as it was and no temporary folders behind once the next build has run.

The signal tests observe a real build: they start ``boardwatch build`` on a generated site
big enough to take a while, wait until its staging folder appears beside the output, send
the signal, and compare a hash of every output file before and after.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from conftest import make_site
from seckit import leftovers, run_cli, tree_digest

from boardwatch.publish import MARKER, PublishError, clean_stale, output_lock

ARTICLES = 150
STATIC_FILES = 1500
PARAGRAPH = ("Officials said the [[board-of-peace]] would meet again; Putin and Trump exchanged letters, "
             "and *analysts* noted the `framework` had changed.")


def _big_site(tmp_path: Path) -> Path:
    files: dict[str, str | bytes | None] = {}
    for i in range(ARTICLES):
        files[f"content/articles/generated/article-{i:04d}.md"] = (
            f"---\ntitle: Generated analysis {i}\ndate: 2026-01-{1 + i % 28:02d}\n"
            f"actors: [vladimir-putin]\ntags: [tag-{i % 17}]\n---\n" + PARAGRAPH + "\n")
    for i in range(STATIC_FILES):
        files[f"static/files/f{i:04d}.txt"] = f"static file {i}\n" * 20
    return make_site(tmp_path, files)


@pytest.fixture(scope="module")
def big_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return _big_site(tmp_path_factory.mktemp("big"))


def _previous_output(site: Path, out: Path) -> dict[str, str]:
    done = run_cli("build", site, "--out", out, "--no-cache", "-q")
    assert done.returncode == 0, done.stderr
    return tree_digest(out)


def _running(pid: int) -> bool:
    """The process exists and is not a zombie."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in ("Z", "X")


def _interrupt_mid_build(site: Path, out: Path, signum: int, *, folder: str = "staging",
                         options: tuple[str, ...] = ("--no-cache",),
                         workers: list[int] | None = None) -> subprocess.CompletedProcess[str]:
    """Start a build, wait for its staging (or patch) folder, send ``signum``; the finished process."""
    env = dict(os.environ, NO_COLOR="1")
    proc = subprocess.Popen([sys.executable, "-m", "boardwatch", "build", str(site), "--out", str(out),
                             *options, "-q"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            text=True)
    staging = out.parent / f".{out.name}.{folder}-{proc.pid}"
    deadline = time.monotonic() + 60  # a hang guard only: the build itself takes seconds
    try:
        while not staging.exists():
            assert proc.poll() is None, f"the build ended before it started writing: {proc.communicate()}"
            assert time.monotonic() < deadline, "no staging folder appeared"
            time.sleep(0.002)
        children = Path(f"/proc/{proc.pid}/task/{proc.pid}/children")
        while workers is not None and not workers and proc.poll() is None and time.monotonic() < deadline:
            workers.extend(int(pid) for pid in children.read_text().split())  # the render workers
            time.sleep(0.002)
        proc.send_signal(signum)
        stdout, stderr = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    return subprocess.CompletedProcess(proc.args, proc.returncode, stdout, stderr)


@pytest.mark.parametrize("signum", [signal.SIGTERM, signal.SIGINT], ids=["SIGTERM", "SIGINT"])
def test_a_signal_mid_build_leaves_the_previous_site_intact(big_site: Path, tmp_path: Path, signum: int) -> None:
    out = tmp_path / "out"
    before = _previous_output(big_site, out)
    assert len(before) > ARTICLES + STATIC_FILES
    done = _interrupt_mid_build(big_site, out, signum)
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert "interrupted" in done.stderr
    assert "BW900" not in done.stderr  # an interrupt, not an internal error
    assert tree_digest(out) == before
    assert leftovers(out) == []  # staging folder removed, lock released
    again = run_cli("build", big_site, "--out", out, "--no-cache", "-q")
    assert again.returncode == 0, again.stderr
    assert tree_digest(out) == before  # same inputs, same site
    assert leftovers(out) == []


def test_a_signal_mid_rebuild_leaves_the_previous_site_intact(big_site: Path, tmp_path: Path) -> None:
    # A rebuild patches the output in place; interrupted before its journal, it changes nothing.
    import shutil
    site, out = tmp_path / "site", tmp_path / "out"
    shutil.copytree(big_site, site)
    assert run_cli("build", site, "--out", out, "-q").returncode == 0
    before = tree_digest(out)
    config = site / "boardwatch.yaml"
    config.write_text(config.read_text("utf-8").replace("title:", "title: Renamed", 1), "utf-8")  # every page
    done = _interrupt_mid_build(site, out, signal.SIGTERM, folder="patch", options=())
    assert done.returncode == 130, (done.returncode, done.stderr)
    assert tree_digest(out) == before
    assert leftovers(out) == []
    again = run_cli("build", site, "--out", out, "-q")
    assert again.returncode == 0, again.stderr
    assert "Renamed" in (out / "index.html").read_text("utf-8")


def test_sigkill_mid_build_is_tidied_by_the_next_build(big_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = _previous_output(big_site, out)
    workers: list[int] = []
    done = _interrupt_mid_build(big_site, out, signal.SIGKILL, workers=workers)
    assert done.returncode == -signal.SIGKILL
    assert workers  # the build was rendering in parallel when it was killed ...
    deadline = time.monotonic() + 10
    while any(_running(pid) for pid in workers) and time.monotonic() < deadline:
        time.sleep(0.01)
    assert not any(_running(pid) for pid in workers)  # ... and its workers died with it
    assert tree_digest(out) == before  # nothing was written into the output itself
    assert any(".staging-" in name for name in leftovers(out))  # a kill cannot clean up ...
    again = run_cli("build", big_site, "--out", out, "--no-cache", "-q")
    assert again.returncode == 0, again.stderr
    assert leftovers(out) == []  # ... the next build does
    assert tree_digest(out) == before


def test_a_second_build_into_a_locked_output_is_refused_clearly(base_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = _previous_output(base_site, out)
    # A real second process holds the lock, as a running build does.
    holder = subprocess.Popen(
        [sys.executable, "-c", "import sys, time; from pathlib import Path; "
         "from boardwatch.publish import output_lock\n"
         "with output_lock(Path(sys.argv[1])):\n print('locked', flush=True); sys.stdin.read()", str(out)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True)
    try:
        assert holder.stdout is not None and holder.stdout.readline().strip() == "locked"
        done = run_cli("build", base_site, "--out", out, "--no-cache")
        assert done.returncode == 2, done.stderr
        assert "another boardwatch build" in done.stderr and str(holder.pid) in done.stderr
        assert tree_digest(out) == before
    finally:
        holder.communicate(input="", timeout=30)
    assert holder.returncode == 0
    again = run_cli("build", base_site, "--out", out, "--no-cache", "-q")  # released with its process
    assert again.returncode == 0, again.stderr
    assert leftovers(out) == []


def test_two_builds_at_once_never_corrupt_the_output(base_site: Path, tmp_path: Path) -> None:
    out = tmp_path / "out"
    expected = _previous_output(base_site, out)
    env = dict(os.environ, NO_COLOR="1")
    procs = [subprocess.Popen([sys.executable, "-m", "boardwatch", "build", str(base_site), "--out", str(out),
                               "--no-cache", "-q"], env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                              text=True) for _ in range(3)]
    results = [(p.wait(timeout=120), p.communicate()[1]) for p in procs]
    assert any(code == 0 for code, _ in results), results
    for code, stderr in results:
        assert code == 0 or (code == 2 and "another boardwatch build" in stderr), (code, stderr)
    assert tree_digest(out) == expected
    assert leftovers(out) == []


def test_a_dead_builds_lock_is_taken_over(tmp_path: Path) -> None:
    out = tmp_path / "out"
    holder = subprocess.run(
        [sys.executable, "-c", "import os, sys; from pathlib import Path; "
         "from boardwatch.publish import output_lock\n"
         "with output_lock(Path(sys.argv[1])):\n os._exit(0)", str(out)], check=False)
    assert holder.returncode == 0
    lock = tmp_path / ".out.boardwatch-lock"
    assert lock.exists()  # it died holding the lock
    with output_lock(out):
        assert lock.read_text() == str(os.getpid())
    assert not lock.exists()


def test_sigterm_inside_the_lock_raises_keyboard_interrupt_and_is_restored(tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = signal.getsignal(signal.SIGTERM)
    with pytest.raises(KeyboardInterrupt), output_lock(out):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)  # the handler interrupts this at once
    assert signal.getsignal(signal.SIGTERM) == before
    assert leftovers(out) == []


def test_a_build_killed_between_the_two_renames_gets_its_output_back(tmp_path: Path) -> None:
    out = tmp_path / "out"
    old = tmp_path / ".out.old-999999999"  # the previous output, moved aside by a build that then died
    (old / MARKER).mkdir(parents=True)
    (old / "index.html").write_text("previous site")
    staging = tmp_path / ".out.staging-999999999"
    staging.mkdir()
    clean_stale(out)
    assert (out / "index.html").read_text() == "previous site"
    assert leftovers(out) == []


def test_cleanup_touches_only_its_own_leftovers(tmp_path: Path) -> None:
    out = tmp_path / "o*t[1]"  # glob characters in the output's name must not widen the match
    keep = [tmp_path / ".other.staging-999999999", tmp_path / ".out.old-backup", tmp_path / ".o1t1.old-999999999",
            tmp_path / f".{out.name}.staging-notapid"]
    for folder in keep:
        folder.mkdir()
    gone = tmp_path / f".{out.name}.staging-999999999"
    gone.mkdir()
    clean_stale(out)
    assert not gone.exists()
    assert all(folder.exists() for folder in keep)


def test_lock_refusal_names_the_owner(tmp_path: Path) -> None:
    out = tmp_path / "out"
    with output_lock(out):
        child = subprocess.run(
            [sys.executable, "-c", "import sys; from pathlib import Path; "
             "from boardwatch.publish import output_lock, PublishError\n"
             "try:\n with output_lock(Path(sys.argv[1])): sys.exit(3)\n"
             "except PublishError as e: print(e); sys.exit(4)", str(out)],
            capture_output=True, text=True, check=False)
    assert child.returncode == 4, child
    assert f"process {os.getpid()}" in child.stdout
    assert PublishError.__doc__


def test_a_signal_inside_generated_code_still_ends_the_build_with_130(tmp_path: Path) -> None:
    # CPython marks a KeyboardInterrupt that leaves exec()'d source (how dataclasses make their
    # methods, say while a stage is imported) as unhandled for good: the process would end by
    # SIGINT even though the build caught it. So a signal there is held back until the next write.
    script = (
        "import os, signal, sys\n"
        "from pathlib import Path\n"
        "from boardwatch.publish import output_lock, check_interrupt\n"
        "try:\n"
        "    with output_lock(Path(sys.argv[1])):\n"
        "        exec('import os, signal\\nos.kill(os.getpid(), signal.SIGTERM)\\nfor i in range(100): pass')\n"
        "        print('held back', flush=True)\n"
        "        check_interrupt()\n"
        "        print('not reached', flush=True)\n"
        "except KeyboardInterrupt:\n"
        "    print('interrupted', flush=True)\n"
        "    raise SystemExit(130)\n")
    done = subprocess.run([sys.executable, "-c", script, str(tmp_path / "out")], capture_output=True, text=True,
                          timeout=60)
    assert done.stdout.split() == ["held", "back", "interrupted"], done.stderr
    assert done.returncode == 130, done.stderr
