"""The GraphQL schema: the root ``Query`` and the graphene ``schema`` built from it.

Each domain package (``values``, ``tasks``, ``taxonomy``, ``conversations``, ``stats``, and the
analyses) gives its types and its root resolvers; this module lists the root fields in order.
Resolvers stay thin: each root field checks its arguments and calls one function of the
``queries`` layer (the catalog, or the analyses); related lists go through the request's batch
loaders. ``tests/snapshots/schema.graphql`` holds the SDL, so a change to the API is deliberate;
``python -m valuegraph.api.schema`` prints it.
"""

from __future__ import annotations

import graphene

from valuegraph.api.analyses import resolvers as analyses
from valuegraph.api.conversations.resolvers import resolve_conversation
from valuegraph.api.conversations.types import Conversation
from valuegraph.api.core.enums import Role
from valuegraph.api.exports.resolvers import EXPORT_URL_FIELD
from valuegraph.api.stats.resolvers import resolve_stats
from valuegraph.api.stats.types import Stats
from valuegraph.api.tasks.resolvers import TASKS_ARGUMENTS, resolve_task, resolve_tasks
from valuegraph.api.tasks.types import Task, TaskConnection
from valuegraph.api.taxonomy.resolvers import resolve_cluster, resolve_clusters
from valuegraph.api.taxonomy.types import Cluster
from valuegraph.api.values.resolvers import VALUES_ARGUMENTS, resolve_value, resolve_values
from valuegraph.api.values.types import Value, ValueConnection


class Query(graphene.ObjectType):
    """Questions about the values AI assistants express, answered from the graph."""

    stats = graphene.Field(Stats, required=True, resolver=resolve_stats)
    values = graphene.Field(
        ValueConnection,
        required=True,
        resolver=resolve_values,
        description="AI or human values, filtered, by frequency or name (keyset cursors).",
        **VALUES_ARGUMENTS,
    )
    value = graphene.Field(
        Value,
        name=graphene.String(required=True),
        role=Role(description="Which side; by default the AI side, else the human side."),
        resolver=resolve_value,
        description="One value by name (case and spacing do not matter); null if under k.",
    )
    tasks = graphene.Field(
        TaskConnection,
        required=True,
        resolver=resolve_tasks,
        description="Tasks, by frequency or name (keyset cursors).",
        **TASKS_ARGUMENTS,
    )
    task = graphene.Field(
        Task,
        name=graphene.String(required=True),
        resolver=resolve_task,
        description="One task by name; null if fewer than k conversations are about it.",
    )
    clusters = graphene.List(
        graphene.NonNull(Cluster),
        level=graphene.Int(description="1 to 3; omit for every level."),
        parent=graphene.ID(description="Only the children of this cluster."),
        required=True,
        resolver=resolve_clusters,
        description="Taxonomy clusters, top level first.",
    )
    cluster = graphene.Field(Cluster, id=graphene.ID(required=True), resolver=resolve_cluster)
    associations = analyses.associations_field()
    mirroring = analyses.mirroring_field()
    response_types = analyses.response_types_field()
    invariance = analyses.invariance_field()
    conversation = graphene.Field(
        Conversation,
        id=graphene.ID(required=True),
        resolver=resolve_conversation,
        description="One conversation's extracted features (never its text).",
    )
    # The exports module's field, made again here so that it is listed last (graphene lists
    # fields in the order they were made).
    export_url = graphene.Field(
        EXPORT_URL_FIELD.type,
        args=EXPORT_URL_FIELD.args,
        resolver=EXPORT_URL_FIELD.resolver,
        description=EXPORT_URL_FIELD.description,
    )


schema = graphene.Schema(query=Query, auto_camelcase=True)


def schema_sdl() -> str:
    """The schema in SDL, as the snapshot test compares it."""
    return str(schema).rstrip() + "\n"


if __name__ == "__main__":
    print(schema_sdl(), end="")
