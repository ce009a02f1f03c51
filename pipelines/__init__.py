"""Library entry points: each pipeline joins ingest/ to graph/ and returns a typed summary."""
