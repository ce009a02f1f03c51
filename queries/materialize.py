"""Significant associations written into the graph, for exploring with plain Cypher.

``materialize`` computes the value-task and AI-human associations at value level, keeps the
significant positive ones (Bonferroni-adjusted p at or below ``alpha``, residual above 0,
observed in at least k conversations) and writes them as

    (:AIValue)-[:ASSOCIATED_WITH {adjusted_residual, chi2, p_value, p_adjusted, observed,
                                  expected, generation}]->(:Task)
    (:AIValue)-[:CO_OCCURS_WITH {...same...}]->(:HumanValue)

The replacement is one transaction: delete the old set, create the new one in batches,
check the count, and record the new generation on ``(:Materialization {name: 'associations'})``.
Why one transaction rather than a generation switched after batched writes:

- Neo4j shows other readers only committed data, so no reader, in our code or in Neo4j
  Browser with a plain ``MATCH ()-[r:ASSOCIATED_WITH]->()``, sees a half-written set, and no
  reader has to know about a generation filter.
- If the process (or the server) is killed mid-way, the transaction never commits: the server
  rolls it back when the connection drops, or recovery discards it on restart. The old set
  stays whole; there are no orphan edges to clean up.
- The first statement locks the pointer node, so two materialisations run one after the other.

The cost is that the whole set lives in one transaction's memory; ``max_links`` (default
100,000 per relationship type, strongest first) bounds it, and what is cut is reported.

One caveat remains below the transaction: Neo4j's isolation is read-committed, and a commit is
applied to the store record by record (creations before deletions). A query running during
those milliseconds may see parts of both sets. Every link carries its set's ``generation``,
and the pointer records how many links its set has, so :func:`read_links` reads the pointer
and the links together and reads again unless they agree on both. Plain Cypher can filter on
``r.generation = m.generation`` (``catalog_links`` and ``materialized_links`` do), which keeps a
read to one set, but in those milliseconds it may be part of the set.
"""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

from neo4j import ManagedTransaction

from valuegraph.errors import InputError, QueryError
from valuegraph.graph.connection import Graph
from valuegraph.queries.associations import DEFAULT_MIN_COUNT
from valuegraph.queries.privacy import DEFAULT_MIN_CONVERSATIONS, check_k
from valuegraph.queries.results import AIHumanAssociation, AssociationKind, ValueTaskAssociation
from valuegraph.queries.session import AnalysisSession

MATERIALIZATION_NAME = "associations"
DEFAULT_ALPHA = 0.05
DEFAULT_MAX_LINKS = 100_000
WRITE_BATCH = 5_000
TABLES: tuple[AssociationKind, ...] = ("value-task", "ai-human")

# Taking the pointer node's write lock first serialises concurrent materialisations.
LOCK_POINTER = """
MERGE (m:Materialization {name: $name})
SET m.writing = $generation
"""

DELETE_PREVIOUS = """
MATCH ()-[r:ASSOCIATED_WITH|CO_OCCURS_WITH]->()
DELETE r
RETURN count(r) AS removed
"""

CREATE_ASSOCIATED_WITH = """
UNWIND $rows AS row
MATCH (v:AIValue {key: row.value_key})
MATCH (t:Task {key: row.partner_key})
CREATE (v)-[:ASSOCIATED_WITH {
  adjusted_residual: row.adjusted_residual, chi2: row.chi2, p_value: row.p_value,
  p_adjusted: row.p_adjusted, observed: row.observed, expected: row.expected,
  generation: $generation
}]->(t)
RETURN count(*) AS created
"""

CREATE_CO_OCCURS_WITH = """
UNWIND $rows AS row
MATCH (v:AIValue {key: row.value_key})
MATCH (h:HumanValue {key: row.partner_key})
CREATE (v)-[:CO_OCCURS_WITH {
  adjusted_residual: row.adjusted_residual, chi2: row.chi2, p_value: row.p_value,
  p_adjusted: row.p_adjusted, observed: row.observed, expected: row.expected,
  generation: $generation
}]->(h)
RETURN count(*) AS created
"""

