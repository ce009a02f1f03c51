"""The wheel works on its own: built, installed into a fresh virtual environment, and run there.

The wheel is built from a copy of the checkout (tests/support/wheel_support.py) and installed,
not editable, into a new virtual environment. Everything then runs from a folder outside the
repository with that environment's ``valuegraph``: ``--help``, ``neo4j start`` (a throwaway state
folder on free ports; the jars are shared as tests/conftest.py shares them), an ingest of the
samples the wheel ships, and ``serve``, whose GraphiQL page headless Chromium renders and runs a
query in, with every request off this machine blocked.

Installing torch and the rest again would take minutes, so after the wheel is installed the new
environment gets one ``.pth`` line: this environment's site-packages, appended to ``sys.path``.
A plain path line runs none of the ``.pth`` files in that folder, so the editable install of
valuegraph there stays inert, and ``valuegraph`` itself is imported from the new environment,
which one test checks.
"""

from __future__ import annotations

import contextlib
import json
import os
import signal
import subprocess
import sys
import sysconfig
import time
import urllib.error
import urllib.request
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from tests.support.browser_support import Browser, browser_available
from tests.support.paths import REPO
from tests.support.ports import free_port
from tests.support.wheel_support import build_wheel, copy_sources, the_wheel
from valuegraph.api.graphiql import assets_installed
from valuegraph.graph.server import NEO4J_VERSION

pytestmark = [
    pytest.mark.slow,
    pytest.mark.skipif(not browser_available(), reason="needs chromium and chromedriver"),
    pytest.mark.skipif(
        not assets_installed(),
        reason="GraphiQL packages are not installed (npm ci --prefix api/graphiql)",
    ),
]

COMMAND_TIMEOUT_S = 300
SERVE_TIMEOUT_S = 90.0
QUERY = "{ stats { conversations aiValues } }"
# What the page shows as the query's result, once it shows one.
RESPONSE_TEXT = (
    "const cm = document.querySelector('.graphiql-response .CodeMirror');"
    "return cm ? cm.CodeMirror.getValue() : '';"
)
# Variables of the session (tests/conftest.py sets some) that must not reach the fresh install.
INHERITED_PREFIXES = ("NEO4J_", "VALUEGRAPH_")
INHERITED_NAMES = {"VIRTUAL_ENV", "PYTHONPATH", "PYTHONHOME", "PYTHONSTARTUP"}


@dataclass(frozen=True)
class FreshInstall:
    """A new virtual environment with the wheel installed, and what the install put there."""

    root: Path
    site_packages: Path
    wheel: Path
    added: frozenset[str]  # the entries the install added to site-packages

    @property
    def python(self) -> Path:
        return self.root / "bin" / "python"

    @property
    def valuegraph(self) -> Path:
        return self.root / "bin" / "valuegraph"


@dataclass(frozen=True)
class Outside:
    """A folder outside the repository and the environment the installed commands run with."""

    folder: Path
    env: dict[str, str]

    def run(self, *args: str | Path) -> subprocess.CompletedProcess[str]:
        return subprocess.run(
            [str(arg) for arg in args],
            cwd=self.folder,
            env=self.env,
            capture_output=True,
            text=True,
            check=False,
            timeout=COMMAND_TIMEOUT_S,
        )


