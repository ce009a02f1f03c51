"""Extraction benchmark: throughput against the fake Messages API, and no loss under 429/529.

Run: ``python -m bench.extract [--conversations 320] [--concurrency 32] [--latency 0.3]``

The fake server (``tests/fake_anthropic.py``) runs in a child process, so its threads do not
share a GIL with the client being measured. Every request takes ``--latency`` seconds; the ideal
throughput is ``concurrency / latency`` (106.7 conversations/s for 32 at 300 ms). A second server
answers 10% of requests with 429 (``retry-after-ms: 200``) or 529, and the run must still
extract every conversation. Each run uses a fresh disk cache. Medians of ``--repeat``.
"""

from __future__ import annotations

import argparse
import statistics
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from valuegraph.ingest.conversations import Conversation, ConversationFormat, Role, Turn
from valuegraph.ingest.extract import (
    ClaudeClient,
    ClaudeExtractor,
    Extracted,
    RetryPolicy,
    extract_all,
)

REPO = Path(__file__).resolve().parent.parent


@contextmanager
def fake_server(latency: float, fail_rate: float) -> Iterator[str]:
    command = [
        sys.executable,
        "-m",
        "tests.support.fake_anthropic",
        "--latency",
        str(latency),
        "--fail-rate",
        str(fail_rate),
    ]
    process = subprocess.Popen(command, cwd=REPO, stdout=subprocess.PIPE, text=True)
    try:
        assert process.stdout is not None
        yield process.stdout.readline().strip()
    finally:
        process.terminate()
        process.wait(timeout=10)


def conversations(n: int, tag: str) -> list[Conversation]:
    return [
        Conversation(
            source_id=f"{tag}-{i}",
            format=ConversationFormat.MESSAGES,
            line=i + 1,
            turns=(
                Turn(role=Role.USER, text=f"[{tag} {i}] Should I take the job offer or stay?"),
                Turn(role=Role.ASSISTANT, text="It depends on what matters most to you."),
            ),
        )
        for i in range(n)
    ]


def run(
    base_url: str, n: int, concurrency: int, tag: str, policy: RetryPolicy
) -> tuple[float, int, int, int]:
    """(seconds, extracted, failed, retries) for one fresh-cache run."""
    with tempfile.TemporaryDirectory() as cache:
        client = ClaudeClient(
            api_key="bench",
            model="claude-bench",
            cache_dir=Path(cache),
            base_url=base_url,
            policy=policy,
            timeout=30,
        )
        extractor = ClaudeExtractor(client)
        work = conversations(n, tag)
        started = time.perf_counter()
        outcomes = list(extract_all(extractor, work, concurrency=concurrency))
        seconds = time.perf_counter() - started
        client.close()
    extracted = sum(isinstance(o, Extracted) for o in outcomes)
    return seconds, extracted, len(outcomes) - extracted, client.stats.retries


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--conversations", type=int, default=320)
    parser.add_argument("--concurrency", type=int, default=32)
    parser.add_argument("--latency", type=float, default=0.3)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()
    ideal = args.concurrency / args.latency
    policy = RetryPolicy(max_attempts=8, base_delay=0.2, max_delay=5.0)

    with fake_server(args.latency, 0.0) as url:
        rates = []
        for r in range(args.repeat):
            seconds, extracted, failed, _ = run(
                url, args.conversations, args.concurrency, f"clean{r}", policy
            )
            assert extracted == args.conversations and failed == 0
            rates.append(extracted / seconds)
    median = statistics.median(rates)
    print(
        f"throughput: median {median:.1f} conversations/s over {args.repeat} runs of "
        f"{args.conversations} (concurrency {args.concurrency}, {args.latency * 1000:.0f} ms "
        f"latency); ideal {ideal:.1f}/s; {100 * median / ideal:.0f}% of ideal "
        f"(runs: {', '.join(f'{x:.1f}' for x in rates)})"
    )

    with fake_server(args.latency, 0.1) as url:
        results = [
            run(url, args.conversations, args.concurrency, f"faulty{r}", policy)
            for r in range(args.repeat)
        ]
    lost = [args.conversations - extracted for _, extracted, _, _ in results]
    retries = [retries for *_, retries in results]
    rates = [extracted / seconds for seconds, extracted, _, _ in results]
    print(
        f"with 10% 429/529 injected: {sum(lost)} conversations lost over {args.repeat} runs of "
        f"{args.conversations}; median {statistics.median(retries):.0f} retries per run; median "
        f"{statistics.median(rates):.1f} conversations/s"
    )
    if any(lost):
        sys.exit(1)


if __name__ == "__main__":
    main()
