"""A Cypher script of parameter-free statements that rebuilds the subgraph in an empty database.

Every statement is on one line and ends with ``;`` (strings are JSON-escaped, so no
literal newline can occur inside one), which makes the script easy to split:
``cypher-shell -f export.cypher`` runs it, and so does any driver fed one line at a time.

Shape: a temporary label and index to find nodes again by their export id; nodes in
``UNWIND [...] AS row CREATE`` batches per label combination; relationships in batches
per type, matched through the temporary index; then the temporary label, property
and index are removed. The last cleanup runs ``CALL { ... } IN TRANSACTIONS`` and so
must run in an auto-commit transaction (cypher-shell and drivers' ``session.run`` do;
in Neo4j Browser prefix it with ``:auto``).

Buffers hold at most ``batch_size`` rows per label combination and per type, so memory
stays flat however large the subgraph.
"""

from __future__ import annotations

from collections.abc import Iterator

from valuegraph.graph.export.reader import SubgraphReader
from valuegraph.graph.export.values import cypher_identifier, cypher_literal, cypher_map

EXPORT_LABEL = "__ValuegraphExport"
EXPORT_ID = "__export_id"
EXPORT_INDEX = "valuegraph_export_id"
BATCH_SIZE = 500

_LABEL = cypher_identifier(EXPORT_LABEL)
_ID = cypher_identifier(EXPORT_ID)


def _node_statement(labels: tuple[str, ...], rows: list[str]) -> str:
    all_labels = "".join(":" + cypher_identifier(label) for label in (EXPORT_LABEL, *labels))
    return (
        f"UNWIND [{', '.join(rows)}] AS row "
        f"CREATE (n{all_labels} {{{_ID}: row.i}}) SET n += row.p;\n"
    )


def _relationship_statement(type_: str, rows: list[str]) -> str:
    return (
        f"UNWIND [{', '.join(rows)}] AS row "
        f"MATCH (a:{_LABEL} {{{_ID}: row.s}}) MATCH (b:{_LABEL} {{{_ID}: row.e}}) "
        f"CREATE (a)-[r:{cypher_identifier(type_)}]->(b) SET r += row.p;\n"
    )


def cypher_chunks(reader: SubgraphReader, batch_size: int = BATCH_SIZE) -> Iterator[str]:
    yield f"// valuegraph export: {reader.plan.description}\n"
    yield "// Run into an empty database, e.g. cypher-shell -f FILE; one statement per line.\n"
    yield f"CREATE INDEX {EXPORT_INDEX} IF NOT EXISTS FOR (n:{_LABEL}) ON (n.{_ID});\n"
    yield "CALL db.awaitIndexes(300);\n"

    node_batches: dict[tuple[str, ...], list[str]] = {}
    for node in reader.nodes():
        batch = node_batches.setdefault(node.labels, [])
        batch.append(f"{{i: {cypher_literal(node.id)}, p: {cypher_map(dict(node.properties))}}}")
        if len(batch) >= batch_size:
            yield _node_statement(node.labels, batch)
            batch.clear()
    for labels, batch in node_batches.items():
        if batch:
            yield _node_statement(labels, batch)

    relationship_batches: dict[str, list[str]] = {}
    for rel in reader.relationships():
        batch = relationship_batches.setdefault(rel.type, [])
        batch.append(
            f"{{s: {cypher_literal(rel.start)}, e: {cypher_literal(rel.end)}, "
            f"p: {cypher_map(dict(rel.properties))}}}"
        )
        if len(batch) >= batch_size:
            yield _relationship_statement(rel.type, batch)
            batch.clear()
    for type_, batch in relationship_batches.items():
        if batch:
            yield _relationship_statement(type_, batch)

    yield (
        f"MATCH (n:{_LABEL}) CALL (n) {{ REMOVE n:{_LABEL} REMOVE n.{_ID} }} "
        "IN TRANSACTIONS OF 10000 ROWS;\n"
    )
    yield f"DROP INDEX {EXPORT_INDEX} IF EXISTS;\n"
