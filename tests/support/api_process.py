"""``valuegraph serve`` (waitress) over the synthetic corpus, on a free loopback port, as the
``api_process`` fixture: every request executes (no answers kept), so clients load the whole
path. The root conftest registers this module as a plugin."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.ports import free_port
from tests.support.synthetic_corpus import Corpus

# Only a guard against a server that hangs for good: a loaded machine may take minutes to
# import the app, so the wait ends early only when the process exits.
START_TIMEOUT_S = 600.0


@dataclass
class ApiProcess:
    origin: str
    process: subprocess.Popen[bytes]
    conversations: int

    def post(self, query: str, variables: dict[str, Any] | None = None) -> tuple[int, Any]:
        body = json.dumps({"query": query, "variables": variables or {}}).encode()
        request = urllib.request.Request(
            self.origin + "/graphql", data=body, headers={"Content-Type": "application/json"}
        )
        try:
            with urllib.request.urlopen(request, timeout=60) as response:
                return response.status, json.loads(response.read())
        except urllib.error.HTTPError as error:
            return error.code, json.loads(error.read() or b"null")


def wait_until_healthy(origin: str, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + START_TIMEOUT_S
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"valuegraph serve exited with {process.returncode}")
        try:
            with urllib.request.urlopen(origin + "/healthz", timeout=5) as response:
                if response.status == 200:
                    return
        except OSError:
            time.sleep(0.3)
    raise TimeoutError("valuegraph serve did not become healthy")


@pytest.fixture(scope="module")
def api_process(
    corpus: Corpus,
    tmp_path_factory: pytest.TempPathFactory,
) -> Iterator[ApiProcess]:
    port = free_port()
    log_path = tmp_path_factory.mktemp("api-server") / "serve.log"
    log_file = log_path.open("wb")  # a file, not a pipe: an unread pipe would block the server
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "valuegraph",
            "serve",
            "--host",
            "127.0.0.1",
            "--port",
            str(port),
            "--threads",
            "16",
        ],
        env={
            **os.environ,
            "VALUEGRAPH_LOG_LEVEL": "WARNING",
            "VALUEGRAPH_API_RESPONSE_CACHE_ENTRIES": "0",
        },
        stdout=subprocess.DEVNULL,
        stderr=log_file,
    )
    origin = f"http://127.0.0.1:{port}"
    try:
        wait_until_healthy(origin, process)
        yield ApiProcess(origin, process, corpus.conversations)
    finally:
        process.terminate()
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        log_file.close()
        print(log_path.read_text()[-3000:])
