"""``--batch``: fill the extraction cache through the Message Batches API, resumably.

The batch path is only another way of filling the same disk cache the synchronous path reads:

1. conversations already cached, or already submitted in a batch not yet collected, are skipped;
2. the rest are submitted in chunks of at most 100,000 requests (and well under the API's size
   limit); each batch id is written to the state file the moment it exists;
3. every uncollected batch is polled until it ends, then its results are validated (one repair
   by a synchronous call if needed) and cached, and the batch is marked collected.

Interrupt it anywhere and run it again: step 1 skips what was submitted, step 3 picks up the
polling. What a batch could not do (errored, expired) stays uncached, and the caller's
synchronous pass (:func:`ingest.extract.extract_all`) retries it under the retry policy.
"""

from __future__ import annotations

import fcntl
import json
import os
import re
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from pydantic import BaseModel, Field

from valuegraph.errors import ExtractionError, InputError
from valuegraph.ingest.conversations import Conversation
from valuegraph.ingest.extract import ClaudeExtractor
from valuegraph.ingest.prompts import PROMPT_VERSION, ExtractionOutput

if TYPE_CHECKING:
    from anthropic.types.messages import MessageBatch

MAX_BATCH_REQUESTS = 100_000
# The API takes up to 256 MB per batch; stay well under it, as JSON sizes are estimates.
MAX_BATCH_BYTES = 192 * 1024 * 1024


class BatchEntry(BaseModel):
    id: str
    custom_ids: list[str]
    submitted_at: datetime
    status: Literal["submitted", "collected"] = "submitted"


class BatchState(BaseModel):
    """What has been submitted, per model and prompt version; one JSON file in the state folder."""

    model: str
    prompt_version: str
    batches: list[BatchEntry] = Field(default_factory=list)

    def in_flight(self) -> set[str]:
        return {cid for b in self.batches if b.status != "collected" for cid in b.custom_ids}


@dataclass
class BatchReport:
    submitted: int = 0
    batches_created: int = 0
    collected: int = 0
    succeeded: int = 0
    failed: dict[str, int] = field(default_factory=dict)
    resumed_batches: int = 0


def state_path(state_dir: Path, model: str) -> Path:
    safe = re.sub(r"[^\w.-]", "_", model)
    return state_dir / "batches" / f"{safe}--{PROMPT_VERSION}.json"


