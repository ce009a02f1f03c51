"""A local fake of the Anthropic Messages API, for driving the real ``anthropic`` SDK in tests.

It listens on 127.0.0.1 on a free port, serves each connection on its own thread, and answers:

* ``POST /v1/messages``: a forced tool call, or a scripted failure;
* ``POST /v1/messages/batches``, ``GET /v1/messages/batches/{id}``, and the ``results_url``
  (JSON Lines): the Message Batches lifecycle, ending after a set number of polls.

Behaviours are scripted per conversation: ``fake.script("MARKER", RateLimited(1), Success())``
makes the next requests whose text contains ``MARKER`` get a 429 with ``retry-after: 1``, then
the default answer. Scripts are consumed in order, so a repair call sees the next behaviour.
``fail_rate`` injects random 429/529 answers (seeded) for the benchmark.

Run ``python -m tests.support.fake_anthropic --latency 0.3`` to serve from a separate process; it prints
its base URL on the first line of stdout.
"""

from __future__ import annotations

import argparse
import itertools
import json
import random
import re
import threading
import time
from collections import deque
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

Answer = Callable[[dict[str, Any]], dict[str, Any]]


def default_answer(request: dict[str, Any]) -> dict[str, Any]:
    """A valid extraction. ``VALUES: a, b`` / ``HUMAN: c`` / ``RESPONSE: x`` in the text steer it."""
    text = request_text(request)
    values = _listed(text, "VALUES") or ["helpfulness"]
    return {
        "subjective": True,
        "task": "answering a question",
        "ai_values": [{"name": v, "explicit": False} for v in values],
        "human_values": _listed(text, "HUMAN"),
        "response_type": (_listed(text, "RESPONSE") or ["mild_support"])[0],
    }


def _listed(text: str, label: str) -> list[str]:
    found = re.search(rf"{label}: ([^\n.]+)", text)
    return [v.strip() for v in found.group(1).split(",")] if found else []


def request_text(request: dict[str, Any]) -> str:
    """All the text of a request's first user message (where the conversation is)."""
    content = request.get("messages", [{}])[0].get("content", "")
    if isinstance(content, str):
        return content
    return " ".join(b.get("text", "") for b in content if isinstance(b, dict))


# --- behaviours ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Reply:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)
    delay: float = 0.0


class Behaviour:
    def reply(self, fake: FakeAnthropic, request: dict[str, Any]) -> Reply:
        raise NotImplementedError


@dataclass(frozen=True)
class Success(Behaviour):
    tool_input: dict[str, Any] | None = None  # None: the fake's answer function decides

    def reply(self, fake: FakeAnthropic, request: dict[str, Any]) -> Reply:
        tool_input = self.tool_input if self.tool_input is not None else fake.answer(request)
        return Reply(200, fake.message(request, tool_input))


@dataclass(frozen=True)
class Malformed(Behaviour):
    """A tool call whose input breaks the schema (by default: an unknown response type)."""

    tool_input: dict[str, Any] | None = None

    def reply(self, fake: FakeAnthropic, request: dict[str, Any]) -> Reply:
        bad = self.tool_input
        if bad is None:
            bad = {**fake.answer(request), "response_type": "enthusiastic agreement"}
        return Reply(200, fake.message(request, bad))


@dataclass(frozen=True)
class TextOnly(Behaviour):
    """An answer with no tool call at all."""

    def reply(self, fake: FakeAnthropic, request: dict[str, Any]) -> Reply:
        body = fake.message(request, {})
        body["content"] = [{"type": "text", "text": "I think the values are honesty."}]
        body["stop_reason"] = "end_turn"
        return Reply(200, body)


@dataclass(frozen=True)
class Error(Behaviour):
    status: int
    kind: str
    headers: dict[str, str] = field(default_factory=dict)

    def reply(self, fake: FakeAnthropic, request: dict[str, Any]) -> Reply:
        body = {"type": "error", "error": {"type": self.kind, "message": f"scripted {self.status}"}}
        return Reply(self.status, body, dict(self.headers))


def RateLimited(retry_after: float | None = None, *, ms: int | None = None) -> Error:
    headers = {}
    if retry_after is not None:
        headers["retry-after"] = str(retry_after)
    if ms is not None:
        headers["retry-after-ms"] = str(ms)
    return Error(429, "rate_limit_error", headers)


def Overloaded() -> Error:
    return Error(529, "overloaded_error")


def ServerError(status: int = 500) -> Error:
    return Error(status, "api_error")


@dataclass(frozen=True)
class Slow(Behaviour):
    """Answer only after ``seconds``: longer than the client's timeout, it is a timeout."""

    seconds: float

    def reply(self, fake: FakeAnthropic, request: dict[str, Any]) -> Reply:
        return Reply(200, fake.message(request, fake.answer(request)), delay=self.seconds)


