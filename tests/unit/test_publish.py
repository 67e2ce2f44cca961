"""The publish stage: staging + swap, a failed write leaves the old output, the lock, safety."""

from __future__ import annotations

import errno
import os
from pathlib import Path

import pytest
from site_helpers import tree_bytes

from boardwatch.publish import (LARGE, MARKER, Patch, PublishError, check_output, clean_stale, output_lock, publish,
                                settle)


def _leftovers(out: Path) -> list[str]:
    return sorted(p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}."))


def _publish_v1(out: Path, tmp_path: Path) -> dict[str, bytes]:
    static = tmp_path / "logo.svg"
    static.write_bytes(b"<svg/>")
    publish({"index.html": b"v1", "people/x.html": b"x1", f"{MARKER}/build.txt": b"b"},
            {"assets/logo.svg": static}, out)
    return tree_bytes(out)


def test_publish_writes_files_and_copies(tmp_path: Path) -> None:
    out = tmp_path / "out"
    tree = _publish_v1(out, tmp_path)
    assert tree == {"index.html": b"v1", "people/x.html": b"x1", f"{MARKER}/build.txt": b"b",
                    "assets/logo.svg": b"<svg/>"}
    assert _leftovers(out) == []


def test_publish_replaces_the_whole_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _publish_v1(out, tmp_path)
    publish({"index.html": b"v2", "states/y.html": b"y"}, {}, out)
    assert tree_bytes(out) == {"index.html": b"v2", "states/y.html": b"y"}  # people/x.html is gone
    assert _leftovers(out) == []


def test_a_failed_write_leaves_the_old_output_untouched(tmp_path: Path) -> None:
    out = tmp_path / "out"
    before = _publish_v1(out, tmp_path)
    with pytest.raises(OSError):
        publish({"index.html": b"v2"}, {"assets/missing.svg": tmp_path / "does-not-exist.svg"}, out)
    assert tree_bytes(out) == before
    assert _leftovers(out) == []  # the staging folder is removed


def test_reused_files_keep_their_bytes(tmp_path: Path) -> None:
    out = tmp_path / "out"
    _publish_v1(out, tmp_path)
    publish({"index.html": b"v2"}, {}, out, reuse={"people/x.html": out / "people" / "x.html"})
    assert tree_bytes(out) == {"index.html": b"v2", "people/x.html": b"x1"}


def test_stale_staging_and_old_folders_are_cleaned(tmp_path: Path) -> None:
    out = tmp_path / "out"
    dead = tmp_path / ".out.staging-999999999"
    old = tmp_path / ".out.old-999999999"
    live = tmp_path / f".out.staging-{os.getppid()}"  # another running process: left alone
    for folder in (dead, old, live):
        folder.mkdir()
        (folder / "f").write_text("x")
    assert not clean_stale(out)  # nothing was put in the output
    assert not dead.exists() and not old.exists()
    assert live.exists()


def test_lock_is_held_and_released(tmp_path: Path) -> None:
    out = tmp_path / "out"
    lock = tmp_path / ".out.boardwatch-lock"
    with output_lock(out):
        assert lock.read_text() == str(os.getpid())
    assert not lock.exists()
    with pytest.raises(RuntimeError), output_lock(out):
        raise RuntimeError("build failed")
    assert not lock.exists()


def test_a_lock_held_by_another_running_build_is_refused(tmp_path: Path) -> None:
    out = tmp_path / "out"
    lock = tmp_path / ".out.boardwatch-lock"
    lock.write_text(str(os.getppid()))  # a live process that is not this one
    with pytest.raises(PublishError, match="another boardwatch build"):
        with output_lock(out):
            pass
    assert lock.read_text() == str(os.getppid())  # not taken over, not removed


@pytest.mark.parametrize("content", ["999999999", "", "not a pid"])
def test_a_stale_lock_is_taken_over(tmp_path: Path, content: str) -> None:
    out = tmp_path / "out"
    lock = tmp_path / ".out.boardwatch-lock"
    lock.write_text(content)
    with output_lock(out):
        assert lock.read_text() == str(os.getpid())
    assert not lock.exists()


