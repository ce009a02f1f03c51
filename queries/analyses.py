"""The analyses of "Values in the Wild", in one place: import them from here.

Each takes a connected :class:`graph.connection.Graph` and keyword arguments, and returns typed
results (:mod:`queries.results`) whose every table carries ``suppressed``, the number of rows
held back by the aggregation threshold ``min_conversations`` (k; pass
``settings.min_conversations``). Mistakes in the arguments raise ``InputError``.

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
"""

from __future__ import annotations

from valuegraph.queries.associations import DEFAULT_MIN_COUNT, associations
from valuegraph.queries.findings import findings
from valuegraph.queries.frequencies import frequencies, response_types
from valuegraph.queries.invariance import invariance
from valuegraph.queries.mirroring import mirroring
from valuegraph.queries.model_comparison import models

__all__ = [
    "DEFAULT_MIN_COUNT",
    "associations",
    "findings",
    "frequencies",
    "invariance",
    "mirroring",
    "models",
    "response_types",
]
