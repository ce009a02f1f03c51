"""Every Cypher statement the graph layer runs: constants for fixed text, builders for the rest.

The graph layer's one statement module (``queries/*.cypher`` hold the analyses'). Values are
always ``$parameters``; writes are ``UNWIND $rows AS row`` batches. Cypher cannot take a label,
a relationship type, a property or an index name as a parameter, so the builders splice them in,
and take them only from fixed tables: labels and relationship types from
:mod:`valuegraph.domain` (checked again here), property and index names from the tables of
:mod:`graph.schema` and :mod:`graph.embeddings`. Nothing here is assembled from user input, but
for ``--cypher`` exports the user's own read-only query, which :mod:`graph.export.selection`
checks with ``EXPLAIN`` before it wraps it (:data:`USER_QUERY_WRAPPER`).

Sections, in the order the data arrives: records (:mod:`graph.writer`), taxonomy
(:mod:`graph.writer`, :mod:`graph.taxonomy_writer`), bulk (:mod:`graph.bulk`), schema
(:mod:`graph.schema`), embeddings (:mod:`graph.embeddings`), export (:mod:`graph.export`).
"""

from __future__ import annotations

import re
from typing import Literal

from valuegraph.domain import Label, RelType

_LABELS = frozenset(Label)
_REL_TYPES = frozenset(RelType)
# An index, constraint or property name from this layer's own tables: a bare identifier.
_NAME = re.compile(r"[A-Za-z_][A-Za-z0-9_]*")


def _label(label: str) -> str:
    """``label`` if it is one of the domain's labels; a programming error otherwise."""
    if label not in _LABELS:
        raise ValueError(f"not a valuegraph label: {label!r}")
    return label


def _rel_type(rel_type: str) -> str:
    if rel_type not in _REL_TYPES:
        raise ValueError(f"not a valuegraph relationship type: {rel_type!r}")
    return rel_type


def _name(name: str) -> str:
    if not _NAME.fullmatch(name):
        raise ValueError(f"not an identifier: {name!r}")
    return name


# --- records (graph.writer) ------------------------------------------------------------------

MERGE_TASKS = """
UNWIND $rows AS row
MERGE (t:Task {key: row.key}) ON CREATE SET t.name = row.name
"""

MERGE_AI_VALUES = """
UNWIND $rows AS row
MERGE (v:AIValue {key: row.key}) ON CREATE SET v.name = row.name
"""

MERGE_HUMAN_VALUES = """
UNWIND $rows AS row
MERGE (v:HumanValue {key: row.key}) ON CREATE SET v.name = row.name
"""

MERGE_MODELS = """
UNWIND $rows AS row
MERGE (:Model {name: row.name})
"""

# One statement per batch: conversation properties, then its relationships replaced.
# The endpoint nodes exist already (merged above), so plain MATCH + CREATE suffices.
WRITE_CONVERSATIONS = """
UNWIND $rows AS row
MERGE (c:Conversation {id: row.id})
SET c.model = row.model,
    c.created_at = row.created_at,
    c.subjective = row.subjective,
    c.response_type = row.response_type,
    c.language = row.language,
    c.source = row.source,
    c.text = row.text
WITH c, row
CALL (c) {
  MATCH (c)-[old:ABOUT|AI_EXPRESSED|HUMAN_EXPRESSED|BY_MODEL]->()
  DELETE old
}
CALL (c, row) {
  MATCH (t:Task {key: row.task_key})
  CREATE (c)-[:ABOUT]->(t)
}
CALL (c, row) {
  UNWIND row.ai AS mention
  MATCH (v:AIValue {key: mention.key})
  CREATE (c)-[:AI_EXPRESSED {explicit: mention.explicit}]->(v)
}
CALL (c, row) {
  UNWIND row.human AS key
  MATCH (v:HumanValue {key: key})
  CREATE (c)-[:HUMAN_EXPRESSED]->(v)
}
CALL (c, row) {
  WITH c, row WHERE row.model IS NOT NULL
  MATCH (m:Model {name: row.model})
  CREATE (c)-[:BY_MODEL]->(m)
}
"""


# --- taxonomy (graph.writer, graph.taxonomy_writer) ------------------------------------------

WRITE_CLUSTERS = """
UNWIND $rows AS row
MERGE (c:Cluster {id: row.id})
SET c.name = row.name,
    c.description = row.description,
    c.level = row.level,
    c.kind = row.kind,
    c.pct_total_occurrences = row.pct
"""

# Cluster parents, and value memberships: the old edge is replaced, so a re-import moves nodes.
LINK_CLUSTERS = """
UNWIND $rows AS row
MATCH (c:Cluster {id: row.id})
OPTIONAL MATCH (c)-[old:IN_CLUSTER]->()
DELETE old
WITH DISTINCT c, row
MATCH (parent:Cluster {id: row.parent})
MERGE (c)-[:IN_CLUSTER]->(parent)
"""