def test_check_output_accepts_new_empty_and_previous_outputs(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    check_output(tmp_path / "new", root)
    (tmp_path / "empty").mkdir()
    check_output(tmp_path / "empty", root)
    (tmp_path / "previous" / MARKER).mkdir(parents=True)
    (tmp_path / "previous" / "index.html").write_text("x")
    check_output(tmp_path / "previous", root)
    check_output(root / "site", root)  # the default: site/ inside the site folder


@pytest.mark.parametrize("where, why", [
    (".", "contains the site"), ("..", "contains the site"), ("content/out", "inside the site's content/"),
    ("templates", "inside the site's templates/"), ("static/x", "inside the site's static/"),
])
def test_check_output_refuses_to_replace_the_site(tmp_path: Path, where: str, why: str) -> None:
    root = tmp_path / "site"
    for folder in ("content", "templates", "static"):
        (root / folder).mkdir(parents=True)
    with pytest.raises(PublishError, match=why):
        check_output(root / where, root)


def test_check_output_refuses_a_foreign_folder_or_a_file(tmp_path: Path) -> None:
    root = tmp_path / "site"
    (root / "content").mkdir(parents=True)
    foreign = tmp_path / "documents"
    foreign.mkdir()
    (foreign / "thesis.docx").write_text("precious")
    with pytest.raises(PublishError, match="not written by boardwatch"):
        check_output(foreign, root)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(PublishError, match="not a folder"):
        check_output(a_file, root)


def _patched_site(tmp_path: Path) -> Path:
    out = tmp_path / "site"
    publish({"a.html": b"old a", "b.html": b"old b", "gone.html": b"bye"}, {}, out)
    return out


def test_a_patch_replaces_and_removes_files_in_place(tmp_path: Path) -> None:
    out = _patched_site(tmp_path)
    untouched = (out / "b.html").stat().st_ino
    with Patch(out) as patch:
        patch.write("a.html", b"new a")
        patch.write("sub/c.html", b"new c")
        patch.remove("gone.html")
        patch.commit()
    assert (out / "a.html").read_bytes() == b"new a" and (out / "sub/c.html").read_bytes() == b"new c"
    assert not (out / "gone.html").exists() and (out / "b.html").stat().st_ino == untouched
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # nothing left beside it


@pytest.mark.parametrize("kernel_copy", [True, False])
def test_a_patch_splices_byte_ranges_of_a_large_file(tmp_path: Path, monkeypatch: pytest.MonkeyPatch,
                                                      kernel_copy: bool) -> None:
    out = _patched_site(tmp_path)
    big = bytes(range(256)) * 200_000  # 51 MB: more than one fallback chunk
    (out / "data.json").write_bytes(big)
    if not kernel_copy:  # a system or file system without copy_file_range
        def unsupported(*args: object) -> int:
            raise OSError(errno.EXDEV, "not here")
        monkeypatch.setattr(os, "copy_file_range", unsupported)
    edits = [(0, 3, b"<start>"), (1000, 1000, b"<inserted>"), (40_000_000, 40_000_256, b""),
             (len(big) - 1, len(big), b"<end>")]
    with Patch(out) as patch:
        patch.splice("data.json", edits)
        patch.commit()
    expected = b"".join([b"<start>", big[3:1000], b"<inserted>", big[1000:40_000_000], big[40_000_256:-1], b"<end>"])
    assert (out / "data.json").read_bytes() == expected
    assert (out / "a.html").read_bytes() == b"old a"


def test_a_large_file_a_patch_replaces_is_freed_beside_the_build_and_gone_when_it_settles(tmp_path: Path) -> None:
    out = _patched_site(tmp_path)
    (out / "data.json").write_bytes(b"o" * LARGE)
    with open(out / "data.json", "rb") as reader:  # a reader of the old file, as a web server may be
        with Patch(out) as patch:
            patch.write("data.json", b"n" * (LARGE + 1))
            patch.write("a.html", b"new a")  # small: replaced as usual
            patch.commit()
        assert (out / "data.json").read_bytes() == b"n" * (LARGE + 1)
        assert (out / "a.html").read_bytes() == b"new a"
        settle()
        assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]  # the old copy is gone
        assert reader.read() == b"o" * LARGE  # ...and was never changed in place
    settle()  # nothing left to wait for


def test_a_patch_that_fails_before_its_commit_changes_nothing(tmp_path: Path) -> None:
    out = _patched_site(tmp_path)
    with pytest.raises(RuntimeError), Patch(out) as patch:
        patch.write("a.html", b"new a")
        raise RuntimeError("the build failed")
    assert (out / "a.html").read_bytes() == b"old a"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_a_patch_cut_short_is_finished_by_the_next_build(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    out = _patched_site(tmp_path)
    real_replace = os.replace
    calls: list[str] = []

    def dies_after_one_file(source: str, target: str) -> None:
        real_replace(source, target)
        calls.append(str(target))
        if len(calls) == 2:  # the journal, then one file: then the process "dies"
            raise SystemExit("killed")

    monkeypatch.setattr(os, "replace", dies_after_one_file)
    with pytest.raises(SystemExit), Patch(out) as patch:
        patch.write("a.html", b"new a")
        patch.write("b.html", b"new b")
        patch.remove("gone.html")
        patch._committed = True  # a dead process cleans nothing up
        patch.commit()
    monkeypatch.undo()
    assert (out / "a.html").read_bytes() == b"new a" and (out / "b.html").read_bytes() == b"old b"
    monkeypatch.setattr("boardwatch.publish._alive", lambda pid: False)  # its process is gone
    assert clean_stale(out)  # the output changed
    assert (out / "b.html").read_bytes() == b"new b" and not (out / "gone.html").exists()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]
