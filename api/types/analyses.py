"""The analyses as GraphQL: associations, mirroring, response types, invariance.

Every field here returns what the function of ``queries.analyses`` returns for the same
arguments (through the per-process store of ``api.loaders.Analyses``): the API adds no
statistics of its own. Two things it does add:

- Sorting and filtering on the computed columns: ``orderBy: COUNT`` and ``minResidual`` work on
  the analysis' own rows, which it already sorts by residual.
- The materialised links: a value's ``tasks`` (and a task's ``values``, a value's
  ``humanValues``) are its significant positive associations. Where ``valuegraph analyze
  materialize`` has written them with the same settings, they are read from the graph, one
  batched query per page; otherwise they are computed. ``source`` says which.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from valuegraph.api.guards import RequestRejected
from valuegraph.api.loaders import LinkQuery, then
from valuegraph.api.types.common import (
    RequestContext,
    ResponseType,
    context_of,
    enum_value,
    page_size,
)
from valuegraph.queries.analyses import invariance, mirroring, response_types
from valuegraph.queries.associations import DEFAULT_MIN_COUNT
from valuegraph.queries.catalog import Link, LinkKind
from valuegraph.queries.materialize import DEFAULT_ALPHA
from valuegraph.queries.results import AIHumanAssociation, ValueTaskAssociation

DEFAULT_TOP = 10
ALL_ROWS = 1_000_000  # "every row" for analyses whose ``top`` has no such setting

# The enums' values, as plain strings (what resolvers receive and compare).
VALUE_TASK, AI_HUMAN, VALUE_RESPONSE = "value-task", "ai-human", "value-response"
RESIDUAL, COUNT = "RESIDUAL", "COUNT"
MATERIALIZED, COMPUTED = "MATERIALIZED", "COMPUTED"
ACROSS_TASKS, ACROSS_HUMAN_VALUES = "task", "human-value"


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


@dataclass(frozen=True)
class AssociationView:
    """One association row, whichever analysis row or materialised link it came from."""

    kind: str
    value: str
    value_key: str
    partner: str
    partner_key: str
    observed: int
    expected: float
    chi2: float
    p_value: float
    p_adjusted: float
    adjusted_residual: float
    value_level: int = 0


@dataclass(frozen=True)
class AssociationPage:
    """Rows ready to resolve; ``details`` (the analysis' envelope) is fetched only if asked."""

    kind: str
    rows: tuple[AssociationView, ...]
    source: str
    generation: str | None
    value_level: int
    task_level: int
    details: Callable[[], Any]


def view_of_row(kind: str, row: Any, value_level: int) -> AssociationView:
    if isinstance(row, ValueTaskAssociation):
        partner, partner_key = row.task, row.task_key
    elif isinstance(row, AIHumanAssociation):
        partner, partner_key = row.human_value, row.human_value_key
    else:
        partner, partner_key = row.response_type, row.response_type
    return AssociationView(
        kind=kind,
        value=row.value,
        value_key=row.value_key,
        partner=partner,
        partner_key=partner_key,
        observed=row.observed,
        expected=row.expected,
        chi2=row.chi2,
        p_value=row.p_value,
        p_adjusted=row.p_adjusted,
        adjusted_residual=row.adjusted_residual,
        value_level=value_level,
    )


def view_of_link(
    kind: str, link: Link, own_key: str, own_name: str, from_value: bool
) -> AssociationView:
    value, value_key = (own_name, own_key) if from_value else (link.name, link.key)
    partner, partner_key = (link.name, link.key) if from_value else (own_name, own_key)
    return AssociationView(
        kind=kind,
        value=value,
        value_key=value_key,
        partner=partner,
        partner_key=partner_key,
        observed=link.observed,
        expected=link.expected,
        chi2=link.chi2,
        p_value=link.p_value,
        p_adjusted=link.p_adjusted,
        adjusted_residual=link.adjusted_residual,
    )


def ordered(
    rows: Iterable[AssociationView], order: str, min_residual: float | None, first: int | None
) -> tuple[AssociationView, ...]:
    """The analysis' rows (sorted by residual) filtered and re-sorted as the client asked."""
    kept = [r for r in rows if min_residual is None or r.adjusted_residual >= min_residual]
    if order == COUNT:
        kept.sort(key=lambda r: -r.observed)  # stable: residual order breaks the ties
    return tuple(kept[:first] if first is not None else kept)


# --- types --------------------------------------------------------------------------------


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
        "valuegraph.api.types.values.Value",
        description="The AI value (null for a cluster, or under k).",
    )
    cluster = graphene.Field(
        "valuegraph.api.types.taxonomy.Cluster", description="At valueLevel 1-3: the value cluster."
    )
    task = graphene.Field("valuegraph.api.types.tasks.Task", description="VALUE_TASK: the task.")
    human_value = graphene.Field(
        "valuegraph.api.types.values.Value", description="AI_HUMAN: the value."
    )
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
        from valuegraph.api.types.tasks import visible_task

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
    from valuegraph.api.types.values import entry_from_sides
    from valuegraph.queries.catalog import Role

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


