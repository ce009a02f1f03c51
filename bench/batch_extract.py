"""Batch extraction benchmark: our side of ``ingest conversations --batch``, and its cost per 100k.

Run: ``python -m bench.batch_extract [--conversations 20000] [--repeat 3]``

Throughput: :class:`ingest.extract_batch.BatchRunner` runs against the fake Messages API
(``tests/fake_anthropic.py``, a child process on loopback, a fresh one per run) with a fresh disk
cache and state file, polling every 50 ms. The fake ends a batch on its second poll, so the time
is valuegraph's own work: building and submitting the requests, polling, reading the results,
validating them and writing the cache (plus the fake's parsing of the request body, which the
client waits for). Anthropic's processing time is not in it: most batches end within an hour,
and every batch within 24 hours or it expires (see :data:`BATCH_DOCS`). Medians of ``--repeat``.

Conversations: the valid sample conversations of ``ingest/samples/conversations.jsonl``, scrubbed
and parsed as ``ingest conversations`` does, then varied by a number appended to the first user
message, so every copy has its own content hash, cache key and ``custom_id``.

Cost: request sizes are measured in characters on the requests the runner builds and turned into
tokens with :data:`CHARS_PER_TOKEN`, an estimate; prices are in :data:`PRICES`.
"""

from __future__ import annotations

import argparse
import json
import math
import statistics
import sys
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from bench.extract import fake_server
from valuegraph.ingest.conversations import (
    Conversation,
    InvalidConversation,
    Turn,
    detect_format,
    parse_conversation,
    read_raw,
)
from valuegraph.ingest.extract import ClaudeClient, ClaudeExtractor, RetryPolicy
from valuegraph.ingest.extract_batch import MAX_BATCH_BYTES, BatchReport, BatchRunner, state_path
from valuegraph.ingest.jsonl import Rejection
from valuegraph.ingest.prompts import (
    SYSTEM_PROMPT,
    TOOL_NAME,
    ExtractionOutput,
    tool_definition,
    user_message,
)
from valuegraph.ingest.scrub import Scrubber
from valuegraph.settings import Settings

REPO = Path(__file__).resolve().parent.parent
SAMPLES = REPO / "ingest" / "samples" / "conversations.jsonl"
PER = 100_000  # costs and times are given per this many conversations

# An estimate for English prose; JSON (the tool schema, the answer) usually takes more tokens per
# character, so the token figures below are more likely low than high. The real counts are the
# `usage` of each answer, which the CLI adds up (direct calls and batch results alike) under
# `model_calls` in `ingest conversations --json` (input_tokens, output_tokens,
# cache_read_tokens, cache_write_tokens).
CHARS_PER_TOKEN = 4.0

PRICING_DOCS = "https://platform.claude.com/docs/en/about-claude/pricing"
BATCH_DOCS = "https://platform.claude.com/docs/en/build-with-claude/batch-processing"


@dataclass(frozen=True)
class Price:
    """Standard (synchronous) USD per million tokens."""

    input: float
    output: float


# As read on 2026-11-23 in PRICING_DOCS and BATCH_DOCS. The Message Batches API charges 50% of
# these for all usage; a prompt-cache read costs 0.1x the input price and a 5-minute cache write
# 1.25x, and the batch discount applies to both.
PRICES: dict[str, Price] = {
    "claude-sonnet-4-6": Price(input=3.00, output=15.00),  # valuegraph's default model
    "claude-sonnet-5-5": Price(input=2.00, output=10.00),
    "claude-haiku-4-5": Price(input=1.00, output=5.00),
}
BATCH_DISCOUNT = 0.5
CACHE_READ = 0.1
CACHE_WRITE_5M = 1.25  # paid once per cache lifetime, not per request: left out of the table

# A prefix shorter than the model's minimum cacheable length is not cached at all (no error; the
# usage shows zero cache tokens). These are the minimums per the prompt-caching docs
# (https://platform.claude.com/docs/en/build-with-claude/prompt-caching); check them there.
MIN_CACHEABLE_TOKENS: dict[str, int] = {
    "claude-sonnet-4-6": 1024,
    "claude-sonnet-5-5": 1024,
    "claude-haiku-4-5": 4096,
}

# Transcript lengths to price besides the samples, which are shorter than most real ones.
TRANSCRIPT_TOKENS = (500, 2000, 8000)

# What a model typically answers: four values, one stated by the user. Only its size is used.
TYPICAL_ANSWER = ExtractionOutput.model_validate(
    {
        "subjective": True,
        "task": "advice on asking a manager to move evening meetings",
        "ai_values": [
            {"name": "healthy boundaries", "explicit": True},
            {"name": "user autonomy", "explicit": False},
            {"name": "professionalism", "explicit": False},
            {"name": "empathy", "explicit": False},
        ],
        "human_values": ["family time"],
        "response_type": "mild_support",
    }
)


# --- the conversations ----------------------------------------------------------------------


