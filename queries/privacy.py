"""The aggregation threshold k: no aggregate may rest on fewer than k distinct conversations.

Clio calls this an aggregation threshold. Every analysis passes its rows through here:

- :func:`keep_mask` - which rows of a vectorised table may be shown;
- :func:`apply_threshold` - the same for a sequence of row objects, with the count suppressed;
- :func:`check_k` - validates k itself;
- :func:`unknown_or_rare` - the one error for an item asked for by name that is either absent
  or too rare to show. Saying "too rare" would itself reveal that the item occurs, so both
  cases read the same.

What "rests on" means is decided by each analysis and documented there: a value's frequency
rests on the conversations with the value; an association on the conversations with both
items; a mirroring rate on the conversations of its response type with human values. A
suppressed row is never dropped silently: every result carries how many were suppressed.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

import numpy as np
import numpy.typing as npt

from valuegraph.errors import InputError

T = TypeVar("T")

DEFAULT_MIN_CONVERSATIONS = 5  # the default of VALUEGRAPH_MIN_CONVERSATIONS


def check_k(min_conversations: int) -> int:
    """``min_conversations`` itself, if it is a usable threshold."""
    if isinstance(min_conversations, bool) or not isinstance(min_conversations, int):
        raise InputError(f"min_conversations must be an integer, got {min_conversations!r}")
    if min_conversations < 1:
        raise InputError(f"min_conversations must be at least 1, got {min_conversations}")
    return min_conversations


def keep_mask(support: npt.ArrayLike, min_conversations: int) -> npt.NDArray[np.bool_]:
    """True where a row rests on at least k conversations."""
    return np.asarray(support) >= check_k(min_conversations)


def count_suppressed(support: npt.ArrayLike, min_conversations: int) -> int:
    """Rows that exist (support of at least 1) but rest on fewer than k conversations."""
    values = np.asarray(support)
    return int(np.count_nonzero((values >= 1) & (values < check_k(min_conversations))))


@dataclass(frozen=True)
class Thresholded(Generic[T]):
    """The rows that may be shown, and how many were not."""

    kept: tuple[T, ...]
    suppressed: int


def apply_threshold(
    rows: Iterable[T], support: Callable[[T], int], min_conversations: int
) -> Thresholded[T]:
    """Keep the rows whose ``support`` is at least k; count the others (those with support > 0)."""
    k = check_k(min_conversations)
    kept: list[T] = []
    suppressed = 0
    for row in rows:
        count = support(row)
        if count >= k:
            kept.append(row)
        elif count > 0:
            suppressed += 1
    return Thresholded(tuple(kept), suppressed)


def unknown_or_rare(what: str, name: str, min_conversations: int) -> InputError:
    """The error for an item that is absent or rests on fewer than k conversations (same text)."""
    return InputError(f"no {what} {name!r} with at least {min_conversations} conversations")
