"""The one mapping of a record onto the graph: its conversation's properties and the nodes it
links to, with the relationship each link is.

Both writers start here: :mod:`graph.writer` sends the rows as ``UNWIND`` parameters and
:mod:`graph.bulk` writes them as the importer's CSV cells, so the two paths cannot drift.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, NamedTuple

from valuegraph.domain import ExtractedRecord
from valuegraph.keys import normalise_key

# The Conversation node's properties in the order both writers use, each with the importer's
# type for its column (None: a string). ``id`` is the node's key.
CONVERSATION_PROPERTIES: tuple[tuple[str, str | None], ...] = (
    ("id", None),
    ("model", None),
    ("created_at", "datetime"),
    ("subjective", "boolean"),
    ("response_type", None),
    ("language", None),
    ("source", None),
    ("text", None),
)


class RecordRows(NamedTuple):
    """One record as the graph stores it.

    ``conversation`` holds the values of :data:`CONVERSATION_PROPERTIES` in that order. The
    conversation is ``ABOUT`` its task, ``AI_EXPRESSED`` each AI value (with ``explicit``),
    ``HUMAN_EXPRESSED`` each human value and ``BY_MODEL`` its model, if it names one.
    """

    conversation: tuple[Any, ...]
    task_key: str
    task_name: str
    ai_values: dict[str, tuple[str, bool]]  # key -> (first display name, explicit)
    human_values: dict[str, str]  # key -> first display name
    model: str | None  # a Model's name is its key


def record_rows(record: ExtractedRecord, *, store_text: bool = False) -> RecordRows:
    """``record`` mapped onto the graph; raw text is kept only with ``store_text``."""
    return RecordRows(
        conversation=(
            record.conversation_id,
            record.model,
            record.created_at,
            record.subjective,
            record.response_type.value,
            record.language,
            record.source,
            record.text if store_text else None,
        ),
        task_key=normalise_key(record.task),
        task_name=record.task,
        ai_values=record.ai_value_keys(),
        human_values=record.human_value_keys(),
        model=record.model,
    )


def conversation_parameters(rows: RecordRows) -> dict[str, Any]:
    """The ``UNWIND`` row of one conversation: its properties and the keys it links to."""
    names = (name for name, _ in CONVERSATION_PROPERTIES)
    properties = dict(zip(names, rows.conversation, strict=True))
    return {
        **properties,
        "task_key": rows.task_key,
        "ai": [{"key": key, "explicit": explicit} for key, (_, explicit) in rows.ai_values.items()],
        "human": list(rows.human_values),
    }


def csv_cell(value: Any) -> Any:
    """A property value as the importer's CSV reads it (its typed columns above)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, datetime):
        return value.isoformat()
    return value


# The places of the typed columns: only those cells need converting, and the bulk path
# converts millions of rows.
_TYPED_COLUMNS = tuple(i for i, (_, kind) in enumerate(CONVERSATION_PROPERTIES) if kind)


def conversation_cells(rows: RecordRows) -> list[Any]:
    """The Conversation node's CSV cells, in :data:`CONVERSATION_PROPERTIES` order."""
    cells = list(rows.conversation)
    for column in _TYPED_COLUMNS:
        cells[column] = csv_cell(cells[column])
    return cells
