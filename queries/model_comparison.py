"""Cross-model comparison: each model's top values, how far top lists agree, response types.

A model's value row rests on the model's conversations expressing the value; a model with
fewer than k conversations gets no rows at all (each would rest on fewer than k), and every
value row it would have had is counted as suppressed.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from itertools import combinations

from valuegraph.errors import InputError
from valuegraph.queries.counting import ConversationFilter, ModelValueCounts, ResponseTypeCount
from valuegraph.queries.frequencies import ResponseTypeQuestion, response_type_table
from valuegraph.queries.privacy import count_suppressed
from valuegraph.queries.results import AnalysisResult, ModelOverlapRow, ModelsResult, ModelValueRow

DEFAULT_TOP = 10


@dataclass(frozen=True)
class ModelsQuestion:
    """The arguments of :func:`queries.analyses.models`, checked when made."""

    top: int = DEFAULT_TOP
    response_type: str | None = None

    def __post_init__(self) -> None:
        top = self.top
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise InputError(f"top must be a positive integer, got {top!r}")
        ConversationFilter(response_type=self.response_type)  # checks the type

    @property
    def where(self) -> ConversationFilter:
        return ConversationFilter(response_type=self.response_type)


@dataclass(frozen=True, eq=False)
class ModelCounts:
    """What the comparison reads: every model's response types, the conversations of each
    model under the question's filter, and per model the conversations of each value."""

    response_types: tuple[ResponseTypeCount, ...]  # unfiltered: the response-type table
    filtered: tuple[ResponseTypeCount, ...]  # under the question's response type
    values: ModelValueCounts


def models_table(
    counts: ModelCounts, question: ModelsQuestion, min_conversations: int
) -> ModelsResult:
    """Per model its ``top`` values (share of its conversations), the overlap of every two
    models' top lists, and each model's response-type rates. Pure."""
    k, top = min_conversations, question.top
    types = response_type_table(counts.response_types, ResponseTypeQuestion(), k)
    totals: dict[str, int] = {}
    for count in counts.filtered:
        if count.model is not None:
            totals[count.model] = totals.get(count.model, 0) + count.conversations
    names, per_model = counts.values.names, counts.values.per_model

    value_rows: list[ModelValueRow] = []
    top_lists: dict[str, list[str]] = {}
    suppressed = 0
    for model in sorted(m for m in per_model if m is not None):
        by_value = per_model[model]
        base = totals.get(model, 0)
        if base < k:  # the model itself rests on fewer than k conversations
            suppressed += sum(1 for n in by_value.values() if n > 0)
            continue
        suppressed += count_suppressed(list(by_value.values()), k)
        ranked = sorted(
            (key for key, n in by_value.items() if n >= k), key=lambda v: (-by_value[v], v)
        )
        top_lists[model] = ranked[:top]
        value_rows.extend(
            ModelValueRow(
                model=model,
                rank=rank,
                value=names.get(key, key),
                conversations=by_value[key],
                pct_convos=100.0 * by_value[key] / base,
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
    a: str, b: str, top_lists: dict[str, list[str]], names: Mapping[str, str]
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
