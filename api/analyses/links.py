"""Significant positive associations of one item, for the fields other domains hold.

A value's ``tasks`` (and a task's ``values``, a value's ``humanValues``) are its significant
positive associations. Where ``valuegraph analyze materialize`` has written them with the same
settings, they are read from the graph, one batched query per page; otherwise they are asked of
the app's session. ``source`` says which. A value's ``mirroring`` is its row of the mirroring
analysis. The values and tasks domains import these functions (shared like loaders, not
from a type module).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import graphene

from valuegraph.api.analyses.types import AssociationList, AssociationOrder
from valuegraph.api.analyses.views import (
    AI_HUMAN,
    COMPUTED,
    DEFAULT_TOP,
    MATERIALIZED,
    RESIDUAL,
    VALUE_TASK,
    AssociationPage,
    AssociationView,
    ordered,
    view_of_link,
    view_of_row,
)
from valuegraph.api.core.arguments import page_size
from valuegraph.api.core.context import RequestContext
from valuegraph.api.core.enums import enum_value
from valuegraph.api.loaders import LinkQuery, then
from valuegraph.api.rejections import RequestRejected
from valuegraph.queries.analyses import mirroring
from valuegraph.queries.associations import DEFAULT_MIN_COUNT
from valuegraph.queries.catalog import Link, LinkKind
from valuegraph.queries.materialize import DEFAULT_ALPHA

ALL_ROWS = 1_000_000  # "every row" for analyses whose ``top`` has no such setting


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


def value_mirroring(context: RequestContext, key: str) -> Any:
    """A value's row among all mirrored values (null if not mirrored in k conversations)."""
    result = context.analyses.run(
        context.graph, mirroring, response_type=None, model=None, top=ALL_ROWS
    )
    return next((row for row in result.values.rows if row.value_key == key), None)
