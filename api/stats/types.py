"""The ``Stats`` type: the size of the graph, from Neo4j's count store."""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from valuegraph.api.core.context import context_of
from valuegraph.queries.catalog import GraphStats

NODE_LABELS = ("Conversation", "Task", "AIValue", "HumanValue", "Cluster", "Model")


class KindCount(graphene.ObjectType):
    """How many nodes carry a label, or relationships a type."""

    kind = graphene.String(required=True)
    count = graphene.Int(required=True)


class ModelCount(graphene.ObjectType):
    name = graphene.String(required=True)
    conversations = graphene.Int(required=True)


class Stats(graphene.ObjectType):
    """Counts of every node and relationship kind, the models, and the date range."""

    conversations = graphene.Int(required=True)
    tasks = graphene.Int(required=True)
    ai_values = graphene.Int(required=True)
    human_values = graphene.Int(required=True)
    clusters = graphene.Int(required=True)
    labels = graphene.List(graphene.NonNull(KindCount), required=True)
    relationships = graphene.List(graphene.NonNull(KindCount), required=True)
    models = graphene.List(
        graphene.NonNull(ModelCount),
        required=True,
        description="Models with at least k conversations, most conversations first.",
    )
    first_conversation_at = graphene.DateTime()
    last_conversation_at = graphene.DateTime()
    min_conversations = graphene.Int(
        required=True, description="The privacy threshold k every aggregate keeps."
    )
    suppressed = graphene.Int(
        required=True, description="Rows (models, the date range) hidden because under k."
    )

    @staticmethod
    def resolve_labels(stats: GraphStats, _info: GraphQLResolveInfo) -> list[dict[str, Any]]:
        counts = (
            stats.conversations,
            stats.tasks,
            stats.ai_values,
            stats.human_values,
            stats.clusters,
            stats.model_count,
        )
        return [{"kind": label, "count": n} for label, n in zip(NODE_LABELS, counts, strict=True)]

    @staticmethod
    def resolve_relationships(stats: GraphStats, _info: GraphQLResolveInfo) -> list[dict[str, Any]]:
        return [{"kind": kind, "count": n} for kind, n in stats.relationships.items()]

    @staticmethod
    def resolve_min_conversations(_stats: GraphStats, info: GraphQLResolveInfo) -> int:
        return context_of(info).k
