"""One analysis session: the analyses over one graph and one k, sharing what they count.

Every analysis is two halves. The *read* half counts in Neo4j and returns typed tables
(``queries.counting``: margins, co-occurrence matrices, response-type counts); the *compute* half
is a pure function of those tables (``queries.frequencies``, ``queries.associations``, ...). A
session joins them, and keeps in its memo (:class:`queries.memo.GraphMemo`):

- each counted table, under a key saying what it counts (which table, which filter, which
  levels), so associations and invariance over the same table, or two questions about different
  values of it, read it once;
- each analysis' result, under its checked arguments (a *question*) and k.

The memo is valid for one state of the graph: the one fingerprint
(``graph_fingerprint.cypher``) drops it when the graph changes. The command line makes a session
per command, the report one per build, the API one per app (sharing the memo with its workers).

A caller that already holds a counted table calls the compute half itself
(``session.compute_associations(table, question)``); everyone else asks the whole analysis
(``session.associations(kind="value-task")``). The functions of ``queries.analyses`` are these
methods on a session of their own.
"""

from __future__ import annotations

from collections.abc import Callable, Hashable, Sequence
from typing import Any, TypeVar

from valuegraph.graph.connection import Graph
from valuegraph.queries import counting
from valuegraph.queries.associations import (
    DEFAULT_MIN_COUNT,
    AssociationQuestion,
    association_table,
)
from valuegraph.queries.counting import (
    ConversationFilter,
    CoOccurrence,
    Levels,
    Margins,
    MirroringCounts,
    ModelValueCounts,
    ResponseTypeCount,
)
from valuegraph.queries.findings import LEVELS as FINDINGS_LEVELS
from valuegraph.queries.findings import MIRRORING as FINDINGS_MIRRORING
from valuegraph.queries.findings import WHERE as FINDINGS_WHERE
from valuegraph.queries.findings import FindingsCounts, findings_from
from valuegraph.queries.fingerprint import Fingerprint
from valuegraph.queries.frequencies import (
    FrequencyQuestion,
    ResponseTypeQuestion,
    frequency_table,
    response_type_table,
)
from valuegraph.queries.invariance import (
    DEFAULT_MIN_CONTEXT_CONVERSATIONS,
    DEFAULT_MIN_SUPPORT,
    InvarianceQuestion,
    invariance_table,
)
from valuegraph.queries.memo import GraphMemo
from valuegraph.queries.mirroring import DEFAULT_TOP as MIRRORING_TOP
from valuegraph.queries.mirroring import MirroringQuestion, mirroring_table
from valuegraph.queries.model_comparison import DEFAULT_TOP as MODELS_TOP
from valuegraph.queries.model_comparison import ModelCounts, ModelsQuestion, models_table
from valuegraph.queries.privacy import DEFAULT_MIN_CONVERSATIONS, check_k
from valuegraph.queries.results import (
    AnalysisResult,
    AssociationKind,
    AssociationResult,
    Context,
    FrequencyRow,
    InvarianceResult,
    MirroringResult,
    ModelsResult,
    ResponseTypeRow,
    Role,
)

Q = TypeVar("Q", bound=Hashable)
C = TypeVar("C")
R = TypeVar("R")