class BatchRunner:
    def __init__(
        self,
        extractor: ClaudeExtractor,
        state_file: Path,
        *,
        chunk_size: int = MAX_BATCH_REQUESTS,
        poll_interval: float = 30.0,
        sleep: Callable[[float], None] = time.sleep,
        progress: Callable[[str], None] = lambda _msg: None,
    ) -> None:
        if not 1 <= chunk_size <= MAX_BATCH_REQUESTS:
            raise InputError(f"batch chunk size must be between 1 and {MAX_BATCH_REQUESTS}")
        self.extractor = extractor
        self.client = extractor.client
        self.state_file = state_file
        self.chunk_size = chunk_size
        self.poll_interval = poll_interval
        self._sleep = sleep
        self._progress = progress

    def run(self, conversations: Sequence[Conversation]) -> BatchReport:
        """Submit what is new, then poll and collect every open batch. Safe to re-run."""
        report = BatchReport()
        by_key = {self.extractor.key(c): c for c in conversations}
        with self._locked():
            state = self._load()
            in_flight = state.in_flight()
            todo = [k for k in by_key if k not in in_flight and k not in self.client.cache]
            report.resumed_batches = sum(b.status != "collected" for b in state.batches)
            for chunk in self._chunks(todo, by_key):
                self._submit(state, chunk, by_key)
                report.submitted += len(chunk)
                report.batches_created += 1
            for entry in state.batches:
                if entry.status != "collected":
                    self._wait(entry.id)
                    self._collect(entry, by_key, report)
                    entry.status = "collected"
                    self._save(state)
        return report

    # -- submit ------------------------------------------------------------------------------

    def _chunks(self, keys: list[str], by_key: dict[str, Conversation]) -> Iterator[list[str]]:
        chunk: list[str] = []
        size = 0
        for key in keys:
            item_size = len(json.dumps(self.extractor.request(by_key[key])))
            if chunk and (len(chunk) >= self.chunk_size or size + item_size > MAX_BATCH_BYTES):
                yield chunk
                chunk, size = [], 0
            chunk.append(key)
            size += item_size
        if chunk:
            yield chunk

    def _submit(self, state: BatchState, keys: list[str], by_key: dict[str, Conversation]) -> None:
        requests: list[Any] = [
            {"custom_id": key, "params": self.extractor.request(by_key[key])} for key in keys
        ]
        # Not idempotent: only a 429/529 (the server did nothing) is retried, never a timeout.
        batch = self.client.send(
            lambda: self.client.sdk.messages.batches.create(requests=requests),
            what="batches.create",
            idempotent=False,
        )
        # Saved before anything else can fail, so a crash now cannot lead to a resubmission.
        state.batches.append(
            BatchEntry(id=batch.id, custom_ids=keys, submitted_at=datetime.now(UTC))
        )
        self._save(state)
        self._progress(f"submitted batch {batch.id} with {len(keys)} conversations")

    # -- poll and collect --------------------------------------------------------------------

    def _wait(self, batch_id: str) -> MessageBatch:
        while True:
            batch = self.client.send(
                lambda: self.client.sdk.messages.batches.retrieve(batch_id), what="batches.retrieve"
            )
            if batch.processing_status == "ended":
                return batch
            counts = batch.request_counts
            self._progress(
                f"batch {batch_id}: {counts.processing} processing, {counts.succeeded} done"
            )
            self._sleep(self.poll_interval)

    def _collect(
        self, entry: BatchEntry, by_key: dict[str, Conversation], report: BatchReport
    ) -> None:
        results = self.client.send(
            lambda: self.client.sdk.messages.batches.results(entry.id), what="batches.results"
        )
        for item in results:
            report.collected += 1
            result = item.result
            if result.type != "succeeded":
                reason = result.error.error.type if result.type == "errored" else result.type
                report.failed[reason] = report.failed.get(reason, 0) + 1
                continue  # uncached: the synchronous pass retries it
            self.client.count_usage(result.message)  # paid for, whoever collects it
            conversation = by_key.get(item.custom_id)
            if conversation is None:
                continue  # submitted by a run over another file; that file's next run collects it
            try:
                self.client.finish(
                    self.extractor.request(conversation),
                    result.message,
                    ExtractionOutput,
                    item.custom_id,
                )
                report.succeeded += 1
            except ExtractionError:
                report.failed["invalid output"] = report.failed.get("invalid output", 0) + 1

    # -- state -------------------------------------------------------------------------------

    def _load(self) -> BatchState:
        if not self.state_file.exists():
            return BatchState(model=self.client.model, prompt_version=PROMPT_VERSION)
        try:
            return BatchState.model_validate_json(self.state_file.read_text(encoding="utf-8"))
        except ValueError as e:
            raise InputError(f"the batch state file {self.state_file} is damaged: {e}") from e

    def _save(self, state: BatchState) -> None:
        self.state_file.parent.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=self.state_file.parent, prefix=".tmp-")
        with os.fdopen(fd, "w", encoding="utf-8") as handle:
            handle.write(state.model_dump_json(indent=1))
        os.replace(tmp, self.state_file)

    @contextmanager
    def _locked(self) -> Iterator[None]:
        """One batch run per state file at a time: two would both submit the same work."""
        lock_path = self.state_file.with_suffix(".lock")
        lock_path.parent.mkdir(parents=True, exist_ok=True)
        with lock_path.open("w") as handle:
            try:
                fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            except BlockingIOError:
                raise InputError(f"another batch run holds {lock_path}; wait for it") from None
            try:
                yield
            finally:
                fcntl.flock(handle, fcntl.LOCK_UN)
