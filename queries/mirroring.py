"""Mirroring: when the AI expresses the very value the user stated, and what it resists with.

- A rate row rests on the conversations of its response type that state a human value (the
  denominator); it carries no value names.
- A mirrored value's row rests on the conversations where that value is on both sides.
- A resistance pair rests on the conversations with both the human value and the AI value;
  the threshold is applied in Cypher (``resistance_pairs.cypher``) so rare pairs never leave
  the server, and the number suppressed comes back with the pairs.

The counts are read by ``queries.counting.read_mirroring``; :func:`mirroring_table` is the pure
half.
"""

from __future__ import annotations

from dataclasses import dataclass

from valuegraph.errors import InputError
from valuegraph.queries.counting import ConversationFilter, MirroringCounts, ResistancePairCount
from valuegraph.queries.privacy import apply_threshold
from valuegraph.queries.results import (
    AnalysisResult,
    MirroredValueRow,
    MirroringResult,
    MirroringRow,
    ResistancePairRow,
)

RESISTANCE_TYPES: tuple[str, ...] = ("strong_resistance", "mild_resistance")
DEFAULT_TOP = 10


@dataclass(frozen=True)
class MirroringQuestion:
    """The arguments of :func:`queries.analyses.mirroring`, checked when made."""

    response_type: str | None = None
    model: str | None = None
    top: int = DEFAULT_TOP

    def __post_init__(self) -> None:
        top = self.top
        if isinstance(top, bool) or not isinstance(top, int) or top < 1:
            raise InputError(f"top must be a positive integer, got {top!r}")
        ConversationFilter(model=self.model, response_type=self.response_type)  # checks the type

    @property
    def where(self) -> ConversationFilter:
        return ConversationFilter(model=self.model, response_type=self.response_type)

    @property
    def resistance_types(self) -> tuple[str, ...]:
        """The response types whose resistance pairs are read."""
        return (self.response_type,) if self.response_type else RESISTANCE_TYPES


def mirroring_table(
    counts: MirroringCounts, question: MirroringQuestion, min_conversations: int
) -> MirroringResult:
    """Mirroring rates per response type, the ``top`` values most mirrored, and per resistance
    type (or for ``response_type``, if given) the ``top`` (human value, AI value) pairs. Pure:
    ``counts`` must have been read with the same k."""
    k, top = min_conversations, question.top
    rates = apply_threshold(
        (
            MirroringRow(
                response_type=r.response_type,
                with_human_values=r.with_human_values,
                mirrored=r.mirrored,
                mirroring_rate=r.mirrored / r.with_human_values,
            )
            for r in counts.rates
        ),
        lambda row: row.with_human_values,
        k,
    )
    with_human = {row.response_type: row.with_human_values for row in rates.kept}
    conversations = sum(r.with_human_values for r in counts.rates)
    values = apply_threshold(
        (
            MirroredValueRow(value=v.name, conversations=v.conversations, value_key=v.key)
            for v in counts.values
        ),
        lambda row: row.conversations,
        k,
    )
    pairs: list[ResistancePairRow] = []
    for found in counts.resistance:
        base = with_human.get(found.response_type)
        if base is None:  # its response type is itself under the threshold
            continue
        pairs.extend(_pair_row(found.response_type, p, base) for p in found.pairs[:top])
    resistance_suppressed = sum(found.suppressed for found in counts.resistance)
    resistance_suppressed += sum(
        len(found.pairs) for found in counts.resistance if found.response_type not in with_human
    )
    return MirroringResult(
        rates=AnalysisResult(
            analysis="mirroring",
            rows=rates.kept,
            suppressed=rates.suppressed,
            min_conversations=k,
            conversations=conversations,
        ),
        values=AnalysisResult(
            analysis="mirrored-values",
            rows=values.kept[:top],
            suppressed=values.suppressed,
            min_conversations=k,
            conversations=conversations,
        ),
        resistance=AnalysisResult(
            analysis="resistance-pairs",
            rows=tuple(pairs),
            suppressed=resistance_suppressed,
            min_conversations=k,
            conversations=sum(
                with_human.get(found.response_type, 0) for found in counts.resistance
            ),
        ),
    )


def _pair_row(response_type: str, pair: ResistancePairCount, base: int) -> ResistancePairRow:
    return ResistancePairRow(
        response_type=response_type,
        human_value=pair.human_value,
        ai_value=pair.ai_value,
        conversations=pair.conversations,
        pct=100.0 * pair.conversations / base,
        human_value_key=pair.human_key,
        ai_value_key=pair.ai_key,
    )
