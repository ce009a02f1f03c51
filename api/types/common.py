"""What every part of the schema shares: the request context, enums, cursors and argument checks.

Cursors are keyset cursors: they hold the sort key of the last row of a page (frequency and key,
or key alone), so the next page is ``WHERE (frequency, key) < (last)`` and costs the same at
page 1 and page 1,000; a row added meanwhile neither repeats nor hides another. They are opaque
to clients (base64 of a small JSON list) and carry the list and order they belong to, so a
cursor from another list is refused with a clear message instead of silently misused.
"""

from __future__ import annotations

import base64
import binascii
import json
from collections.abc import Callable
from dataclasses import dataclass
from functools import cached_property
from typing import Any

import graphene
from graphql import GraphQLResolveInfo

from valuegraph.api.guards import ApiLimits, RequestRejected, check_page_size
from valuegraph.api.loaders import Analyses, Loaders
from valuegraph.graph.connection import Graph
from valuegraph.ingest.records import ResponseType as RecordResponseType
from valuegraph.keys import normalise_key
from valuegraph.queries.catalog import Keyset, Order
from valuegraph.queries.catalog import Role as CatalogRole
from valuegraph.settings import Settings

MAX_SEARCH_LENGTH = 200
CURSOR_VERSION = 1


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


# --- enums --------------------------------------------------------------------------------

Role = graphene.Enum.from_enum(CatalogRole, name="Role", description="Who expressed a value.")
ItemOrder = graphene.Enum.from_enum(
    Order,
    name="ItemOrder",
    description="FREQUENCY: most conversations first, ties by key. NAME: by key.",
)


class ResponseType(graphene.Enum):
    """How the AI responded to the values the user expressed (the paper's seven categories)."""

    STRONG_SUPPORT = "strong_support"
    MILD_SUPPORT = "mild_support"
    NEUTRAL = "neutral"
    REFRAMING = "reframing"
    MILD_RESISTANCE = "mild_resistance"
    STRONG_RESISTANCE = "strong_resistance"
    NO_VALUES = "no_values"


assert {m.value for m in ResponseType._meta.enum} == {r.value for r in RecordResponseType}


def enum_value(value: Any) -> Any:
    """The Python value of a graphene enum argument (graphene passes the member's value)."""
    return getattr(value, "value", value)


# --- connections --------------------------------------------------------------------------


class PageInfo(graphene.ObjectType):
    """Where a page sits in its list. Pages go forward only: pass ``endCursor`` as ``after``."""

    has_next_page = graphene.Boolean(required=True)
    has_previous_page = graphene.Boolean(required=True)
    start_cursor = graphene.String()
    end_cursor = graphene.String()


@dataclass(frozen=True)
class Edge:
    cursor: str
    node: Any


@dataclass(frozen=True)
class ConnectionPage:
    """A page ready to resolve; ``totals`` is called only if the client asks for a count."""

    edges: tuple[Edge, ...]
    has_next: bool
    has_previous: bool
    totals: Callable[[], tuple[int, int]]

    @property
    def nodes(self) -> list[Any]:
        return [edge.node for edge in self.edges]

    @property
    def page_info(self) -> dict[str, Any]:
        return {
            "has_next_page": self.has_next,
            "has_previous_page": self.has_previous,
            "start_cursor": self.edges[0].cursor if self.edges else None,
            "end_cursor": self.edges[-1].cursor if self.edges else None,
        }


def once(compute: Callable[[], tuple[int, int]]) -> Callable[[], tuple[int, int]]:
    """``compute`` run at most once, so ``totalCount`` and ``suppressed`` share one query."""
    memo: list[tuple[int, int]] = []

    def cached() -> tuple[int, int]:
        if not memo:
            memo.append(compute())
        return memo[0]

    return cached


def resolve_page_info(page: ConnectionPage, _info: GraphQLResolveInfo) -> dict[str, Any]:
    return page.page_info


def resolve_total_count(page: ConnectionPage, _info: GraphQLResolveInfo) -> int:
    return page.totals()[0]


def resolve_suppressed(page: ConnectionPage, _info: GraphQLResolveInfo) -> int:
    return page.totals()[1]


# --- cursors ------------------------------------------------------------------------------


def encode_cursor(kind: str, order: Order | str, keyset: Keyset) -> str:
    raw = json.dumps([CURSOR_VERSION, kind, str(order), keyset.frequency, keyset.key])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, kind: str, order: Order | str) -> Keyset | None:
    """The keyset in ``cursor``, checked to belong to a ``kind`` list in ``order``."""
    if cursor is None:
        return None
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        version, cursor_kind, cursor_order, frequency, key = json.loads(
            base64.urlsafe_b64decode(padded.encode())
        )
    except (ValueError, TypeError, binascii.Error, UnicodeError):
        raise RequestRejected(
            "after: not a cursor this API issued (pass a page's endCursor)", "BAD_CURSOR"
        ) from None
    valid = (
        version == CURSOR_VERSION
        and isinstance(key, str)
        and (frequency is None or isinstance(frequency, int))
    )
    if not valid:
        raise RequestRejected("after: not a cursor this API issued", "BAD_CURSOR")
    if cursor_kind != kind or cursor_order != str(order):
        raise RequestRejected(
            f"after: this cursor belongs to a {cursor_kind} list ordered by {cursor_order}, "
            f"not a {kind} list ordered by {order}",
            "BAD_CURSOR",
        )
    return Keyset(key=key, frequency=frequency)


# --- arguments ----------------------------------------------------------------------------


def page_size(argument: str, value: int | None, context: RequestContext) -> int:
    """A checked page size (the same limit the guards apply before execution)."""
    check_page_size(argument, value, context.limits)
    return value if value is not None else 0


def search_key(value: str | None, argument: str = "search") -> str | None:
    """A search string as a normalised key fragment; empty means no search."""
    if value is None:
        return None
    if len(value) > MAX_SEARCH_LENGTH:
        raise RequestRejected(
            f"{argument} is {len(value)} characters; the limit is {MAX_SEARCH_LENGTH}",
            "ARGUMENT_TOO_LONG",
        )
    return normalise_key(value) or None


def name_key(value: str, argument: str = "name") -> str:
    """A value or task name as its canonical key; a blank name is refused."""
    key = search_key(value, argument)
    if key is None:
        raise RequestRejected(f"{argument} must not be blank", "BAD_ARGUMENT")
    return key


def min_count(value: int | None, argument: str) -> int:
    if value is not None and value < 0:
        raise RequestRejected(f"{argument} must not be negative, got {value}", "BAD_ARGUMENT")
    return value or 0
