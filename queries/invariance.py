"""Context invariance: how much a value's frequency varies across tasks or human values.

For each value with at least ``min_support`` conversations, its frequency in a context is the
share of the context's conversations that express it; the coefficient of variation of that
frequency over all contexts with at least ``min_context_conversations`` conversations says how
context-dependent the value is. The study found the most frequent values also the most
invariant.

A row rests on the value's conversations; a context rests on its own. Both are held to k.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from valuegraph.errors import InputError
from valuegraph.queries.counting import ConversationFilter, CoOccurrence, Levels, require_clusters
from valuegraph.queries.privacy import count_suppressed
from valuegraph.queries.results import (
    CONTEXTS,
    AssociationKind,
    Context,
    InvarianceResult,
    InvarianceRow,
)
from valuegraph.queries.stats import coefficient_of_variation

DEFAULT_MIN_SUPPORT = 50  # below this a value's CV is mostly sampling noise
DEFAULT_MIN_CONTEXT_CONVERSATIONS = 30


@dataclass(frozen=True)
class InvarianceQuestion:
    """The arguments of :func:`queries.analyses.invariance`, checked when made.

    ``across`` is ``task`` or ``human-value``. With ``top``, only the ``top`` most invariant
    and the ``top`` most dependent values are kept (in that order, lowest CV first).
    """

    across: Context = "task"
    value_level: int = 0
    model: str | None = None
    min_support: int = DEFAULT_MIN_SUPPORT
    min_context_conversations: int = DEFAULT_MIN_CONTEXT_CONVERSATIONS
    top: int | None = None

    def __post_init__(self) -> None:
        if self.across not in CONTEXTS:
            raise InputError(f"unknown context {self.across!r} (one of: {', '.join(CONTEXTS)})")
        for name, number in (
            ("min_support", self.min_support),
            ("min_context_conversations", self.min_context_conversations),
        ):
            if isinstance(number, bool) or not isinstance(number, int) or number < 1:
                raise InputError(f"{name} must be a positive integer, got {number!r}")
        top = self.top
        if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
            raise InputError(f"top must be a positive integer, got {top!r}")

    @property
    def kind(self) -> AssociationKind:
        """The co-occurrence table the contexts come from."""
        return "value-task" if self.across == "task" else "ai-human"

    @property
    def levels(self) -> Levels:
        return Levels(value_level=self.value_level)

    @property
    def where(self) -> ConversationFilter:
        return ConversationFilter(model=self.model)


def invariance_table(
    table: CoOccurrence,
    *,
    across: Context,
    value_level: int,
    min_support: int,
    min_context_conversations: int,
    top: int | None,
    min_conversations: int,
) -> InvarianceResult:
    """Values ranked from most context-invariant (lowest CV) to most context-dependent, from a
    co-occurrence table already read (pure: no database)."""
    kind: AssociationKind = "value-task" if across == "task" else "ai-human"
    require_clusters(table, kind, Levels(value_level=value_level))
    k = min_conversations
    support_floor = max(k, min_support)
    context_floor = max(k, min_context_conversations)
    contexts = np.flatnonzero(table.cols.conversations >= context_floor)
    ranked = np.flatnonzero(table.rows.conversations >= support_floor)
    notes: list[str] = []
    rows: list[InvarianceRow] = []
    if contexts.size and ranked.size:
        counts = table.together[ranked][:, contexts]
        sizes = table.cols.conversations[contexts]
        cv = coefficient_of_variation(counts, sizes)
        frequency = counts.multiply(1.0 / sizes[np.newaxis, :])
        mean = np.asarray(frequency.sum(axis=1)).ravel() / contexts.size
        order = np.lexsort((np.array(table.rows.keys)[ranked], cv))
        order = order[np.isfinite(cv[order])]
        for i in order.tolist():
            value = int(ranked[i])
            rows.append(
                InvarianceRow(
                    value=table.rows.names[value],
                    conversations=int(table.rows.conversations[value]),
                    contexts=int(contexts.size),
                    mean_frequency=float(mean[i]),
                    coefficient_of_variation=float(cv[i]),
                    value_key=table.rows.keys[value],
                )
            )
    else:
        notes.append(
            f"no {across.replace('-', ' ')} has {context_floor} conversations, or no value has "
            f"{support_floor}: nothing to rank"
        )
    if top is not None and len(rows) > 2 * top:
        rows = rows[:top] + rows[-top:]
    return InvarianceResult(
        analysis="invariance",
        rows=tuple(rows),
        suppressed=count_suppressed(table.rows.conversations, k),
        min_conversations=k,
        conversations=table.conversations,
        notes=tuple(notes),
        across=across,
        min_support=support_floor,
        min_context_conversations=context_floor,
    )
