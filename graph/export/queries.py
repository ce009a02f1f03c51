"""All Cypher of the export, as constants and small builders over constants.

A selection is a pair of *fragments*: Cypher that leaves one node ``n`` per row
(duplicates allowed) and Cypher that leaves one relationship ``r`` per row.
Fixed tails turn a fragment into the three queries an export runs: its schema
(server-side aggregates, a handful of rows), its nodes, and its relationships.
Every value is a ``$parameter``; the only text ever joined is these constants,
plus, for ``--cypher``, the user's own read-only query (see ``selection.py``).

The privacy rule lives in :func:`keep`: without ``$include_conversations`` no
Conversation node passes, and no node that rests on 1 to k-1 conversations
(a rare task or value could single someone out). Conversation ``text`` never
leaves the database: the node tail projects it away.
"""

from __future__ import annotations

from typing import Literal

Variable = Literal["n", "m", "a", "b"]

# The relationship types that tie a node to the conversations it rests on.
_RESTS_ON = "ABOUT|AI_EXPRESSED|HUMAN_EXPRESSED"


def keep(var: Variable) -> str:
    """The privacy predicate for node variable ``var`` (an allow-listed name, not input)."""
    return (
        f"($include_conversations OR (NOT {var}:Conversation AND NOT "
        f"COUNT {{ ({var})<-[:{_RESTS_ON}]-() }} IN range(1, $min_conversations - 1)))"
    )


# --- tails ---------------------------------------------------------------------------------

# One row per (kept?, labels, key): key null carries the count of the group.
_NODE_SCHEMA_TAIL = """
WITH DISTINCT n
WITH n, {keep_n} AS kept
UNWIND CASE WHEN kept
  THEN [null] + [key IN keys(n) WHERE NOT (n:Conversation AND key = 'text')]
  ELSE [null] END AS key
RETURN kept, labels(n) AS labels, key, count(*) AS rows,
       collect(DISTINCT valueType(n[key])) AS types
"""

_RELATIONSHIP_SCHEMA_TAIL = """
WITH DISTINCT r
WITH r, startNode(r) AS a, endNode(r) AS b
WITH r, {keep_a} AND {keep_b} AS kept
UNWIND CASE WHEN kept THEN [null] + keys(r) ELSE [null] END AS key
RETURN kept, [type(r)] AS labels, key, count(*) AS rows,
       collect(DISTINCT valueType(r[key])) AS types
"""

# $only_labels / $only_type pick one group, so each CSV file is written whole, in turn.
_NODE_ROWS_TAIL = """
WITH DISTINCT n
WHERE ($only_labels IS NULL OR labels(n) = $only_labels) AND {keep_n}
RETURN elementId(n) AS id, labels(n) AS labels,
       CASE WHEN n:Conversation THEN n {{.*, text: null}} ELSE properties(n) END AS props
"""

_RELATIONSHIP_ROWS_TAIL = """
WITH DISTINCT r
WHERE $only_type IS NULL OR type(r) = $only_type
WITH r, startNode(r) AS a, endNode(r) AS b
WHERE {keep_a} AND {keep_b}
RETURN elementId(r) AS id, type(r) AS type, elementId(a) AS start, elementId(b) AS end,
       properties(r) AS props
"""


def node_schema_query(fragment: str) -> str:
    return fragment + _NODE_SCHEMA_TAIL.format(keep_n=keep("n"))


def relationship_schema_query(fragment: str) -> str:
    return fragment + _RELATIONSHIP_SCHEMA_TAIL.format(keep_a=keep("a"), keep_b=keep("b"))


def node_rows_query(fragment: str) -> str:
    return fragment + _NODE_ROWS_TAIL.format(keep_n=keep("n"))


def relationship_rows_query(fragment: str) -> str:
    return fragment + _RELATIONSHIP_ROWS_TAIL.format(keep_a=keep("a"), keep_b=keep("b"))


# --- fragments: element ids chosen client-side (the neighbourhood) --------------------------

NODES_BY_ID = """
UNWIND $node_ids AS node_id
MATCH (n) WHERE elementId(n) = node_id
"""

RELATIONSHIPS_BY_ID = """
UNWIND $relationship_ids AS relationship_id
MATCH ()-[r]->() WHERE elementId(r) = relationship_id
"""

# --- fragments: a taxonomy branch ------------------------------------------------------------

CLUSTER_EXISTS = "MATCH (c:Cluster {id: $cluster}) RETURN count(c) > 0 AS found"

CLUSTER_BRANCH_NODES = """
MATCH (root:Cluster {id: $cluster})
CALL (root) {
  MATCH (n)-[:IN_CLUSTER*0..]->(root)
  RETURN n
  UNION
  MATCH (n:Conversation)-[:AI_EXPRESSED]->(:AIValue)-[:IN_CLUSTER*1..]->(root)
  WHERE $include_conversations
  RETURN n
}
"""

