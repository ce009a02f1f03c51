"""The per-request context every resolver reaches through ``info.context``."""

from __future__ import annotations

from collections.abc import Callable
from functools import cached_property

from graphql import GraphQLResolveInfo

from valuegraph.api.loaders import Analyses, Loaders
from valuegraph.api.settings import ApiLimits
from valuegraph.graph.connection import Graph
from valuegraph.settings import Settings


class RequestContext:
    """What a request's resolvers share: the graph, the settings, the limits and the loaders.

    The graph is fetched on first use, so a request that never reaches Neo4j (a rejected one,
    or pure introspection) does not need it; the loaders are made once per request.
    """

    def __init__(
        self,
        graph_source: Callable[[], Graph],
        settings: Settings,
        limits: ApiLimits,
        analyses: Analyses,
    ) -> None:
        self._graph_source = graph_source
        self.settings = settings
        self.limits = limits
        self.analyses = analyses

    @property
    def graph(self) -> Graph:
        return self._graph_source()

    @cached_property
    def loaders(self) -> Loaders:
        return Loaders(self.graph, self.k)

    @property
    def k(self) -> int:
        """The privacy threshold: fewest conversations an aggregate row may rest on."""
        return self.settings.min_conversations


def context_of(info: GraphQLResolveInfo) -> RequestContext:
    context = info.context
    if not isinstance(context, RequestContext):
        raise TypeError("the schema runs only with a RequestContext")
    return context
