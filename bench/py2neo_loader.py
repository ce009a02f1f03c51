"""The py2neo peer of the ingest benchmark; runs in its own virtual environment with py2neo only.

Usage: python py2neo_loader.py PLAN.jsonl BOLT_URI PASSWORD

PLAN.jsonl holds one batch a line, prepared by bench/ingest.py from valuegraph's own loader
(the same Cypher statements and the same rows), so that only the driver differs. Prints a JSON
summary like ``valuegraph ingest records --json``.
"""

import json
import sys
from datetime import datetime

from py2neo import Graph


def main() -> None:
    plan, uri, password = sys.argv[1:4]
    graph = Graph(uri, auth=("neo4j", password))
    conversations = relationships = 0
    with open(plan, encoding="utf-8") as batches:
        for line in batches:
            batch = json.loads(line)
            tx = graph.begin()
            for statement, rows in batch["statements"]:
                for row in rows:
                    if row.get("created_at"):
                        # py2neo cannot pack a timezone-aware datetime on Python 3.11 (its
                        # packstream passes its own DateTime to tzinfo.utcoffset and fails), so
                        # the peer sends the UTC time as a local datetime.
                        moment = datetime.fromisoformat(row["created_at"])
                        row["created_at"] = moment.replace(tzinfo=None)
                tx.run(statement, rows=rows)
            graph.commit(tx)
            conversations += batch["conversations"]
    relationships = graph.evaluate("MATCH ()-[r]->() RETURN count(r)")
    print(json.dumps({"loaded": conversations, "relationships": relationships}))


if __name__ == "__main__":
    main()
