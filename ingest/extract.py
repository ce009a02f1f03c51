"""Extraction with Claude: one tool-use call per conversation, cached, retried, validated.

:class:`ClaudeClient` is the one wrapper every model call goes through. It owns

* the retry policy. The SDK's own retries are switched off (``max_retries=0``), so the policy is
  explicit and testable: 429, 529, other 5xx, 408/409 and timeouts are retried with exponential
  backoff and jitter, and a ``retry-after`` (or ``retry-after-ms``) from the server is honoured;
* the disk cache, keyed by model + prompt version + conversation hash: nothing is paid for twice,
  and a re-run after a crash extracts each conversation exactly once;
* validation of the tool output against :class:`ingest.prompts.ExtractionOutput`, with one repair
  attempt (the validation errors are sent back as an ``is_error`` tool result) before a rejection.

A rejection is an :class:`ExtractionError` with its reason; :func:`extract_all` turns it into a
:class:`Failed` outcome, which the caller quarantines. Nothing is dropped silently.
"""

from __future__ import annotations

import email.utils
import hashlib
import json
import os
import random
import tempfile
import threading
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, TypeVar

from pydantic import BaseModel, ValidationError

from valuegraph.domain import AIValueMention, ExtractedRecord
from valuegraph.errors import ConfigError, ExtractionError
from valuegraph.ingest.conversations import Conversation
from valuegraph.ingest.prompts import (
    PROMPT_VERSION,
    SYSTEM_PROMPT,
    ExtractionOutput,
    tool_definition,
    user_message,
)
from valuegraph.settings import Settings

if TYPE_CHECKING:
    from anthropic.types import Message

M = TypeVar("M", bound=BaseModel)
T = TypeVar("T")

DEFAULT_MAX_TOKENS = 1024
DEFAULT_TIMEOUT = 120.0


# --- retry policy ---------------------------------------------------------------------------


@dataclass(frozen=True)
class RetryPolicy:
    """When and how long to wait before trying a failed call again."""

    max_attempts: int = 8
    base_delay: float = 1.0
    max_delay: float = 60.0
    max_retry_after: float = 600.0

    def delay(self, retry: int, retry_after: float | None, rng: random.Random) -> float:
        """Seconds to wait before retry number ``retry`` (1 for the first retry)."""
        if retry_after is not None:
            # The server said when. Wait that long, plus a little jitter so that workers told the
            # same thing at the same moment do not all come back in the same millisecond.
            return min(retry_after, self.max_retry_after) + rng.uniform(0, 0.1 * self.base_delay)
        # "Equal jitter": half the exponential step is fixed, half random. Never near zero,
        # unlike full jitter, and still spreads a thundering herd.
        ceiling = min(self.max_delay, self.base_delay * 2 ** (retry - 1))
        return ceiling / 2 + rng.uniform(0, ceiling / 2)


@dataclass(frozen=True)
class CallFailure:
    """What went wrong with one call, and whether trying again can help."""

    retryable: bool
    reason: str
    retry_after: float | None = None
    status: int | None = None


RETRYABLE_STATUS = frozenset({408, 409, 429})


def classify(exc: Exception) -> CallFailure:
    """Map an SDK exception onto the retry policy's terms."""
    import anthropic  # the SDK takes a second to import; only a model call needs it

    if isinstance(exc, anthropic.APITimeoutError):
        return CallFailure(True, "timed out")
    if isinstance(exc, anthropic.APIConnectionError):
        return CallFailure(True, f"connection failed: {exc}")
    if isinstance(exc, anthropic.APIStatusError):
        status = exc.status_code
        kind = _error_type(exc.body) or type(exc).__name__
        reason = f"HTTP {status} {kind}: {_error_message(exc.body) or exc.message}"
        retry_after = parse_retry_after(exc.response.headers)
        retryable = status in RETRYABLE_STATUS or status >= 500
        return CallFailure(retryable, reason, retry_after, status)
    return CallFailure(False, f"{type(exc).__name__}: {exc}")


def parse_retry_after(headers: Mapping[str, str]) -> float | None:
    """``retry-after-ms``, else ``retry-after`` as seconds or as an HTTP date; None if absent."""
    try:
        if (ms := headers.get("retry-after-ms")) is not None:
            return max(0.0, float(ms) / 1000)
    except ValueError:
        pass
    value = headers.get("retry-after")
    if value is None:
        return None
    try:
        return max(0.0, float(value))
    except ValueError:
        parsed = email.utils.parsedate_to_datetime(value) if value else None
        return max(0.0, parsed.timestamp() - time.time()) if parsed else None