@dataclass(frozen=True)
class Expired(Behaviour):
    """In a batch: the request expired (outside a batch it succeeds)."""

    def reply(self, fake: FakeAnthropic, request: dict[str, Any]) -> Reply:
        return Success().reply(fake, request)


# --- the server ---------------------------------------------------------------------------------


@dataclass
class Batch:
    id: str
    requests: list[dict[str, Any]]
    created_at: datetime
    polls: int = 0
    results: list[dict[str, Any]] | None = None


class FakeAnthropic:
    """The fake server. Use as a context manager, then point the SDK at ``base_url``."""

    def __init__(
        self,
        *,
        latency: float = 0.0,
        answer: Answer = default_answer,
        fail_rate: float = 0.0,
        seed: int = 0,
        polls_until_ended: int = 2,
    ) -> None:
        self.latency = latency
        self.answer = answer
        self.fail_rate = fail_rate
        self.polls_until_ended = polls_until_ended
        self.requests: list[dict[str, Any]] = []
        self.batches: dict[str, Batch] = {}
        self.batch_requests: list[dict[str, Any]] = []
        self.batch_creates = 0
        self.injected = 0
        self._scripts: dict[str, deque[Behaviour]] = {}
        self._rng = random.Random(seed)
        self._lock = threading.Lock()
        self._ids = itertools.count(1)
        self._cached_prefixes: set[str] = set()
        self._server: _Server | None = None

    # -- scripting -----------------------------------------------------------------------------

    def script(self, marker: str, *behaviours: Behaviour) -> None:
        with self._lock:
            self._scripts.setdefault(marker, deque()).extend(behaviours)

    def calls_with(self, marker: str) -> int:
        with self._lock:
            return sum(marker in request_text(r) for r in self.requests)

    def _behaviour(self, request: dict[str, Any], *, record: bool = True) -> Behaviour:
        text = request_text(request)
        with self._lock:
            if record:
                self.requests.append(request)
            for marker, queue in self._scripts.items():
                if marker in text and queue:
                    return queue.popleft()
            if self.fail_rate and self._rng.random() < self.fail_rate:
                self.injected += 1
                return RateLimited(ms=200) if self._rng.random() < 0.5 else Overloaded()
        return Success()

    # -- answers -------------------------------------------------------------------------------

    def message(self, request: dict[str, Any], tool_input: dict[str, Any]) -> dict[str, Any]:
        n = next(self._ids)
        tool = request.get("tool_choice", {}).get("name", "tool")
        return {
            "id": f"msg_fake{n:06d}",
            "type": "message",
            "role": "assistant",
            "model": request.get("model", "fake-model"),
            "content": [
                {"type": "tool_use", "id": f"toolu_fake{n:06d}", "name": tool, "input": tool_input}
            ],
            "stop_reason": "tool_use",
            "stop_sequence": None,
            "usage": {"input_tokens": 200, "output_tokens": 60, **self._cache_usage(request)},
        }

    def _cache_usage(self, request: dict[str, Any]) -> dict[str, int]:
        """Mimic prompt caching: the first request with a marked system prompt writes, later ones read."""
        system = request.get("system")
        if not (isinstance(system, list) and any("cache_control" in b for b in system)):
            return {"cache_creation_input_tokens": 0, "cache_read_input_tokens": 0}
        prefix = json.dumps([request.get("tools"), system], sort_keys=True)
        tokens = len(prefix) // 4
        with self._lock:
            seen = prefix in self._cached_prefixes
            self._cached_prefixes.add(prefix)
        if seen:
            return {"cache_creation_input_tokens": 0, "cache_read_input_tokens": tokens}
        return {"cache_creation_input_tokens": tokens, "cache_read_input_tokens": 0}

    # -- batches -------------------------------------------------------------------------------

    def create_batch(self, body: dict[str, Any]) -> dict[str, Any]:
        with self._lock:
            self.batch_creates += 1
            batch = Batch(
                f"msgbatch_fake{next(self._ids):06d}", body["requests"], datetime.now(UTC)
            )
            self.batches[batch.id] = batch
        return self.batch_json(batch)

    def poll_batch(self, batch_id: str) -> dict[str, Any] | None:
        batch = self.batches.get(batch_id)
        if batch is None:
            return None
        with self._lock:
            batch.polls += 1
            ending = batch.results is None and batch.polls >= self.polls_until_ended
        if ending:
            batch.results = [self._batch_result(r) for r in batch.requests]
        return self.batch_json(batch)

    def _batch_result(self, item: dict[str, Any]) -> dict[str, Any]:
        # Recorded apart from direct calls, so a test can tell the two paths apart.
        with self._lock:
            self.batch_requests.append(item)
        behaviour = self._behaviour(item["params"], record=False)
        if isinstance(behaviour, Expired):
            return {"custom_id": item["custom_id"], "result": {"type": "expired"}}
        reply = behaviour.reply(self, item["params"])
        if reply.status == 200:
            result = {"type": "succeeded", "message": reply.body}
        else:
            result = {"type": "errored", "error": reply.body}
        return {"custom_id": item["custom_id"], "result": result}

    def batch_json(self, batch: Batch) -> dict[str, Any]:
        ended = batch.results is not None
        counts = {"processing": 0, "succeeded": 0, "errored": 0, "canceled": 0, "expired": 0}
        for r in batch.results or []:
            counts[r["result"]["type"]] += 1
        counts["processing"] = 0 if ended else len(batch.requests)
        return {
            "id": batch.id,
            "type": "message_batch",
            "processing_status": "ended" if ended else "in_progress",
            "request_counts": counts,
            "created_at": batch.created_at.isoformat(),
            "expires_at": (batch.created_at + timedelta(days=1)).isoformat(),
            "ended_at": datetime.now(UTC).isoformat() if ended else None,
            "cancel_initiated_at": None,
            "archived_at": None,
            "results_url": f"{self.base_url}/v1/messages/batches/{batch.id}/results"
            if ended
            else None,
        }

    # -- lifecycle -----------------------------------------------------------------------------

    @property
    def base_url(self) -> str:
        assert self._server is not None, "the fake server is not running"
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeAnthropic:
        handler = type("Handler", (_Handler,), {"fake": self})
        server = _Server(("127.0.0.1", 0), handler)
        self._server = server
        threading.Thread(target=server.serve_forever, name="fake-anthropic", daemon=True).start()
        return self

    def stop(self) -> None:
        if self._server is not None:
            self._server.shutdown()
            self._server.server_close()
            self._server = None

    def __enter__(self) -> FakeAnthropic:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    # A listen backlog of 5 (the default) makes 32 clients connecting at once wait for SYN retries.
    request_queue_size = 128


