"""Scrubbing benchmark: conversations per second through the privacy scrubber.

Run: ``python -m bench.scrub [--copies 20] [--repeat 5]``

The corpus is the 62 sample records (``ingest/samples/conversations.jsonl``, about 780 characters
per message) repeated ``--copies`` times; every record is scrubbed whole, as ``ingest
conversations`` does before parsing. Single-threaded. Medians of ``--repeat``.
"""

from __future__ import annotations

import argparse
import json
import statistics
import time
from pathlib import Path

from valuegraph.ingest.scrub import Scrubber

SAMPLES = Path(__file__).resolve().parent.parent / "ingest" / "samples" / "conversations.jsonl"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--copies", type=int, default=20)
    parser.add_argument("--repeat", type=int, default=5)
    args = parser.parse_args()
    records = [json.loads(line) for line in SAMPLES.read_text().splitlines()] * args.copies
    characters = sum(len(json.dumps(r)) for r in records)
    rates, char_rates = [], []
    for _ in range(args.repeat):
        scrubber = Scrubber()
        started = time.perf_counter()
        for record in records:
            scrubber.record(record)
        seconds = time.perf_counter() - started
        rates.append(len(records) / seconds)
        char_rates.append(characters / seconds / 1e6)
    found = ", ".join(f"{n} {k}" for k, n in sorted(scrubber.counts.items()))
    print(
        f"scrubbing: median {statistics.median(rates):,.0f} conversations/s "
        f"({statistics.median(char_rates):.2f} MB of JSON/s) over {args.repeat} runs of "
        f"{len(records)} conversations, one thread; per run found {found}"
    )


if __name__ == "__main__":
    main()