# --- the root associations field ----------------------------------------------------------


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


# --- significant positive associations of one item: materialised, else computed ------------


@dataclass(frozen=True)
class LinkRequest:
    """A value's tasks, a task's values, ...: what one such field asks for."""

    kind: LinkKind
    from_value: bool  # True: the AI value's partners; False: the partner's AI values
    key: str
    name: str
    top: int
    min_count: int | None
    alpha: float | None
    order: str


LINK_KINDS = {LinkKind.VALUE_TASK: VALUE_TASK, LinkKind.AI_HUMAN: AI_HUMAN}
PARTNER_ARGUMENT = {LinkKind.VALUE_TASK: "task", LinkKind.AI_HUMAN: "human_value"}


def significant_links(context: RequestContext, request: LinkRequest) -> Any:
    """The item's significant positive associations, strongest first (an AssociationPage)."""
    kind = LINK_KINDS[request.kind]
    min_count = request.min_count if request.min_count is not None else DEFAULT_MIN_COUNT
    materialized = context.analyses.materialization(context.graph)
    alpha = request.alpha
    if alpha is None:
        alpha = materialized.alpha if materialized is not None else DEFAULT_ALPHA
    selection = {"value" if request.from_value else PARTNER_ARGUMENT[request.kind]: request.key}
    arguments = {"kind": kind, "min_count": min_count, "alpha": alpha, **selection}

    def computed() -> Any:
        return context.analyses.associations(context.graph, **arguments)

    usable = (
        materialized is not None
        and materialized.model is None
        and materialized.min_conversations == context.k
        and materialized.min_count == min_count
        and materialized.alpha == alpha
    )
    if not usable:
        result = computed()
        views = [view_of_row(kind, row, 0) for row in result.rows if row.adjusted_residual > 0]
        return _link_page(kind, ordered(views, request.order, None, request.top), None, computed)
    query = LinkQuery(request.kind, request.from_value, context.k, request.top, request.order)
    loaded = context.loaders.links.load((query, request.key))
    generation = materialized.generation if materialized else None

    def page(found: tuple[Link, ...]) -> AssociationPage:
        views = tuple(
            view_of_link(kind, link, request.key, request.name, request.from_value)
            for link in found
        )
        return _link_page(kind, views, generation, computed)

    return then(loaded, page)


def _link_page(
    kind: str, rows: tuple[AssociationView, ...], generation: str | None, details: Callable[[], Any]
) -> AssociationPage:
    return AssociationPage(
        kind=kind,
        rows=rows,
        source=MATERIALIZED if generation else COMPUTED,
        generation=generation,
        value_level=0,
        task_level=0,
        details=details,
    )


def link_field(description: str) -> graphene.Field:
    return graphene.Field(
        AssociationList,
        top=graphene.Int(required=True, default_value=DEFAULT_TOP),
        min_count=graphene.Int(
            description=f"Co-occurrences a pair needs (default {DEFAULT_MIN_COUNT})."
        ),
        alpha=graphene.Float(
            description="Adjusted p below this (default: the materialised set's alpha, else 0.05)."
        ),
        order_by=AssociationOrder(required=True, default_value=RESIDUAL),
        description=description,
    )


def link_request(
    context: RequestContext,
    kind: LinkKind,
    from_value: bool,
    key: str,
    name: str,
    top: int | None,
    min_count: int | None,
    alpha: float | None,
    order_by: Any,
) -> LinkRequest:
    size = page_size("top", top, context)
    if min_count is not None and min_count < 1:
        raise RequestRejected(f"minCount must be at least 1, got {min_count}", "BAD_ARGUMENT")
    if alpha is not None and not 0 < alpha <= 1:
        raise RequestRejected(f"alpha must be in (0, 1], got {alpha}", "BAD_ARGUMENT")
    return LinkRequest(kind, from_value, key, name, size, min_count, alpha, enum_value(order_by))


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


def value_mirroring(context: RequestContext, key: str) -> Any:
    """A value's row among all mirrored values (null if not mirrored in k conversations)."""
    result = context.analyses.run(
        context.graph, mirroring, response_type=None, model=None, top=ALL_ROWS
    )
    return next((row for row in result.values.rows if row.value_key == key), None)


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