class _Handler(BaseHTTPRequestHandler):
    fake: FakeAnthropic
    protocol_version = "HTTP/1.1"  # keep-alive, as the real API
    # Headers and body go out in two writes; with Nagle on, the body waits for the client's
    # delayed ACK (40 ms on Linux), which would cap every request, not just measure the client.
    disable_nagle_algorithm = True

    def log_message(self, format: str, *args: Any) -> None:
        pass

    def _body(self) -> dict[str, Any]:
        length = int(self.headers.get("content-length") or 0)
        return json.loads(self.rfile.read(length) or b"{}")

    def _send(self, reply: Reply, *, jsonl: str | None = None) -> None:
        if reply.delay:
            time.sleep(reply.delay)
        payload = (jsonl if jsonl is not None else json.dumps(reply.body)).encode()
        try:
            self.send_response(reply.status)
            self.send_header(
                "content-type", "application/binary" if jsonl is not None else "application/json"
            )
            self.send_header("content-length", str(len(payload)))
            self.send_header("request-id", f"req_fake{time.monotonic_ns()}")
            for name, value in reply.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(payload)
        except (BrokenPipeError, ConnectionResetError):
            pass  # the client timed out and went away, as a timeout test intends

    def do_POST(self) -> None:
        fake = self.fake
        body = self._body()
        if fake.latency:
            time.sleep(fake.latency)
        if self.path.rstrip("/") == "/v1/messages":
            self._send(fake._behaviour(body).reply(fake, body))
        elif self.path.rstrip("/") == "/v1/messages/batches":
            self._send(Reply(200, fake.create_batch(body)))
        else:
            self._send(
                Reply(
                    404,
                    {"type": "error", "error": {"type": "not_found_error", "message": self.path}},
                )
            )

    def do_GET(self) -> None:
        fake = self.fake
        found = re.fullmatch(r"/v1/messages/batches/([\w-]+)(/results)?", self.path.split("?")[0])
        batch = fake.batches.get(found.group(1)) if found else None
        if found is None or batch is None:
            self._send(
                Reply(
                    404,
                    {"type": "error", "error": {"type": "not_found_error", "message": self.path}},
                )
            )
        elif found.group(2):
            lines = "".join(json.dumps(r) + "\n" for r in batch.results or [])
            self._send(Reply(200, {}), jsonl=lines)
        else:
            self._send(Reply(200, fake.poll_batch(batch.id) or {}))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--latency", type=float, default=0.0)
    parser.add_argument("--fail-rate", type=float, default=0.0)
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()
    with FakeAnthropic(latency=args.latency, fail_rate=args.fail_rate, seed=args.seed) as fake:
        print(fake.base_url, flush=True)
        try:
            while True:
                time.sleep(3600)
        except KeyboardInterrupt:
            pass


if __name__ == "__main__":
    main()
