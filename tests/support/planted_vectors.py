"""Names and unit vectors in tight, well-separated groups: clustering has a right answer."""

from __future__ import annotations

import numpy as np

DIMENSIONS = 384  # all-MiniLM-L6-v2's, so the vectors look like the embedder's


def planted(groups: int, per_group: int, seed: int) -> tuple[list[str], np.ndarray]:
    """``per_group`` names per group, ``group {g} value {i}``, each near its group's centre."""
    rng = np.random.default_rng(seed)
    centres = rng.normal(size=(groups, DIMENSIONS))
    names, vectors = [], []
    for g, centre in enumerate(centres):
        for i in range(per_group):
            names.append(f"group {g} value {i}")
            vectors.append(centre + 0.15 * rng.normal(size=DIMENSIONS))
    matrix = np.asarray(vectors, dtype=np.float32)
    return names, matrix / np.linalg.norm(matrix, axis=1, keepdims=True)