RECORD_GENERATION = """
MATCH (m:Materialization {name: $name})
SET m.generation = $generation,
    m.created_at = $created_at,
    m.alpha = $alpha,
    m.min_count = $min_count,
    m.min_conversations = $min_conversations,
    m.model = $model,
    m.associated_with = $associated_with,
    m.co_occurs_with = $co_occurs_with
REMOVE m.writing
"""

# OPTIONAL: a read that falls between a commit's deletions and its creations finds no links
# at all, and only the pointer's row shows that a set of some size is recorded.
READ_LINKS = """
MATCH (m:Materialization {name: $name})
OPTIONAL MATCH (v:AIValue)-[r:ASSOCIATED_WITH|CO_OCCURS_WITH]->(partner)
RETURN m.generation AS current, m.associated_with + m.co_occurs_with AS recorded,
       r.generation AS generation, type(r) AS link,
       v.key AS value_key, v.name AS value, partner.key AS partner_key, partner.name AS partner,
       r.adjusted_residual AS adjusted_residual, r.chi2 AS chi2, r.p_value AS p_value,
       r.p_adjusted AS p_adjusted, r.observed AS observed, r.expected AS expected
ORDER BY r.adjusted_residual DESC
"""

READ_POINTER = """
MATCH (m:Materialization {name: $name})
RETURN m.generation AS generation, m.created_at AS created_at, m.alpha AS alpha,
       m.min_count AS min_count, m.min_conversations AS min_conversations, m.model AS model,
       m.associated_with AS associated_with, m.co_occurs_with AS co_occurs_with
"""


@dataclass(frozen=True)
class MaterializeSummary:
    """What one materialisation wrote."""

    generation: str
    associated_with: int
    co_occurs_with: int
    removed: int  # edges of the previous set
    truncated: int  # significant links beyond max_links, not written
    suppressed: int  # pairs resting on fewer than k conversations, never candidates
    seconds: float


@dataclass(frozen=True)
class MaterializedLink:
    """One link of the current set."""

    link: str  # ASSOCIATED_WITH or CO_OCCURS_WITH
    value: str
    partner: str  # a task, or a human value
    adjusted_residual: float
    chi2: float
    p_value: float
    p_adjusted: float
    observed: int
    expected: float
    value_key: str
    partner_key: str
    generation: str


@dataclass(frozen=True)
class Materialization:
    """The set currently in the graph, as its pointer node records it."""

    generation: str
    created_at: datetime | None
    alpha: float
    min_count: int
    min_conversations: int
    model: str | None
    associated_with: int
    co_occurs_with: int


def _links(rows: Sequence[ValueTaskAssociation | AIHumanAssociation]) -> list[dict[str, Any]]:
    links = []
    for row in rows:
        if row.adjusted_residual <= 0:
            continue
        partner = row.task_key if isinstance(row, ValueTaskAssociation) else row.human_value_key
        links.append(
            {
                "value_key": row.value_key,
                "partner_key": partner,
                "adjusted_residual": row.adjusted_residual,
                "chi2": row.chi2,
                "p_value": row.p_value,
                "p_adjusted": row.p_adjusted,
                "observed": row.observed,
                "expected": row.expected,
            }
        )
    return links