def _site_packages(python: Path | str) -> Path:
    done = subprocess.run(
        [str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
        capture_output=True,
        text=True,
        check=True,
    )
    return Path(done.stdout.strip())


@pytest.fixture(scope="module")
def fresh(tmp_path_factory: pytest.TempPathFactory) -> FreshInstall:
    work = tmp_path_factory.mktemp("wheel")
    built = build_wheel(copy_sources(REPO, work / "source"), work / "dist")
    assert built.returncode == 0, built.stdout + built.stderr
    wheel = the_wheel(work / "dist")

    root = work / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(root)], check=True)
    site_packages = _site_packages(root / "bin" / "python")
    before = set(os.listdir(site_packages))
    # This environment's pip installs into the new one (--python). The dependency path is not
    # there yet, so pip sees an empty environment, not the editable valuegraph it would replace.
    installed = subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "--python",
            str(root / "bin" / "python"),
            "install",
            "--no-deps",
            "--no-index",
            "--quiet",
            str(wheel),
        ],
        capture_output=True,
        text=True,
        check=False,
        timeout=COMMAND_TIMEOUT_S,
    )
    assert installed.returncode == 0, installed.stdout + installed.stderr
    added = frozenset(set(os.listdir(site_packages)) - before)

    dependencies = {sysconfig.get_paths()["purelib"], sysconfig.get_paths()["platlib"]}
    (site_packages / "zz_test_dependencies.pth").write_text(
        "".join(f"{path}\n" for path in sorted(dependencies))
    )
    return FreshInstall(root, site_packages, wheel, added)


@pytest.fixture(scope="module")
def outside(fresh: FreshInstall, tmp_path_factory: pytest.TempPathFactory) -> Outside:
    folder = tmp_path_factory.mktemp("elsewhere")
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(INHERITED_PREFIXES) and key not in INHERITED_NAMES
    }
    jars = os.environ.get(
        "VALUEGRAPH_NEO4J_JARS", str(REPO / ".state" / f"neo4j-{NEO4J_VERSION}" / "lib")
    )
    env.update(
        PATH=f"{fresh.root / 'bin'}{os.pathsep}{env.get('PATH', '')}",
        VIRTUAL_ENV=str(fresh.root),
        VALUEGRAPH_STATE_DIR=str(folder / "state"),
        VALUEGRAPH_NEO4J_JARS=jars,
        VALUEGRAPH_BOLT_PORT=str(free_port()),
        VALUEGRAPH_HTTP_PORT=str(free_port()),
        VALUEGRAPH_NEO4J_HEAP="512m",
        VALUEGRAPH_NEO4J_PAGECACHE="256m",
    )
    return Outside(folder, env)


@pytest.fixture(scope="module")
def neo4j_started(fresh: FreshInstall, outside: Outside) -> Iterator[Outside]:
    """``valuegraph neo4j start`` from the wheel; stopped at the end whatever happens."""
    try:
        started = outside.run(fresh.valuegraph, "neo4j", "start")
        assert started.returncode == 0, started.stdout + started.stderr
        yield outside
    finally:
        stopped = outside.run(fresh.valuegraph, "neo4j", "stop")
        if stopped.returncode != 0:
            _kill_from_pid_file(outside.folder / "state" / "server" / "run" / "neo4j.pid")


def _kill_from_pid_file(pid_file: Path) -> None:
    """The last resort when ``neo4j stop`` failed: a server must not outlive the test."""
    with contextlib.suppress(OSError, ValueError):
        os.kill(int(pid_file.read_text().strip()), signal.SIGKILL)


@pytest.fixture(scope="module")
def ingested(fresh: FreshInstall, neo4j_started: Outside) -> dict[str, Any]:
    """The samples the wheel ships, ingested with the offline extractor; its JSON summary."""
    shipped = fresh.site_packages / "valuegraph" / "ingest" / "samples" / "conversations.jsonl"
    samples = neo4j_started.folder / "conversations.jsonl"
    samples.write_bytes(shipped.read_bytes())
    done = neo4j_started.run(
        fresh.valuegraph, "ingest", "conversations", samples, "--extractor", "offline", "--json"
    )
    summary: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    # Exit code 1 means "some conversations were quarantined" (the samples hold two invalid ones).
    assert done.returncode == (1 if summary["quarantined"] else 0), done.stdout + done.stderr
    assert summary["loaded"] > 0
    return summary


