"""The build's one custom step: GraphiQL's pinned npm files become package data of the wheel.

Everything else about the build is declared in pyproject.toml. The API serves GraphiQL 3 and
React 18 from ``api/graphiql/node_modules``, which ``npm ci`` installs from package-lock.json and
git ignores. A wheel has no npm, so building one copies the files that ``api/graphiql/assets.toml``
lists into the wheel at the same relative place (``valuegraph/api/graphiql/node_modules/...``),
and the API finds them there as it finds them in a checkout. The build refuses, in one line that
says what to run, when those files are missing or are not the versions the lock file pins.
An editable install serves them from the checkout itself and skips the copy and the check.
"""

from __future__ import annotations

import json
import os
import tomllib
import warnings
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py
from setuptools.errors import FileError
from setuptools.warnings import InformationOnly

GRAPHIQL_PACKAGE = "valuegraph.api.graphiql"
NPM_INSTALL = "npm ci --prefix {folder} --ignore-scripts --no-audit --no-fund"


def graphiql_files(package_dir: Path) -> list[str]:
    """The paths inside node_modules/ of every file a wheel carries: served files and licences."""
    manifest = tomllib.loads((package_dir / "assets.toml").read_text(encoding="utf-8"))
    return [*manifest["served"].values(), *manifest["licences"]["files"]]


def npm_package(path: str) -> str:
    """The npm package a path inside node_modules/ belongs to: ``name`` or ``@scope/name``."""
    parts = path.split("/")
    return "/".join(parts[:2] if parts[0].startswith("@") else parts[:1])


def installed_version(node_modules: Path, package: str) -> str | None:
    manifest = node_modules / package / "package.json"
    if not manifest.is_file():
        return None
    return str(json.loads(manifest.read_text(encoding="utf-8")).get("version"))


def graphiql_problem(package_dir: Path) -> str | None:
    """Why node_modules/ cannot go into a wheel as it is, or None when it can."""
    node_modules = package_dir / "node_modules"
    files = graphiql_files(package_dir)
    missing = [path for path in files if not (node_modules / path).is_file()]
    if missing:
        return f"GraphiQL's pinned files are not installed (no node_modules/{missing[0]})"
    lock = json.loads((package_dir / "package-lock.json").read_text(encoding="utf-8"))
    for package in sorted({npm_package(path) for path in files}):
        pinned = lock["packages"].get(f"node_modules/{package}", {}).get("version")
        installed = installed_version(node_modules, package)
        if installed != pinned:
            return f"node_modules has {package} {installed}, package-lock.json pins {pinned}"
    return None


class BuildPyWithGraphiql(build_py):
    """build_py that checks GraphiQL's pinned files and copies them into the build."""

    def run(self) -> None:
        if self.editable_mode:
            super().run()
            return
        package_dir = Path(self.get_package_dir(GRAPHIQL_PACKAGE))
        problem = graphiql_problem(package_dir)
        if problem is not None:
            # The folder as a person knows it: api/graphiql in a checkout, not the link to it.
            folder = os.path.relpath(package_dir.resolve(), Path.cwd().resolve())
            raise FileError(
                f"cannot build the valuegraph wheel: {problem}; "
                f"run `{NPM_INSTALL.format(folder=folder)}` first"
            )
        super().run()
        # Copied here rather than declared as package data: setuptools would take their folders
        # (node_modules/react/umd, ...) for Python packages left out by mistake, and say so at
        # length, and an sdist has no need of them.
        for target, source in self.graphiql_outputs().items():
            self.mkpath(os.path.dirname(target))
            self.copy_file(source, target)

    def graphiql_outputs(self) -> dict[str, str]:
        """Where each of GraphiQL's pinned files goes in the build -> where it comes from."""
        source = Path(self.get_package_dir(GRAPHIQL_PACKAGE), "node_modules")
        target = Path(self.build_lib, *GRAPHIQL_PACKAGE.split("."), "node_modules")
        return {str(target / path): str(source / path) for path in graphiql_files(source.parent)}

    def get_outputs(self, include_bytecode: bool = True) -> list[str]:
        outputs = super().get_outputs(include_bytecode)
        if self.editable_mode:
            return outputs
        return [*outputs, *self.graphiql_outputs()]


if __name__ == "__main__":  # as setuptools runs it; tests import the checks above
    # setuptools cautions, on every editable install, that a folder named like the package in
    # the working directory may be imported instead of it. Here the only such folder is the
    # checkout's own valuegraph/, the very folder the editable install points at, so the caution
    # cannot apply and would only bury the install's real output; no other warning is silenced.
    warnings.filterwarnings("ignore", message="Editable installation", category=InformationOnly)
    setup(cmdclass={"build_py": BuildPyWithGraphiql})