def _error_type(body: object) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("type")) if isinstance(error, dict) and error.get("type") else None


def _error_message(body: object) -> str | None:
    error = body.get("error") if isinstance(body, dict) else None
    return str(error.get("message")) if isinstance(error, dict) and error.get("message") else None


# --- disk cache -----------------------------------------------------------------------------


class DiskCache:
    """One JSON file per key under ``root``; atomic writes, so a crash never leaves half a file."""

    def __init__(self, root: Path) -> None:
        self.root = root

    def _path(self, key: str) -> Path:
        return self.root / key[:2] / f"{key}.json"

    def get(self, key: str) -> dict[str, Any] | None:
        try:
            value = json.loads(self._path(key).read_text(encoding="utf-8"))
        except (FileNotFoundError, json.JSONDecodeError):
            return None
        return value if isinstance(value, dict) else None

    def __contains__(self, key: str) -> bool:
        return self._path(key).exists()

    def put(self, key: str, value: dict[str, Any]) -> None:
        path = self._path(key)
        path.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-", suffix=".json")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            json.dump(value, handle, ensure_ascii=False)
        os.replace(tmp, path)


def cache_key(*parts: str) -> str:
    """A key any file system accepts and the Batches API takes as a ``custom_id`` (64 hex)."""
    return hashlib.sha256(json.dumps(parts).encode("utf-8")).hexdigest()


# --- the client wrapper ---------------------------------------------------------------------


@dataclass
class ClientStats:
    """Counters, safe to update from the worker threads."""

    calls: int = 0
    retries: int = 0
    cache_hits: int = 0
    repairs: int = 0
    rejected: int = 0
    input_tokens: int = 0
    output_tokens: int = 0
    cache_read_tokens: int = 0
    cache_write_tokens: int = 0
    _lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, **amounts: int) -> None:
        with self._lock:
            for name, amount in amounts.items():
                setattr(self, name, getattr(self, name) + amount)

    def as_dict(self) -> dict[str, int]:
        return {k: v for k, v in self.__dict__.items() if not k.startswith("_")}


class InvalidToolOutput(ValueError):
    """The model's answer did not validate; the message is sent back for the one repair."""


