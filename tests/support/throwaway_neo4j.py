"""A throwaway Neo4j on free ports, never the user's data: for the test session and the
benchmarks alike.

Its jars are the ones the user's server already fetched (from Maven Central, once); its home
(config, data, logs) and state folder are the caller's temporary folder. The process
environment is pointed at it while it runs, so code that reads settings from the environment
(the library, and the ``valuegraph`` commands run as children) reaches this server and nothing
else.
"""

from __future__ import annotations

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from tests.support.ports import free_port
from valuegraph.graph.server import LocalServer, jar_dir
from valuegraph.settings import Settings


@dataclass(frozen=True)
class ThrowawayNeo4j:
    """Where a throwaway server lives and listens, as the environment valuegraph reads."""

    state_dir: Path
    password: str
    heap: str = "1g"
    pagecache: str = "1g"
    jars: Path = field(default_factory=lambda: jar_dir(Settings()))
    bolt_port: int = field(default_factory=free_port)
    http_port: int = field(default_factory=free_port)

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.bolt_port}"

    def environment(self, *, uri: bool = True) -> dict[str, str]:
        """The variables that point valuegraph at this server. Without ``uri`` it is "the
        local server valuegraph runs" (which ``--bulk`` needs), reached on the same port."""
        environment = {
            "NEO4J_USER": "neo4j",
            "NEO4J_PASSWORD": self.password,
            "NEO4J_DATABASE": "neo4j",
            "VALUEGRAPH_STATE_DIR": str(self.state_dir),
            "VALUEGRAPH_NEO4J_JARS": str(self.jars),
            "VALUEGRAPH_BOLT_PORT": str(self.bolt_port),
            "VALUEGRAPH_HTTP_PORT": str(self.http_port),
            "VALUEGRAPH_NEO4J_HEAP": self.heap,
            "VALUEGRAPH_NEO4J_PAGECACHE": self.pagecache,
        }
        if uri:
            environment["NEO4J_URI"] = self.bolt_uri
        return environment


@contextmanager
def environment_set(variables: Mapping[str, str]) -> Iterator[None]:
    """``os.environ`` with these variables for the duration, then as it was."""
    saved = {key: os.environ.get(key) for key in variables}
    os.environ.update(variables)
    try:
        yield
    finally:
        for key, value in saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@contextmanager
def running(
    server: ThrowawayNeo4j, *, home: Path | None = None, uri: bool = True
) -> Iterator[LocalServer]:
    """Start the server fresh with the environment pointed at it; stop it at the end."""
    with environment_set(server.environment(uri=uri)):
        local = LocalServer(Settings(), home=home)
        local.start(fresh=True)
        try:
            yield local
        finally:
            local.stop()
