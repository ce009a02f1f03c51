"""The catalog: what the API reads beyond the analyses, as typed records.

Counts of the graph, values and tasks as keyset-paginated pages, lookups by key and id, the
taxonomy tree and conversations. Every function takes a :class:`Graph` and plain arguments and
runs one of the ``catalog_*.cypher`` files in a read transaction. Functions that take many keys
answer for all of them in one query, which is what the API's loaders batch into.

Every aggregate keeps the privacy threshold ``k``: a value, task, model or cluster that rests on
fewer than ``k`` conversations is left out (or its measure set to ``None``) and counted as
suppressed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from valuegraph.errors import InputError
from valuegraph.graph.connection import Graph
from valuegraph.queries import load_cypher


class Role(StrEnum):
    """Which side expressed a value: the AI in its response, or the human in the request."""

    AI = "AI"
    HUMAN = "HUMAN"


# The only labels a role can put into a query (passed as a parameter, checked here).
ROLE_LABELS: dict[Role, str] = {Role.AI: "AIValue", Role.HUMAN: "HumanValue"}


class Order(StrEnum):
    """How a page is ordered: most frequent first (ties by key), or by key."""

    FREQUENCY = "FREQUENCY"
    NAME = "NAME"


# --- records ------------------------------------------------------------------------------


@dataclass(frozen=True)
class ModelCount:
    name: str
    conversations: int


@dataclass(frozen=True)
class GraphStats:
    """The size of the graph: nodes and relationships by kind, models, and the date range."""

    conversations: int
    tasks: int
    ai_values: int
    human_values: int
    clusters: int
    model_count: int  # every Model node, including those under k
    models: tuple[ModelCount, ...]
    relationships: dict[str, int]
    first_conversation_at: datetime | None
    last_conversation_at: datetime | None
    suppressed: int  # models left out (fewer than k conversations), and a hidden date range


@dataclass(frozen=True)
class Keyset:
    """Where a page starts: just after this row of the previous page."""

    key: str
    frequency: int | None = None


@dataclass(frozen=True)
class CountedItem:
    """A value or a task with the number of conversations it rests on."""

    key: str
    name: str
    frequency: int


@dataclass(frozen=True)
class Page:
    """One page of a keyset-paginated list; ``has_next`` says whether more rows follow."""

    items: tuple[CountedItem, ...]
    has_next: bool


@dataclass(frozen=True)
class Totals:
    """How many rows a list query matches, and how many the privacy threshold hid."""

    total: int
    suppressed: int


@dataclass(frozen=True)
class ValueFilter:
    """What a values list is restricted to; ``search`` is matched against the normalised key."""

    role: Role = Role.AI
    search: str | None = None
    cluster: str | None = None
    model: str | None = None
    response_type: str | None = None
    min_frequency: int = 0

    @property
    def counts_in_conversations(self) -> bool:
        """Whether frequencies depend on conversation properties (so no degree lookup)."""
        return self.model is not None or self.response_type is not None


@dataclass(frozen=True)
class ValueSides:
    """A key's AI value and human value, each with its frequency (0 where a side is missing)."""

    key: str
    ai_name: str | None
    ai_frequency: int
    human_name: str | None
    human_frequency: int


@dataclass(frozen=True)
class ClusterInfo:
    """A taxonomy cluster (levels 1 to 3) as the tree file describes it."""

    id: str
    name: str
    description: str | None
    level: int
    kind: str | None
    published_pct: float | None
    parent: str | None


@dataclass(frozen=True)
class ValueMention:
    key: str
    name: str
    explicit: bool | None = None


@dataclass(frozen=True)
class ConversationInfo:
    """One conversation's extracted features (never its text)."""

    id: str
    model: str | None
    created_at: datetime | None
    response_type: str | None
    language: str | None
    subjective: bool | None
    source: str | None
    task: ValueMention | None
    ai_values: tuple[ValueMention, ...]
    human_values: tuple[ValueMention, ...]