class ClaudeClient:
    """The one wrapper for calls to the Messages API: retries, disk cache, tool validation."""

    def __init__(
        self,
        *,
        api_key: str,
        model: str,
        cache_dir: Path,
        base_url: str | None = None,
        timeout: float = DEFAULT_TIMEOUT,
        max_tokens: int = DEFAULT_MAX_TOKENS,
        policy: RetryPolicy | None = None,
        sleep: Callable[[float], None] = time.sleep,
        seed: int | None = None,
    ) -> None:
        import anthropic  # the SDK takes a second to import; only a model call needs it

        # max_retries=0: the policy below is the only one, so it is explicit and testable.
        self.sdk = anthropic.Anthropic(
            api_key=api_key, base_url=base_url, timeout=timeout, max_retries=0
        )
        self.model = model
        self.max_tokens = max_tokens
        self.cache = DiskCache(cache_dir)
        self.policy = policy or RetryPolicy()
        self.stats = ClientStats()
        self._sleep = sleep
        self._rng = random.Random(seed)
        self._rng_lock = threading.Lock()

    @classmethod
    def from_settings(cls, settings: Settings, **overrides: Any) -> ClaudeClient:
        if settings.anthropic_api_key is None:
            raise ConfigError(
                "ANTHROPIC_API_KEY is not set; set it, or use --extractor offline "
                "(a low-fidelity fallback)"
            )
        options: dict[str, Any] = {
            "api_key": settings.anthropic_api_key.get_secret_value(),
            "base_url": settings.anthropic_base_url,
            "model": settings.extraction_model,
            "cache_dir": settings.state_dir / "cache" / "claude",
        }
        return cls(**{**options, **overrides})

    def close(self) -> None:
        self.sdk.close()

    # -- calls with retries ------------------------------------------------------------------

    def send(self, call: Callable[[], T], *, what: str, idempotent: bool = True) -> T:
        """Run ``call`` under the retry policy; raise ExtractionError when it gives up.

        A call that is not idempotent (creating a batch) is retried only when the server said
        it did nothing (429, 529); after a timeout it may have happened, so we do not repeat it.
        """
        import anthropic

        for attempt in range(1, self.policy.max_attempts + 1):
            try:
                return call()
            except anthropic.AnthropicError as e:
                failure = classify(e)
                if failure.status in (401, 403):
                    raise ConfigError(f"the Anthropic API refused the key: {failure.reason}") from e
                if failure.status == 404:
                    raise ConfigError(f"{what}: {failure.reason} (is the model name right?)") from e
                can_retry = failure.retryable and (idempotent or failure.status in (429, 529))
                if not can_retry or attempt == self.policy.max_attempts:
                    tries = f" after {attempt} attempts" if attempt > 1 else ""
                    raise ExtractionError(f"{what} failed{tries}: {failure.reason}") from e
                with self._rng_lock:
                    pause = self.policy.delay(attempt, failure.retry_after, self._rng)
                self.stats.add(retries=1)
                self._sleep(pause)
        raise AssertionError("unreachable")  # pragma: no cover

    def create_message(self, params: dict[str, Any]) -> Message:
        message = self.send(lambda: self.sdk.messages.create(**params), what="messages.create")
        self.count_usage(message)
        return message

    def count_usage(self, message: Message) -> None:
        """Add a message's tokens to the run's totals (a batch's results come in here too)."""
        usage = message.usage
        self.stats.add(
            calls=1,
            input_tokens=usage.input_tokens or 0,
            output_tokens=usage.output_tokens or 0,
            cache_read_tokens=usage.cache_read_input_tokens or 0,
            cache_write_tokens=usage.cache_creation_input_tokens or 0,
        )

    # -- one cached, validated tool call -------------------------------------------------------

    def tool_request(self, *, system: str, tool: dict[str, Any], content: str) -> dict[str, Any]:
        """The request for one forced tool call; the system prompt is marked for prompt caching."""
        return {
            "model": self.model,
            "max_tokens": self.max_tokens,
            "system": [{"type": "text", "text": system, "cache_control": {"type": "ephemeral"}}],
            "tools": [tool],
            "tool_choice": {"type": "tool", "name": tool["name"]},
            "messages": [{"role": "user", "content": content}],
        }

    def call_tool(self, request: dict[str, Any], output: type[M], key: str) -> M:
        """The validated tool input for ``request``: from the cache, or one call (+ one repair)."""
        cached = self.cache.get(key)
        if cached is not None:
            self.stats.add(cache_hits=1)
            return self._from_cache(cached, output)
        return self.finish(request, self.create_message(request), output, key)

    def finish(self, request: dict[str, Any], message: Message, output: type[M], key: str) -> M:
        """Validate a response (from a call or a batch); repair once; cache the verdict."""
        try:
            result = parse_tool_input(message, request["tool_choice"]["name"], output)
        except InvalidToolOutput as first:
            self.stats.add(repairs=1)
            repaired = self.create_message(repair_request(request, message, str(first)))
            try:
                result = parse_tool_input(repaired, request["tool_choice"]["name"], output)
            except InvalidToolOutput as second:
                reason = f"invalid tool output, and again after one repair: {second}"
                # Cached too: the answer was paid for, and asking again the same way would
                # most likely fail the same way. A new prompt version asks afresh.
                self.cache.put(key, {"rejected": reason, "model": message.model})
                self.stats.add(rejected=1)
                raise ExtractionError(reason) from None
        self.cache.put(key, {"output": result.model_dump(mode="json"), "model": message.model})
        return result

    def _from_cache(self, cached: dict[str, Any], output: type[M]) -> M:
        if "rejected" in cached:
            self.stats.add(rejected=1)
            raise ExtractionError(f"{cached['rejected']} (cached)")
        return output.model_validate(cached["output"])


def parse_tool_input(message: Message, tool_name: str, output: type[M]) -> M:
    """The input of the first call to ``tool_name`` in ``message``, validated."""
    for block in message.content:
        if block.type == "tool_use" and block.name == tool_name:
            try:
                return output.model_validate(block.input)
            except ValidationError as e:
                raise InvalidToolOutput(_compact_errors(e)) from None
    if message.stop_reason == "max_tokens":
        raise InvalidToolOutput("the answer was cut off at max_tokens")
    raise InvalidToolOutput(f"no call to {tool_name} in the answer")


def _compact_errors(error: ValidationError) -> str:
    parts = []
    for item in error.errors(include_url=False):
        where = ".".join(str(p) for p in item["loc"]) or "input"
        parts.append(f"{where}: {item['msg']}")
    return "; ".join(parts)


