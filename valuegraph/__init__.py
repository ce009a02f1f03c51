"""valuegraph: the values AI assistants express, as a Neo4j graph.

The core package holds what every layer shares: settings, errors and the
normalisation of value names. The layers live beside it: ``ingest`` (read,
scrub, extract, embed, cluster), ``graph`` (Neo4j server, schema, writers,
export), ``queries`` (Cypher and the analyses built on it) and ``api``
(GraphQL and the command line).
"""

__version__ = "0.1.0"
