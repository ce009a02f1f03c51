"""Build valuegraph's wheel the way a release would, without writing into the checkout.

pip builds a project in its own folder, and setuptools leaves ``build/`` and ``*.egg-info`` there;
several builds at once in the shared checkout would trip over each other. So the sources are
copied to a temporary folder first: the files a build reads (the layer folders, the links in
``valuegraph/`` to them, pyproject.toml, setup.py, README.md), not the caches, the virtual
environment or the tests. npm's folder is linked rather than copied: it is 50 MB, and the build
takes only the few files of it that ``api/graphiql/assets.toml`` lists.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

# Top-level entries of the checkout that no build reads.
NOT_BUILT = {
    ".git",
    ".venv",
    ".state",
    ".ci",
    "out",
    "build",
    "dist",
    "tests",
    "bench",
    ".hypothesis",
    ".mypy_cache",
    ".ruff_cache",
    ".pytest_cache",
    ".import_linter_cache",
}
NODE_MODULES = Path("api", "graphiql", "node_modules")


def copy_sources(repo: Path, destination: Path, *, with_npm_packages: bool = True) -> Path:
    """A copy of what the build reads; ``with_npm_packages=False`` leaves npm's folder out."""

    def skipped(folder: str, names: list[str]) -> set[str]:
        left_out = {name for name in names if name == "__pycache__" or name.endswith(".egg-info")}
        if Path(folder) == repo:
            left_out |= NOT_BUILT & set(names)
        if Path(folder) == repo / NODE_MODULES.parent:
            left_out.add(NODE_MODULES.name)
        return left_out

    # symlinks=True keeps valuegraph/ingest -> ../ingest and the rest as the links they are.
    shutil.copytree(repo, destination, symlinks=True, ignore=skipped)
    if with_npm_packages:
        (destination / NODE_MODULES).symlink_to(repo / NODE_MODULES, target_is_directory=True)
    return destination


def build_wheel(source: Path, out: Path) -> subprocess.CompletedProcess[str]:
    """``pip wheel`` of ``source`` into ``out``; the caller checks the return code.

    The build uses this environment's setuptools (``--no-build-isolation``) rather than fetching
    one from the package index, so it works offline and takes seconds.
    """
    return subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "wheel",
            "--no-deps",
            "--no-build-isolation",
            "--quiet",
            "--wheel-dir",
            str(out),
            str(source),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=300,
    )


def the_wheel(out: Path) -> Path:
    """The one wheel a build left in ``out``."""
    wheels = sorted(out.glob("valuegraph-*.whl"))
    assert len(wheels) == 1, f"expected one wheel in {out}, found {wheels}"
    return wheels[0]
