"""Cypher files and the analyses built on them.

Every ``*.cypher`` file here starts with a header comment that says what it
returns; the same text is what people paste into Neo4j Browser. Code loads a
file by name with :func:`load_cypher`, so no Cypher is assembled at run time.
"""

from functools import cache
from importlib import resources


@cache
def load_cypher(name: str) -> str:
    """The text of ``queries/<name>.cypher``."""
    return resources.files(__name__).joinpath(f"{name}.cypher").read_text(encoding="utf-8")
