"""The API under its production server: ``valuegraph serve`` (waitress) on a free loopback port.

50 concurrent clients each send 40 mixed requests and every one must succeed. Then Neo4j
"goes down" (a TCP relay in front of it stops) and comes back: meanwhile requests get a clear
error, and afterwards the API answers again without a restart.
"""

from __future__ import annotations

import contextlib
import json
import random
import socket
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from tests.support.api_process import ApiProcess
from tests.support.graphql_client import run_query
from tests.support.ports import free_port
from tests.support.synthetic_corpus import Corpus
from valuegraph.api.app import create_app
from valuegraph.api.settings import ApiLimits
from valuegraph.settings import Settings

CLIENTS = 50
REQUESTS_EACH = 40


def mixed_requests(api: ApiProcess, seed: int) -> list[tuple[str, dict[str, Any]]]:
    """A client's 40 requests: roots, nested lists, pagination, lookups, and some misses."""
    values = api.post("{ values(first: 30) { nodes { name } } }")[1]["data"]["values"]["nodes"]
    names = [v["name"] for v in values]
    menu = [
        ("{ stats { conversations aiValues models { name conversations } } }", {}),
        ("query($n: String!) { value(name: $n) { frequency roles cluster { name } } }", {"n": ""}),
        (
            "query($n: String!) { value(name: $n) { conversations(first: 3) { edges { node "
            "{ id task { name } } } } } }",
            {"n": ""},
        ),
        ("{ values(first: 20, orderBy: NAME) { totalCount edges { cursor node { key } } } }", {}),
        ("{ values(role: HUMAN, first: 10) { edges { node { name frequency roles } } } }", {}),
        ("{ tasks(first: 10) { totalCount nodes { name frequency } } }", {}),
        ("{ clusters(level: 3) { name share children { name } } }", {}),
        ('{ value(name: "no such value at all") { name } }', {}),
    ]
    chooser = random.Random(seed)
    requests = []
    for _ in range(REQUESTS_EACH):
        query, variables = chooser.choice(menu)
        if "n" in variables:
            variables = {"n": chooser.choice(names)}
        requests.append((query, variables))
    return requests


def test_fifty_concurrent_clients_get_no_errors(api_process: ApiProcess) -> None:
    plans = [mixed_requests(api_process, seed) for seed in range(CLIENTS)]
    failures: list[str] = []
    lock = threading.Lock()

    def client(plan: list[tuple[str, dict[str, Any]]]) -> int:
        done = 0
        for query, variables in plan:
            status, body = api_process.post(query, variables)
            if status != 200 or body.get("errors"):
                with lock:
                    failures.append(f"{status} {body} for {query}")
            done += 1
        return done

    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=CLIENTS) as pool:
        completed = sum(pool.map(client, plans))
    elapsed = time.perf_counter() - started
    assert failures == [], failures[:5]
    assert completed == CLIENTS * REQUESTS_EACH
    print(f"{completed} requests from {CLIENTS} clients in {elapsed:.1f} s")


# --- Neo4j going away and coming back ----------------------------------------------------


class Relay:
    """A TCP relay to Neo4j that can be cut (everything closed) and restored on the same port."""

    def __init__(self, target_port: int) -> None:
        self.target_port = target_port
        self.port = free_port()
        self._listener: socket.socket | None = None
        self._sockets: list[socket.socket] = []
        self._lock = threading.Lock()

    def up(self) -> None:
        listener = socket.create_server(("127.0.0.1", self.port), reuse_port=False)
        listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        self._listener = listener
        threading.Thread(target=self._accept, args=(listener,), daemon=True).start()

    def down(self) -> None:
        with self._lock:
            for sock in [self._listener, *self._sockets]:
                if sock is not None:
                    with contextlib.suppress(OSError):
                        sock.shutdown(socket.SHUT_RDWR)
                    sock.close()
            self._listener = None
            self._sockets = []

    def _accept(self, listener: socket.socket) -> None:
        while True:
            try:
                client, _ = listener.accept()
            except OSError:
                return
            upstream = socket.create_connection(("127.0.0.1", self.target_port))
            with self._lock:
                self._sockets += [client, upstream]
            for source, sink in ((client, upstream), (upstream, client)):
                threading.Thread(target=self._pipe, args=(source, sink), daemon=True).start()

    @staticmethod
    def _pipe(source: socket.socket, sink: socket.socket) -> None:
        try:
            while chunk := source.recv(65536):
                sink.sendall(chunk)
        except OSError:
            pass
        finally:
            for sock in (source, sink):
                with contextlib.suppress(OSError):
                    sock.close()


def test_a_neo4j_outage_gives_a_clear_error_and_the_api_recovers(corpus: Corpus) -> None:
    relay = Relay(int(corpus.settings.resolved_uri.rsplit(":", 1)[1]))
    relay.up()
    settings = Settings(neo4j_uri=f"bolt://127.0.0.1:{relay.port}")
    app = create_app(settings, ApiLimits(query_timeout=5))
    client = app.test_client()
    query = "{ stats { conversations } }"
    try:
        assert run_query(client, query)["data"]["stats"]["conversations"] == corpus.conversations

        relay.down()
        started = time.perf_counter()
        body = run_query(client, "{ stats { tasks } }")  # not answered before, so not cached
        assert body["data"] is None
        error = body["errors"][0]
        assert error["extensions"]["code"] == "DATABASE_UNAVAILABLE"
        assert "not reachable" in error["message"]
        assert "Traceback" not in json.dumps(body) and "MATCH" not in json.dumps(body)
        assert time.perf_counter() - started < 10
        health = client.get("/healthz")
        assert health.status_code == 503 and health.get_json()["neo4j"] == "unreachable"

        relay.up()
        # The driver reconnects on its own; how soon depends on the machine's load.
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            body = run_query(client, "{ stats { conversations aiValues } }")
            if not body.get("errors"):
                break
            time.sleep(0.5)
        assert body["data"]["stats"]["conversations"] == corpus.conversations
        assert client.get("/healthz").status_code == 200
    finally:
        relay.down()
        app.extensions["valuegraph"].close()
