"""The command groups of ``valuegraph``: one module each, each with ``register(cli)``."""
