"""The canonical key of a value or task name.

The same key on an AIValue and a HumanValue is what "mirroring" matches, so
every layer must compute it the same way: NFKC, lowercased, trimmed, inner
whitespace collapsed.
"""

import re
import unicodedata

_WHITESPACE = re.compile(r"\s+")


def normalise_key(name: str) -> str:
    """Return the canonical key of ``name``."""
    folded = unicodedata.normalize("NFKC", name).lower()
    return _WHITESPACE.sub(" ", folded).strip()