def sample_conversations() -> list[Conversation]:
    """The valid samples, each record scrubbed before it is parsed, as the CLI does."""
    scrubber = Scrubber()
    fmt = detect_format(SAMPLES)
    found = []
    for item in read_raw(SAMPLES):
        if isinstance(item, Rejection):
            continue
        try:
            found.append(parse_conversation(scrubber.record(item[1]), fmt, item[0]))
        except InvalidConversation:
            continue  # the samples hold some invalid records on purpose
    return found


def conversations(samples: Sequence[Conversation], n: int) -> list[Conversation]:
    """``n`` distinct conversations: the samples in turn, each copy numbered."""
    made = []
    for i in range(n):
        base = samples[i % len(samples)]
        first, *rest = base.turns
        numbered = Turn(role=first.role, text=f"{first.text} (conversation {i})")
        made.append(
            base.model_copy(
                update={
                    "source_id": f"{base.source_id}-{i}",
                    "line": i + 1,
                    "turns": (numbered, *rest),
                }
            )
        )
    return made


# --- throughput -----------------------------------------------------------------------------


@dataclass(frozen=True)
class Run:
    seconds: float
    submit_seconds: float  # building the requests and creating the batches
    cpu_seconds: float  # this process only: the fake server is another process
    report: BatchReport
    counted_input_tokens: int  # what the client's usage counters saw


def run(base_url: str, work: list[Conversation], model: str) -> Run:
    """One run of the batch path over ``work`` with a fresh cache and state file."""
    with tempfile.TemporaryDirectory() as tmp:
        client = ClaudeClient(
            api_key="bench",
            model=model,
            cache_dir=Path(tmp) / "cache",
            base_url=base_url,
            policy=RetryPolicy(max_attempts=3, base_delay=0.2),
            timeout=600,  # one create carries the whole batch, well over 100 MB
        )
        extractor = ClaudeExtractor(client)
        submitted: list[float] = []

        def progress(message: str) -> None:
            if message.startswith("submitted batch"):
                submitted.append(time.perf_counter())

        runner = BatchRunner(
            extractor, state_path(Path(tmp), model), poll_interval=0.05, progress=progress
        )
        cpu, started = time.process_time(), time.perf_counter()
        report = runner.run(work)
        seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
        cached = sum(extractor.key(c) in client.cache for c in work)
        client.close()
    if report.succeeded != len(work) or cached != len(work):
        sys.exit(f"only {report.succeeded} extracted and {cached} cached of {len(work)}")
    return Run(seconds, submitted[-1] - started, cpu, report, client.stats.input_tokens)


# --- sizes and cost -------------------------------------------------------------------------


@dataclass(frozen=True)
class Sizes:
    prefix_chars: int  # system prompt + tool definition: the same in every request
    message_chars: list[int]  # the user message of each request
    sample_message_chars: list[int]  # the same, for the real samples alone
    wrapper_chars: int  # what user_message adds around a transcript
    answer_chars: int  # the tool call of a typical answer
    request_bytes: float  # mean JSON size of one request, as the runner measures it

    @staticmethod
    def tokens(chars: float) -> float:
        return chars / CHARS_PER_TOKEN

    @property
    def prefix_tokens(self) -> float:
        return self.tokens(self.prefix_chars)

    @property
    def answer_tokens(self) -> float:
        return self.tokens(self.answer_chars)


def measure_sizes(
    extractor: ClaudeExtractor, work: list[Conversation], samples: list[Conversation]
) -> Sizes:
    tool = json.dumps(tool_definition(), ensure_ascii=False)
    answer = json.dumps({"name": TOOL_NAME, "input": TYPICAL_ANSWER.model_dump(mode="json")})
    requests = [extractor.request(c) for c in work]
    return Sizes(
        prefix_chars=len(SYSTEM_PROMPT) + len(tool),
        message_chars=[len(r["messages"][0]["content"]) for r in requests],
        sample_message_chars=[len(user_message(c.transcript())) for c in samples],
        wrapper_chars=len(user_message("")),
        answer_chars=len(answer),
        request_bytes=statistics.fmean(len(json.dumps(r)) for r in requests),
    )


def cost_per_conversation(
    model: str, prefix: float, message: float, answer: float, *, batch: bool, cache: bool
) -> float:
    """USD for one request: ``prefix`` tokens (read from the prompt cache if ``cache`` and the
    prefix is long enough to be cached), ``message`` tokens of input and ``answer`` of output."""
    price = PRICES[model]
    scale = BATCH_DISCOUNT if batch else 1.0
    cached = cache and prefix >= MIN_CACHEABLE_TOKENS[model]
    prefix_price = price.input * (CACHE_READ if cached else 1.0)
    total = prefix * prefix_price + message * price.input + answer * price.output
    return scale * total / 1e6


def p90(values: Sequence[float]) -> float:
    return statistics.quantiles(values, n=10)[-1] if len(values) > 1 else values[0]


