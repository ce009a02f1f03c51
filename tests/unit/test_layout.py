"""The layout's rules that the import contract (`lint-imports`) cannot see.

The contract in pyproject.toml checks which layer imports which. These tests check the rest of
ARCHITECTURE.md's rules from the source text alone: every layer folder is in the package, nothing
imports a layer by its bare folder name, no import of our own code hides inside a function, and
tests and benchmarks keep to their support modules.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
PACKAGE = REPO / "valuegraph"
LAYERS = ("ingest", "graph", "queries", "pipelines", "report", "api", "cli")


def python_files(*folders: Path) -> Iterator[Path]:
    for folder in folders:
        yield from sorted(folder.rglob("*.py"))


def package_files() -> Iterator[Path]:
    """Each module of the package once, by its real path (the links are not walked twice)."""
    yield from sorted(PACKAGE.glob("*.py"))
    yield from python_files(*(REPO / layer for layer in LAYERS))


def imports(tree: ast.AST) -> Iterator[ast.Import | ast.ImportFrom]:
    for node in ast.walk(tree):
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node


def imported_modules(node: ast.Import | ast.ImportFrom) -> list[str]:
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level == 0 and node.module:
        return [node.module]
    return []


def test_every_layer_folder_is_a_link_in_the_package() -> None:
    for layer in LAYERS:
        link = PACKAGE / layer
        assert link.is_symlink(), f"valuegraph/{layer} should link to ../{layer}"
        assert link.resolve() == (REPO / layer).resolve()
        assert (REPO / layer / "__init__.py").is_file()


def test_nothing_imports_a_layer_by_its_folder_name() -> None:
    bare = set(LAYERS)
    found = [
        f"{path.relative_to(REPO)}:{node.lineno} imports {name}"
        for path in [*package_files(), *python_files(REPO / "tests", REPO / "bench")]
        for node in imports(ast.parse(path.read_text(encoding="utf-8")))
        for name in imported_modules(node)
        if name.split(".")[0] in bare
    ]
    assert not found, "import these as valuegraph.<layer>:\n" + "\n".join(found)


def test_no_import_of_our_own_code_inside_a_function() -> None:
    """An import inside a function is how a cycle between layers hides; the rule forbids it.

    Imports of third-party libraries inside functions stay allowed: they keep a heavy library
    (torch through sentence-transformers) off the start-up path of commands that never use it.
    """
    found = []
    for path in package_files():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef):
                continue
            for node in imports(function):
                ours = [name for name in imported_modules(node) if name.startswith("valuegraph")]
                relative = isinstance(node, ast.ImportFrom) and node.level > 0
                if ours or relative:
                    found.append(f"{path.relative_to(REPO)}:{node.lineno} in {function.name}()")
    assert not found, "move these imports to the top of the module:\n" + "\n".join(found)


def test_tests_and_benchmarks_import_support_modules_never_test_modules() -> None:
    found = []
    for path in python_files(REPO / "tests", REPO / "bench"):
        for node in imports(ast.parse(path.read_text(encoding="utf-8"))):
            for name in imported_modules(node):
                parts = name.split(".")
                if parts[0] == "tests" and (
                    "conftest" in parts or any(part.startswith("test_") for part in parts)
                ):
                    found.append(f"{path.relative_to(REPO)}:{node.lineno} imports {name}")
    assert not found, "share code through tests/support instead:\n" + "\n".join(found)
