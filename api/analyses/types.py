"""The analyses' GraphQL types: associations, mirroring, response types, invariance.

Every type resolves what an analysis of the app's session returned (``api.loaders.Analyses``),
renamed for clients: the API adds no statistics of its own. Types of other domains are named by
dotted path, so this module imports none of them.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from valuegraph.api.analyses.views import (
    ACROSS_HUMAN_VALUES,
    ACROSS_TASKS,
    AI_HUMAN,
    COMPUTED,
    COUNT,
    MATERIALIZED,
    RESIDUAL,
    VALUE_RESPONSE,
    VALUE_TASK,
    AssociationPage,
    AssociationView,
)
from valuegraph.api.core.context import context_of
from valuegraph.api.core.entries import entry_from_sides, visible_task
from valuegraph.api.core.enums import ResponseType
from valuegraph.api.loaders import then
from valuegraph.queries.catalog import Role

VALUE_TYPE = "valuegraph.api.values.types.Value"
CLUSTER_TYPE = "valuegraph.api.taxonomy.types.Cluster"
TASK_TYPE = "valuegraph.api.tasks.types.Task"


class AssociationKind(graphene.Enum):
    """Which pairs: AI value with task, with a value the user stated, or with the response."""

    VALUE_TASK = VALUE_TASK
    AI_HUMAN = AI_HUMAN
    VALUE_RESPONSE = VALUE_RESPONSE


class AssociationOrder(graphene.Enum):
    """RESIDUAL: adjusted residual, largest first (the analysis' order). COUNT: observed first."""

    RESIDUAL = RESIDUAL
    COUNT = COUNT


class AssociationSource(graphene.Enum):
    """Where rows came from: the links materialised in the graph, or computed now."""

    MATERIALIZED = MATERIALIZED
    COMPUTED = COMPUTED


class Association(graphene.ObjectType):
    """A 2x2 test of an AI value (or value cluster) against a task, human value or response."""

    kind = graphene.Field(AssociationKind, required=True)
    value = graphene.String(required=True, description="The AI value's (or cluster's) name.")
    value_key = graphene.String(required=True, description="Its key (a cluster's id).")
    partner = graphene.String(required=True, description="The task, human value or response.")
    partner_key = graphene.String(required=True)
    observed = graphene.Int(required=True, description="Conversations with both.")
    expected = graphene.Float(required=True, description="Conversations with both, by chance.")
    chi2 = graphene.Float(required=True)
    p_value = graphene.Float(required=True)
    p_adjusted = graphene.Float(required=True, description="Bonferroni over the table's tests.")
    adjusted_residual = graphene.Float(required=True)
    ai_value = graphene.Field(
        VALUE_TYPE,
        description="The AI value (null for a cluster, or under k).",
    )
    cluster = graphene.Field(CLUSTER_TYPE, description="At valueLevel 1-3: the value cluster.")
    task = graphene.Field(TASK_TYPE, description="VALUE_TASK: the task.")
    human_value = graphene.Field(VALUE_TYPE, description="AI_HUMAN: the value.")
    response_type = graphene.Field(ResponseType, description="VALUE_RESPONSE: the response.")

    @staticmethod
    def resolve_ai_value(row: AssociationView, info: GraphQLResolveInfo) -> Any:
        if row.value_level != 0:
            return None
        return _value_entry(info, row.value_key, "AI")

    @staticmethod
    def resolve_cluster(row: AssociationView, info: GraphQLResolveInfo) -> Any:
        if row.value_level == 0:
            return None
        return context_of(info).loaders.cluster.load(row.value_key)

    @staticmethod
    def resolve_task(row: AssociationView, info: GraphQLResolveInfo) -> Any:
        if row.kind != VALUE_TASK:
            return None
        context = context_of(info)
        loaded = context.loaders.task.load(row.partner_key)
        return then(loaded, lambda task: visible_task(task, context.k))

    @staticmethod
    def resolve_human_value(row: AssociationView, info: GraphQLResolveInfo) -> Any:
        if row.kind != AI_HUMAN:
            return None
        return _value_entry(info, row.partner_key, "HUMAN")

    @staticmethod
    def resolve_response_type(row: AssociationView, _info: GraphQLResolveInfo) -> str | None:
        return row.partner_key if row.kind == VALUE_RESPONSE else None


def _value_entry(info: GraphQLResolveInfo, key: str, role: str) -> Any:
    context = context_of(info)
    sides = context.loaders.value_sides.load(key)
    return then(sides, lambda found: entry_from_sides(found, Role(role), context.k))


class AssociationList(graphene.ObjectType):
    """Association rows, with the analysis' envelope: tests run, rows suppressed, base."""

    kind = graphene.Field(AssociationKind, required=True)
    rows = graphene.List(graphene.NonNull(Association), required=True)
    source = graphene.Field(AssociationSource, required=True)
    generation = graphene.String(description="The materialised set's generation, if used.")
    value_level = graphene.Int(required=True)
    task_level = graphene.Int(required=True)
    tests = graphene.Int(required=True, description="The Bonferroni family: pairs tested.")
    suppressed = graphene.Int(
        required=True, description="Pairs in this selection resting on fewer than k conversations."
    )
    conversations = graphene.Int(required=True, description="Conversations the table is over.")
    min_conversations = graphene.Int(required=True, description="The privacy threshold k.")

    @staticmethod
    def resolve_tests(page: AssociationPage, _info: GraphQLResolveInfo) -> int:
        return int(page.details().tests)

    @staticmethod
    def resolve_suppressed(page: AssociationPage, _info: GraphQLResolveInfo) -> int:
        return int(page.details().suppressed)

    @staticmethod
    def resolve_conversations(page: AssociationPage, _info: GraphQLResolveInfo) -> int:
        return int(page.details().conversations)

    @staticmethod
    def resolve_min_conversations(page: AssociationPage, info: GraphQLResolveInfo) -> int:
        return context_of(info).k


# --- mirroring ----------------------------------------------------------------------------


class MirroringRate(graphene.ObjectType):
    response_type = graphene.Field(ResponseType, required=True)
    with_human_values = graphene.Int(required=True)
    mirrored = graphene.Int(required=True)
    mirroring_rate = graphene.Float(required=True, description="mirrored / withHumanValues.")


class MirroredValue(graphene.ObjectType):
    """A value the user stated and the AI expressed in the same conversations."""

    value = graphene.String(required=True)
    value_key = graphene.String(required=True)
    conversations = graphene.Int(required=True)


class ResistancePair(graphene.ObjectType):
    """A human value met by a different AI value, in one response type."""

    response_type = graphene.Field(ResponseType, required=True)
    human_value = graphene.String(required=True)
    human_value_key = graphene.String(required=True)
    ai_value = graphene.String(required=True)
    ai_value_key = graphene.String(required=True)
    conversations = graphene.Int(required=True)
    share = graphene.Float(
        required=True, description="Of that response type's conversations with human values."
    )

    @staticmethod
    def resolve_share(row: Any, _info: GraphQLResolveInfo) -> float:
        return float(row.pct) / 100


class Mirroring(graphene.ObjectType):
    """How often the AI echoes the user's values, and what it resists them with."""

    rates = graphene.List(graphene.NonNull(MirroringRate), required=True)
    values = graphene.List(graphene.NonNull(MirroredValue), required=True)
    resistance = graphene.List(graphene.NonNull(ResistancePair), required=True)
    suppressed = graphene.Int(required=True, description="Rows of all three held back by k.")
    conversations = graphene.Int(required=True, description="Conversations with human values.")
    min_conversations = graphene.Int(required=True)

    @staticmethod
    def resolve_rates(result: Any, _info: GraphQLResolveInfo) -> Any:
        return result.rates.rows

    @staticmethod
    def resolve_values(result: Any, _info: GraphQLResolveInfo) -> Any:
        return result.values.rows

    @staticmethod
    def resolve_resistance(result: Any, _info: GraphQLResolveInfo) -> Any:
        return result.resistance.rows

    @staticmethod
    def resolve_conversations(result: Any, _info: GraphQLResolveInfo) -> int:
        return int(result.rates.conversations)

    @staticmethod
    def resolve_min_conversations(result: Any, _info: GraphQLResolveInfo) -> int:
        return int(result.rates.min_conversations)


# --- response types -----------------------------------------------------------------------


class Population(graphene.Enum):
    ALL = "all"
    WITH_HUMAN_VALUES = "with_human_values"
    WITHOUT_HUMAN_VALUES = "without_human_values"


class ResponseTypeShare(graphene.ObjectType):
    response_type = graphene.Field(ResponseType, required=True)
    conversations = graphene.Int(required=True)
    share = graphene.Float(required=True, description="Of the population (0-1).")
    population = graphene.Field(Population, required=True)
    model = graphene.String(description="Null: all models together.")

    @staticmethod
    def resolve_share(row: Any, _info: GraphQLResolveInfo) -> float:
        return float(row.pct) / 100


class ResponseTypeDistribution(graphene.ObjectType):
    rows = graphene.List(graphene.NonNull(ResponseTypeShare), required=True)
    suppressed = graphene.Int(required=True)
    conversations = graphene.Int(required=True)
    min_conversations = graphene.Int(required=True)


# --- invariance ---------------------------------------------------------------------------


class InvarianceContext(graphene.Enum):
    TASK = ACROSS_TASKS
    HUMAN_VALUE = ACROSS_HUMAN_VALUES


class InvarianceEntry(graphene.ObjectType):
    value = graphene.String(required=True)
    value_key = graphene.String(required=True)
    conversations = graphene.Int(required=True)
    contexts = graphene.Int(required=True)
    mean_frequency = graphene.Float(required=True)
    coefficient_of_variation = graphene.Float(required=True)


class Invariance(graphene.ObjectType):
    """Values from the most context-invariant (lowest coefficient of variation) up."""

    rows = graphene.List(graphene.NonNull(InvarianceEntry), required=True)
    suppressed = graphene.Int(required=True)
    conversations = graphene.Int(required=True)
    min_conversations = graphene.Int(required=True)