@dataclass(frozen=True)
class Link:
    """A significant positive association, as ``valuegraph analyze materialize`` wrote it."""

    key: str  # the partner's key
    name: str
    observed: int
    expected: float
    chi2: float
    p_value: float
    p_adjusted: float
    adjusted_residual: float


class LinkKind(StrEnum):
    """The two materialised relationship types, and which labels they join."""

    VALUE_TASK = "ASSOCIATED_WITH"  # (:AIValue)-[:ASSOCIATED_WITH]->(:Task)
    AI_HUMAN = "CO_OCCURS_WITH"  # (:AIValue)-[:CO_OCCURS_WITH]->(:HumanValue)


# The labels whose links may be asked for, per kind: (from the AI value side, from the partner).
LINK_LABELS: dict[LinkKind, tuple[str, str]] = {
    LinkKind.VALUE_TASK: ("AIValue", "Task"),
    LinkKind.AI_HUMAN: ("AIValue", "HumanValue"),
}


@dataclass(frozen=True)
class IdPage:
    """One page of conversation ids, in id order."""

    ids: tuple[str, ...]
    has_next: bool


# --- the graph ----------------------------------------------------------------------------


def graph_stats(graph: Graph, k: int) -> GraphStats:
    """Counts of every node and relationship kind, the models, and the date range."""
    row = graph.read(load_cypher("catalog_stats"))[0]
    models = sorted(
        (ModelCount(m["name"], m["conversations"]) for m in row["models"]),
        key=lambda m: (-m.conversations, m.name),
    )
    shown = tuple(m for m in models if m.conversations >= k)
    dated = row["datedConversations"] >= k
    return GraphStats(
        conversations=row["conversations"],
        tasks=row["tasks"],
        ai_values=row["aiValues"],
        human_values=row["humanValues"],
        clusters=row["clusters"],
        model_count=row["modelCount"],
        models=shown,
        relationships={
            "ABOUT": row["about"],
            "AI_EXPRESSED": row["aiExpressed"],
            "HUMAN_EXPRESSED": row["humanExpressed"],
            "BY_MODEL": row["byModel"],
            "IN_CLUSTER": row["inCluster"],
        },
        first_conversation_at=_to_datetime(row["firstAt"]) if dated else None,
        last_conversation_at=_to_datetime(row["lastAt"]) if dated else None,
        suppressed=len(models) - len(shown) + (0 if dated or not row["datedConversations"] else 1),
    )


# --- values -------------------------------------------------------------------------------


def graph_counts(graph: Graph) -> dict[str, int]:
    """Nodes of each kind and all relationships, by name, in the order Neo4j returns them."""
    return {name: int(count) for name, count in graph.read(load_cypher("graph_counts"))[0].items()}


def value_page(
    graph: Graph,
    where: ValueFilter,
    order: Order,
    first: int,
    after: Keyset | None,
    k: int,
) -> Page:
    """One page of values matching ``where``, at least ``k`` conversations each."""
    name = "catalog_values_page"
    if where.counts_in_conversations:
        name += "_in_conversations"
    params = {
        **_value_filter_params(where, k),
        **_keyset_params(order, after),
        "limit": first + 1,
    }
    return _page(graph.read(load_cypher(name), params), first)


def value_totals(graph: Graph, where: ValueFilter, k: int) -> Totals:
    """How many values match ``where`` (at least k conversations), and how many k hid."""
    name = "catalog_values_count"
    if where.counts_in_conversations:
        name += "_in_conversations"
    row = graph.read(load_cypher(name), _value_filter_params(where, k))[0]
    return Totals(total=row["total"], suppressed=row["suppressed"])


def value_sides(graph: Graph, keys: Sequence[str]) -> dict[str, ValueSides]:
    """Both sides of each key: its AI value and human value with their frequencies."""
    rows = graph.read(load_cypher("catalog_values_by_key"), {"keys": list(keys)})
    return {
        row["key"]: ValueSides(
            key=row["key"],
            ai_name=row["aiName"],
            ai_frequency=row["aiFrequency"],
            human_name=row["humanName"],
            human_frequency=row["humanFrequency"],
        )
        for row in rows
    }


