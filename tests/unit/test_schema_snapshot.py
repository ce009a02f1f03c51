"""The GraphQL schema's SDL against ``tests/snapshots/schema.graphql``: set
``UPDATE_SNAPSHOTS=1`` to rewrite it after a deliberate change."""

from __future__ import annotations

import os
from pathlib import Path

from valuegraph.api.schema import schema_sdl

SNAPSHOT = Path(__file__).resolve().parents[1] / "snapshots" / "schema.graphql"


def test_the_schema_matches_its_snapshot() -> None:
    sdl = schema_sdl()
    if os.environ.get("UPDATE_SNAPSHOTS") == "1" or not SNAPSHOT.exists():
        SNAPSHOT.parent.mkdir(exist_ok=True)
        SNAPSHOT.write_text(sdl, encoding="utf-8")
    assert sdl == SNAPSHOT.read_text(encoding="utf-8"), (
        "the schema changed; if on purpose, run with UPDATE_SNAPSHOTS=1 and commit the snapshot"
    )