def repair_request(request: dict[str, Any], message: Message, problem: str) -> dict[str, Any]:
    """The request again, with the bad answer and what was wrong with it appended."""
    name = request["tool_choice"]["name"]
    said: list[dict[str, Any]] = []
    tool_use_id = None
    for block in message.content:
        if block.type == "text" and block.text:
            said.append({"type": "text", "text": block.text})
        elif block.type == "tool_use":
            said.append(
                {"type": "tool_use", "id": block.id, "name": block.name, "input": block.input}
            )
            tool_use_id = tool_use_id or block.id
    instruction = f"That input was invalid: {problem}. Call {name} again with corrected input."
    reply: str | list[dict[str, Any]] = instruction
    if tool_use_id is not None:
        reply = [
            {
                "type": "tool_result",
                "tool_use_id": tool_use_id,
                "is_error": True,
                "content": instruction,
            }
        ]
    if not said:
        said = [{"type": "text", "text": "(no answer)"}]
    messages = [
        *request["messages"],
        {"role": "assistant", "content": said},
        {"role": "user", "content": reply},
    ]
    return {**request, "messages": messages}


# --- conversations -> outcomes ----------------------------------------------------------------


class ClaudeExtractor:
    """Extracts :class:`ExtractionOutput` from a conversation with one cached tool call."""

    fidelity = "high"

    def __init__(self, client: ClaudeClient) -> None:
        self.client = client
        self.tool = tool_definition()

    @property
    def label(self) -> str:
        return f"claude:{self.client.model}:{PROMPT_VERSION}"

    def key(self, conversation: Conversation) -> str:
        return cache_key(self.client.model, PROMPT_VERSION, conversation.content_hash())

    def request(self, conversation: Conversation) -> dict[str, Any]:
        return self.client.tool_request(
            system=SYSTEM_PROMPT, tool=self.tool, content=user_message(conversation.transcript())
        )

    def __call__(self, conversation: Conversation) -> ExtractionOutput:
        return self.client.call_tool(
            self.request(conversation), ExtractionOutput, self.key(conversation)
        )


@dataclass(frozen=True)
class Extracted:
    conversation: Conversation
    output: ExtractionOutput


@dataclass(frozen=True)
class Failed:
    conversation: Conversation
    reason: str


Outcome = Extracted | Failed


def extract_all(
    extract: Callable[[Conversation], ExtractionOutput],
    conversations: Iterable[Conversation],
    *,
    concurrency: int = 8,
) -> Iterator[Outcome]:
    """Run ``extract`` over ``conversations`` in a bounded pool; yield outcomes as they finish.

    At most ``2 * concurrency`` conversations are in flight, so memory stays flat on any corpus.
    An ExtractionError is that conversation's :class:`Failed` outcome; any other error (a refused
    API key) stops the run, because every further call would fail the same way.
    """
    if concurrency < 1:
        raise ConfigError("concurrency must be at least 1")
    source = iter(conversations)
    pool = ThreadPoolExecutor(max_workers=concurrency, thread_name_prefix="extract")
    pending: dict[Future[ExtractionOutput], Conversation] = {}
    try:
        _fill(pool, pending, source, extract, 2 * concurrency)
        while pending:
            done, _ = wait(pending, return_when=FIRST_COMPLETED)
            for future in done:
                conversation = pending.pop(future)
                try:
                    yield Extracted(conversation, future.result())
                except ExtractionError as e:
                    yield Failed(conversation, str(e))
            _fill(pool, pending, source, extract, 2 * concurrency)
    finally:
        pool.shutdown(wait=True, cancel_futures=True)


def _fill(
    pool: ThreadPoolExecutor,
    pending: dict[Future[ExtractionOutput], Conversation],
    source: Iterator[Conversation],
    extract: Callable[[Conversation], ExtractionOutput],
    limit: int,
) -> None:
    while len(pending) < limit:
        conversation = next(source, None)
        if conversation is None:
            return
        pending[pool.submit(extract, conversation)] = conversation


def build_record(
    conversation: Conversation,
    output: ExtractionOutput,
    *,
    conversation_id: str,
    source: str,
    store_text: bool = False,
) -> ExtractedRecord:
    """The loader's record. Text (already scrubbed) is attached only when asked to store it."""
    return ExtractedRecord(
        conversation_id=conversation_id,
        task=output.task,
        response_type=output.response_type,
        ai_values=tuple(AIValueMention(**m.model_dump()) for m in output.ai_values),
        human_values=tuple(output.human_values),
        model=conversation.model,
        created_at=conversation.created_at,
        subjective=output.subjective,
        source=source,
        text=conversation.transcript() if store_text else None,
    )