def materialize(
    graph: Graph,
    *,
    alpha: float = DEFAULT_ALPHA,
    min_count: int = DEFAULT_MIN_COUNT,
    model: str | None = None,
    max_links: int = DEFAULT_MAX_LINKS,
    min_conversations: int = DEFAULT_MIN_CONVERSATIONS,
    batch_size: int = WRITE_BATCH,
    on_statement: Callable[[str], None] | None = None,
) -> MaterializeSummary:
    """Replace the materialised associations with the current significant positive ones.

    ``on_statement`` is called with a short label after each statement inside the transaction
    (progress, and the crash tests' hook).
    """
    k = check_k(min_conversations)
    if isinstance(max_links, bool) or not isinstance(max_links, int) or max_links < 0:
        raise InputError(f"max_links must be a non-negative integer, got {max_links!r}")
    if batch_size < 1:
        raise InputError(f"batch_size must be positive, got {batch_size}")
    started = time.perf_counter()
    session = AnalysisSession(graph, k)
    tables = {
        kind: session.associations(kind=kind, alpha=alpha, min_count=min_count, model=model)
        for kind in TABLES
    }
    task_links = _links(tables["value-task"].rows)
    human_links = _links(tables["ai-human"].rows)
    truncated = max(0, len(task_links) - max_links) + max(0, len(human_links) - max_links)
    task_links, human_links = task_links[:max_links], human_links[:max_links]
    generation = f"{datetime.now(UTC):%Y%m%dT%H%M%SZ}-{uuid.uuid4().hex[:8]}"
    settings = {
        "name": MATERIALIZATION_NAME,
        "generation": generation,
        "alpha": alpha,
        "min_count": min_count,
        "min_conversations": k,
        "model": model,
    }

    def step(label: str) -> None:
        if on_statement is not None:
            on_statement(label)

    def replace(tx: ManagedTransaction) -> int:
        tx.run(LOCK_POINTER, settings).consume()
        step("locked")
        removed = int(tx.run(DELETE_PREVIOUS).single(strict=True)["removed"])
        step("deleted")
        for statement, links, label in (
            (CREATE_ASSOCIATED_WITH, task_links, "ASSOCIATED_WITH"),
            (CREATE_CO_OCCURS_WITH, human_links, "CO_OCCURS_WITH"),
        ):
            created = 0
            for start in range(0, len(links), batch_size):
                batch = links[start : start + batch_size]
                result = tx.run(statement, rows=batch, generation=generation)
                created += int(result.single(strict=True)["created"])
                step(label)
            if created != len(links):
                # A value, task or human value vanished since the counts were read: refuse a
                # set that disagrees with its own statistics (the transaction rolls back).
                raise QueryError(
                    f"materialize: wrote {created} of {len(links)} {label} links; the graph "
                    "changed while they were computed, run it again"
                )
        tx.run(
            RECORD_GENERATION,
            {
                **settings,
                "created_at": datetime.now(UTC),
                "associated_with": len(task_links),
                "co_occurs_with": len(human_links),
            },
        ).consume()
        step("recorded")
        return removed

    removed = graph.write_tx(replace)
    return MaterializeSummary(
        generation=generation,
        associated_with=len(task_links),
        co_occurs_with=len(human_links),
        removed=removed,
        truncated=truncated,
        suppressed=tables["value-task"].suppressed + tables["ai-human"].suppressed,
        seconds=time.perf_counter() - started,
    )


def current_materialization(graph: Graph) -> Materialization | None:
    """The set now in the graph, or None if nothing was ever materialised."""
    records = graph.read(READ_POINTER, {"name": MATERIALIZATION_NAME})
    if not records or records[0]["generation"] is None:
        return None
    record = records[0]
    created = record["created_at"]
    return Materialization(
        generation=str(record["generation"]),
        created_at=created.to_native() if hasattr(created, "to_native") else created,
        alpha=float(record["alpha"]),
        min_count=int(record["min_count"]),
        min_conversations=int(record["min_conversations"]),
        model=record["model"],
        associated_with=int(record["associated_with"]),
        co_occurs_with=int(record["co_occurs_with"]),
    )


READ_ATTEMPTS = 5


def read_links(graph: Graph) -> tuple[MaterializedLink, ...]:
    """The current set, strongest first; read again if a commit was being applied meanwhile."""
    for attempt in range(READ_ATTEMPTS):
        rows = graph.read(READ_LINKS, {"name": MATERIALIZATION_NAME})
        records = [r for r in rows if r["link"] is not None]
        # Whole means one generation, the pointer's, with as many links as it recorded: a
        # commit being applied can show the new pointer before all of its links, or none.
        whole = all(r["generation"] == r["current"] for r in records) and all(
            (r["recorded"] or 0) == len(records) for r in rows
        )
        if whole:
            return tuple(
                MaterializedLink(
                    link=r["link"],
                    value=r["value"],
                    partner=r["partner"],
                    adjusted_residual=r["adjusted_residual"],
                    chi2=r["chi2"],
                    p_value=r["p_value"],
                    p_adjusted=r["p_adjusted"],
                    observed=r["observed"],
                    expected=r["expected"],
                    value_key=r["value_key"],
                    partner_key=r["partner_key"],
                    generation=r["generation"],
                )
                for r in records
            )
        time.sleep(0.05 * (attempt + 1))
    raise QueryError("materialized links: the set kept changing while it was read; try again")