CLUSTER_BRANCH_RELATIONSHIPS = """
MATCH (root:Cluster {id: $cluster})
CALL (root) {
  MATCH (parent)-[:IN_CLUSTER*0..]->(root)
  MATCH ()-[r:IN_CLUSTER]->(parent)
  RETURN r
  UNION
  MATCH (v:AIValue)-[:IN_CLUSTER*1..]->(root)
  WHERE $include_conversations
  MATCH (:Conversation)-[r:AI_EXPRESSED]->(v)
  RETURN r
}
"""

# --- fragments: the materialised associations --------------------------------------------------

_STRONG_ASSOCIATIONS = """
MATCH (a)-[r:ASSOCIATED_WITH|CO_OCCURS_WITH]->(b)
WHERE r.adjusted_residual >= $min_residual
  AND coalesce(r.observed, $min_conversations) >= $min_conversations
"""

ASSOCIATION_NODES = _STRONG_ASSOCIATIONS + "UNWIND [a, b] AS n\n"
ASSOCIATION_RELATIONSHIPS = _STRONG_ASSOCIATIONS

COUNT_WEAK_ASSOCIATIONS = """
MATCH ()-[r:ASSOCIATED_WITH|CO_OCCURS_WITH]->()
WHERE r.adjusted_residual >= $min_residual AND r.observed < $min_conversations
RETURN count(r) AS suppressed
"""

# Count-store lookups: one label-free type each, answered without a scan.
COUNT_ASSOCIATED_WITH = "MATCH ()-[r:ASSOCIATED_WITH]->() RETURN count(r) AS edges"
COUNT_CO_OCCURS_WITH = "MATCH ()-[r:CO_OCCURS_WITH]->() RETURN count(r) AS edges"

# --- fragments: the user's own read-only query ---------------------------------------------------

# The user's query runs inside CALL () { ... }; its columns are gathered into one list.
# {user_query} and {columns} are filled by selection.py after EXPLAIN has checked the query.
# The trailing null gives the list the static type LIST<ANY>, so that the type tests below
# compile whatever the columns hold (a list of paths alone would reject startNode()). Nulls
# (that one, and OPTIONAL MATCH misses) are skipped: in Cypher, null IS :: NODE is true, so
# the type tests below all say NOT NULL.
USER_QUERY_WRAPPER = """
CALL () {{
{user_query}
}}
WITH [{columns}, null] AS columns
UNWIND columns AS value
"""

USER_QUERY_NODES = """
UNWIND CASE
  WHEN value IS :: NODE NOT NULL THEN [value]
  WHEN value IS :: RELATIONSHIP NOT NULL THEN [startNode(value), endNode(value)]
  WHEN value IS :: PATH NOT NULL THEN nodes(value)
  WHEN value IS :: LIST<ANY> NOT NULL THEN [x IN value WHERE x IS :: NODE NOT NULL]
    + reduce(acc = [], x IN [y IN value WHERE y IS :: RELATIONSHIP NOT NULL]
             | acc + [startNode(x), endNode(x)])
    + reduce(acc = [], x IN [y IN value WHERE y IS :: PATH NOT NULL] | acc + nodes(x))
  ELSE [] END AS n
"""

USER_QUERY_RELATIONSHIPS = """
UNWIND CASE
  WHEN value IS :: RELATIONSHIP NOT NULL THEN [value]
  WHEN value IS :: PATH NOT NULL THEN relationships(value)
  WHEN value IS :: LIST<ANY> NOT NULL THEN [x IN value WHERE x IS :: RELATIONSHIP NOT NULL]
    + reduce(acc = [], x IN [y IN value WHERE y IS :: PATH NOT NULL] | acc + relationships(x))
  ELSE [] END AS r
"""

# --- the neighbourhood: seeds and one round of expansion ------------------------------------------

FIND_SEED = {
    "value": "MATCH (n:AIValue {{key: $key}}) RETURN elementId(n) AS id, {keep_n} AS kept",
    "human-value": "MATCH (n:HumanValue {{key: $key}}) RETURN elementId(n) AS id, {keep_n} AS kept",
    "task": "MATCH (n:Task {{key: $key}}) RETURN elementId(n) AS id, {keep_n} AS kept",
    "conversation": (
        "MATCH (n:Conversation {{id: $key}}) RETURN elementId(n) AS id, {keep_n} AS kept"
    ),
    # A cluster by id, or by its name when that is unambiguous.
    "cluster": (
        "MATCH (n:Cluster) WHERE n.id = $raw OR toLower(n.name) = $key "
        "RETURN elementId(n) AS id, {keep_n} AS kept, n.id = $raw AS exact ORDER BY exact DESC"
    ),
}


def find_seed_query(kind: str) -> str:
    return FIND_SEED[kind].format(keep_n=keep("n"))


