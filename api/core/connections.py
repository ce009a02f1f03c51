"""Relay-style connections: the page info, edges, and a page ready to resolve.

A connection's count is deferred: ``totals`` runs only if the client selects ``totalCount``
or ``suppressed``, and then once for both.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import graphene
from graphql import GraphQLResolveInfo


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
