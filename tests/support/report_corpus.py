"""The synthetic corpus the report tests run on, loaded once per session unless it is there.

3,000 conversations of ``ingest.synth`` with its taxonomy: three models, planted value-task
pairs, resistance pairs. The load is marked with a fingerprint node, so a later module (or a
second run of the browser test) finds the corpus in place and skips loading it, unless another
test wiped the graph in between.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pytest

from tests.conftest import wipe
from valuegraph.graph.connection import Graph
from valuegraph.graph.schema import apply_schema
from valuegraph.ingest.load import ingest_record_file, ingest_taxonomy_files
from valuegraph.ingest.synth import write_corpus
from valuegraph.settings import Settings

CONVERSATIONS = 3_000
SEED = 11
FINGERPRINT = f"report-tests-{CONVERSATIONS}-{SEED}-v1"


@dataclass(frozen=True)
class Corpus:
    graph: Graph
    settings: Settings
    conversations: int


def load_corpus(graph: Graph, directory: Path) -> None:
    """Wipe the graph and load the corpus, unless it holds exactly this corpus already."""
    found = graph.read(
        "RETURN COUNT { (:ReportTestCorpus {fingerprint: $f}) } AS marks, "
        "COUNT { (:Conversation) } AS conversations",
        {"f": FINGERPRINT},
    )[0]
    if found["marks"] == 1 and found["conversations"] == CONVERSATIONS:
        return
    wipe(graph)
    apply_schema(graph)
    summary = write_corpus(directory, CONVERSATIONS, SEED)
    ingest_taxonomy_files(summary.values_tree_path, summary.values_frequencies_path, graph)
    assert ingest_record_file(summary.records_path, graph).rejected == 0
    graph.write("CREATE (:ReportTestCorpus {fingerprint: $f})", {"f": FINGERPRINT})


@pytest.fixture(scope="module")
def corpus(
    graph: Graph, neo4j_settings: Settings, tmp_path_factory: pytest.TempPathFactory
) -> Corpus:
    load_corpus(graph, tmp_path_factory.mktemp("report-corpus"))
    return Corpus(graph, neo4j_settings, CONVERSATIONS)
