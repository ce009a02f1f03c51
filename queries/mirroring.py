"""Mirroring: when the AI expresses the very value the user stated, and what it resists with.

- A rate row rests on the conversations of its response type that state a human value (the
  denominator); it carries no value names.
- A mirrored value's row rests on the conversations where that value is on both sides.
- A resistance pair rests on the conversations with both the human value and the AI value;
  the threshold is applied in Cypher (``resistance_pairs.cypher``) so rare pairs never leave
  the server, and the number suppressed comes back with the pairs.
"""

from __future__ import annotations

from typing import Any

from neo4j import ManagedTransaction

from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.queries import load_cypher
from valuegraph.queries.counting import ConversationFilter, check_model
from valuegraph.queries.privacy import DEFAULT_MIN_CONVERSATIONS, apply_threshold, check_k
from valuegraph.queries.results import (
    AnalysisResult,
    MirroredValueRow,
    MirroringResult,
    MirroringRow,
    ResistancePairRow,
)

RESISTANCE_TYPES: tuple[str, ...] = ("strong_resistance", "mild_resistance")
DEFAULT_TOP = 10


def mirroring(
    graph: Graph,
    *,
    response_type: str | None = None,
    model: str | None = None,
    top: int = DEFAULT_TOP,
    min_conversations: int = DEFAULT_MIN_CONVERSATIONS,
) -> MirroringResult:
    """Mirroring rates per response type, the ``top`` values most mirrored, and per resistance
    type (or for ``response_type``, if given) the ``top`` (human value, AI value) pairs.
    """
    k = check_k(min_conversations)
    if isinstance(top, bool) or not isinstance(top, int) or top < 1:
        raise InputError(f"top must be a positive integer, got {top!r}")
    where = ConversationFilter(model=model, response_type=response_type)
    check_model(graph, model)
    params: dict[str, Any] = {
        **where.params(),
        "response_types": [response_type] if response_type else list(RESISTANCE_TYPES),
        "min_conversations": k,
    }

    def work(tx: ManagedTransaction) -> tuple[list[dict[str, Any]], ...]:
        return tuple(
            [record.data() for record in tx.run(load_cypher(name), params)]
            for name in ("mirroring_rates", "mirrored_values", "resistance_pairs")
        )

    rate_records, value_records, pair_records = graph.read_tx(work)
    rates = apply_threshold(
        (
            MirroringRow(
                response_type=r["response_type"],
                with_human_values=r["with_human_values"],
                mirrored=r["mirrored"],
                mirroring_rate=r["mirrored"] / r["with_human_values"],
            )
            for r in rate_records
        ),
        lambda row: row.with_human_values,
        k,
    )
    with_human = {row.response_type: row.with_human_values for row in rates.kept}
    conversations = sum(int(r["with_human_values"]) for r in rate_records)
    values = apply_threshold(
        (
            MirroredValueRow(value=r["name"], conversations=r["conversations"], value_key=r["key"])
            for r in value_records
        ),
        lambda row: row.conversations,
        k,
    )
    pairs: list[ResistancePairRow] = []
    for record in pair_records:
        base = with_human.get(record["response_type"])
        if base is None:  # its response type is itself under the threshold
            continue
        pairs.extend(_pair_row(record["response_type"], p, base) for p in record["pairs"][:top])
    resistance_suppressed = sum(int(r["suppressed"]) for r in pair_records)
    resistance_suppressed += sum(
        len(r["pairs"]) for r in pair_records if r["response_type"] not in with_human
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
            conversations=sum(with_human.get(str(r["response_type"]), 0) for r in pair_records),
        ),
    )


def _pair_row(response_type: str, pair: dict[str, Any], base: int) -> ResistancePairRow:
    return ResistancePairRow(
        response_type=response_type,
        human_value=pair["human_value"],
        ai_value=pair["ai_value"],
        conversations=pair["conversations"],
        pct=100.0 * pair["conversations"] / base,
        human_value_key=pair["human_key"],
        ai_value_key=pair["ai_key"],
    )
