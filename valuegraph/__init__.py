"""valuegraph: the values AI assistants express, as a Neo4j graph.

The root package holds what every layer shares: the domain model (``domain``: records,
labels, relationship types, cluster kinds, enums), settings, errors, the normalisation of
value names and private files. The layers are linked in beside it, each from its own
top-level folder: ``ingest`` (read, scrub, extract, embed, cluster), ``graph`` (Neo4j server,
schema, writers, export), ``pipelines`` (the entry points that join ingest to graph),
``queries`` (Cypher and the analyses built on it), ``report`` (the HTML report), ``api``
(GraphQL and HTTP) and ``cli`` (the command line).
"""

__version__ = "0.1.0"
