"""What every test sees: the kind marker of its folder, and the shared fixtures.

Tests are sorted by kind into folders, and each folder's tests get that kind's marker, so
``pytest -m unit`` (no Neo4j, seconds), ``-m integration`` (a real Neo4j), ``-m browser``
(headless Chromium) and ``-m reliability`` select a kind; plain ``pytest`` runs them all.

The fixtures live in support modules, registered here as plugins, so no test module imports
another one's. The Neo4j fixtures are session-scoped: one throwaway server serves every folder
of a run, and a run of unit tests alone never starts it.
"""

from __future__ import annotations

from pathlib import Path

import pytest

pytest_plugins = [
    "tests.support.neo4j_fixtures",
    "tests.support.synthetic_corpus",
    "tests.support.graphql_client",
    "tests.support.api_process",
]

KINDS = {
    "unit": "no Neo4j, seconds (tests/unit)",
    "integration": "against a real Neo4j the suite starts (tests/integration)",
    "browser": "in headless Chromium (tests/browser)",
    "reliability": "faults, fuzzing, soak and security (tests/reliability)",
}
TESTS = Path(__file__).resolve().parent


def pytest_configure(config: pytest.Config) -> None:
    for kind, meaning in KINDS.items():
        config.addinivalue_line("markers", f"{kind}: {meaning}; set by the folder")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    for item in items:
        folder = item.path.resolve().relative_to(TESTS).parts[0]
        if folder in KINDS:
            item.add_marker(getattr(pytest.mark, folder))
