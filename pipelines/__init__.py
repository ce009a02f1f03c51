"""Library entry points: each pipeline joins ingest/ to graph/ and returns a typed summary.

The command line only parses its options, calls one of these and prints the summary; a
notebook, a scheduler or the API can call them the same way.

- :mod:`.records`: ``ingest_records`` (validate and write a records file in ``UNWIND``
  batches) and ``bulk_ingest_records`` (the empty local database, offline).
- :mod:`.taxonomy`: ``ingest_taxonomy`` (the released files), ``build_taxonomy`` (k-means over
  the graph's embeddings) and ``export_taxonomy`` (back to ``values_tree.csv``).
- :mod:`.conversations`: ``ingest_conversations`` (scrub, extract, normalise, load, embed).
- :mod:`.embeddings`: ``embed_values`` and ``similar_values``.
"""