def value_ancestors(graph: Graph, keys: Sequence[str]) -> dict[str, tuple[ClusterInfo, ...]]:
    """The clusters above each AI value, nearest first; empty for a value outside the taxonomy."""
    rows = graph.read(load_cypher("catalog_value_ancestors"), {"keys": list(keys)})
    found = {row["key"]: tuple(_cluster(c) for c in row["ancestors"]) for row in rows}
    return {key: found.get(key, ()) for key in keys}


def value_conversations(
    graph: Graph, role: Role, keys: Sequence[str], first: int, after: str | None
) -> dict[str, IdPage]:
    """For each value, one page of the conversations that express it."""
    params = {"label": ROLE_LABELS[role], "keys": list(keys), "after": after, "limit": first + 1}
    rows = graph.read(load_cypher("catalog_value_conversations"), params)
    return _id_pages(rows, keys, first)


# --- tasks --------------------------------------------------------------------------------


def task_page(
    graph: Graph,
    search: str | None,
    min_frequency: int,
    order: Order,
    first: int,
    after: Keyset | None,
    k: int,
) -> Page:
    """One page of tasks, at least ``k`` (and ``min_frequency``) conversations each."""
    params = {
        "search": search,
        "floor": max(k, min_frequency),
        **_keyset_params(order, after),
        "limit": first + 1,
    }
    return _page(graph.read(load_cypher("catalog_tasks_page"), params), first)


def task_totals(graph: Graph, search: str | None, min_frequency: int, k: int) -> Totals:
    params = {"search": search, "floor": max(k, min_frequency), "k": k}
    row = graph.read(load_cypher("catalog_tasks_count"), params)[0]
    return Totals(total=row["total"], suppressed=row["suppressed"])


def tasks_by_key(graph: Graph, keys: Sequence[str]) -> dict[str, CountedItem]:
    """Tasks by key with their frequency; a key with no task is absent from the result."""
    rows = graph.read(load_cypher("catalog_tasks_by_key"), {"keys": list(keys)})
    return {row["key"]: CountedItem(row["key"], row["name"], row["frequency"]) for row in rows}


def task_conversations(
    graph: Graph, keys: Sequence[str], first: int, after: str | None
) -> dict[str, IdPage]:
    """For each task, one page of the conversations about it."""
    params = {"keys": list(keys), "after": after, "limit": first + 1}
    rows = graph.read(load_cypher("catalog_task_conversations"), params)
    return _id_pages(rows, keys, first)


# --- the taxonomy -------------------------------------------------------------------------


def clusters(
    graph: Graph,
    *,
    level: int | None = None,
    parent: str | None = None,
    ids: Sequence[str] | None = None,
) -> list[ClusterInfo]:
    """Clusters, optionally of one level, under one parent, or with the given ids."""
    if level is not None and not 1 <= level <= 3:
        raise InputError(f"level must be 1, 2 or 3 (0 is the values themselves), got {level}")
    params = {"level": level, "parent": parent, "ids": list(ids) if ids is not None else None}
    return [_cluster(row) for row in graph.read(load_cypher("catalog_clusters"), params)]


def cluster_children(graph: Graph, ids: Sequence[str]) -> dict[str, tuple[ClusterInfo, ...]]:
    rows = graph.read(load_cypher("catalog_cluster_children"), {"ids": list(ids)})
    found = {row["id"]: tuple(_cluster(c) for c in row["children"]) for row in rows}
    return {cluster_id: found.get(cluster_id, ()) for cluster_id in ids}


def cluster_ancestors(graph: Graph, ids: Sequence[str]) -> dict[str, tuple[ClusterInfo, ...]]:
    rows = graph.read(load_cypher("catalog_cluster_ancestors"), {"ids": list(ids)})
    found = {row["id"]: tuple(_cluster(c) for c in row["ancestors"]) for row in rows}
    return {cluster_id: found.get(cluster_id, ()) for cluster_id in ids}


# --- materialised associations -----------------------------------------------------------


