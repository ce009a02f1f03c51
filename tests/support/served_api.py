"""``valuegraph serve`` as a subprocess on a free loopback port, and small HTTP clients for it.

The reliability, soak and security tests treat the API as a black box: they start the real
command (waitress, threads, the app's own error handling) and talk HTTP to it. The server
inherits the environment the test session set up (``NEO4J_URI`` of the throwaway server and so
on), plus whatever a test adds. Its log goes to a file, never a pipe nobody reads.
"""

from __future__ import annotations

import http.client
import json
import os
import subprocess
import sys
import time
from collections.abc import Iterator, Mapping
from contextlib import contextmanager, suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.support.paths import REPO
from tests.support.ports import free_port

# Only a guard against a server that never starts: a loaded machine may take minutes.
START_TIMEOUT_S = 600.0
STOP_TIMEOUT_S = 15.0


@dataclass(frozen=True)
class Reply:
    """One HTTP answer; ``status`` 0 means no answer at all (refused, reset, timed out)."""

    status: int
    body: bytes = b""
    headers: Mapping[str, str] = field(default_factory=dict)
    failure: str = ""  # why there was no answer

    def json(self) -> Any:
        return json.loads(self.body)

    def text(self) -> str:
        return self.body.decode("utf-8", errors="replace")

    def graphql_ok(self) -> bool:
        """A 200 with data and no errors."""
        if self.status != 200:
            return False
        try:
            body = self.json()
        except ValueError:
            return False
        return isinstance(body, dict) and not body.get("errors") and body.get("data") is not None

    def error_codes(self) -> list[str]:
        try:
            body = self.json()
        except ValueError:
            return []
        errors = body.get("errors") if isinstance(body, dict) else None
        return [str((e.get("extensions") or {}).get("code")) for e in errors or []]


