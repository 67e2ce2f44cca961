"""Property: a whole build with arbitrary bytes in any one content file of a small site either
succeeds or ends with boardwatch's own ContentErrors, whose diagnostics name files of the site;
never another exception, never a hang, and a failed build leaves the previous output as it was.
"""

from __future__ import annotations

import threading
from pathlib import Path

import pytest
from fuzzkit import front_matter_documents, fuzz_settings, mutated
from hypothesis import given
from hypothesis import strategies as st
from site_helpers import BASE_SITE, make_site, tree_bytes

from boardwatch.build import BuildResult, ContentErrors, build
from boardwatch.diagnostics import CODES

CONTENT = sorted(path for path in BASE_SITE if path.startswith("content/"))
HANG_GUARD_SECONDS = 120


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Path]:
    tmp = tmp_path_factory.mktemp("fuzz-build")
    root = make_site(tmp)
    out = tmp / "out"
    build(root, out, use_cache=False, jobs=1)
    return root, out


def build_guarded(root: Path, out: Path) -> BuildResult | BaseException:
    """The build's result or exception; fails the test if it does not finish (a hang guard only)."""
    outcome: list[BuildResult | BaseException] = []

    def work() -> None:
        try:
            outcome.append(build(root, out, use_cache=False, jobs=1))
        except BaseException as exc:  # noqa: BLE001 - examined by the caller
            outcome.append(exc)

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    thread.join(HANG_GUARD_SECONDS)
    assert not thread.is_alive(), "the build did not finish"
    return outcome[0]


def check_build(root: Path, out: Path, rel: str, data: bytes) -> None:
    target = root / rel
    original = target.read_bytes()
    before = tree_bytes(out)
    target.write_bytes(data)
    try:
        outcome = build_guarded(root, out)
    finally:
        target.write_bytes(original)
    if isinstance(outcome, BuildResult):
        assert (out / "index.html").is_file()
    else:
        assert isinstance(outcome, ContentErrors), repr(outcome)
        errors = outcome.diagnostics.errors
        assert errors
        for d in errors:
            assert d.code in CODES and d.code != "BW900", d
            assert d.span.file and (root / d.span.file).exists(), d  # names a file of the site
            assert d.message and d.hint, d
        assert tree_bytes(out) == before  # a failed build leaves the previous output untouched
    assert [p.name for p in out.parent.iterdir() if p.name.startswith(f".{out.name}.")] == []


FILES = st.sampled_from(CONTENT)


@fuzz_settings(40)
@given(FILES, st.binary(max_size=2000))
def test_arbitrary_bytes_in_a_content_file(site: tuple[Path, Path], rel: str, data: bytes) -> None:
    check_build(*site, rel, data)


@fuzz_settings(60)
@given(FILES, st.data())
def test_mutated_content_files(site: tuple[Path, Path], rel: str, data: st.DataObject) -> None:
    text = data.draw(mutated(BASE_SITE[rel]))
    check_build(*site, rel, text.encode("utf-8"))


@fuzz_settings(40)
@given(FILES, front_matter_documents())
def test_front_matter_like_content_files(site: tuple[Path, Path], rel: str, text: str) -> None:
    check_build(*site, rel, text.encode("utf-8"))
