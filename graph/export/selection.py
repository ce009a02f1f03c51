"""What to export: four kinds of selection, each turned into a :class:`SubgraphPlan`.

- :class:`Around`: the neighbourhood of one item (``value:"healthy boundaries"``,
  ``task:...``, ``human-value:...``, ``cluster:...``, ``conversation:...``), ``depth``
  rounds of breadth-first expansion, and at each node only its ``top_k`` strongest
  association partners, so the result stays readable. Strength is the materialised
  ``adjusted_residual`` of ``ASSOCIATED_WITH`` / ``CO_OCCURS_WITH``; with none
  materialised, conversations are counted on the fly (pairs under k suppressed) and the
  counts travel as computed edges of the same types with ``computed: true``.
- :class:`ClusterBranch`: a taxonomy cluster and everything beneath it.
- :class:`Associations`: the materialised associations at or above a residual.
- :class:`UserQuery`: any read-only Cypher returning nodes, relationships or paths. It is
  refused *before it runs* unless ``EXPLAIN`` calls it a read query (type ``r``) whose plan
  has no ``LOAD CSV`` and no procedure call; it then runs, wrapped, in a read transaction,
  which Neo4j also holds to read-only.

Planning may read the graph (to find the seed, walk the neighbourhood, check the query);
it never writes.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import neo4j

from valuegraph.errors import InputError, QueryError
from valuegraph.graph import statements
from valuegraph.graph.connection import Graph
from valuegraph.graph.export.model import ExportRelationship
from valuegraph.keys import normalise_key

AROUND_KINDS = ("value", "human-value", "task", "cluster", "conversation")
MAX_DEPTH = 6
MAX_TOP_K = 1000
# The neighbourhood is walked client-side; past this many nodes it is no longer "readable".
MAX_NEIGHBOURHOOD_NODES = 100_000


@dataclass(frozen=True)
class CypherRows:
    """A fragment of :mod:`graph.statements` (leaving ``n`` or ``r`` per row) and its parameters."""

    fragment: str
    params: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class ComputedRows:
    """Relationships that exist only in the export (co-occurrence counts), already vetted."""

    relationships: tuple[ExportRelationship, ...]


@dataclass(frozen=True)
class SubgraphPlan:
    """A selection, ready to run: where the nodes and relationships come from."""

    description: str
    nodes: CypherRows
    relationships: tuple[CypherRows | ComputedRows, ...]
    # Rows suppressed while selecting (pairs resting on fewer than k conversations).
    suppressed_pairs: int = 0


@dataclass(frozen=True)
class Privacy:
    """The privacy switches every selection honours."""

    include_conversations: bool
    min_conversations: int

    def params(self) -> dict[str, Any]:
        return {
            "include_conversations": self.include_conversations,
            "min_conversations": self.min_conversations,
        }


# --- the selections ----------------------------------------------------------------------------


@dataclass(frozen=True)
class Around:
    """The neighbourhood of one item."""

    kind: str
    name: str
    depth: int = 2
    top_k: int = 10

    def describe(self) -> str:
        return f"around {self.kind}:{self.name!r} (depth {self.depth}, top {self.top_k})"


@dataclass(frozen=True)
class ClusterBranch:
    """A taxonomy cluster and everything beneath it."""

    cluster_id: str

    def describe(self) -> str:
        return f"cluster branch {self.cluster_id}"


@dataclass(frozen=True)
class Associations:
    """Materialised associations with ``adjusted_residual >= min_residual``."""

    min_residual: float = 0.0

    def describe(self) -> str:
        return f"associations with residual >= {self.min_residual:g}"


@dataclass(frozen=True)
class UserQuery:
    """A read-only Cypher query whose nodes, relationships and paths are exported."""

    cypher: str

    def describe(self) -> str:
        return "cypher query"


Selection = Around | ClusterBranch | Associations | UserQuery

_AROUND = re.compile(r"^\s*(?P<kind>[a-z-]+)\s*:(?P<name>.*)$", re.DOTALL)


def parse_around(text: str, *, depth: int = 2, top_k: int = 10) -> Around:
    """``value:"healthy boundaries"`` (quotes optional) -> :class:`Around`, or an InputError."""
    match = _AROUND.match(text)
    if match is None or match["kind"] not in AROUND_KINDS:
        raise InputError(
            f"--around {text!r}: expected KIND:NAME with KIND one of {', '.join(AROUND_KINDS)}"
        )
    name = match["name"].strip()
    if len(name) >= 2 and name[0] == name[-1] and name[0] in "\"'":
        name = name[1:-1]
    if not name.strip():
        raise InputError(f"--around {text!r}: the name after '{match['kind']}:' is empty")
    if not 0 <= depth <= MAX_DEPTH:
        raise InputError(f"--depth {depth}: must be between 0 and {MAX_DEPTH}")
    if not 1 <= top_k <= MAX_TOP_K:
        raise InputError(f"--top-k {top_k}: must be between 1 and {MAX_TOP_K}")
    return Around(match["kind"], name, depth, top_k)


def selection_from_options(
    around: str | None,
    cluster: str | None,
    associations: bool,
    cypher: str | None,
    *,
    depth: int,
    top_k: int,
    min_residual: float,
) -> Selection:
    """Exactly one selection from the options (the command line's and the HTTP route's)."""
    given = [
        name
        for name, present in (
            ("around", around is not None),
            ("cluster", cluster is not None),
            ("associations", associations),
            ("cypher", cypher is not None),
        )
        if present
    ]
    if len(given) != 1:
        what = "none" if not given else " and ".join(given)
        raise InputError(
            f"choose exactly one selection: around, cluster, associations or cypher (got {what})"
        )
    if around is not None:
        return parse_around(around, depth=depth, top_k=top_k)
    if cluster is not None:
        return ClusterBranch(cluster)
    if associations:
        return Associations(min_residual)
    assert cypher is not None
    return UserQuery(cypher)


def plan(graph: Graph, selection: Selection, privacy: Privacy) -> SubgraphPlan:
    """Turn ``selection`` into a plan; reads the graph where the selection needs it."""
    if isinstance(selection, Around):
        return _plan_around(graph, selection, privacy)
    if isinstance(selection, ClusterBranch):
        return _plan_cluster(graph, selection, privacy)
    if isinstance(selection, Associations):
        return _plan_associations(graph, selection, privacy)
    return _plan_user_query(graph, selection, privacy)


# --- taxonomy branch and associations ----------------------------------------------------------


def _plan_cluster(graph: Graph, branch: ClusterBranch, privacy: Privacy) -> SubgraphPlan:
    if not graph.read(statements.CLUSTER_EXISTS, {"cluster": branch.cluster_id})[0]["found"]:
        raise InputError(f"--cluster {branch.cluster_id!r}: no Cluster with that id")
    params = {**privacy.params(), "cluster": branch.cluster_id}
    return SubgraphPlan(
        description=branch.describe(),
        nodes=CypherRows(statements.CLUSTER_BRANCH_NODES, params),
        relationships=(CypherRows(statements.CLUSTER_BRANCH_RELATIONSHIPS, params),),
    )


def materialised_association_count(graph: Graph) -> int:
    """How many ASSOCIATED_WITH and CO_OCCURS_WITH edges ``analyze materialize`` has written."""
    return sum(
        int(graph.read(query)[0]["edges"])
        for query in (statements.COUNT_ASSOCIATED_WITH, statements.COUNT_CO_OCCURS_WITH)
    )


def _plan_associations(graph: Graph, selection: Associations, privacy: Privacy) -> SubgraphPlan:
    if materialised_association_count(graph) == 0:
        raise InputError(
            "--associations: no associations are materialised; "
            "run `valuegraph analyze materialize` first"
        )
    params = {**privacy.params(), "min_residual": selection.min_residual}
    weak = graph.read(statements.COUNT_WEAK_ASSOCIATIONS, params)[0]["suppressed"]
    return SubgraphPlan(
        description=selection.describe(),
        nodes=CypherRows(statements.ASSOCIATION_NODES, params),
        relationships=(CypherRows(statements.ASSOCIATION_RELATIONSHIPS, params),),
        suppressed_pairs=int(weak),
    )


# --- the neighbourhood -------------------------------------------------------------------------


def _find_seed(graph: Graph, around: Around, privacy: Privacy) -> str:
    if around.kind == "conversation" and not privacy.include_conversations:
        raise InputError(f"--around conversation:{around.name!r} needs --include-conversations")
    key = around.name.strip() if around.kind == "conversation" else normalise_key(around.name)
    rows = graph.read(
        statements.find_seed_query(around.kind),
        {**privacy.params(), "key": key, "raw": around.name},
    )
    if not rows:
        raise InputError(f"--around {around.kind}:{around.name!r}: not in the graph")
    if around.kind == "cluster" and len(rows) > 1 and not rows[0]["exact"]:
        raise InputError(
            f"--around cluster:{around.name!r}: {len(rows)} clusters have that name; "
            "give the cluster id"
        )
    if not rows[0]["kept"]:
        raise InputError(
            f"--around {around.kind}:{around.name!r}: rests on fewer than "
            f"{privacy.min_conversations} conversations, so it is suppressed"
        )
    return str(rows[0]["id"])


@dataclass
class _Walk:
    """The breadth-first walk: at most top_k ** depth nodes, capped at MAX_NEIGHBOURHOOD_NODES."""

    visited: dict[str, None]  # insertion-ordered set of node ids
    relationship_ids: dict[str, None] = field(default_factory=dict)
    computed: dict[tuple[str, str, str], ExportRelationship] = field(default_factory=dict)
    suppressed: int = 0

    def add_edge(self, row: Mapping[str, Any]) -> None:
        if row["id"] is not None:
            self.relationship_ids[row["id"]] = None
            return
        key = (row["type"], row["start"], row["end"])
        if key not in self.computed:
            self.computed[key] = ExportRelationship(
                id=f"{row['type']}:{row['start']}->{row['end']}",
                type=row["type"],
                start=row["start"],
                end=row["end"],
                properties=dict(row["props"]),
            )


def _plan_around(graph: Graph, around: Around, privacy: Privacy) -> SubgraphPlan:
    seed = _find_seed(graph, around, privacy)
    materialised = materialised_association_count(graph) > 0
    expand = statements.expand_query(materialised)
    walk = _Walk(visited={seed: None})
    frontier = [seed]
    for _ in range(around.depth):
        if not frontier:
            break
        rows = graph.read(expand, {**privacy.params(), "frontier": frontier, "top_k": around.top_k})
        reached: dict[str, None] = {}
        for row in rows:
            walk.suppressed += int(row["suppressed"] or 0)
            neighbour = row["neighbour"]
            if neighbour is None:
                continue
            walk.add_edge(row)
            if neighbour not in walk.visited:
                reached[neighbour] = None
        walk.visited.update(reached)
        if len(walk.visited) > MAX_NEIGHBOURHOOD_NODES:
            raise InputError(
                f"{around.describe()}: more than {MAX_NEIGHBOURHOOD_NODES:,} nodes; "
                "lower --depth or --top-k"
            )
        frontier = list(reached)
    mode = "materialised associations" if materialised else "co-occurrence counts"
    relationships: list[CypherRows | ComputedRows] = [
        CypherRows(
            statements.RELATIONSHIPS_BY_ID,
            {**privacy.params(), "relationship_ids": list(walk.relationship_ids)},
        )
    ]
    if walk.computed:
        relationships.append(ComputedRows(tuple(walk.computed.values())))
    return SubgraphPlan(
        description=f"{around.describe()} by {mode}",
        nodes=CypherRows(
            statements.NODES_BY_ID, {**privacy.params(), "node_ids": list(walk.visited)}
        ),
        relationships=tuple(relationships),
        suppressed_pairs=walk.suppressed,
    )


# --- the user's query ----------------------------------------------------------------------------

_TRAILING_SEMICOLONS = re.compile(r"[;\s]+$")


@dataclass(frozen=True)
class Explained:
    """What EXPLAIN says of a query, without running it."""

    query_type: str  # r, rw, w or s
    columns: list[str]
    operators: frozenset[str]  # the plan's operator types, without their "@database" suffix


def _explain(graph: Graph, cypher: str, params: Mapping[str, Any] | None = None) -> Explained:
    def work(tx: neo4j.ManagedTransaction) -> Explained:
        result = tx.run(statements.EXPLAIN + cypher, dict(params or {}))
        keys = list(result.keys())
        summary = result.consume()
        return Explained(str(summary.query_type), keys, _operators(summary.plan or {}))

    return graph.read_tx(work)


def _operators(plan: Mapping[str, Any]) -> frozenset[str]:
    found = {str(plan.get("operatorType", "")).split("@")[0]}
    for child in plan.get("children", ()):
        found |= _operators(child)
    return frozenset(found - {""})


# Read queries by EXPLAIN's type that still reach outside the graph: LOAD CSV makes the
# database fetch any URL or file it is given (a request forged from the database host, open
# to every export client), and procedures can do the same (apoc.load.*) or read the server's
# configuration. An export needs neither.
REFUSED_OPERATORS = {
    "LoadCSV": "LOAD CSV (it makes the database fetch a URL or file)",
    "ProcedureCall": "procedure calls",
}


def _backtick(name: str) -> str:
    return "`" + name.replace("`", "``") + "`"


_POSITION = re.compile(r"\(line 1, column (\d+) \(offset: (\d+)\)\)")


def _first_line_of_query_error(message: str) -> str:
    """The server's first line, with positions on line 1 counted in the user's own text."""
    first = message.removeprefix("read: ").splitlines()[0] if message else "failed"

    def shift(match: re.Match[str]) -> str:
        skip = len(statements.EXPLAIN)
        column, offset = (int(match[1]) - skip, int(match[2]) - skip)
        return f"(line 1, column {column} (offset: {offset}))"

    return _POSITION.sub(shift, first)


def check_read_only(
    graph: Graph, cypher: str, params: Mapping[str, Any] | None = None
) -> list[str]:
    """Refuse anything but a read query, before it runs; return its columns."""
    try:
        explained = _explain(graph, cypher, params)
    except QueryError as exc:
        raise QueryError(f"--cypher: {_first_line_of_query_error(str(exc))}") from None
    query_type, columns = explained.query_type, explained.columns
    refused = sorted(REFUSED_OPERATORS[op] for op in explained.operators & REFUSED_OPERATORS.keys())
    if refused:
        raise QueryError(f"--cypher: refused, an export query may not use {' or '.join(refused)}")
    if query_type != "r":
        kinds = {"rw": "reads and writes", "w": "writes", "s": "changes the schema"}
        raise QueryError(
            f"--cypher: refused, the query {kinds.get(query_type, 'is not read-only')} "
            f"(query type {query_type!r}); only read queries can be exported"
        )
    return columns


def _plan_user_query(graph: Graph, selection: UserQuery, privacy: Privacy) -> SubgraphPlan:
    cypher = _TRAILING_SEMICOLONS.sub("", selection.cypher)
    if not cypher.strip():
        raise InputError("--cypher: the query is empty")
    columns = check_read_only(graph, cypher)
    if not columns:
        raise InputError(
            "--cypher: the query returns no columns; RETURN nodes, relationships or paths"
        )
    # The user's text sits on its own lines, so a trailing // comment cannot swallow the brace.
    wrapper = statements.USER_QUERY_WRAPPER.format(
        user_query=cypher, columns=", ".join(_backtick(c) for c in columns)
    )
    node_fragment = wrapper + statements.USER_QUERY_NODES
    relationship_fragment = wrapper + statements.USER_QUERY_RELATIONSHIPS
    # Checked again as wrapped: text that tried to close the wrapper early cannot write either.
    params = privacy.params()
    tails = {"only_labels": None, "only_type": None}
    check_read_only(graph, statements.node_rows_query(node_fragment), {**params, **tails})
    check_read_only(
        graph, statements.relationship_rows_query(relationship_fragment), {**params, **tails}
    )
    return SubgraphPlan(
        description=selection.describe(),
        nodes=CypherRows(node_fragment, params),
        relationships=(CypherRows(relationship_fragment, params),),
    )
