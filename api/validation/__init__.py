"""The checks a GraphQL document passes before it runs: depth, cost, page sizes.

``document.checked_document`` runs them all, in order; ``depth``, ``cost`` and ``pages`` hold
one limit each. Nothing here touches Neo4j.
"""
