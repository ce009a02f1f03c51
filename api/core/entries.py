"""The records that more than one domain resolves to a ``Value`` or a ``Task``.

A value is resolved from a conversation's mention, an association row and the values lists; a
task from a mention and an association row. Each check of the privacy threshold is here once.
"""

from __future__ import annotations

from dataclasses import dataclass

from valuegraph.queries.catalog import CountedItem, ValueSides
from valuegraph.queries.catalog import Role as CatalogRole


@dataclass(frozen=True)
class ValueEntry:
    """A value on one side (AI or human), with the conversations it was counted in."""

    key: str
    name: str
    role: CatalogRole
    frequency: int
    model: str | None = None  # the filters it was counted under, if any
    response_type: str | None = None


def entry_from_sides(
    sides: ValueSides | None, role: CatalogRole | None, k: int
) -> ValueEntry | None:
    """The entry for a key on ``role`` (or the AI side, else the human side), if it reaches k."""
    if sides is None:
        return None
    candidates = (
        (CatalogRole.AI, sides.ai_name, sides.ai_frequency),
        (CatalogRole.HUMAN, sides.human_name, sides.human_frequency),
    )
    for side, name, frequency in candidates:
        if (role is None or role is side) and name is not None and frequency >= k:
            return ValueEntry(sides.key, name, side, frequency)
    return None


def visible_task(task: CountedItem | None, k: int) -> CountedItem | None:
    """The task if at least k conversations are about it; otherwise it stays hidden."""
    return task if task is not None and task.frequency >= k else None
