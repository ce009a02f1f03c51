"""The analyses' root fields (``associations``, ``mirroring``, ``responseTypes``,
``invariance``): their arguments and resolvers.

Every field returns what the function of ``queries.analyses`` returns for the same arguments,
asked of the app's session (``api.loaders.Analyses``). What the API adds is sorting and
filtering on the computed columns: ``orderBy: COUNT`` and ``minResidual`` work on the
analysis' own rows, which it already sorts by residual.
"""

from __future__ import annotations

from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from valuegraph.api.analyses.types import (
    AssociationKind,
    AssociationList,
    AssociationOrder,
    Invariance,
    InvarianceContext,
    Mirroring,
    ResponseTypeDistribution,
)
from valuegraph.api.analyses.views import (
    ACROSS_TASKS,
    COMPUTED,
    DEFAULT_TOP,
    RESIDUAL,
    AssociationPage,
    ordered,
    view_of_row,
)
from valuegraph.api.core.arguments import page_size
from valuegraph.api.core.context import context_of
from valuegraph.api.core.enums import ResponseType, enum_value
from valuegraph.api.rejections import RequestRejected
from valuegraph.queries.analyses import invariance, mirroring, response_types
from valuegraph.queries.associations import DEFAULT_MIN_COUNT


def association_arguments(**kwargs: Any) -> dict[str, Any]:
    """The arguments of ``queries.analyses.associations``, from the GraphQL ones."""
    return {name: value for name, value in kwargs.items() if value is not None}


def resolve_associations(
    _root: Any,
    info: GraphQLResolveInfo,
    kind: Any,
    value: str | None = None,
    task: str | None = None,
    human_value: str | None = None,
    response_type: Any = None,
    value_level: int = 0,
    task_level: int = 0,
    model: str | None = None,
    min_count: int = DEFAULT_MIN_COUNT,
    alpha: float | None = None,
    min_residual: float | None = None,
    order_by: Any = RESIDUAL,
    first: int | None = 20,
) -> AssociationPage:
    context = context_of(info)
    size = page_size("first", first, context)
    order = enum_value(order_by)
    needs_all = order != RESIDUAL or min_residual is not None
    arguments = association_arguments(
        kind=enum_value(kind),
        value=value,
        task=task,
        human_value=human_value,
        response_type=enum_value(response_type),
        value_level=value_level,
        task_level=task_level,
        model=model,
        min_count=min_count,
        alpha=alpha,
        top=None if needs_all else max(size, 1),
    )
    result = context.analyses.associations(context.graph, **arguments)
    views = (view_of_row(result.kind, row, value_level) for row in result.rows)
    return AssociationPage(
        kind=result.kind,
        rows=ordered(views, order, min_residual, size),
        source=COMPUTED,
        generation=None,
        value_level=result.value_level,
        task_level=result.task_level,
        details=lambda: result,
    )


def associations_field() -> graphene.Field:
    # A function, so the field is made where the schema lists it (graphene keeps that order).
    return graphene.Field(
        AssociationList,
        kind=AssociationKind(required=True),
        value=graphene.String(
            description="One AI value (name or key; a cluster at valueLevel 1-3)."
        ),
        task=graphene.String(description="VALUE_TASK: one task's values."),
        human_value=graphene.String(description="AI_HUMAN: one human value's AI values."),
        response_type=ResponseType(description="VALUE_RESPONSE: one response type's values."),
        value_level=graphene.Int(
            required=True, default_value=0, description="0: values; 1-3: taxonomy clusters."
        ),
        task_level=graphene.Int(
            required=True, default_value=0, description="0: tasks; 1-3: task clusters."
        ),
        model=graphene.String(description="Only this model's conversations."),
        min_count=graphene.Int(
            required=True,
            default_value=DEFAULT_MIN_COUNT,
            description="Co-occurrences a pair needs to be tested.",
        ),
        alpha=graphene.Float(description="Only pairs with Bonferroni-adjusted p below this."),
        min_residual=graphene.Float(description="Only pairs with at least this adjusted residual."),
        order_by=AssociationOrder(required=True, default_value=RESIDUAL),
        first=graphene.Int(required=True, default_value=20),
        required=True,
        resolver=resolve_associations,
        description="Which AI values go with which tasks, human values or responses (chi-square).",
    )


def resolve_mirroring(
    _root: Any,
    info: GraphQLResolveInfo,
    response_type: Any = None,
    model: str | None = None,
    top: int | None = DEFAULT_TOP,
) -> Any:
    context = context_of(info)
    size = page_size("top", top, context)
    if size < 1:
        raise RequestRejected("top must be at least 1", "BAD_ARGUMENT")
    return context.analyses.run(
        context.graph, mirroring, response_type=enum_value(response_type), model=model, top=size
    )


def mirroring_field() -> graphene.Field:
    return graphene.Field(
        Mirroring,
        response_type=ResponseType(description="Rates and resistance pairs of this response only."),
        model=graphene.String(),
        top=graphene.Int(
            required=True, default_value=DEFAULT_TOP, description="Mirrored values and pairs kept."
        ),
        required=True,
        resolver=resolve_mirroring,
        description="Mirroring rates by response type, the values most mirrored, resistance pairs.",
    )


def resolve_response_types(
    _root: Any,
    info: GraphQLResolveInfo,
    model: str | None = None,
    human_values_present: bool | None = None,
) -> Any:
    context = context_of(info)
    return context.analyses.run(
        context.graph, response_types, model=model, human_values_present=human_values_present
    )


def response_types_field() -> graphene.Field:
    return graphene.Field(
        ResponseTypeDistribution,
        model=graphene.String(description="One model; omit for all together and each model."),
        human_values_present=graphene.Boolean(
            description="true: conversations with human values; false: without; omit: all and with."
        ),
        required=True,
        resolver=resolve_response_types,
        description="How the AI responded: the distribution of the seven response types.",
    )


def resolve_invariance(
    _root: Any,
    info: GraphQLResolveInfo,
    across: Any = ACROSS_TASKS,
    value_level: int = 0,
    model: str | None = None,
    min_support: int = 50,
    min_context_conversations: int = 30,
    top: int | None = None,
) -> Any:
    context = context_of(info)
    if top is not None:
        page_size("top", top, context)
    return context.analyses.run(
        context.graph,
        invariance,
        across=enum_value(across),
        value_level=value_level,
        model=model,
        min_support=min_support,
        min_context_conversations=min_context_conversations,
        top=top,
    )


def invariance_field() -> graphene.Field:
    return graphene.Field(
        Invariance,
        across=InvarianceContext(required=True, default_value=ACROSS_TASKS),
        value_level=graphene.Int(required=True, default_value=0),
        model=graphene.String(),
        min_support=graphene.Int(
            required=True, default_value=50, description="Conversations a value needs."
        ),
        min_context_conversations=graphene.Int(
            required=True, default_value=30, description="Conversations a context needs to count."
        ),
        top=graphene.Int(description="The top most invariant, then the top most dependent."),
        required=True,
        resolver=resolve_invariance,
        description="How much each value's frequency varies across tasks or human values.",
    )
