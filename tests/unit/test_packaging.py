"""Packaging facts the issues fix: one Neo4j pin, a valid compose file, no py2neo at run time."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path

import pytest

from valuegraph.graph.server import NEO4J_VERSION

REPO = Path(__file__).resolve().parents[2]


def test_compose_runs_the_pinned_neo4j_version() -> None:
    compose = (REPO / "docker-compose.yml").read_text()
    assert re.search(rf"image: neo4j:{re.escape(NEO4J_VERSION)}-community\b", compose)


@pytest.mark.skipif(shutil.which("docker-compose") is None, reason="needs Debian's docker-compose")
def test_compose_file_is_valid() -> None:
    done = subprocess.run(
        ["docker-compose", "-f", str(REPO / "docker-compose.yml"), "config", "--quiet"],
        capture_output=True,
        text=True,
        env={**os.environ, "NEO4J_PASSWORD": "compose-check"},
        check=False,
    )
    assert done.returncode == 0, done.stderr


def test_runtime_dependencies() -> None:
    project = tomllib.loads((REPO / "pyproject.toml").read_text())["project"]
    names = [
        re.split(r"[<>=!~ \[]", spec, maxsplit=1)[0].lower() for spec in project["dependencies"]
    ]
    assert "py2neo" not in names
    assert {"neo4j", "neo4j-rust-ext"} <= set(names)
    assert all(re.search(r"[<>=~]", spec) for spec in project["dependencies"]), "pin ranges"
    assert project["scripts"]["valuegraph"] == "valuegraph.cli.main:main"
