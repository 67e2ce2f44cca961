"""The output manifest patched in place: an edit's rebuild changes a few of its values, and the
patched bytes must be exactly what encoding the new manifest whole gives."""

from __future__ import annotations

import json

from hypothesis import given, settings
from hypothesis import strategies as st

from boardwatch.cache import Manifest, manifest_bytes, manifest_splice

# Keys that look like the manifest's own parts, hold JSON's special characters or are prefixes
# and suffixes of one another.
KEYS = st.sampled_from(["a.html", "b/a.html", "a.html.x", "header", "pages", "files", "sources", "inputs", 'q"uote',
                        "back\\slash", "comma,", "{brace}", "[list]", "é/ü.html", "\u2028", ":", "articles/x.html"])
HEX = st.text("0123456789abcdef", min_size=1, max_size=8)
STAT = st.lists(st.integers(0, 10**18), min_size=2, max_size=2)
SOURCE = st.tuples(st.one_of(st.none(), st.integers(0, 10**6)), st.one_of(st.none(), st.integers(0, 10**18)),
                   st.one_of(st.none(), st.integers(0, 10**18)), HEX).map(list)


@st.composite
def manifests(draw: st.DrawFn) -> tuple[Manifest, Manifest]:
    files = draw(st.dictionaries(KEYS, STAT, max_size=8))
    pages = draw(st.dictionaries(KEYS, HEX, max_size=8))
    sources = draw(st.dictionaries(KEYS, SOURCE, max_size=8))
    unindexed = draw(st.one_of(st.none(), st.lists(KEYS, max_size=3)))
    old = Manifest(draw(HEX), dict(sorted(pages.items())), dict(sorted(files.items())),
                   dict(sorted(sources.items())), draw(HEX), draw(HEX), unindexed)

    def changed(mapping: dict[str, object], values: st.SearchStrategy[object]) -> dict[str, object]:
        return {key: draw(values) if draw(st.booleans()) else value for key, value in mapping.items()}
    new = Manifest(draw(st.one_of(st.just(old.inputs), HEX)), changed(old.pages, HEX),  # type: ignore[arg-type]
                   changed(old.files, STAT), changed(old.sources, SOURCE),  # type: ignore[arg-type]
                   old.settings, old.common, unindexed)
    return old, new


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(manifests())
def test_patched_bytes_are_the_new_manifest_encoded_whole(pair: tuple[Manifest, Manifest]) -> None:
    old, new = pair
    patched = manifest_splice(manifest_bytes(old), old, new)
    names = [*old.files, *old.pages, *old.sources, *(old.unindexed or ())]
    if any(brace in name for name in names for brace in "{}"):
        assert patched is None  # a brace in a name: encoded whole rather than judged
    else:
        assert patched == manifest_bytes(new)


@settings(max_examples=100, deadline=None, derandomize=True, database=None)
@given(manifests(), KEYS)
def test_a_key_added_or_a_setting_changed_is_encoded_whole(pair: tuple[Manifest, Manifest], key: str) -> None:
    old, new = pair
    previous = manifest_bytes(old)
    if key not in new.pages:
        assert manifest_splice(previous, old, Manifest(new.inputs, {**new.pages, key: "ab"}, new.files, new.sources,
                                                       new.settings, new.common, new.unindexed)) is None
    assert manifest_splice(previous, old, Manifest(new.inputs, new.pages, new.files, new.sources, "other",
                                                   new.common, new.unindexed)) is None


def test_bytes_that_do_not_hold_the_old_manifest_are_never_patched() -> None:
    old = Manifest("i1", {"a.html": "f1", "b.html": "f2"}, {"a.html": [1, 2], "b.html": [3, 4]},
                   {"content/a.md": [1, 2, 3, "s1"]}, "s", "c", None)
    new = Manifest("i2", {"a.html": "f9", "b.html": "f2"}, {"a.html": [5, 6], "b.html": [3, 4]},
                   {"content/a.md": [1, 2, 4, "s2"]}, "s", "c", None)
    previous = manifest_bytes(old)
    assert json.loads(manifest_splice(previous, old, new) or b"") == json.loads(manifest_bytes(new))
    # A value that is not the one read, a key written twice, a part missing: encoded whole.
    assert manifest_splice(previous.replace(b'"f1"', b'"f0"'), old, new) is None
    twice = previous.replace(b'"a.html":"f1",', b'"a.html":"f1","a.html":"f1",')
    assert twice != previous and manifest_splice(twice, old, new) is None
    assert manifest_splice(previous.replace(b'"pages"', b'"Pages"'), old, new) is None
    nested = previous.replace(b'"a.html":"f1"', b'"a.html":"f1","x":{"a.html":"f1"}')
    assert manifest_splice(nested, old, new) is None
    assert manifest_splice(b"", old, new) is None