class Connection:
    """One keep-alive HTTP connection, as one client thread holds it; reconnects after a failure."""

    def __init__(self, port: int, timeout: float = 60.0) -> None:
        self.port = port
        self.timeout = timeout
        self._connection: http.client.HTTPConnection | None = None

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        if self._connection is None:
            self._connection = http.client.HTTPConnection("127.0.0.1", self.port, self.timeout)
        try:
            self._connection.request(method, path, body=body, headers=dict(headers or {}))
            response = self._connection.getresponse()
            data = response.read()
            reply = Reply(response.status, data, {k.lower(): v for k, v in response.getheaders()})
            if response.will_close:
                self.close()
            return reply
        except (OSError, http.client.HTTPException) as e:
            self.close()
            return Reply(0, failure=f"{type(e).__name__}: {e}")

    def graphql(
        self,
        query: str,
        variables: Mapping[str, Any] | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        body = json.dumps({"query": query, "variables": dict(variables or {})}).encode()
        wanted = {"Content-Type": "application/json", **dict(headers or {})}
        return self.request("POST", "/graphql", body, wanted)

    def close(self) -> None:
        if self._connection is not None:
            self._connection.close()
            self._connection = None


@dataclass
class ServedApi:
    """A running ``valuegraph serve``."""

    port: int
    process: subprocess.Popen[bytes]
    log_path: Path
    token: str | None = None

    @property
    def origin(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    def auth(self) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}"} if self.token else {}

    def connection(self, timeout: float = 60.0) -> Connection:
        return Connection(self.port, timeout)

    def request(
        self,
        method: str,
        path: str,
        body: bytes | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> Reply:
        connection = self.connection()
        try:
            return connection.request(method, path, body, {**self.auth(), **dict(headers or {})})
        finally:
            connection.close()

    def graphql(self, query: str, variables: Mapping[str, Any] | None = None) -> Reply:
        connection = self.connection()
        try:
            return connection.graphql(query, variables, self.auth())
        finally:
            connection.close()

    def resident_bytes(self) -> int:
        """The server process's resident memory (VmRSS), from /proc."""
        for line in Path(f"/proc/{self.process.pid}/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) * 1024
        raise RuntimeError("no VmRSS line")

    def cpu_seconds(self) -> float:
        """The CPU time the server process has spent (user and system, all its threads): what
        a request costs it, which, unlike the wall time, a busy machine does not stretch."""
        fields = Path(f"/proc/{self.process.pid}/stat").read_text().rsplit(")", 1)[1].split()
        user, system = int(fields[11]), int(fields[12])  # utime and stime, fields 14 and 15
        return (user + system) / os.sysconf("SC_CLK_TCK")

    def log(self) -> str:
        return self.log_path.read_text(errors="replace")

    def running(self) -> bool:
        return self.process.poll() is None


@contextmanager
def served_api(
    directory: Path,
    *,
    env: Mapping[str, str] | None = None,
    threads: int = 16,
    log_level: str = "WARNING",
    healthy: bool = True,
) -> Iterator[ServedApi]:
    """Start ``valuegraph serve`` on a free port; wait until it answers (with ``healthy``: until
    Neo4j is reachable through it); stop it afterwards."""
    port = free_port()
    environment = {**os.environ, "VALUEGRAPH_LOG_LEVEL": log_level, **dict(env or {})}
    log_path = directory / f"serve-{port}.log"
    command = [sys.executable, "-m", "valuegraph", "serve", "--host", "127.0.0.1"]
    command += ["--port", str(port), "--threads", str(threads)]
    with log_path.open("wb") as log_file:
        process = subprocess.Popen(
            command,
            cwd=REPO,
            env=environment,
            stdin=subprocess.DEVNULL,
            stdout=log_file,
            stderr=subprocess.STDOUT,
        )
    api = ServedApi(port, process, log_path, environment.get("VALUEGRAPH_API_TOKEN") or None)
    try:
        _wait_until_answering(api, healthy)
        yield api
    finally:
        process.terminate()
        try:
            process.wait(timeout=STOP_TIMEOUT_S)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def _wait_until_answering(api: ServedApi, healthy: bool) -> None:
    """Until ``/healthz`` answers (with ``healthy``: 200), with the token if there is one."""
    deadline = time.monotonic() + START_TIMEOUT_S
    last = Reply(0)
    while time.monotonic() < deadline:
        if not api.running():
            raise RuntimeError(
                f"valuegraph serve exited with {api.process.returncode}:\n{api.log()}"
            )
        last = api.request("GET", "/healthz")
        if last.status == 200 or (last.status and not healthy):
            return
        time.sleep(0.3)
    with suppress(OSError):
        print(api.log()[-3000:])
    raise TimeoutError(f"valuegraph serve did not become healthy (last: {last})")


# --- load --------------------------------------------------------------------------------

# Requests a dashboard sends: root lists, nested lists, lookups by name, analyses, misses.
# ``$n`` is filled with a value name, ``$t`` with a task name, per request.
LOAD_MENU: tuple[tuple[str, tuple[str, ...]], ...] = (
    ("{ stats { conversations aiValues humanValues models { name conversations } } }", ()),
    ("{ values(first: 20) { totalCount edges { cursor node { name frequency } } } }", ()),
    ("{ values(role: HUMAN, first: 10, orderBy: NAME) { nodes { key name roles } } }", ()),
    ("query($n: String!) { value(name: $n) { name frequency cluster { name } } }", ("n",)),
    (
        "query($n: String!) { value(name: $n) { conversations(first: 3) "
        "{ edges { node { id task { name } } } } } }",
        ("n",),
    ),
    ("query($t: String!) { task(name: $t) { name frequency } }", ("t",)),
    ("{ tasks(first: 10) { totalCount nodes { name frequency } } }", ()),
    ("{ clusters(level: 3) { name share children { name } } }", ()),
    ("{ associations(kind: VALUE_TASK, first: 5) { tests rows { value partner } } }", ()),
    ("{ mirroring(top: 5) { conversations rates { responseType mirroringRate } } }", ()),
    ("{ responseTypes { conversations rows { responseType share } } }", ()),
    ('{ value(name: "no such value at all") { name } }', ()),
)


@dataclass(frozen=True)
class Outcome:
    """One request of a load run; the body is kept only when the request did not succeed."""

    at: float  # time.monotonic() when the answer came
    status: int
    ok: bool
    codes: tuple[str, ...] = ()
    problem: str = ""


def load_plan(names: list[str], tasks: list[str], seed: int, length: int = 40) -> list[Any]:
    """One client's cycle of requests (query, variables), drawn from :data:`LOAD_MENU`."""
    import random

    chooser = random.Random(seed)
    plan = []
    for _ in range(length):
        query, wanted = chooser.choice(LOAD_MENU)
        variables = {"n": chooser.choice(names), "t": chooser.choice(tasks)}
        plan.append((query, {key: variables[key] for key in wanted}))
    return plan


def names_for_load(api: ServedApi) -> tuple[list[str], list[str]]:
    """Value and task names that exist, for the plans' lookups."""
    values = api.graphql("{ values(first: 50) { nodes { name } } }").json()
    tasks = api.graphql("{ tasks(first: 50) { nodes { name } } }").json()
    return (
        [node["name"] for node in values["data"]["values"]["nodes"]],
        [node["name"] for node in tasks["data"]["tasks"]["nodes"]],
    )


def run_client(
    api: ServedApi, plan: list[Any], stop_at: Any, outcomes: list[Outcome], timeout: float = 60.0
) -> None:
    """Send ``plan`` round and round on one keep-alive connection until ``stop_at()`` is true."""
    connection = api.connection(timeout)
    headers = api.auth()
    try:
        index = 0
        while not stop_at():
            query, variables = plan[index % len(plan)]
            index += 1
            reply = connection.graphql(query, variables, headers)
            ok = reply.graphql_ok()
            problem = "" if ok else (reply.failure or reply.text()[:500])
            outcomes.append(
                Outcome(time.monotonic(), reply.status, ok, tuple(reply.error_codes()), problem)
            )
    finally:
        connection.close()