# Level-0 values: merged by key, their share kept unless one is given, moved under row.parent.
WRITE_TAXONOMY_VALUES = """
UNWIND $rows AS row
MERGE (v:AIValue {key: row.key})
ON CREATE SET v.name = row.name
SET v.pct_total_occurrences = coalesce(row.pct, v.pct_total_occurrences)
WITH v, row
OPTIONAL MATCH (v)-[old:IN_CLUSTER]->()
DELETE old
WITH DISTINCT v, row
MATCH (parent:Cluster {id: row.parent})
MERGE (v)-[:IN_CLUSTER]->(parent)
"""

# The published share of conversations of each AI value (pct_convos).
WRITE_FREQUENCIES = """
UNWIND $rows AS row
MERGE (v:AIValue {key: row.key})
ON CREATE SET v.name = row.name
SET v.pct_convos = row.pct
"""


def link_leaves(label: str) -> str:
    """Moves the ``label`` leaves ``$rows`` ({key, parent}) under their clusters of kind ``$kind``;
    returns ``n``, the links made."""
    return (
        f"UNWIND $rows AS row MATCH (v:{_label(label)} {{key: row.key}}) "
        "OPTIONAL MATCH (v)-[old:IN_CLUSTER]->(:Cluster {kind: $kind}) DELETE old "
        "WITH DISTINCT v, row MATCH (c:Cluster {id: row.parent}) MERGE (v)-[:IN_CLUSTER]->(c) "
        "RETURN count(*) AS n"
    )


# Deletes the clusters of kind $kind whose id is not in $keep; returns n, how many.
DROP_STALE_CLUSTERS = (
    "MATCH (c:Cluster {kind: $kind}) WHERE NOT c.id IN $keep DETACH DELETE c RETURN count(*) AS n"
)


def read_leaves(label: str, relationship: str) -> str:
    """Every ``label`` node: key, name, embedding and the conversations that reach it by
    ``relationship``."""
    return (
        f"MATCH (v:{_label(label)}) "
        f"RETURN v.key AS key, v.name AS name, v.embedding AS embedding, "
        f"COUNT {{ (:Conversation)-[:{_rel_type(relationship)}]->(v) }} AS conversations "
        "ORDER BY key"
    )


# The clusters of kind $kind: id, name, description, level, parent id and share (pct).
READ_CLUSTERS = (
    "MATCH (c:Cluster {kind: $kind}) OPTIONAL MATCH (c)-[:IN_CLUSTER]->(p:Cluster) "
    "RETURN c.id AS id, c.name AS name, coalesce(c.description, '') AS description, "
    "c.level AS level, p.id AS parent, c.pct_total_occurrences AS pct ORDER BY id"
)


def read_taxonomy_leaves(label: str, relationship: str) -> str:
    """The ``label`` leaves under a level-1 cluster of kind ``$kind``: name, parent, share and
    conversations (reached by ``relationship``)."""
    return (
        f"MATCH (v:{_label(label)})-[:IN_CLUSTER]->(c:Cluster {{kind: $kind, level: 1}}) "
        f"RETURN v.name AS name, c.id AS parent, v.pct_total_occurrences AS pct, "
        f"COUNT {{ (:Conversation)-[:{_rel_type(relationship)}]->(v) }} AS conversations "
        "ORDER BY v.key"
    )


# --- bulk (graph.bulk) -------------------------------------------------------------------------

# Whether the database holds any node: used.
DATABASE_USED = "MATCH (n) RETURN count(n) > 0 AS used"

DELETE_CONVERSATIONS = """
MATCH (c:Conversation) WHERE c.id IN $ids
CALL (c) { DETACH DELETE c } IN TRANSACTIONS OF 1000 ROWS
"""

# Count-store lookups: n.
COUNT_CONVERSATIONS = "MATCH (c:Conversation) RETURN count(c) AS n"
COUNT_RELATIONSHIPS = "MATCH ()-[r]->() RETURN count(r) AS n"


# --- schema (graph.schema) -------------------------------------------------------------------


def create_constraint(label: str, prop: str) -> str:
    """A uniqueness constraint on ``label``'s key ``prop`` (which also indexes it)."""
    return (
        f"CREATE CONSTRAINT {_label(label).lower()}_{_name(prop)}_unique IF NOT EXISTS "
        f"FOR (n:{label}) REQUIRE n.{prop} IS UNIQUE"
    )


def create_index(name: str, label: str, prop: str) -> str:
    return f"CREATE INDEX {_name(name)} IF NOT EXISTS FOR (n:{_label(label)}) ON (n.{_name(prop)})"


