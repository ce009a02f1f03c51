"""The synthetic corpus the API, report, browser and reliability tests run on.

3,000 conversations of ``ingest.synth`` with its taxonomy (three models, planted value-task
pairs, resistance pairs), and the significant associations materialised as `valuegraph
analyze materialize` does. It is loaded once and marked with a fingerprint node; a later
module (or a second run) finds the mark and skips the load, unless another test wiped the
graph in between. One corpus for all of them, so moving from the API tests to the report tests
does not reload it. The root conftest registers this module as a plugin (the ``corpus``
fixture).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.support.neo4j_fixtures import wipe
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.ingest.synth import write_corpus
from valuegraph.pipelines.records import ingest_records
from valuegraph.pipelines.taxonomy import ingest_taxonomy
from valuegraph.queries.materialize import materialize
from valuegraph.settings import Settings

CONVERSATIONS = 3_000
SEED = 11
FINGERPRINT = f"tests-{CONVERSATIONS}-{SEED}-materialized-v1"


@dataclass(frozen=True)
class Corpus:
    graph: Graph
    settings: Settings
    conversations: int
    directory: Path


def load_corpus(graph: Graph, directory: Path) -> None:
    """Wipe the graph and load the corpus, unless it already holds exactly this corpus."""
    marked = graph.read(
        "RETURN COUNT { (:TestCorpus {fingerprint: $f}) } AS marks, "
        "COUNT { (:Conversation) } AS conversations",
        {"f": FINGERPRINT},
    )[0]
    if marked["marks"] == 1 and marked["conversations"] == CONVERSATIONS:
        return
    wipe(graph)
    apply_schema(graph)
    summary = write_corpus(directory, CONVERSATIONS, SEED)
    ingest_taxonomy(summary.values_tree_path, summary.values_frequencies_path, graph)
    assert ingest_records(summary.records_path, graph).rejected == 0
    materialize(graph)
    graph.write("CREATE (:TestCorpus {fingerprint: $f})", {"f": FINGERPRINT})


@pytest.fixture(scope="module")
def corpus(
    graph: Graph, neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Corpus:
    directory = tmp_path_factory.mktemp("corpus")
    load_corpus(graph, directory)
    return Corpus(graph, neo4j_settings, CONVERSATIONS, directory)
