"""Packaging facts the issues fix: one Neo4j pin, a valid compose file, no py2neo at run time,
GraphiQL's files listed once and checked by the build, and a Dockerfile that installs the wheel.

tests/browser/test_wheel.py builds the wheel, installs it and runs it; these are the quick checks.
"""

from __future__ import annotations

import importlib.util
import json
import os
import re
import shutil
import subprocess
import tomllib
from pathlib import Path
from types import ModuleType

import pytest

from tests.support.wheel_support import build_wheel, copy_sources
from valuegraph.api import graphiql
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


# --- GraphiQL's files in the wheel --------------------------------------------------------------


def _setup_script() -> ModuleType:
    """setup.py as a module: its checks without running setup(), which only ``__main__`` does."""
    spec = importlib.util.spec_from_file_location("valuegraph_setup_script", REPO / "setup.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _npm_folder(root: Path, versions: dict[str, str], pinned: dict[str, str]) -> Path:
    """A package folder like api/graphiql: its assets.toml, a lock pinning ``pinned``, and a
    node_modules holding every listed file, its packages at ``versions``."""
    root.mkdir()
    shutil.copy(REPO / "api" / "graphiql" / "assets.toml", root / "assets.toml")
    lock = {"packages": {f"node_modules/{name}": {"version": v} for name, v in pinned.items()}}
    (root / "package-lock.json").write_text(json.dumps(lock))
    for path in _setup_script().graphiql_files(root):
        target = root / "node_modules" / path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_text("// pinned\n")
    for name, version in versions.items():
        (root / "node_modules" / name / "package.json").write_text(json.dumps({"version": version}))
    return root


def test_the_served_files_are_the_ones_assets_toml_lists() -> None:
    listed = tomllib.loads((REPO / "api" / "graphiql" / "assets.toml").read_text())["served"]
    assert {
        name: graphiql.NODE_MODULES / path for name, path in listed.items()
    } == graphiql.VENDORED
    licences = _setup_script().graphiql_files(REPO / "api" / "graphiql")[len(listed) :]
    assert {path.split("/")[0] for path in licences} == {
        path.split("/")[0] for path in listed.values()
    }


def test_the_build_accepts_node_modules_as_the_lock_pins_it(tmp_path: Path) -> None:
    pins = {"react": "18.3.1", "react-dom": "18.3.1", "graphiql": "3.8.3"}
    folder = _npm_folder(tmp_path / "graphiql", versions=pins, pinned=pins)
    assert _setup_script().graphiql_problem(folder) is None


def test_the_build_refuses_node_modules_off_the_lock(tmp_path: Path) -> None:
    pins = {"react": "18.3.1", "react-dom": "18.3.1", "graphiql": "3.8.3"}
    folder = _npm_folder(tmp_path / "graphiql", versions={**pins, "graphiql": "3.7.0"}, pinned=pins)
    problem = _setup_script().graphiql_problem(folder)
    assert problem == "node_modules has graphiql 3.7.0, package-lock.json pins 3.8.3"


def test_the_build_refuses_missing_files(tmp_path: Path) -> None:
    pins = {"react": "18.3.1", "react-dom": "18.3.1", "graphiql": "3.8.3"}
    folder = _npm_folder(tmp_path / "graphiql", versions=pins, pinned=pins)
    (folder / "node_modules" / "graphiql" / "graphiql.min.css").unlink()
    problem = _setup_script().graphiql_problem(folder)
    assert problem is not None and "node_modules/graphiql/graphiql.min.css" in problem


@pytest.mark.slow  # pip and setuptools start up: several seconds
def test_a_wheel_build_without_npm_fails_with_one_line_that_says_what_to_run(
    tmp_path: Path,
) -> None:
    source = copy_sources(REPO, tmp_path / "source", with_npm_packages=False)
    built = build_wheel(source, tmp_path / "dist")
    assert built.returncode != 0
    said = [line.strip() for line in (built.stdout + built.stderr).splitlines()]
    reasons = [line for line in said if line.startswith("error: cannot build the valuegraph wheel")]
    assert len(reasons) == 1, said
    assert (
        "run `npm ci --prefix api/graphiql --ignore-scripts --no-audit --no-fund` first"
        in reasons[0]
    )
    assert not list((tmp_path / "dist").glob("*.whl"))


# --- the image -----------------------------------------------------------------------------------


def test_the_dockerfile_builds_the_wheel_and_installs_it() -> None:
    dockerfile = (REPO / "Dockerfile").read_text()
    instructions = [line.split() for line in dockerfile.splitlines() if line and line[0] != "#"]
    copied = {words[1] for words in instructions if words[0] == "COPY" and len(words) == 3}
    layers = {entry.name for entry in (REPO / "valuegraph").iterdir() if entry.is_symlink()}
    assert layers and layers <= copied, f"the Dockerfile does not copy {layers - copied}"
    assert {"valuegraph", "pyproject.toml", "setup.py", "README.md"} <= copied | {
        word for words in instructions if words[0] == "COPY" for word in words[1:-1]
    }
    assert (
        "pip wheel" in dockerfile and "pip install --no-cache-dir --quiet /dist/*.whl" in dockerfile
    )
    assert not re.search(r"pip install[^\n]* -e\b", dockerfile), "an editable install in the image"
    assert dockerfile.count("FROM ") == 3


def test_the_docker_context_leaves_out_npm_the_venv_and_secrets() -> None:
    ignored = set((REPO / ".dockerignore").read_text().split())
    assert {"**/node_modules", ".venv", ".env", ".git", ".state"} <= ignored


def test_the_dev_environment_meets_the_build_requirements() -> None:
    # The wheel tests build without isolation, with the dev environment's setuptools.
    config = tomllib.loads((REPO / "pyproject.toml").read_text())
    assert set(config["build-system"]["requires"]) <= set(
        config["project"]["optional-dependencies"]["dev"]
    )
