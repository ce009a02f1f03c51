"""Cross-model comparison: each model's top values, how far top lists agree, response types.

A model's value row rests on the model's conversations expressing the value; a model with
fewer than k conversations gets no rows at all (each would rest on fewer than k), and every
value row it would have had is counted as suppressed.
"""

from __future__ import annotations

from itertools import combinations

from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.queries.counting import (
    ConversationFilter,
    read_model_value_counts,
    read_response_type_counts,
)
from valuegraph.queries.frequencies import response_types
from valuegraph.queries.privacy import DEFAULT_MIN_CONVERSATIONS, check_k, count_suppressed
from valuegraph.queries.results import AnalysisResult, ModelOverlapRow, ModelsResult, ModelValueRow

DEFAULT_TOP = 10


def models(
    graph: Graph,
    *,
    top: int = DEFAULT_TOP,
    response_type: str | None = None,
    min_conversations: int = DEFAULT_MIN_CONVERSATIONS,
) -> ModelsResult:
    """Per model its ``top`` values (share of its conversations), the overlap of every two
    models' top lists, and each model's response-type rates."""
    k = check_k(min_conversations)
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InputError(f"top must be a positive integer, got {top!r}")
    where = ConversationFilter(response_type=response_type)
    types = response_types(graph, min_conversations=k)
    totals: dict[str, int] = {}
    for record in read_response_type_counts(graph, where):
        if record["model"] is not None:
            totals[record["model"]] = totals.get(record["model"], 0) + record["conversations"]
    names, per_model = read_model_value_counts(graph, where)

    value_rows: list[ModelValueRow] = []
    top_lists: dict[str, list[str]] = {}
    suppressed = 0
    for model in sorted(m for m in per_model if m is not None):
        counts = per_model[model]
        base = totals.get(model, 0)
        if base < k:  # the model itself rests on fewer than k conversations
            suppressed += sum(1 for n in counts.values() if n > 0)
            continue
        suppressed += count_suppressed(list(counts.values()), k)
        ranked = sorted((key for key, n in counts.items() if n >= k), key=lambda v: (-counts[v], v))
        top_lists[model] = ranked[:top]
        value_rows.extend(
            ModelValueRow(
                model=model,
                rank=rank,
                value=names.get(key, key),
                conversations=counts[key],
                pct_convos=100.0 * counts[key] / base,
                value_key=key,
            )
            for rank, key in enumerate(ranked[:top], start=1)
        )
    overlap_rows = [_overlap(a, b, top_lists, names) for a, b in combinations(sorted(top_lists), 2)]
    conversations = sum(totals.values())
    return ModelsResult(
        top_values=AnalysisResult(
            analysis="models",
            rows=tuple(value_rows),
            suppressed=suppressed,
            min_conversations=k,
            conversations=conversations,
        ),
        overlap=AnalysisResult(
            analysis="model-overlap",
            rows=tuple(overlap_rows),
            suppressed=0,  # built only from rows already shown
            min_conversations=k,
            conversations=conversations,
        ),
        response_types=types,
        top=top,
    )


def _overlap(
    a: str, b: str, top_lists: dict[str, list[str]], names: dict[str, str]
) -> ModelOverlapRow:
    first, second = set(top_lists[a]), set(top_lists[b])
    shared = sorted(first & second, key=top_lists[a].index)
    either = first | second
    return ModelOverlapRow(
        model=a,
        other_model=b,
        shared=len(shared),
        jaccard=len(shared) / len(either) if either else 0.0,
        shared_values=tuple(names.get(key, key) for key in shared),
    )
