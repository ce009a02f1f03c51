"""``valuegraph serve`` (waitress) over the synthetic corpus, on a free loopback port, as the
``api_process`` fixture: every request executes (no answers kept), so clients load the whole
path. The server is :func:`tests.support.served_api.served_api`'s; the root conftest registers
this module as a plugin."""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import pytest

from tests.support.served_api import ServedApi, served_api
from tests.support.synthetic_corpus import Corpus


@dataclass
class ApiProcess:
    served: ServedApi
    conversations: int

    @property
    def origin(self) -> str:
        return self.served.origin

    def post(self, query: str, variables: dict[str, Any] | None = None) -> tuple[int, Any]:
        """POST a query; the status and the decoded body (None when the body is empty)."""
        reply = self.served.graphql(query, variables)
        if reply.status == 0:
            raise ConnectionError(reply.failure)
        return reply.status, reply.json() if reply.body else None


@pytest.fixture(scope="module")
def api_process(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ApiProcess]:
    environment = {"VALUEGRAPH_API_RESPONSE_CACHE_ENTRIES": "0"}
    logs = tmp_path_factory.mktemp("api-server")
    with served_api(logs, env=environment, threads=16) as served:
        try:
            yield ApiProcess(served, corpus.conversations)
        finally:
            print(served.log()[-3000:])
