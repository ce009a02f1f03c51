"""Exports: ``GET /export`` streams a subgraph as a file; GraphQL's ``exportUrl`` spells its URL.

``options`` turns query parameters into an export request (both use it), ``routes`` is the
download's blueprint, ``types`` the GraphQL enums and ``resolvers`` the ``exportUrl`` field.
"""
