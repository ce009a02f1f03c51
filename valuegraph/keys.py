"""The canonical key of a value or task name.

The same key on an AIValue and a HumanValue is what "mirroring" matches, so
every layer must compute it the same way: NFKC, lowercased, trimmed, inner
whitespace collapsed.
"""

import re
import unicodedata
from functools import lru_cache

_WHITESPACE = re.compile(r"\s+")


# A corpus names the same few thousand values and tasks millions of times; loading 3M records
# spent a sixth of its time here before the cache.
@lru_cache(maxsize=1 << 16)
def normalise_key(name: str) -> str:
    """Return the canonical key of ``name``."""
    folded = unicodedata.normalize("NFKC", name).lower()
    return _WHITESPACE.sub(" ", folded).strip()
