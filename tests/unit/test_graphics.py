"""The pictures' layout helpers."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st

from boardwatch.graphics import _Lanes

LABELS = st.lists(st.tuples(st.integers(-50, 800), st.integers(1, 400)), max_size=80)


@settings(max_examples=300, deadline=None, derandomize=True, database=None)
@given(LABELS)
def test_each_label_goes_to_the_first_lane_it_fits(labels: list[tuple[int, int]]) -> None:
    lanes = _Lanes(len(labels))
    ends: list[float] = []  # the definition, one lane after another
    for start, width in labels:
        expected = next((i for i, end in enumerate(ends) if start > end), len(ends))
        if expected == len(ends):
            ends.append(0.0)
        ends[expected] = start + width
        assert lanes.place(start, start + width) == expected
    assert lanes.used == len(ends)
