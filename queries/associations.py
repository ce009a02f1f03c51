"""Associations: which AI values go with which tasks, human values or response types.

For every pair (A, B) with at least ``min_count`` co-occurrences, a 2x2 chi-square test over
conversations (A present or not, by B present or not), the adjusted Pearson residual of the
(present, present) cell, and a Bonferroni correction over the number of tests run. The family
is always the whole table: asking for one value's partners does not shrink it.

A row rests on its observed count (the conversations with both items); rows under k are
suppressed. An item asked for by name that rests on fewer than k conversations is reported
exactly like an absent one, so the question cannot reveal that it occurs.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt

from valuegraph.errors import InputError
from valuegraph.queries.counting import (
    ConversationFilter,
    CoOccurrence,
    Levels,
    Units,
    require_clusters,
)
from valuegraph.queries.privacy import count_suppressed, unknown_or_rare
from valuegraph.queries.results import (
    ASSOCIATION_KINDS,
    AIHumanAssociation,
    AssociationKind,
    AssociationResult,
    AssociationRow,
    ValueResponseAssociation,
    ValueTaskAssociation,
)
from valuegraph.queries.stats import PairTests, association_tests

DEFAULT_MIN_COUNT = 5  # co-occurrences a pair needs to be tested

# The name of the partner side in messages, per kind.
_PARTNER = {"value-task": "task", "ai-human": "human value", "value-response": "response type"}


@dataclass(frozen=True)
class AssociationQuestion:
    """The arguments of :func:`queries.analyses.associations`, checked when made.

    ``kind`` is ``value-task``, ``ai-human`` or ``value-response``. ``value`` (a value key or
    name, or a cluster id or name at ``value_level`` 1-3) keeps one value's partners; ``task``,
    ``human_value`` or ``response_type`` keeps one partner's values (each only with its kind).
    ``alpha`` keeps pairs with Bonferroni-adjusted p at or below it (1: no filter); ``top``
    keeps the first rows. ``model`` restricts the conversations the table is taken over.
    """

    kind: AssociationKind
    value_level: int = 0
    task_level: int = 0
    model: str | None = None
    min_count: int = DEFAULT_MIN_COUNT
    value: str | None = None
    task: str | None = None
    human_value: str | None = None
    response_type: str | None = None
    alpha: float | None = None
    top: int | None = None

    def __post_init__(self) -> None:
        _check_arguments(
            self.kind,
            self.task_level,
            self.min_count,
            self.alpha,
            self.top,
            self.task,
            self.human_value,
            self.response_type,
        )
        Levels(value_level=self.value_level, task_level=self.task_level)  # checks the levels

    @property
    def levels(self) -> Levels:
        return Levels(value_level=self.value_level, task_level=self.task_level)

    @property
    def where(self) -> ConversationFilter:
        return ConversationFilter(model=self.model)

    @property
    def partner(self) -> str | None:
        """The one partner asked for, if any (task, human value or response type)."""
        return {"value-task": self.task, "ai-human": self.human_value}.get(
            self.kind, self.response_type
        )


def _check_arguments(
    kind: str,
    task_level: int,
    min_count: int,
    alpha: float | None,
    top: int | None,
    task: str | None,
    human_value: str | None,
    response_type: str | None,
) -> str | None:
    """Validate the arguments; return the partner asked for, if any."""
    if kind not in ASSOCIATION_KINDS:
        raise InputError(f"unknown kind {kind!r} (one of: {', '.join(ASSOCIATION_KINDS)})")
    given = {"value-task": task, "ai-human": human_value, "value-response": response_type}
    for other, name in given.items():
        if name is not None and other != kind:
            argument = {"value-task": "task", "ai-human": "human_value"}.get(other, "response_type")
            raise InputError(f"{argument} selects a partner only with kind {other}")
    if task_level and kind != "value-task":
        raise InputError("task_level applies only to kind value-task")
    if isinstance(min_count, bool) or not isinstance(min_count, int) or min_count < 1:
        raise InputError(f"min_count must be a positive integer, got {min_count!r}")
    if alpha is not None and not 0.0 < alpha <= 1.0:
        raise InputError(f"alpha must be in (0, 1], got {alpha!r}")
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InputError(f"top must be a positive integer, got {top!r}")
    return given[kind]


def _locate(units: Units, name: str, what: str, k: int) -> int:
    """The position of a named item that rests on at least k conversations."""
    position = units.find(name)
    if position is None or units.conversations[position] < k:
        raise unknown_or_rare(what, name, k)
    return position


def association_table(
    table: CoOccurrence,
    *,
    kind: AssociationKind,
    levels: Levels,
    min_count: int,
    value: str | None,
    partner: str | None,
    alpha: float | None,
    top: int | None,
    min_conversations: int,
) -> AssociationResult[Any]:
    """The association rows of a co-occurrence table already read (pure: no database).

    Pairs sorted by adjusted residual, largest first. A cluster level the table has no
    clusters at is an error, not an empty table.
    """
    require_clusters(table, kind, levels)
    k = min_conversations
    tests = association_tests(
        table.together,
        table.rows.conversations,
        table.cols.conversations,
        table.conversations,
        min_count=min_count,
    )
    counts = table.together.tocoo()
    in_selection = np.ones(counts.data.size, dtype=np.bool_)
    selected = np.ones(len(tests), dtype=np.bool_)
    value_what = (
        "AI value" if levels.value_level == 0 else f"level-{levels.value_level} value cluster"
    )
    if value is not None:
        row = _locate(table.rows, value, value_what, k)
        in_selection &= counts.row == row
        selected &= tests.rows == row
    if partner is not None:
        col = _locate(table.cols, partner, _PARTNER[kind], k)
        in_selection &= counts.col == col
        selected &= tests.cols == col
    suppressed = count_suppressed(counts.data[in_selection], k)
    shown = selected & (tests.observed >= k)
    if alpha is not None:
        shown &= tests.p_adjusted <= alpha
    kept = tests.select(shown)
    order = np.lexsort((kept.cols, kept.rows, -kept.observed, -kept.adjusted_residual))[:top]
    return AssociationResult(
        analysis="associations",
        rows=tuple(_rows(kind, table, kept, order)),
        suppressed=suppressed,
        min_conversations=k,
        conversations=table.conversations,
        kind=kind,
        tests=tests.tests,
        value_level=levels.value_level,
        task_level=levels.task_level,
    )


def _rows(
    kind: str, table: CoOccurrence, tests: PairTests, order: npt.NDArray[np.intp]
) -> list[AssociationRow]:
    rows: list[AssociationRow] = []
    for i in order.tolist():
        a, b = int(tests.rows[i]), int(tests.cols[i])
        stats: dict[str, Any] = {
            "value": table.rows.names[a],
            "value_key": table.rows.keys[a],
            "observed": int(tests.observed[i]),
            "expected": float(tests.expected[i]),
            "chi2": float(tests.chi2[i]),
            "p_value": float(tests.p_value[i]),
            "p_adjusted": float(tests.p_adjusted[i]),
            "adjusted_residual": float(tests.adjusted_residual[i]),
        }
        if kind == "value-task":
            rows.append(
                ValueTaskAssociation(task=table.cols.names[b], task_key=table.cols.keys[b], **stats)
            )
        elif kind == "ai-human":
            rows.append(
                AIHumanAssociation(
                    human_value=table.cols.names[b], human_value_key=table.cols.keys[b], **stats
                )
            )
        else:
            rows.append(ValueResponseAssociation(response_type=table.cols.keys[b], **stats))
    return rows
