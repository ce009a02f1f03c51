"""The Neo4j Browser exploration library (``queries/explore_*.cypher``) and the parameters its
guide sets, shared by the tests of the files, of the queries against Neo4j, and of the Browser."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.support.paths import REPO

QUERIES = REPO / "queries"
EXPLORE_FILES = sorted(QUERIES.glob("explore_*.cypher"))
# What the guide's :params block sets; Neo4j Browser turns its numbers into floats.
GUIDE_PARAMS: dict[str, Any] = {
    "top": 25.0,
    "min_conversations": 5.0,
    "value": "healthy boundaries",
    "task": "relationship advice",
    "category": "Social",
    "cluster": "boundaries and care",
    "model_a": "claude-3-5-sonnet",
    "model_b": "claude-3-opus",
    "response_type": None,
    "per_value": 3.0,
    "limit": 150.0,
    "conversation": "c000",
}


def query_body(path: Path) -> str:
    """The query of a library file, without its header comment."""
    lines = path.read_text(encoding="utf-8").splitlines()
    while lines and lines[0].startswith("//"):
        lines.pop(0)
    return "\n".join(lines).strip()
