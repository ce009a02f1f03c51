"""The minimum-conversations threshold as pure functions: which counts are kept, how many rows
are suppressed, and a threshold below 1 refused."""

from __future__ import annotations

import pytest

from valuegraph.errors import InputError
from valuegraph.queries.privacy import apply_threshold, count_suppressed, keep_mask


def test_threshold_helpers() -> None:
    assert keep_mask([0, 4, 5, 9], 5).tolist() == [False, False, True, True]
    assert count_suppressed([0, 1, 4, 5], 5) == 2  # a zero is no row at all
    kept = apply_threshold([("a", 7), ("b", 2), ("c", 0)], lambda row: row[1], 5)
    assert kept.kept == (("a", 7),) and kept.suppressed == 1
    with pytest.raises(InputError):
        keep_mask([1], 0)
