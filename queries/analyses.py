"""The analyses of "Values in the Wild", in one place: import them from here.

Each function runs one analysis on a session of its own (:class:`AnalysisSession`, whose
methods have the same names and arguments, without the graph and k). Each takes a connected
:class:`graph.connection.Graph` and keyword arguments, and returns typed results
(:mod:`queries.results`) whose every table carries ``suppressed``, the number of rows held back
by the aggregation threshold ``min_conversations`` (k; pass ``settings.min_conversations``).
Mistakes in the arguments raise ``InputError``.

- ``frequencies(graph, *, role=None, model=None, response_type=None, top=None, level=0,
  min_conversations=5) -> AnalysisResult[FrequencyRow]``
- ``response_types(graph, *, model=None, human_values_present=None, min_conversations=5)
  -> AnalysisResult[ResponseTypeRow]``
- ``associations(graph, *, kind, value_level=0, task_level=0, model=None, min_count=5,
  value=None, task=None, human_value=None, response_type=None, alpha=None, top=None,
  min_conversations=5) -> AssociationResult[ValueTaskAssociation | AIHumanAssociation |
  ValueResponseAssociation]``
- ``mirroring(graph, *, response_type=None, model=None, top=10, min_conversations=5)
  -> MirroringResult``
- ``invariance(graph, *, across="task", value_level=0, model=None, min_support=50,
  min_context_conversations=30, top=None, min_conversations=5) -> InvarianceResult``
- ``models(graph, *, top=10, response_type=None, min_conversations=5) -> ModelsResult``
- ``findings(graph, *, min_conversations=5) -> list[str]``: three findings in plain words.

``queries.materialize.materialize`` writes the significant associations into the graph.
``queries.session.AnalysisSession`` asks several questions of one graph, reading each counted
table once.
"""

from __future__ import annotations

from typing import Any

from valuegraph.graph.connection import Graph
from valuegraph.queries.associations import DEFAULT_MIN_COUNT
from valuegraph.queries.invariance import DEFAULT_MIN_CONTEXT_CONVERSATIONS, DEFAULT_MIN_SUPPORT
from valuegraph.queries.mirroring import DEFAULT_TOP as MIRRORING_TOP
from valuegraph.queries.model_comparison import DEFAULT_TOP as MODELS_TOP
from valuegraph.queries.privacy import DEFAULT_MIN_CONVERSATIONS
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
from valuegraph.queries.session import AnalysisSession

__all__ = [
    "DEFAULT_MIN_COUNT",
    "AnalysisSession",
    "associations",
    "findings",
    "frequencies",
    "invariance",
    "mirroring",
    "models",
    "response_types",
]

# Each function is the session's method on a session of its own: one call, nothing kept after.
# Callers asking several questions of one graph keep an AnalysisSession instead.


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
    """The share of conversations expressing each AI value and each human value (or, at
    ``level`` 1-3, each taxonomy cluster of AI values); ``top`` keeps that many per role."""
    return AnalysisSession(graph, min_conversations).frequencies(
        role=role, model=model, response_type=response_type, top=top, level=level
    )


def response_types(
    graph: Graph,
    *,
    model: str | None = None,
    human_values_present: bool | None = None,
    min_conversations: int = DEFAULT_MIN_CONVERSATIONS,
) -> AnalysisResult[ResponseTypeRow]:
    """The distribution of response types: overall, with human values, and per model."""
    return AnalysisSession(graph, min_conversations).response_types(
        model=model, human_values_present=human_values_present
    )


def associations(
    graph: Graph,
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
    min_conversations: int = DEFAULT_MIN_CONVERSATIONS,
) -> AssociationResult[Any]:
    """Chi-square tests of every pair of the table, sorted by adjusted residual, largest first."""
    return AnalysisSession(graph, min_conversations).associations(
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


def mirroring(
    graph: Graph,
    *,
    response_type: str | None = None,
    model: str | None = None,
    top: int = MIRRORING_TOP,
    min_conversations: int = DEFAULT_MIN_CONVERSATIONS,
) -> MirroringResult:
    """Mirroring rates per response type, the values most mirrored, and resistance pairs."""
    return AnalysisSession(graph, min_conversations).mirroring(
        response_type=response_type, model=model, top=top
    )


def invariance(
    graph: Graph,
    *,
    across: Context = "task",
    value_level: int = 0,
    model: str | None = None,
    min_support: int = DEFAULT_MIN_SUPPORT,
    min_context_conversations: int = DEFAULT_MIN_CONTEXT_CONVERSATIONS,
    top: int | None = None,
    min_conversations: int = DEFAULT_MIN_CONVERSATIONS,
) -> InvarianceResult:
    """Values from the most context-invariant (lowest coefficient of variation) up."""
    return AnalysisSession(graph, min_conversations).invariance(
        across=across,
        value_level=value_level,
        model=model,
        min_support=min_support,
        min_context_conversations=min_context_conversations,
        top=top,
    )


def models(
    graph: Graph,
    *,
    top: int = MODELS_TOP,
    response_type: str | None = None,
    min_conversations: int = DEFAULT_MIN_CONVERSATIONS,
) -> ModelsResult:
    """Per model its top values, the overlap of top lists, and response-type rates."""
    return AnalysisSession(graph, min_conversations).models(top=top, response_type=response_type)


def findings(graph: Graph, *, min_conversations: int = DEFAULT_MIN_CONVERSATIONS) -> list[str]:
    """Three findings in plain words."""
    return AnalysisSession(graph, min_conversations).findings()
