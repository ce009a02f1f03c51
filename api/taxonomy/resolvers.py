"""The root ``clusters`` and ``cluster`` fields."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo
from graphql_sync_dataloaders import SyncFuture

from valuegraph.api.core.context import context_of
from valuegraph.api.rejections import RequestRejected
from valuegraph.queries import catalog
from valuegraph.queries.catalog import ClusterInfo

LEVELS = (1, 2, 3)


def resolve_clusters(
    _root: Any, info: GraphQLResolveInfo, level: int | None = None, parent: str | None = None
) -> list[ClusterInfo]:
    if level is not None and level not in LEVELS:
        raise RequestRejected(
            f"level must be 1, 2 or 3 (the values themselves are level 0), got {level}",
            "BAD_ARGUMENT",
        )
    return catalog.clusters(context_of(info).graph, level=level, parent=parent)


def resolve_cluster(_root: Any, info: GraphQLResolveInfo, id: str) -> SyncFuture:
    return context_of(info).loaders.cluster.load(id)