@pytest.fixture(scope="module")
def served(fresh: FreshInstall, neo4j_started: Outside) -> Iterator[str]:
    """``valuegraph serve`` from the wheel on a free port; its origin. Stopped at the end."""
    port = free_port()
    log_path = neo4j_started.folder / "serve.log"
    with log_path.open("wb") as log:
        process = subprocess.Popen(
            [str(fresh.valuegraph), "serve", "--port", str(port)],
            cwd=neo4j_started.folder,
            env=neo4j_started.env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    origin = f"http://127.0.0.1:{port}"
    try:
        _wait_until_serving(origin, process, log_path)
        yield origin
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=15)


def _wait_until_serving(origin: str, process: subprocess.Popen[bytes], log_path: Path) -> None:
    deadline = time.monotonic() + SERVE_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            pytest.fail(f"valuegraph serve exited {process.returncode}:\n{log_path.read_text()}")
        try:
            with urllib.request.urlopen(f"{origin}/graphiql/boot.js", timeout=5):
                return
        except (urllib.error.URLError, OSError):
            time.sleep(0.5)
    pytest.fail(
        f"valuegraph serve did not answer in {SERVE_TIMEOUT_S:.0f} s:\n{log_path.read_text()}"
    )


def _get(url: str) -> bytes:
    with urllib.request.urlopen(url, timeout=30) as response:
        return bytes(response.read())


# --- the tests ---------------------------------------------------------------------------------


def test_the_wheel_puts_exactly_one_top_level_name_into_site_packages(fresh: FreshInstall) -> None:
    with zipfile.ZipFile(fresh.wheel) as wheel:
        top = {name.split("/", 1)[0] for name in wheel.namelist()}
    assert {name for name in top if not name.endswith(".dist-info")} == {"valuegraph"}
    assert {name for name in fresh.added if not name.endswith(".dist-info")} == {"valuegraph"}


def test_the_installed_valuegraph_is_the_one_imported(
    fresh: FreshInstall, outside: Outside
) -> None:
    done = outside.run(
        fresh.python,
        "-c",
        "import valuegraph.api.graphiql as g, valuegraph.cli.main as m; print(g.__file__); "
        "print(m.__file__)",
    )
    assert done.returncode == 0, done.stderr
    for module_file in done.stdout.split():
        assert Path(module_file).is_relative_to(fresh.site_packages / "valuegraph"), module_file


def test_help_runs_from_the_wheel(fresh: FreshInstall, outside: Outside) -> None:
    done = outside.run(fresh.valuegraph, "--help")
    assert done.returncode == 0, done.stderr
    assert "serve" in done.stdout and "neo4j" in done.stdout and "ingest" in done.stdout


def test_graphiql_from_the_wheel_renders_and_runs_a_query(
    fresh: FreshInstall, ingested: dict[str, Any], served: str, tmp_path: Path
) -> None:
    shipped = fresh.site_packages / "valuegraph/api/graphiql/node_modules/graphiql/graphiql.min.js"
    assert _get(f"{served}/graphiql/graphiql.min.js") == shipped.read_bytes()

    with Browser(tmp_path / "browser", block_network=True) as browser:
        browser.get(f"{served}/graphql")
        browser.wait_until(
            lambda: browser.script(
                "return !!document.querySelector('.graphiql-query-editor .CodeMirror')"
            ),
            timeout=60,
            message="GraphiQL's editor did not appear",
        )
        browser.script(
            "document.querySelector('.graphiql-query-editor .CodeMirror')"
            ".CodeMirror.setValue(arguments[0])",
            QUERY,
        )
        browser.script("document.querySelector('.graphiql-execute-button').click()")

        def shown_result() -> str | None:
            text = str(browser.script(RESPONSE_TEXT))
            return text if "conversations" in text else None

        response_text = browser.wait_until(
            shown_result,
            timeout=60,
            message="the query's result did not appear",
        )
        browser.screenshot(tmp_path / "graphiql-from-the-wheel.png")

    result = json.loads(response_text)
    assert result["data"]["stats"]["conversations"] == ingested["loaded"]