class AnalysisSession:
    """The analyses of "Values in the Wild" over ``graph`` with privacy threshold k."""

    def __init__(
        self,
        graph: Graph,
        min_conversations: int = DEFAULT_MIN_CONVERSATIONS,
        memo: GraphMemo | None = None,
    ) -> None:
        self.graph = graph
        self.k = check_k(min_conversations)
        self.memo = memo if memo is not None else GraphMemo()

    def fingerprint(self) -> Fingerprint:
        """The state of the graph the memo holds (see ``queries.fingerprint``)."""
        return self.memo.fingerprint(self.graph)

    def run(self, analysis: Callable[..., Any], /, **arguments: Any) -> Any:
        """``analysis(graph, **arguments, min_conversations=k)`` for a function of
        ``queries.analyses``, answered by this session's method of the same name."""
        methods: dict[str, Callable[..., Any]] = {
            "frequencies": self.frequencies,
            "response_types": self.response_types,
            "associations": self.associations,
            "mirroring": self.mirroring,
            "invariance": self.invariance,
            "models": self.models,
            "findings": self.findings,
        }
        if analysis.__name__ not in methods:
            raise ValueError(f"{analysis.__name__!r} is not an analysis of queries.analyses")
        return methods[analysis.__name__](**arguments)

    # --- counted tables, kept by what they count ---------------------------------------------

    def _counted(self, key: tuple[Hashable, ...], read: Callable[[], C]) -> C:
        return self.memo.get(self.graph, ("counted", *key), read)

    def known_models(self) -> tuple[str, ...]:
        return self._counted(("models",), lambda: counting.known_models(self.graph))

    def check_model(self, model: str | None) -> None:
        """A model naming none of the graph's models is a user mistake, not an empty table."""
        if model is not None:
            counting.check_model(model, self.known_models())

    def units(self, sides: Sequence[str], where: ConversationFilter, levels: Levels) -> Margins:
        return self._counted(
            ("units", tuple(sides), where, levels),
            lambda: counting.read_units(self.graph, sides, where, levels),
        )

    def co_occurrence(
        self, kind: AssociationKind, where: ConversationFilter, levels: Levels
    ) -> CoOccurrence:
        return self._counted(
            ("co-occurrence", kind, where, levels),
            lambda: counting.read_co_occurrence(self.graph, kind, where, levels),
        )

    def response_type_counts(self, where: ConversationFilter) -> tuple[ResponseTypeCount, ...]:
        return self._counted(
            ("response-types", where),
            lambda: counting.read_response_type_counts(self.graph, where),
        )

    def mirroring_counts(
        self, where: ConversationFilter, response_types: Sequence[str]
    ) -> MirroringCounts:
        # The resistance pairs are thresholded in Cypher: these counts hold for this k only.
        return self._counted(
            ("mirroring", where, tuple(response_types), self.k),
            lambda: counting.read_mirroring(self.graph, where, response_types, self.k),
        )

    def model_value_counts(self, where: ConversationFilter) -> ModelValueCounts:
        return self._counted(
            ("model-values", where),
            lambda: counting.read_model_value_counts(self.graph, where),
        )

    def _answer(self, question: Q, read: Callable[[Q], C], compute: Callable[[C, Q], R]) -> R:
        """An analysis: read then compute, its result kept under its question and k."""
        return self.memo.get(
            self.graph, ("answer", question, self.k), lambda: compute(read(question), question)
        )

    # --- frequencies ----------------------------------------------------------------------------

    def read_frequencies(self, question: FrequencyQuestion) -> Margins:
        self.check_model(question.model)
        return self.units(question.sides, question.where, question.levels)

    def compute_frequencies(
        self, margins: Margins, question: FrequencyQuestion
    ) -> AnalysisResult[FrequencyRow]:
        return frequency_table(margins, question, self.k)

    def frequencies(
        self,
        *,
        role: Role | None = None,
        model: str | None = None,
        response_type: str | None = None,
        top: int | None = None,
        level: int = 0,
    ) -> AnalysisResult[FrequencyRow]:
        question = FrequencyQuestion(
            role=role, model=model, response_type=response_type, top=top, level=level
        )
        return self._answer(question, self.read_frequencies, self.compute_frequencies)

    # --- response types -------------------------------------------------------------------------

    def read_response_types(self, question: ResponseTypeQuestion) -> tuple[ResponseTypeCount, ...]:
        self.check_model(question.model)
        return self.response_type_counts(question.where)

    def compute_response_types(
        self, counts: Sequence[ResponseTypeCount], question: ResponseTypeQuestion
    ) -> AnalysisResult[ResponseTypeRow]:
        return response_type_table(counts, question, self.k)

    def response_types(
        self, *, model: str | None = None, human_values_present: bool | None = None
    ) -> AnalysisResult[ResponseTypeRow]:
        question = ResponseTypeQuestion(model=model, human_values_present=human_values_present)
        return self._answer(question, self.read_response_types, self.compute_response_types)

    # --- associations ---------------------------------------------------------------------------

    def read_associations(self, question: AssociationQuestion) -> CoOccurrence:
        self.check_model(question.model)
        return self.co_occurrence(question.kind, question.where, question.levels)

    def compute_associations(
        self, table: CoOccurrence, question: AssociationQuestion
    ) -> AssociationResult[Any]:
        return association_table(
            table,
            kind=question.kind,
            levels=question.levels,
            min_count=question.min_count,
            value=question.value,
            partner=question.partner,
            alpha=question.alpha,
            top=question.top,
            min_conversations=self.k,
        )

    def associations(
        self,
        *,
        kind: AssociationKind,
        value_level: int = 0,
        task_level: int = 0,
        model: str | None = None,
        min_count: int = DEFAULT_MIN_COUNT,
        value: str | None = None,
        task: str | None = None,
        human_value: str | None = None,
        response_type: str | None = None,
        alpha: float | None = None,
        top: int | None = None,
    ) -> AssociationResult[Any]:
        question = AssociationQuestion(
            kind=kind,
            value_level=value_level,
            task_level=task_level,
            model=model,
            min_count=min_count,
            value=value,
            task=task,
            human_value=human_value,
            response_type=response_type,
            alpha=alpha,
            top=top,
        )
        return self._answer(question, self.read_associations, self.compute_associations)

    # --- mirroring ------------------------------------------------------------------------------

    def read_mirroring(self, question: MirroringQuestion) -> MirroringCounts:
        self.check_model(question.model)
        return self.mirroring_counts(question.where, question.resistance_types)

    def compute_mirroring(
        self, counts: MirroringCounts, question: MirroringQuestion
    ) -> MirroringResult:
        return mirroring_table(counts, question, self.k)

    def mirroring(
        self,
        *,
        response_type: str | None = None,
        model: str | None = None,
        top: int = MIRRORING_TOP,
    ) -> MirroringResult:
        question = MirroringQuestion(response_type=response_type, model=model, top=top)
        return self._answer(question, self.read_mirroring, self.compute_mirroring)

    # --- invariance -----------------------------------------------------------------------------

    def read_invariance(self, question: InvarianceQuestion) -> CoOccurrence:
        self.check_model(question.model)
        return self.co_occurrence(question.kind, question.where, question.levels)

    def compute_invariance(
        self, table: CoOccurrence, question: InvarianceQuestion
    ) -> InvarianceResult:
        return invariance_table(
            table,
            across=question.across,
            value_level=question.value_level,
            min_support=question.min_support,
            min_context_conversations=question.min_context_conversations,
            top=question.top,
            min_conversations=self.k,
        )

    def invariance(
        self,
        *,
        across: Context = "task",
        value_level: int = 0,
        model: str | None = None,
        min_support: int = DEFAULT_MIN_SUPPORT,
        min_context_conversations: int = DEFAULT_MIN_CONTEXT_CONVERSATIONS,
        top: int | None = None,
    ) -> InvarianceResult:
        question = InvarianceQuestion(
            across=across,
            value_level=value_level,
            model=model,
            min_support=min_support,
            min_context_conversations=min_context_conversations,
            top=top,
        )
        return self._answer(question, self.read_invariance, self.compute_invariance)

    # --- models ---------------------------------------------------------------------------------

    def read_models(self, question: ModelsQuestion) -> ModelCounts:
        return ModelCounts(
            response_types=self.response_type_counts(ConversationFilter()),
            filtered=self.response_type_counts(question.where),
            values=self.model_value_counts(question.where),
        )

    def compute_models(self, counts: ModelCounts, question: ModelsQuestion) -> ModelsResult:
        return models_table(counts, question, self.k)

    def models(self, *, top: int = MODELS_TOP, response_type: str | None = None) -> ModelsResult:
        question = ModelsQuestion(top=top, response_type=response_type)
        return self._answer(question, self.read_models, self.compute_models)

    # --- findings -------------------------------------------------------------------------------

    def read_findings(self) -> FindingsCounts:
        return FindingsCounts(
            value_task=self.co_occurrence("value-task", FINDINGS_WHERE, FINDINGS_LEVELS),
            mirroring=self.read_mirroring(FINDINGS_MIRRORING),
        )

    def compute_findings(self, counts: FindingsCounts) -> list[str]:
        return findings_from(counts, self.k)

    def findings(self) -> list[str]:
        # A copy: the kept list must not change when a caller edits the one it got.
        return list(
            self.memo.get(
                self.graph,
                ("answer", "findings", self.k),
                lambda: self.compute_findings(self.read_findings()),
            )
        )