# --- output ---------------------------------------------------------------------------------


def print_throughput(runs: list[Run], n: int) -> None:
    rates = [n / r.seconds for r in runs]
    rate = statistics.median(rates)
    cpu = statistics.median(r.cpu_seconds for r in runs)
    submit = statistics.median(r.submit_seconds for r in runs)
    seconds = statistics.median(r.seconds for r in runs)
    report = runs[0].report
    print(
        f"throughput (our side, fake server): median {rate:,.0f} conversations/s over "
        f"{len(runs)} runs of {n:,} = {PER / rate / 60:.1f} min per {PER:,} "
        f"(runs: {', '.join(f'{x:,.0f}' for x in rates)})"
    )
    print(
        f"  median {seconds:.1f} s per run: {submit:.1f} s to build and submit, "
        f"{seconds - submit:.1f} s to poll, collect, validate and cache; "
        f"{cpu:.1f} s of CPU in this process ({1000 * cpu / n:.2f} ms per conversation)"
    )
    print(
        f"  {report.batches_created} batch(es) per run, {report.succeeded:,} extracted; input "
        f"tokens the client counted from the batch results: {runs[0].counted_input_tokens:,}"
    )


def print_sizes(sizes: Sizes) -> None:
    msg, samples = sizes.message_chars, sizes.sample_message_chars
    print(f"\nrequest sizes (tokens estimated at {CHARS_PER_TOKEN:g} characters per token):")
    print(
        f"  cached prefix (system prompt + tool definition): {sizes.prefix_chars:,} chars "
        f"~ {sizes.prefix_tokens:,.0f} tokens"
    )
    for name, values in (("built requests", msg), ("real samples alone", samples)):
        print(
            f"  user message, {name}: median {statistics.median(values):,.0f} chars "
            f"~ {sizes.tokens(statistics.median(values)):,.0f} tokens, p90 {p90(values):,.0f} "
            f"chars ~ {sizes.tokens(p90(values)):,.0f} tokens"
        )
    print(
        f"  typical answer (the tool call): {sizes.answer_chars:,} chars "
        f"~ {sizes.answer_tokens:,.0f} output tokens"
    )
    per_batch = math.floor(MAX_BATCH_BYTES / sizes.request_bytes)
    print(
        f"  one request is {sizes.request_bytes / 1024:.1f} KiB of JSON: the runner's "
        f"{MAX_BATCH_BYTES // 2**20} MiB cap fits {per_batch:,} per batch, so {PER:,} "
        f"conversations go in {math.ceil(PER / per_batch)} batches"
    )
    for name, minimum in MIN_CACHEABLE_TOKENS.items():
        clears = "clears" if sizes.prefix_tokens >= minimum else "is BELOW"
        print(f"  prefix {clears} the {minimum:,}-token cache minimum of {name}")


def print_costs(sizes: Sizes) -> None:
    """A Markdown table. "cache reads" is the best case: every request reads the prefix from the
    prompt cache (in a batch, cache hits are best-effort; a prefix under the minimum never is)."""
    print(f"\ncost in USD per {PER:,} conversations, prices as of 2026-11-23 ({PRICING_DOCS}):\n")
    columns = ("batch, no cache", "batch, cache reads", "synchronous, cache reads")
    print("| model | transcript | input tokens | " + " | ".join(columns) + " |")
    print("|---|---|---|" + "---|" * len(columns))
    wrapper = sizes.tokens(sizes.wrapper_chars)
    lengths = [("samples (median)", sizes.tokens(statistics.median(sizes.sample_message_chars)))]
    lengths += [(f"~{t:,} tokens", t + wrapper) for t in TRANSCRIPT_TOKENS]
    for model in PRICES:
        for label, message in lengths:
            cells = [
                PER
                * cost_per_conversation(
                    model, sizes.prefix_tokens, message, sizes.answer_tokens, batch=b, cache=c
                )
                for b, c in ((True, False), (True, True), (False, True))
            ]
            inputs = sizes.prefix_tokens + message
            costs = " | ".join(f"${x:,.0f}" for x in cells)
            print(f"| {model} | {label} | {inputs:,.0f} | {costs} |")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=20_000)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    # The default, not this machine's environment: the figures are for what a user gets.
    model = str(Settings.model_fields["extraction_model"].default)
    samples = sample_conversations()
    work = conversations(samples, args.conversations)

    runs = []
    for _ in range(args.repeat):
        with fake_server(latency=0.0, fail_rate=0.0) as url:
            runs.append(run(url, work, model))
    print_throughput(runs, args.conversations)

    with tempfile.TemporaryDirectory() as tmp:
        client = ClaudeClient(api_key="bench", model=model, cache_dir=Path(tmp))
        sizes = measure_sizes(ClaudeExtractor(client), work, samples)
        client.close()
    print_sizes(sizes)
    print_costs(sizes)


if __name__ == "__main__":
    main()
