"""Frequencies of values and clusters, and the distribution of response types.

A value's row rests on the conversations that express it; a response type's row on the
conversations of that type in the population. Rows resting on fewer than k conversations are
suppressed and counted.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Mapping, Sequence
from typing import Any

import numpy as np

from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.ingest.records import RESPONSE_TYPES
from valuegraph.queries.counting import (
    ConversationFilter,
    Levels,
    check_model,
    read_response_type_counts,
    read_units,
)
from valuegraph.queries.privacy import DEFAULT_MIN_CONVERSATIONS, check_k, count_suppressed
from valuegraph.queries.results import (
    AnalysisResult,
    FrequencyRow,
    Population,
    ResponseTypeRow,
    Role,
)

ROLES: tuple[Role, ...] = ("ai", "human")


def _check_top(top: int | None) -> None:
    if top is not None and (isinstance(top, bool) or not isinstance(top, int) or top < 1):
        raise InputError(f"top must be a positive integer, got {top!r}")


def frequencies(
    graph: Graph,
    *,
    role: Role | None = None,
    model: str | None = None,
    response_type: str | None = None,
    top: int | None = None,
    level: int = 0,
    min_conversations: int = DEFAULT_MIN_CONVERSATIONS,
) -> AnalysisResult[FrequencyRow]:
    """The share of conversations expressing each AI value and each human value.

    At ``level`` 1-3 the rows are the taxonomy's clusters of AI values: the share of
    conversations with any value in the cluster, and the share of all value expressions that
    fall in it. Rows are sorted most frequent first; ``top`` keeps that many per role.
    """
    k = check_k(min_conversations)
    _check_top(top)
    if role is not None and role not in ROLES:
        raise InputError(f"unknown role {role!r} (one of: {', '.join(ROLES)})")
    levels = Levels(value_level=level)
    if level > 0 and role == "human":
        raise InputError("human values have no taxonomy clusters; use level 0 for role human")
    where = ConversationFilter(model=model, response_type=response_type)
    check_model(graph, model)
    roles: tuple[Role, ...] = ("ai",) if level > 0 else ((role,) if role else ROLES)

    sides = {"ai": "ai_value", "human": "human_value"}
    totals, units_by_side = read_units(graph, [sides[r] for r in roles], where, levels)
    rows: list[FrequencyRow] = []
    suppressed = 0
    notes: list[str] = []
    for current in roles:
        units = units_by_side[sides[current]]
        expressions_total = totals.ai_expressions if current == "ai" else totals.human_expressions
        if level > 0 and not len(units) and totals.ai_expressions:
            raise InputError(
                f"no value clusters at level {level}: load a taxonomy first "
                "(valuegraph ingest taxonomy)"
            )
        if level > 0:
            unclustered = expressions_total - int(units.expressions.sum())
            if unclustered > 0:
                notes.append(
                    f"{unclustered} AI value expressions fall in no level-{level} cluster "
                    "and are in no row"
                )
        suppressed += count_suppressed(units.conversations, k)
        shown = np.flatnonzero(units.conversations >= k)
        order = shown[np.lexsort((np.array(units.keys)[shown], -units.conversations[shown]))]
        rows.extend(
            FrequencyRow(
                value=units.names[i],
                role=current,
                conversations=int(units.conversations[i]),
                pct_convos=_pct(int(units.conversations[i]), totals.conversations),
                key=units.keys[i],
                level=level,
                expressions=int(units.expressions[i]),
                pct_expressions=_pct(int(units.expressions[i]), expressions_total),
            )
            for i in order[:top].tolist()
        )
    return AnalysisResult(
        analysis="frequencies",
        rows=tuple(rows),
        suppressed=suppressed,
        min_conversations=k,
        conversations=totals.conversations,
        notes=tuple(notes),
    )


def _pct(part: int, whole: int) -> float:
    return 100.0 * part / whole if whole else 0.0


_POPULATIONS: Mapping[bool | None, tuple[Population, ...]] = {
    None: ("all", "with_human_values"),
    True: ("with_human_values",),
    False: ("without_human_values",),
}


def response_types(
    graph: Graph,
    *,
    model: str | None = None,
    human_values_present: bool | None = None,
    min_conversations: int = DEFAULT_MIN_CONVERSATIONS,
) -> AnalysisResult[ResponseTypeRow]:
    """The distribution of response types: overall, among conversations with human values, and
    per model (``model=None`` rows are all models together).

    ``human_values_present`` picks the population: None gives all conversations and those with
    human values; True only the latter; False those without human values.
    """
    k = check_k(min_conversations)
    check_model(graph, model)
    records = read_response_type_counts(graph, ConversationFilter(model=model))
    groups: dict[str | None, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if model is None:
            groups[None].append(record)
        if record["model"] is not None:
            groups[record["model"]].append(record)
    rows: list[ResponseTypeRow] = []
    suppressed = 0
    for group in sorted(groups, key=lambda name: (name is not None, name or "")):
        for population in _POPULATIONS[human_values_present]:
            counts = _population_counts(groups[group], population)
            total = sum(counts.values())
            suppressed += count_suppressed(list(counts.values()), k)
            rows.extend(
                ResponseTypeRow(
                    response_type=response_type,
                    conversations=count,
                    pct=_pct(count, total),
                    population=population,
                    model=group,
                )
                for response_type, count in counts.items()
                if count >= k
            )
    return AnalysisResult(
        analysis="response-types",
        rows=tuple(rows),
        suppressed=suppressed,
        min_conversations=k,
        conversations=sum(int(r["conversations"]) for r in records),
    )


def _population_counts(
    records: Sequence[Mapping[str, Any]], population: Population
) -> dict[str, int]:
    """Conversations per response type (in the study's order) within one population."""
    counts = dict.fromkeys(RESPONSE_TYPES, 0)
    for record in records:
        everyone, with_human = int(record["conversations"]), int(record["with_human_values"])
        counts[str(record["response_type"])] += {
            "all": everyone,
            "with_human_values": with_human,
            "without_human_values": everyone - with_human,
        }[population]
    return {t: n for t, n in counts.items() if n > 0}
