"""The typed records of an export: nodes, relationships, and the subgraph's schema.

A writer sees the subgraph as a stream of :class:`ExportNode` and then of
:class:`ExportRelationship`, and, before either, a :class:`SubgraphSchema`: which
label combinations and relationship types occur, how many of each, and the type
of every property. The formats that declare types up front (GraphML keys, the
typed CSV header of ``neo4j-admin database import``) need the schema; all of
them use its counts for the progress bar.

Property types come from Cypher's ``valueType()`` (server side) or from the
Python value (for computed edges) and are *widened* when a key holds more than
one type: integers and floats become floats, anything else mixed becomes a
string. The widening is a pure function, tested without a database.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Literal, TypeVar

from valuegraph.errors import QueryError


class PropertyType(StrEnum):
    """A scalar property type, named as ``neo4j-admin database import`` names it."""

    STRING = "string"
    LONG = "long"
    DOUBLE = "double"
    BOOLEAN = "boolean"
    DATE = "date"
    DATETIME = "datetime"
    LOCALDATETIME = "localdatetime"
    TIME = "time"
    LOCALTIME = "localtime"
    DURATION = "duration"
    POINT = "point"


# Cypher's valueType() names (without " NOT NULL") onto ours.
_CYPHER_TYPE_NAMES: Mapping[str, PropertyType] = {
    "STRING": PropertyType.STRING,
    "INTEGER": PropertyType.LONG,
    "FLOAT": PropertyType.DOUBLE,
    "BOOLEAN": PropertyType.BOOLEAN,
    "DATE": PropertyType.DATE,
    "ZONED DATETIME": PropertyType.DATETIME,
    "LOCAL DATETIME": PropertyType.LOCALDATETIME,
    "ZONED TIME": PropertyType.TIME,
    "LOCAL TIME": PropertyType.LOCALTIME,
    "DURATION": PropertyType.DURATION,
    "POINT": PropertyType.POINT,
}

_NUMERIC = frozenset({PropertyType.LONG, PropertyType.DOUBLE})


@dataclass(frozen=True)
class ColumnType:
    """The type of one property key across a group: a scalar type, or a list of one."""

    base: PropertyType
    is_list: bool = False
    # True when the key held types that do not widen to one (e.g. a string here, a list
    # there): every value is then written as its JSON text, so nothing is lost.
    mixed: bool = False

    @property
    def import_name(self) -> str:
        """The header type of ``neo4j-admin database import``: ``long``, ``string[]`` ..."""
        return self.base.value + ("[]" if self.is_list else "")


STRING_COLUMN = ColumnType(PropertyType.STRING)


def _strip_not_null(name: str) -> str:
    return name.replace(" NOT NULL", "").strip()


def _split_union(inner: str) -> list[str]:
    """``'STRING NOT NULL | INTEGER NOT NULL'`` -> its members (no nesting in a list's union)."""
    return [part.strip() for part in inner.split("|") if part.strip()]


def parse_value_type(name: str) -> ColumnType | None:
    """One ``valueType()`` result as a column type; None for NULL and types we do not export."""
    plain = _strip_not_null(name)
    if plain == "NULL" or not plain:
        return None
    if plain.startswith("LIST<") and plain.endswith(">"):
        members = [_strip_not_null(m) for m in _split_union(plain[5:-1])]
        scalars = [_CYPHER_TYPE_NAMES.get(m) for m in members if m != "NULL"]
        if not scalars or any(s is None for s in scalars):
            return ColumnType(PropertyType.STRING, mixed=True)
        widened = _widen_scalars({s for s in scalars if s is not None})
        if widened is None:
            return ColumnType(PropertyType.STRING, mixed=True)
        return ColumnType(widened, is_list=True)
    scalar = _CYPHER_TYPE_NAMES.get(plain)
    if scalar is None:  # maps, nodes, vectors ...: not storable as a property anyway
        return ColumnType(PropertyType.STRING, mixed=True)
    return ColumnType(scalar)


def python_value_type(value: Any) -> ColumnType | None:
    """The column type of a plain Python value (computed edges carry these)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return ColumnType(PropertyType.BOOLEAN)
    if isinstance(value, int):
        return ColumnType(PropertyType.LONG)
    if isinstance(value, float):
        return ColumnType(PropertyType.DOUBLE)
    if isinstance(value, str):
        return ColumnType(PropertyType.STRING)
    if isinstance(value, list):
        members = {python_value_type(item) for item in value} - {None}
        if not members:
            return ColumnType(PropertyType.STRING, is_list=True)
        widened = widen(m for m in members if m is not None)
        if widened.is_list or widened.mixed:
            return ColumnType(PropertyType.STRING, mixed=True)
        return ColumnType(widened.base, is_list=True)
    return ColumnType(PropertyType.STRING, mixed=True)


def _widen_scalars(types: set[PropertyType]) -> PropertyType | None:
    if len(types) == 1:
        return next(iter(types))
    if types <= _NUMERIC:
        return PropertyType.DOUBLE
    return None


def widen(types: Iterable[ColumnType]) -> ColumnType:
    """One column type that holds every value of ``types`` (ints and floats widen to float)."""
    distinct = set(types)
    if not distinct:
        return STRING_COLUMN
    if len(distinct) == 1:
        return next(iter(distinct))
    if any(t.mixed for t in distinct) or len({t.is_list for t in distinct}) > 1:
        return ColumnType(PropertyType.STRING, mixed=True)
    base = _widen_scalars({t.base for t in distinct})
    if base is None:
        return ColumnType(PropertyType.STRING, mixed=True)
    return ColumnType(base, is_list=next(iter(distinct)).is_list)


@dataclass(frozen=True, slots=True)
class ExportNode:
    """One node as exported: an opaque id (its element id), labels, and properties."""

    id: str
    labels: tuple[str, ...]
    properties: Mapping[str, Any]


@dataclass(frozen=True, slots=True)
class ExportRelationship:
    """One relationship as exported; computed edges (co-occurrence counts) have made-up ids."""

    id: str
    type: str
    start: str
    end: str
    properties: Mapping[str, Any]


Kind = Literal["node", "relationship"]
T = TypeVar("T")


def changed_if_missing(columns: Mapping[str, T], key: str) -> T:
    """The column of ``key``; a key the schema did not see means the graph changed meanwhile."""
    try:
        return columns[key]
    except KeyError:
        raise QueryError(
            f"the graph changed during the export (property {key!r} appeared); export again"
        ) from None


@dataclass(frozen=True)
class GroupSchema:
    """One label combination (or relationship type): how many elements, which typed properties."""

    kind: Kind
    labels: tuple[str, ...]  # a node's labels, or a relationship's (type,)
    count: int
    properties: tuple[tuple[str, ColumnType], ...]  # sorted by key

    @property
    def name(self) -> str:
        return ":".join(self.labels)


@dataclass(frozen=True)
class SubgraphSchema:
    """What the export will hold, learnt before the first element is written."""

    node_groups: tuple[GroupSchema, ...]
    relationship_groups: tuple[GroupSchema, ...]
    excluded_conversations: int = 0  # Conversation nodes left out (no --include-conversations)
    suppressed_nodes: int = 0  # nodes resting on fewer than k conversations
    excluded_relationships: int = 0  # relationships touching an excluded or suppressed node

    @property
    def node_count(self) -> int:
        return sum(group.count for group in self.node_groups)

    @property
    def relationship_count(self) -> int:
        return sum(group.count for group in self.relationship_groups)

    def node_properties(self) -> dict[str, ColumnType]:
        """Every node property key across all groups, with one widened type each (GraphML)."""
        return _merge_properties(self.node_groups)

    def relationship_properties(self) -> dict[str, ColumnType]:
        return _merge_properties(self.relationship_groups)


def _merge_properties(groups: Iterable[GroupSchema]) -> dict[str, ColumnType]:
    seen: dict[str, list[ColumnType]] = {}
    for group in groups:
        for key, column in group.properties:
            seen.setdefault(key, []).append(column)
    return {key: widen(columns) for key, columns in sorted(seen.items())}


@dataclass
class SchemaBuilder:
    """Accumulates schema rows (server-side aggregates or computed edges) into groups."""

    kind: Kind
    counts: dict[tuple[str, ...], int] = field(default_factory=dict)
    types: dict[tuple[str, ...], dict[str, list[ColumnType]]] = field(default_factory=dict)

    def add_count(self, labels: tuple[str, ...], count: int) -> None:
        self.counts[labels] = self.counts.get(labels, 0) + count
        self.types.setdefault(labels, {})

    def add_type(self, labels: tuple[str, ...], key: str, column: ColumnType | None) -> None:
        if column is not None:
            self.types.setdefault(labels, {}).setdefault(key, []).append(column)

    def add_element(self, labels: tuple[str, ...], properties: Mapping[str, Any]) -> None:
        self.add_count(labels, 1)
        for key, value in properties.items():
            self.add_type(labels, key, python_value_type(value))

    def groups(self) -> tuple[GroupSchema, ...]:
        return tuple(
            GroupSchema(
                kind=self.kind,
                labels=labels,
                count=count,
                properties=tuple(
                    (key, widen(columns)) for key, columns in sorted(self.types[labels].items())
                ),
            )
            for labels, count in sorted(self.counts.items())
            if count > 0
        )