# Edges every node kind has whatever the association mode: its taxonomy parent, its
# top-k children (by share of occurrences), and a conversation's own edges.
_STRUCTURAL_EDGES = """
  MATCH (n)-[r:IN_CLUSTER]->(m)
  RETURN r, m
  UNION
  MATCH (m)-[r:IN_CLUSTER]->(n)
  WHERE {keep_m}
  RETURN r, m ORDER BY coalesce(m.pct_total_occurrences, 0.0) DESC, elementId(m) LIMIT $top_k
  UNION
  MATCH (n:Conversation)-[r:ABOUT|AI_EXPRESSED|HUMAN_EXPRESSED|BY_MODEL]->(m)
  WHERE {keep_m}
  RETURN r, m
"""

_EXPAND_MATERIALISED = """
UNWIND $frontier AS node_id
MATCH (n) WHERE elementId(n) = node_id
CALL (n) {{
  MATCH (n)-[r:ASSOCIATED_WITH|CO_OCCURS_WITH]-(m)
  WHERE coalesce(r.observed, $min_conversations) >= $min_conversations AND {keep_m}
  RETURN r, m ORDER BY coalesce(r.adjusted_residual, 0.0) DESC, elementId(m) LIMIT $top_k
  UNION
{structural}
}}
RETURN elementId(r) AS id, type(r) AS type, elementId(startNode(r)) AS start,
       elementId(endNode(r)) AS end, properties(r) AS props, elementId(m) AS neighbour,
       0 AS suppressed
UNION ALL
// Materialised edges below k (the analyses should not write them): counted, never followed.
UNWIND $frontier AS node_id
MATCH (n) WHERE elementId(n) = node_id
MATCH (n)-[r:ASSOCIATED_WITH|CO_OCCURS_WITH]-()
WHERE r.observed < $min_conversations
RETURN null AS id, null AS type, null AS start, null AS end, null AS props, null AS neighbour,
       count(r) AS suppressed
"""

# Without materialised associations: conversations counted on the fly, pairs under k
# suppressed (and counted), the strongest k partners kept. An AIValue pairs with tasks and
# human values; a task or a human value pairs with AI values. Edges point AIValue -> other,
# with the types the analyses would materialise.
_COUNTED_PAIRS = """
  CALL (n) {
    MATCH (n:AIValue)<-[:AI_EXPRESSED]-(c)-[:ABOUT]->(m:Task)
    RETURN n AS a, m AS b, m, c, 'ASSOCIATED_WITH' AS type
    UNION ALL
    MATCH (n:AIValue)<-[:AI_EXPRESSED]-(c)-[:HUMAN_EXPRESSED]->(m:HumanValue)
    RETURN n AS a, m AS b, m, c, 'CO_OCCURS_WITH' AS type
    UNION ALL
    MATCH (n:Task)<-[:ABOUT]-(c)-[:AI_EXPRESSED]->(m:AIValue)
    RETURN m AS a, n AS b, m, c, 'ASSOCIATED_WITH' AS type
    UNION ALL
    MATCH (n:HumanValue)<-[:HUMAN_EXPRESSED]-(c)-[:AI_EXPRESSED]->(m:AIValue)
    RETURN m AS a, n AS b, m, c, 'CO_OCCURS_WITH' AS type
  }
  WITH a, b, m, type, count(DISTINCT c) AS observed
  WITH collect(CASE WHEN observed >= $min_conversations THEN {
         start: elementId(a), end: elementId(b), neighbour: elementId(m), type: type,
         observed: observed} END) AS kept,
       sum(CASE WHEN observed < $min_conversations THEN 1 ELSE 0 END) AS suppressed
  RETURN suppressed,
         COLLECT { UNWIND kept AS p RETURN p ORDER BY p.observed DESC, p.neighbour LIMIT $top_k }
           AS top
"""

_EXPAND_COUNTED = """
UNWIND $frontier AS node_id
MATCH (n) WHERE elementId(n) = node_id
CALL (n) {{
{counted}
}}
UNWIND (CASE WHEN size(top) = 0 THEN [null] ELSE top END) AS pair
RETURN null AS id, pair.type AS type, pair.start AS start, pair.end AS end,
       CASE WHEN pair IS NULL THEN null ELSE {{observed: pair.observed, computed: true}} END
         AS props,
       pair.neighbour AS neighbour,
       CASE WHEN pair IS NULL OR pair = top[0] THEN suppressed ELSE 0 END AS suppressed
UNION ALL
UNWIND $frontier AS node_id
MATCH (n) WHERE elementId(n) = node_id
CALL (n) {{
{structural}
}}
RETURN elementId(r) AS id, type(r) AS type, elementId(startNode(r)) AS start,
       elementId(endNode(r)) AS end, properties(r) AS props, elementId(m) AS neighbour,
       0 AS suppressed
"""


def expand_query(materialised: bool) -> str:
    """One breadth-first round: the top-k edges of every frontier node, and what was suppressed."""
    structural = _STRUCTURAL_EDGES.format(keep_m=keep("m"))
    if materialised:
        return _EXPAND_MATERIALISED.format(keep_m=keep("m"), structural=structural)
    return _EXPAND_COUNTED.format(counted=_COUNTED_PAIRS, structural=structural)
