"""api/'s own layout: one package per GraphQL domain, and no import the reader cannot see.

A domain package (``values``, ``tasks``, ...) names another domain's type by dotted path and
shares code through ``api/core``, so no two packages of api/ import each other in a circle.
Nothing in api/ imports inside a function: that is how such a circle used to hide. Both are
read from the source (the AST), so a new module is covered without being listed.
"""

from __future__ import annotations

import ast
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[2]
API = REPO / "api"
PACKAGE = "valuegraph.api"
# Calls that import a module by name at run time, which an import statement would show.
DYNAMIC_IMPORTS = {"import_module", "__import__"}


@dataclass(frozen=True)
class Edge:
    """One import of a module of api/ by another: who, where, and what."""

    source: str
    target: str
    place: str


def api_modules() -> Iterator[tuple[str, Path]]:
    """Every module of api/ by its dotted name (GraphiQL's npm files are not Python)."""
    for path in sorted(API.rglob("*.py")):
        relative = path.relative_to(API).with_suffix("")
        if "node_modules" in relative.parts:
            continue
        parts = [part for part in relative.parts if part != "__init__"]
        yield ".".join([PACKAGE, *parts]), path


def unit_of(module: str) -> str:
    """The part of api/ a module belongs to: its subpackage, or the top-level module itself."""
    first = module.removeprefix(PACKAGE + ".").split(".")[0]
    return first if (API / first / "__init__.py").is_file() else first + ".py"


def imported_names(node: ast.Import | ast.ImportFrom) -> list[str]:
    """The modules (and, for ``from x import y``, the possible submodules) an import names."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if node.level != 0 or node.module is None:
        return []
    return [node.module, *(f"{node.module}.{alias.name}" for alias in node.names)]


def api_import_edges() -> list[Edge]:
    known = dict(api_modules())
    edges = []
    for module, path in known.items():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if not isinstance(node, ast.Import | ast.ImportFrom):
                continue
            for name in imported_names(node):
                if name in known and name != module:
                    place = f"{path.relative_to(REPO)}:{node.lineno}"
                    edges.append(Edge(module, name, place))
    return edges


def cycles_between_units(edges: list[Edge]) -> list[list[str]]:
    """Groups of api/ parts that reach each other through imports (strongly connected)."""
    graph: dict[str, set[str]] = {}
    for edge in edges:
        source, target = unit_of(edge.source), unit_of(edge.target)
        graph.setdefault(source, set())
        graph.setdefault(target, set())
        if source != target:
            graph[source].add(target)

    def reachable(start: str) -> set[str]:
        seen, frontier = set(), [start]
        while frontier:
            for following in graph[frontier.pop()]:
                if following not in seen:
                    seen.add(following)
                    frontier.append(following)
        return seen

    reach = {unit: reachable(unit) for unit in graph}
    groups = {
        frozenset({unit} | {other for other in reach[unit] if unit in reach[other]})
        for unit in graph
        if any(unit in reach[other] for other in reach[unit])
    }
    return sorted(sorted(group) for group in groups)


def test_the_domain_packages_are_where_the_layout_says() -> None:
    domains = ("values", "tasks", "taxonomy", "conversations", "stats", "analyses", "exports")
    for domain in domains:
        for module in ("__init__", "types", "resolvers"):
            assert (API / domain / f"{module}.py").is_file(), f"api/{domain}/{module}.py"
    assert (API / "core" / "__init__.py").is_file()


def test_no_two_parts_of_api_import_each_other_in_a_circle() -> None:
    edges = api_import_edges()
    cycles = cycles_between_units(edges)
    explained = []
    for group in cycles:
        members = set(group)
        explained.append(" <-> ".join(group))
        explained += [
            f"    {edge.place} imports {edge.target}"
            for edge in edges
            if unit_of(edge.source) in members
            and unit_of(edge.target) in members
            and unit_of(edge.source) != unit_of(edge.target)
        ]
    assert not cycles, (
        "name the other domain's type by dotted path, or share the helper through api/core:\n"
        + "\n".join(explained)
    )


def test_nothing_in_api_imports_inside_a_function() -> None:
    """The app has no heavy library to keep off its start-up path, so the rule has no exception."""
    found = []
    for _module, path in api_modules():
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for function in ast.walk(tree):
            if not isinstance(function, ast.FunctionDef | ast.AsyncFunctionDef | ast.Lambda):
                continue
            for node in ast.walk(function):
                place = f"{path.relative_to(REPO)}:{getattr(node, 'lineno', '?')}"
                if isinstance(node, ast.Import | ast.ImportFrom):
                    found.append(f"{place} imports inside a function")
                elif isinstance(node, ast.Call) and _called_name(node) in DYNAMIC_IMPORTS:
                    found.append(f"{place} imports by name at run time")
    assert not found, "move these imports to the top of the module:\n" + "\n".join(sorted(found))


def _called_name(call: ast.Call) -> str | None:
    if isinstance(call.func, ast.Name):
        return call.func.id
    if isinstance(call.func, ast.Attribute):
        return call.func.attr
    return None


def test_the_cycle_check_sees_a_cycle() -> None:
    """The check itself: two parts importing each other are one group."""
    edges = [
        Edge(f"{PACKAGE}.values.types", f"{PACKAGE}.tasks.types", "a"),
        Edge(f"{PACKAGE}.tasks.types", f"{PACKAGE}.values.resolvers", "b"),
        Edge(f"{PACKAGE}.tasks.types", f"{PACKAGE}.core.context", "c"),
    ]
    assert cycles_between_units(edges) == [["tasks", "values"]]
