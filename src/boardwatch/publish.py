"""Write a finished site without ever leaving a half-written one: the `publish` stage.

Files go into a staging folder beside the output; only when every file is written is the
staging folder swapped in. A lock keeps two builds from writing one output at once, and
staging folders left by an interrupted build are removed by the next one.
"""

from __future__ import annotations

import contextlib
import errno
import os
import shutil
from collections.abc import Iterator, Mapping
from pathlib import Path

MARKER = ".boardwatch"  # folder inside every output boardwatch writes


class PublishError(Exception):
    """The output folder cannot be written; the message says why and what to do."""


def _alive(pid: int) -> bool:
    if pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


@contextlib.contextmanager
def output_lock(out: Path) -> Iterator[None]:
    """An exclusive lock on ``out``, held by a lock file beside it; stale locks are taken over."""
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = out.parent / f".{out.name}.boardwatch-lock"
    for _attempt in range(2):
        try:
            fd = os.open(lock, os.O_CREAT | os.O_EXCL | os.O_WRONLY, 0o644)
        except FileExistsError:
            try:
                owner = int(lock.read_text().strip() or "0")
            except (OSError, ValueError):
                owner = 0
            if _alive(owner) and owner != os.getpid():
                raise PublishError(
                    f"another boardwatch build (process {owner}) is writing to {out}; wait for it to finish, "
                    f"or remove {lock} if no build is running") from None
            lock.unlink(missing_ok=True)
            continue
        with os.fdopen(fd, "w") as handle:
            handle.write(str(os.getpid()))
        break
    else:  # pragma: no cover - lost a race twice
        raise PublishError(f"could not lock {out}: remove {lock} if no build is running")
    try:
        yield
    finally:
        lock.unlink(missing_ok=True)


def check_output(out: Path, root: Path) -> None:
    """Refuse an output folder whose replacement would destroy something that is not a site."""
    out_r, root_r = out.resolve(), root.resolve()
    if out_r == root_r or root_r.is_relative_to(out_r):
        raise PublishError(f"the output folder {out} contains the site itself; choose another --out")
    for folder in ("content", "templates", "static"):
        if out_r.is_relative_to(root_r / folder):
            raise PublishError(f"the output folder {out} is inside the site's {folder}/; choose another --out")
    if out.exists() and not out.is_dir():
        raise PublishError(f"{out} exists and is not a folder; choose another --out")
    if out.is_dir() and any(out.iterdir()) and not (out / MARKER).is_dir():
        raise PublishError(f"{out} is not empty and was not written by boardwatch; refusing to replace it. "
                           "Choose another --out, or empty the folder first")


def clean_stale(out: Path) -> None:
    """Remove staging and old folders that an interrupted build left beside ``out``."""
    if not out.parent.is_dir():
        return
    for prefix in (f".{out.name}.staging-", f".{out.name}.old-"):
        for path in out.parent.glob(prefix + "*"):
            try:
                pid = int(path.name.rsplit("-", 1)[1])
            except ValueError:
                pid = 0
            if not _alive(pid) or pid == os.getpid():
                shutil.rmtree(path, ignore_errors=True)


class Staging:
    """A folder beside ``out`` that becomes the new output only when :meth:`commit` is called.

    Use it as a context manager: if anything fails (or the build is interrupted) before the
    commit, the staging folder is removed and ``out`` is untouched. ``path`` may be written by
    worker processes too (they write whole files under it, each to its own path).
    """

    def __init__(self, out: Path) -> None:
        self.out = out
        self.path = out.parent / f".{out.name}.staging-{os.getpid()}"
        self._made: set[Path] = set()
        self._committed = False

    def __enter__(self) -> Staging:
        clean_stale(self.out)
        shutil.rmtree(self.path, ignore_errors=True)
        self.path.mkdir(parents=True)
        self._made = {self.path}
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:
            shutil.rmtree(self.path, ignore_errors=True)

    def target(self, rel: str) -> Path:
        """The staging path for site path ``rel``, with its folder created."""
        target = self.path.joinpath(*rel.split("/"))
        if target.parent not in self._made:
            target.parent.mkdir(parents=True, exist_ok=True)
            self._made.add(target.parent)
        return target

    def write(self, rel: str, data: bytes) -> None:
        self.target(rel).write_bytes(data)

    def copy(self, rel: str, source: Path) -> None:
        shutil.copyfile(source, self.target(rel))

    def reuse(self, rel: str, source: Path) -> None:
        """Take an unchanged file of the previous output: a hard link (it keeps its bytes and
        modification time), or a copy where links are not possible."""
        target = self.target(rel)
        try:
            os.link(source, target)
        except OSError:
            shutil.copy2(source, target)

    def commit(self) -> None:
        swap(self.path, self.out)
        self._committed = True


def publish(files: Mapping[str, bytes], copies: Mapping[str, Path], out: Path,
            reuse: Mapping[str, Path] | None = None) -> None:
    """Write ``files`` (site path -> bytes) and ``copies`` (site path -> file to copy), then swap in.

    ``reuse`` names unchanged files of the previous output (site path -> file in ``out``), taken
    with :meth:`Staging.reuse`. The old output is only replaced, never written into.
    """
    with Staging(out) as stage:
        for rel, source in sorted((reuse or {}).items()):
            stage.reuse(rel, source)
        for rel, source in sorted(copies.items()):
            stage.copy(rel, source)
        for rel, data in sorted(files.items()):
            stage.write(rel, data)
        stage.commit()


def swap(staging: Path, out: Path) -> None:
    """Put ``staging`` in place of ``out``; the old output is removed only after the swap."""
    old = out.parent / f".{out.name}.old-{os.getpid()}"
    had_old = out.exists()
    if had_old:
        os.replace(out, old)
    try:
        os.replace(staging, out)
    except OSError as exc:
        if had_old:
            os.replace(old, out)
        if exc.errno in (errno.EXDEV, errno.ENOTEMPTY):  # pragma: no cover - exotic file systems
            raise PublishError(f"could not move the new site into {out}: {exc}") from exc
        raise
    if had_old:
        shutil.rmtree(old, ignore_errors=True)
