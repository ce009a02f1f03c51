"""The shared synthetic corpus (``tests/support/synthetic_corpus.py``) is loaded once and
marked, so later modules find it in place."""

from __future__ import annotations

from tests.support.synthetic_corpus import CONVERSATIONS, Corpus, load_corpus


def test_the_corpus_is_loaded_once_and_marked(corpus: Corpus) -> None:
    counts = corpus.graph.read(
        "RETURN COUNT { (:Conversation) } AS conversations, COUNT { (:TestCorpus) } AS marks"
    )[0]
    assert counts == {"conversations": CONVERSATIONS, "marks": 1}
    load_corpus(corpus.graph, corpus.directory)  # found marked: nothing is reloaded
    assert corpus.graph.read("MATCH (m:TestCorpus) RETURN count(m) AS n")[0]["n"] == 1
