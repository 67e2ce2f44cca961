"""Write a finished site without ever leaving a half-written one: the `publish` stage.

Files go into a staging folder beside the output; only when every file is written is the
staging folder swapped in. A lock keeps two builds from writing one output at once, and
staging folders left by an interrupted build are removed by the next one.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import json
import os
import shutil
import signal
import threading
from collections.abc import Iterable, Iterator, Mapping, Sequence
from pathlib import Path
from types import FrameType
from typing import Self

try:
    import fcntl
except ImportError:  # pragma: no cover - Windows: the process id in the lock file is the lock
    fcntl = None  # type: ignore[assignment]

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
    """An exclusive lock on ``out``, held by a lock file beside it, for the whole of a build's writing.

    The lock is an OS lock (``flock``) on that file, so the kernel releases it when a build dies,
    however it dies; the file also names the owner's process id, for the message a second
    build gets, and for systems without ``flock``. While it is held, SIGTERM interrupts the build
    the way Ctrl-C does, so the staging folder is removed and the output is left as it was.
    """
    out.parent.mkdir(parents=True, exist_ok=True)
    lock = out.parent / f".{out.name}.boardwatch-lock"
    fd = _acquire(lock, out)
    try:
        with _sigterm_interrupts():
            yield
    finally:
        lock.unlink(missing_ok=True)  # while still holding it: a waiting build then retries on a new file
        os.close(fd)


def _acquire(lock: Path, out: Path) -> int:
    def refuse(owner: int) -> PublishError:
        who = f"(process {owner}) " if owner > 0 else ""
        return PublishError(f"another boardwatch build {who}is writing to {out}; wait for it to finish, "
                            f"or remove {lock} if no build is running")

    for _attempt in range(20):
        fd = os.open(lock, os.O_CREAT | os.O_RDWR, 0o644)
        try:
            if fcntl is not None:
                try:
                    fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                except OSError:
                    raise refuse(_owner(fd)) from None
                try:
                    if os.fstat(fd).st_ino != os.stat(lock).st_ino:
                        raise FileNotFoundError  # the holder removed it as we opened it: try a new file
                except FileNotFoundError:
                    os.close(fd)
                    continue
            owner = _owner(fd)
            if owner != os.getpid() and _alive(owner):
                raise refuse(owner)  # a build that holds the lock without flock, or a stale pid: be safe
            os.ftruncate(fd, 0)
            os.pwrite(fd, str(os.getpid()).encode("ascii"), 0)
            return fd
        except BaseException:
            with contextlib.suppress(OSError):
                os.close(fd)
            raise
    raise PublishError(f"could not lock {out}: remove {lock} if no build is running")  # pragma: no cover


def _owner(fd: int) -> int:
    try:
        return int(os.pread(fd, 32, 0).decode("ascii", "replace").strip() or "0")
    except (OSError, ValueError):
        return 0


_interrupted: list[int] = []  # signals received while a build held its lock
# Code that an exception raised at an arbitrary point can wedge (a process pool left waiting for
# a worker it half started) or that silently drops it (the hooks around fork()).
_FRAGILE = tuple(os.sep + part for part in (f"concurrent{os.sep}futures{os.sep}", f"multiprocessing{os.sep}",
                                            "threading.py", f"logging{os.sep}", "selectors.py", "queue.py"))
# Code run by exec() from a string (dataclasses and namedtuple make their methods so). CPython
# marks a KeyboardInterrupt that leaves such code as unhandled for good, and the process then
# ends by SIGINT whatever it returns, even after catching it.
_EXEC_STRING = "<string>"


def _on_signal(signum: int, frame: FrameType | None) -> None:
    """Raise KeyboardInterrupt where that is safe; inside the process-pool machinery, only remember
    the signal: the build then stops at its next write (Staging checks) and never swaps in.
    A second signal always raises at once."""
    first = not _interrupted
    _interrupted.append(signum)
    if first and _in_fragile_code(frame):
        return
    raise KeyboardInterrupt(f"interrupted by signal {signum}")


def _in_fragile_code(frame: FrameType | None) -> bool:
    while frame is not None:
        name = frame.f_code.co_filename
        if name == _EXEC_STRING or any(part in name for part in _FRAGILE):
            return True
        frame = frame.f_back
    return False


def check_interrupt() -> None:
    """Raise KeyboardInterrupt if a signal arrived while the lock was held and was held back."""
    if _interrupted:
        raise KeyboardInterrupt(f"interrupted by signal {_interrupted[0]}")


@contextlib.contextmanager
def _sigterm_interrupts() -> Iterator[None]:
    """SIGTERM (and SIGINT) raise KeyboardInterrupt in the main thread and are remembered, so
    ``finally`` blocks and context managers clean up and nothing is swapped in; the previous
    handlers are restored afterwards. A handler a program set itself is kept, and so are the
    handlers of other threads, where Python cannot set any."""
    _interrupted.clear()
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    defaults = {signal.SIGTERM: signal.SIG_DFL, signal.SIGINT: signal.default_int_handler}
    replaced = {signum: default for signum, default in defaults.items() if signal.getsignal(signum) is default}
    for signum in replaced:
        signal.signal(signum, _on_signal)
    try:
        yield
    finally:
        for signum, default in replaced.items():
            signal.signal(signum, default)
        _interrupted.clear()


@contextlib.contextmanager
def _signals_deferred() -> Iterator[None]:
    """Hold back SIGINT and SIGTERM for a few system calls that must not be separated."""
    mask = getattr(signal, "pthread_sigmask", None)
    if mask is None:  # pragma: no cover - not POSIX
        yield
        return
    held = {signal.SIGINT, signal.SIGTERM}
    previous = mask(signal.SIG_BLOCK, held)
    try:
        yield
    finally:
        mask(signal.SIG_SETMASK, previous)


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


def clean_stale(out: Path) -> bool:
    """Tidy what an interrupted build left beside ``out``: its staging folder is removed; its
    previous output, if the build died in the middle of the swap, is put back in place; an
    in-place update whose journal was written is finished, one that never got so far dropped.
    True when that changed the output."""
    changed = False
    if not out.parent.is_dir():
        return changed
    for kind in ("old", "staging", "patch"):  # 'old' first: it may be the only copy of the output
        pattern = glob.escape(f".{out.name}.{kind}-") + "*"
        for path in sorted(out.parent.glob(pattern)):
            pid = path.name.rsplit("-", 1)[1]
            if not pid.isdigit() or (_alive(int(pid)) and int(pid) != os.getpid()):
                continue  # not ours, or another build still running
            if kind == "old" and not out.exists() and (path / MARKER).is_dir():
                os.replace(path, out)
                changed = True
            elif kind == "patch" and (path / JOURNAL).is_file() and out.is_dir():
                _apply(path, out)  # an update that was cut short: finish it
                changed = True
            else:
                shutil.rmtree(path, ignore_errors=True)
    return changed


class _Beside:
    """A working folder beside ``out`` (``.OUT.KIND-PID``), removed unless the work was committed."""

    def __init__(self, out: Path, kind: str) -> None:
        self.out = out
        self.path = out.parent / f".{out.name}.{kind}-{os.getpid()}"
        self._committed = False

    def __enter__(self) -> Self:
        clean_stale(self.out)
        shutil.rmtree(self.path, ignore_errors=True)
        try:
            self.path.mkdir(parents=True)
        except BaseException:  # a signal right after mkdir: __exit__ would not run
            shutil.rmtree(self.path, ignore_errors=True)
            raise
        return self

    def __exit__(self, *exc: object) -> None:
        if not self._committed:
            shutil.rmtree(self.path, ignore_errors=True)


class Staging(_Beside):
    """A folder beside ``out`` that becomes the new output only when :meth:`commit` is called.

    Use it as a context manager: if anything fails (or the build is interrupted) before the
    commit, the staging folder is removed and ``out`` is untouched. ``path`` may be written by
    worker processes too (they write whole files under it, each to its own path).
    """

    def __init__(self, out: Path) -> None:
        super().__init__(out, "staging")
        self._made: set[Path] = {self.path}

    def target(self, rel: str) -> Path:
        """The staging path for site path ``rel``, with its folder created."""
        check_interrupt()
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

    # The interface Staging shares with Patch, so a build writes either the same way.
    @property
    def files_root(self) -> Path:
        """Where the new file for site path ``rel`` is written (``files_root / rel``), by workers too."""
        return self.path

    def keep(self, rel: str, source: Path) -> None:
        self.reuse(rel, source)

    def adopt(self, rels: Iterable[str]) -> None:
        """Files written under ``files_root`` by other processes."""

    def write_changed(self, rel: str, data: bytes) -> bool:
        self.write(rel, data)
        return True

    def new_stats(self, rels: Iterable[str], previous: Mapping[str, list[int]]) -> dict[str, list[int]]:
        """[size, mtime_ns] of each file at ``rels`` once committed (``previous``: see Patch)."""
        base = os.path.join(self.path, "")
        return {rel: [(st := os.stat(base + rel)).st_size, st.st_mtime_ns] for rel in rels}

    def remove(self, rel: str) -> None:
        """Nothing to do: only what was written is swapped in."""

    def commit(self) -> None:
        check_interrupt()  # never swap in a build that was asked to stop
        swap(self.path, self.out)
        self._committed = True


JOURNAL = "journal.json"


class Patch(_Beside):
    """A few files of ``out`` replaced, or removed, in place: the express path of a build.

    New files are written to a folder beside ``out``; :meth:`commit` writes a journal naming
    every change, then renames each new file over the old one and removes what goes. Each file
    is replaced whole (a reader sees the old or the new one), and if the process dies in the
    middle, the next build finishes the journal before it reads the output (``clean_stale``), so an
    update is applied completely or not at all.
    """

    def __init__(self, out: Path) -> None:
        super().__init__(out, "patch")
        self.written: dict[str, None] = {}  # in order: the manifest, written last, goes in last
        self.removed: list[str] = []

    def file(self, rel: str) -> Path:
        return self.path / "files" / rel

    @property
    def files_root(self) -> Path:
        return self.path / "files"

    def write(self, rel: str, data: bytes) -> None:
        check_interrupt()
        target = self.file(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
        self.written[rel] = None

    def splice(self, rel: str, edits: Sequence[tuple[int, int, bytes]]) -> None:
        """Write ``rel`` as the output's file with each (start, end, new bytes) of ``edits`` (in
        order, disjoint) made: the bytes between them are copied by the kernel where it can."""
        check_interrupt()
        target = self.file(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        with open(self.out / rel, "rb", buffering=0) as src, open(target, "wb", buffering=0) as dst:
            at = 0
            for start, end, data in edits:
                _copy_range(src.fileno(), dst.fileno(), at, start - at)
                _write_all(dst.fileno(), data)
                at = end
            _copy_range(src.fileno(), dst.fileno(), at, os.fstat(src.fileno()).st_size - at)
        self.written[rel] = None

    def write_changed(self, rel: str, data: bytes) -> bool:
        """Write ``data`` unless the output already holds exactly it; whether it was written."""
        current = self.out / rel
        try:
            if current.stat().st_size == len(data) and current.read_bytes() == data:
                return False
        except OSError:
            pass
        self.write(rel, data)
        return True

    def keep(self, rel: str, source: Path) -> None:
        """Site path ``rel`` keeps, or takes, the file ``source`` of the output."""
        if source != self.out / rel:
            self.write_changed(rel, source.read_bytes())

    def copy(self, rel: str, source: Path) -> None:
        self.write_changed(rel, source.read_bytes())

    def adopt(self, rels: Iterable[str]) -> None:
        self.written.update(dict.fromkeys(rels))

    def new_stats(self, rels: Iterable[str], previous: Mapping[str, list[int]]) -> dict[str, list[int]]:
        """[size, mtime_ns] of each file at ``rels`` once committed. ``previous`` holds the
        output's files as the build found them, checked before it started: a file this patch
        leaves alone keeps that record (if it is edited meanwhile, the next build sees it
        differ, as it should)."""
        out: dict[str, list[int]] = {}
        written, fresh, base = self.written, os.path.join(self.files_root, ""), os.path.join(self.out, "")
        for rel in rels:
            known = previous.get(rel)
            if known is not None and rel not in written:
                out[rel] = known
            else:
                st = os.stat(fresh + rel if rel in written else base + rel)
                out[rel] = [st.st_size, st.st_mtime_ns]
        return out

    def remove(self, rel: str) -> None:
        self.removed.append(rel)

    def commit(self) -> None:
        check_interrupt()  # never start on an update that was asked to stop
        journal = json.dumps({"write": list(self.written), "remove": self.removed}).encode("utf-8")
        tmp = self.path / (JOURNAL + ".tmp")
        tmp.write_bytes(journal)
        with _signals_deferred():
            os.replace(tmp, self.path / JOURNAL)  # from here on, the update happens
            _apply(self.path, self.out)
        self._committed = True


def _copy_range(src: int, dst: int, offset: int, count: int) -> None:
    """Append ``count`` bytes of ``src`` from ``offset`` to ``dst`` (at its position)."""
    while count > 0:
        try:
            done = os.copy_file_range(src, dst, count, offset)
        except (AttributeError, OSError):  # not on this system or file system: copy through here
            os.lseek(src, offset, os.SEEK_SET)
            done = len(chunk := os.read(src, min(count, 1 << 24)))
            _write_all(dst, chunk)
        if done == 0:
            raise OSError(errno.EIO, "the file changed while it was copied")
        offset += done
        count -= done


def _write_all(fd: int, data: bytes) -> None:
    view = memoryview(data)
    while view:
        view = view[os.write(fd, view):]


LARGE = 1 << 20  # a file this large that a patch replaces is freed in the background (see _apply)
_DISCARDING: list[threading.Thread] = []


def _apply(patch: Path, out: Path) -> None:
    """Carry out the journal in ``patch`` (again, if it was cut short): every step can be repeated.

    Replacing a large file makes the file system free the old one's blocks there and then (28 ms
    for the 45 MB of data/articles.json at 10k articles). A large file replaced is linked into
    the patch folder first, so the rename only unlinks a name, and the folder is removed by a
    thread while the build finishes: :func:`settle` waits for it."""
    journal = json.loads((patch / JOURNAL).read_text("utf-8"))
    replaced = patch / "replaced"
    for i, rel in enumerate(journal["write"]):
        source, target = patch / "files" / rel, out / rel
        if source.exists():
            target.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(OSError):
                if os.stat(target).st_size >= LARGE:
                    replaced.mkdir(exist_ok=True)
                    os.link(target, replaced / str(i))
            os.replace(source, target)
    for rel in journal["remove"]:
        (out / rel).unlink(missing_ok=True)
    if replaced.is_dir():
        thread = threading.Thread(target=shutil.rmtree, args=(patch,), kwargs={"ignore_errors": True},
                                  name="boardwatch-discard")
        thread.start()
        _DISCARDING.append(thread)
    else:
        shutil.rmtree(patch, ignore_errors=True)


def settle() -> None:
    """Wait until the files patches replaced are gone (see _apply)."""
    while _DISCARDING:
        _DISCARDING.pop().join()


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
    with _signals_deferred():  # an interrupt between the two renames would leave no output at all
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
