"""The root ``conversation`` field."""

from __future__ import annotations

from typing import Any

from graphql import GraphQLResolveInfo
from graphql_sync_dataloaders import SyncFuture

from valuegraph.api.core.context import context_of


def resolve_conversation(_root: Any, info: GraphQLResolveInfo, id: str) -> SyncFuture:
    return context_of(info).loaders.conversation.load(id)