def links(
    graph: Graph,
    kind: LinkKind,
    from_value: bool,
    keys: Sequence[str],
    floor: int,
    limit: int,
    order: str = "RESIDUAL",
) -> dict[str, tuple[Link, ...]]:
    """Each key's strongest materialised links (or most observed, with ``order="COUNT"``),
    from the AI value side or from the partner's."""
    if order not in ("RESIDUAL", "COUNT"):
        raise InputError(f"links are ordered by RESIDUAL or COUNT, not {order!r}")
    value_label, partner_label = LINK_LABELS[kind]
    params = {
        "label": value_label if from_value else partner_label,
        "type": kind.value,
        "keys": list(keys),
        "floor": floor,
        "limit": limit,
        "order": order,
    }
    rows = graph.read(load_cypher("catalog_links"), params)
    found = {row["key"]: tuple(Link(**link) for link in row["links"]) for row in rows}
    return {key: found.get(key, ()) for key in keys}


# --- conversations ------------------------------------------------------------------------


def conversations_by_id(graph: Graph, ids: Sequence[str]) -> dict[str, ConversationInfo]:
    """Conversations by id; an id that matches none is absent from the result."""
    rows = graph.read(load_cypher("catalog_conversations"), {"ids": list(ids)})
    return {row["id"]: _conversation(row) for row in rows}


# --- helpers ------------------------------------------------------------------------------


def _value_filter_params(where: ValueFilter, k: int) -> dict[str, Any]:
    return {
        "label": ROLE_LABELS[where.role],
        "search": where.search,
        "cluster": where.cluster,
        "model": where.model,
        "responseType": where.response_type,
        "floor": max(k, where.min_frequency),
        "k": k,
    }


def _keyset_params(order: Order, after: Keyset | None) -> dict[str, Any]:
    if after is not None and order is Order.FREQUENCY and after.frequency is None:
        raise InputError("a FREQUENCY page must start after a row with a frequency")
    return {
        "order": order.value,
        "afterKey": after.key if after else None,
        "afterFrequency": after.frequency if after else None,
    }


def _page(rows: list[dict[str, Any]], first: int) -> Page:
    items = tuple(CountedItem(r["key"], r["name"], r["frequency"]) for r in rows[:first])
    return Page(items=items, has_next=len(rows) > first)


def _id_pages(rows: list[dict[str, Any]], keys: Sequence[str], first: int) -> dict[str, IdPage]:
    found = {row["key"]: row["ids"] for row in rows}
    return {
        key: IdPage(tuple(found.get(key, [])[:first]), len(found.get(key, [])) > first)
        for key in keys
    }


def _cluster(row: dict[str, Any]) -> ClusterInfo:
    return ClusterInfo(
        id=row["id"],
        name=row["name"],
        description=row["description"] or None,
        level=row["level"],
        kind=row["kind"],
        published_pct=row["publishedPct"],
        parent=row["parent"],
    )


def _conversation(row: dict[str, Any]) -> ConversationInfo:
    task = ValueMention(row["taskKey"], row["taskName"]) if row["taskKey"] is not None else None
    return ConversationInfo(
        id=row["id"],
        model=row["model"],
        created_at=_to_datetime(row["createdAt"]),
        response_type=row["responseType"],
        language=row["language"],
        subjective=row["subjective"],
        source=row["source"],
        task=task,
        ai_values=tuple(ValueMention(v["key"], v["name"], v["explicit"]) for v in row["aiValues"]),
        human_values=tuple(ValueMention(v["key"], v["name"]) for v in row["humanValues"]),
    )


def _to_datetime(value: Any) -> datetime | None:
    """A driver temporal (or a stored ISO string) as a Python datetime."""
    if value is None:
        return None
    if isinstance(value, datetime):
        return value
    if hasattr(value, "to_native"):
        native = value.to_native()
        return native if isinstance(native, datetime) else None
    if isinstance(value, str):
        try:
            return datetime.fromisoformat(value)
        except ValueError:
            return None
    return None
