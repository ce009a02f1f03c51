"""Three findings in plain words, for ``make demo`` and the report.

Each sentence is built from an analysis result, so it shows nothing the analyses would not:
every number in it rests on at least k conversations.
"""

from __future__ import annotations

from dataclasses import dataclass

from valuegraph.queries.associations import DEFAULT_MIN_COUNT, association_table
from valuegraph.queries.counting import ConversationFilter, CoOccurrence, Levels, MirroringCounts
from valuegraph.queries.invariance import (
    DEFAULT_MIN_CONTEXT_CONVERSATIONS,
    DEFAULT_MIN_SUPPORT,
    invariance_table,
)
from valuegraph.queries.mirroring import MirroringQuestion, mirroring_table
from valuegraph.queries.results import InvarianceRow, MirroringResult, ValueTaskAssociation

ALPHA = 0.05
# What the three sentences rest on: the whole graph's value-task table and its mirroring.
WHERE = ConversationFilter()
LEVELS = Levels()
MIRRORING = MirroringQuestion(top=1)


@dataclass(frozen=True, eq=False)
class FindingsCounts:
    """The counts the findings are computed from."""

    value_task: CoOccurrence  # over WHERE at LEVELS
    mirroring: MirroringCounts  # for MIRRORING


def findings_from(counts: FindingsCounts, min_conversations: int) -> list[str]:
    """Three sentences: the strongest value-task association, mirroring in support against
    resistance, and the most context-invariant against the most context-dependent value. Pure."""
    k = min_conversations
    strongest = association_table(
        counts.value_task,
        kind="value-task",
        levels=LEVELS,
        min_count=DEFAULT_MIN_COUNT,
        value=None,
        partner=None,
        alpha=ALPHA,
        top=1,
        min_conversations=k,
    )
    ranked = invariance_table(
        counts.value_task,
        across="task",
        value_level=0,
        min_support=DEFAULT_MIN_SUPPORT,
        min_context_conversations=DEFAULT_MIN_CONTEXT_CONVERSATIONS,
        top=1,
        min_conversations=k,
    )
    return [
        _association_sentence(strongest.rows[0] if strongest.rows else None),
        _mirroring_sentence(mirroring_table(counts.mirroring, MIRRORING, k)),
        _invariance_sentence(ranked.rows),
    ]


def _association_sentence(row: ValueTaskAssociation | None) -> str:
    if row is None:
        return "No value is over-represented in any task after the Bonferroni correction."
    return (
        f'The value most over-represented in "{row.task}" is "{row.value}" '
        f"(adjusted residual {row.adjusted_residual:.1f}: {row.observed:,} conversations "
        f"where {row.expected:,.1f} were expected)."
    )


def _mirroring_sentence(result: MirroringResult) -> str:
    rates = {row.response_type: row for row in result.rates.rows}
    support = max(
        (rates[t] for t in ("strong_support", "mild_support") if t in rates),
        key=lambda row: row.mirroring_rate,
        default=None,
    )
    resisting = rates.get("strong_resistance")
    if support is None or resisting is None:
        return "Too few conversations state human values to compare mirroring across responses."
    sentence = (
        f"The AI mirrors the user's own values in {100 * support.mirroring_rate:.1f}% of "
        f"{support.response_type.replace('_', ' ')} responses but in only "
        f"{100 * resisting.mirroring_rate:.1f}% of strong resistance"
    )
    pair = next((p for p in result.resistance.rows if p.response_type == "strong_resistance"), None)
    if pair is not None:
        sentence += (
            f'; when it resists strongly it most often answers "{pair.human_value}" '
            f'with "{pair.ai_value}" ({pair.pct:.1f}% of those conversations)'
        )
    return sentence + "."


def _invariance_sentence(ranked: tuple[InvarianceRow, ...]) -> str:
    if len(ranked) < 2:
        return "Too few values have enough conversations to compare them across tasks."
    steady, shifting = ranked[0], ranked[-1]
    return (
        f'"{steady.value}" is the most context-invariant value (coefficient of variation '
        f"{steady.coefficient_of_variation:.2f} across {steady.contexts} tasks); "
        f'"{shifting.value}" the most context-dependent ({shifting.coefficient_of_variation:.2f}).'
    )