def create_fulltext_index(name: str, label: str, prop: str) -> str:
    return (
        f"CREATE FULLTEXT INDEX {_name(name)} IF NOT EXISTS "
        f"FOR (n:{_label(label)}) ON EACH [n.{_name(prop)}]"
    )


def drop_constraint(label: str, prop: str) -> str:
    return f"DROP CONSTRAINT {_label(label).lower()}_{_name(prop)}_unique IF EXISTS"


def drop_index(name: str) -> str:
    return f"DROP INDEX {_name(name)} IF EXISTS"


# Waits until every index is online (at most 300 s).
AWAIT_INDEXES = "CALL db.awaitIndexes(300)"


# --- embeddings (graph.embeddings) -----------------------------------------------------------


def create_vector_index(name: str, label: str, dimensions: int) -> str:
    """A cosine vector index ``name`` on ``label``'s ``embedding``."""
    return (
        f"CREATE VECTOR INDEX {_name(name)} IF NOT EXISTS "
        f"FOR (n:{_label(label)}) ON (n.embedding) "
        f"OPTIONS {{indexConfig: {{`vector.dimensions`: {int(dimensions)}, "
        "`vector.similarity_function`: 'cosine'}}"
    )


# Every vector index: name and dimensions.
VECTOR_INDEX_DIMENSIONS = (
    "SHOW VECTOR INDEXES YIELD name, options "
    "RETURN name, options.indexConfig['vector.dimensions'] AS dimensions"
)


def nodes_to_embed(label: str) -> str:
    """key and name of the ``label`` nodes with no embedding, or one not made by ``$model``."""
    return (
        f"MATCH (n:{_label(label)}) "
        "WHERE n.embedding IS NULL OR coalesce(n.embedding_model, '') <> $model "
        "RETURN n.key AS key, n.name AS name ORDER BY key"
    )


def write_embeddings(label: str) -> str:
    """Sets ``embedding`` from ``$rows`` ({key, embedding}) and ``embedding_model`` = ``$model``."""
    return (
        f"UNWIND $rows AS row MATCH (n:{_label(label)} {{key: row.key}}) "
        "SET n.embedding = row.embedding, n.embedding_model = $model"
    )


def count_unembedded(label: str) -> str:
    """n: the ``label`` nodes with no embedding."""
    return f"MATCH (n:{_label(label)}) WHERE n.embedding IS NULL RETURN count(n) AS n"


# The $top nodes nearest $vector in vector index $index ($k = $top + 1 asked, so that the
# node keyed $key can be left out): name, key, score.
SIMILAR_NODES = (
    "CALL db.index.vector.queryNodes($index, $k, $vector) YIELD node, score "
    "WHERE node.key <> $key "
    "RETURN node.name AS name, node.key AS key, score ORDER BY score DESC, key LIMIT $top"
)


def set_aliases(label: str) -> str:
    """Adds ``$rows`` ({key, aliases}) to the ``label`` nodes' aliases, each once; returns n."""
    return (
        f"UNWIND $rows AS row MATCH (n:{_label(label)} {{key: row.key}}) "
        "SET n.aliases = [a IN coalesce(n.aliases, []) WHERE NOT a IN row.aliases] "
        "+ row.aliases "
        "RETURN count(n) AS n"
    )


# key, name and embedding of every AI and human value embedded by $model.
VALUE_VOCABULARY = (
    "CALL () { MATCH (v:AIValue) RETURN v UNION MATCH (v:HumanValue) RETURN v } "
    "WITH v WHERE v.embedding IS NOT NULL AND v.embedding_model = $model "
    "RETURN DISTINCT v.key AS key, v.name AS name, v.embedding AS embedding ORDER BY key"
)

# The AI values' names, by key.
AI_VALUE_NAMES = "MATCH (v:AIValue) RETURN v.name AS name ORDER BY v.key"


# --- export (graph.export) ---------------------------------------------------------------------
#
# A selection is a pair of *fragments*: Cypher that leaves one node ``n`` per row
# (duplicates allowed) and Cypher that leaves one relationship ``r`` per row.
# Fixed tails turn a fragment into the three queries an export runs: its schema
# (server-side aggregates, a handful of rows), its nodes, and its relationships.
# Every value is a ``$parameter``; the only text ever joined is these constants,
# plus, for ``--cypher``, the user's own read-only query (see ``selection.py``).
#
# The privacy rule lives in :func:`keep`: without ``$include_conversations`` no
# Conversation node passes, and no node that rests on 1 to k-1 conversations
# (a rare task or value could single someone out). Conversation ``text`` never
# leaves the database: the node tail projects it away.

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


# Prefixed to a query to plan it without running it (graph.export.selection).
EXPLAIN = "EXPLAIN "
