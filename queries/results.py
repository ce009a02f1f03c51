"""The typed results of the analyses: one frozen row type per table, one result type per analysis.

Every table is an :class:`AnalysisResult`: its rows, how many rows the aggregation threshold k
suppressed, k itself, and the number of conversations the table is taken over. The field names
of the row types are the ones the command line's ``--json`` prints and the GraphQL API exposes.
Shares called ``pct_*`` are percentages (0-100); ``mirroring_rate`` and ``jaccard`` are
fractions (0-1), as the study reports them.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from typing import Any, Generic, Literal, TypeVar

Role = Literal["ai", "human"]
AssociationKind = Literal["value-task", "ai-human", "value-response"]
Population = Literal["all", "with_human_values", "without_human_values"]
Context = Literal["task", "human-value"]

ASSOCIATION_KINDS: tuple[str, ...] = ("value-task", "ai-human", "value-response")
CONTEXTS: tuple[str, ...] = ("task", "human-value")

RowT = TypeVar("RowT")


@dataclass(frozen=True, kw_only=True)
class AnalysisResult(Generic[RowT]):
    """One table of an analysis."""

    analysis: str
    rows: tuple[RowT, ...]
    suppressed: int  # rows resting on fewer than min_conversations conversations, not shown
    min_conversations: int  # the aggregation threshold k applied
    conversations: int  # the conversations the table is taken over (after filters)
    notes: tuple[str, ...] = ()

    def records(self) -> list[dict[str, Any]]:
        """The rows as plain dicts (for JSON)."""
        return [asdict(row) for row in self.rows]  # type: ignore[call-overload]


# --- frequencies -----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class FrequencyRow:
    """How often a value (or any value of a cluster) occurs."""

    value: str  # display name of the value or cluster
    role: Role
    conversations: int
    pct_convos: float  # percent of conversations with the value (or any value of the cluster)
    key: str  # value key, or cluster id
    level: int  # 0: individual value; 1-3: taxonomy cluster
    expressions: int  # AI_EXPRESSED / HUMAN_EXPRESSED edges into the value or cluster
    pct_expressions: float  # percent of all value expressions of this role


# --- response types --------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ResponseTypeRow:
    """The share of one response type in one population of conversations."""

    response_type: str
    conversations: int
    pct: float  # percent of the population
    population: Population
    model: str | None  # None: all models together


# --- associations ----------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ValueTaskAssociation:
    """A 2x2 test of an AI value (or value cluster) against a task (or task cluster)."""

    value: str
    task: str
    observed: int
    expected: float
    chi2: float
    p_value: float
    p_adjusted: float  # Bonferroni over the tests run
    adjusted_residual: float
    value_key: str
    task_key: str


@dataclass(frozen=True, kw_only=True)
class AIHumanAssociation:
    """A 2x2 test of an AI value (or value cluster) against a value the user stated."""

    value: str
    human_value: str
    observed: int
    expected: float
    chi2: float
    p_value: float
    p_adjusted: float
    adjusted_residual: float
    value_key: str
    human_value_key: str


@dataclass(frozen=True, kw_only=True)
class ValueResponseAssociation:
    """A 2x2 test of an AI value (or value cluster) against a response type."""

    value: str
    response_type: str
    observed: int
    expected: float
    chi2: float
    p_value: float
    p_adjusted: float
    adjusted_residual: float
    value_key: str


AssociationRow = ValueTaskAssociation | AIHumanAssociation | ValueResponseAssociation
AssociationT = TypeVar(
    "AssociationT", ValueTaskAssociation, AIHumanAssociation, ValueResponseAssociation
)


@dataclass(frozen=True, kw_only=True)
class AssociationResult(AnalysisResult[AssociationT]):
    """Association rows sorted by adjusted residual, largest first."""

    kind: AssociationKind
    tests: int  # the Bonferroni family: every pair with at least min_count co-occurrences
    value_level: int
    task_level: int


# --- mirroring -------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class MirroringRow:
    """Among conversations of one response type with human values, how many mirror one."""

    response_type: str
    with_human_values: int
    mirrored: int
    mirroring_rate: float  # mirrored / with_human_values, a fraction


@dataclass(frozen=True, kw_only=True)
class MirroredValueRow:
    """A value the user stated and the AI expressed in the same conversation."""

    value: str
    conversations: int
    value_key: str


@dataclass(frozen=True, kw_only=True)
class ResistancePairRow:
    """A human value met by a different AI value, in one response type."""

    response_type: str
    human_value: str
    ai_value: str
    conversations: int
    pct: float  # percent of that response type's conversations with human values
    human_value_key: str
    ai_value_key: str


@dataclass(frozen=True, kw_only=True)
class MirroringResult:
    """Mirroring rates by response type, the values most mirrored, and what resists what."""

    rates: AnalysisResult[MirroringRow]
    values: AnalysisResult[MirroredValueRow]
    resistance: AnalysisResult[ResistancePairRow]

    @property
    def suppressed(self) -> int:
        return self.rates.suppressed + self.values.suppressed + self.resistance.suppressed


# --- invariance ------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class InvarianceRow:
    """How much a value's frequency varies across contexts (tasks or human values)."""

    value: str
    conversations: int
    contexts: int  # contexts the frequency is taken over
    mean_frequency: float  # mean over contexts of the share of its conversations with the value
    coefficient_of_variation: float  # population std / mean, over the contexts
    value_key: str


@dataclass(frozen=True, kw_only=True)
class InvarianceResult(AnalysisResult[InvarianceRow]):
    """Rows sorted from the most context-invariant (lowest CV) to the most context-dependent."""

    across: Context
    min_support: int  # conversations a value needs to be ranked
    min_context_conversations: int  # conversations a context needs to count

    def most_invariant(self, n: int) -> tuple[InvarianceRow, ...]:
        return self.rows[:n]

    def most_dependent(self, n: int) -> tuple[InvarianceRow, ...]:
        return tuple(reversed(self.rows[-n:])) if n > 0 else ()


# --- models ----------------------------------------------------------------------------------


@dataclass(frozen=True, kw_only=True)
class ModelValueRow:
    """One of a model's most frequent AI values."""

    model: str
    rank: int
    value: str
    conversations: int
    pct_convos: float  # percent of the model's conversations
    value_key: str


@dataclass(frozen=True, kw_only=True)
class ModelOverlapRow:
    """How far two models' top-N value lists agree."""

    model: str
    other_model: str
    shared: int  # values in both top lists
    jaccard: float  # shared / values in either list
    shared_values: tuple[str, ...]


@dataclass(frozen=True, kw_only=True)
class ModelsResult:
    """Per model: top values, the overlap of top lists between models, response-type rates."""

    top_values: AnalysisResult[ModelValueRow]
    overlap: AnalysisResult[ModelOverlapRow]
    response_types: AnalysisResult[ResponseTypeRow]
    top: int

    @property
    def suppressed(self) -> int:
        return self.top_values.suppressed + self.overlap.suppressed + self.response_types.suppressed
