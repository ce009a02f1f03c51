"""The typed records that cross stage boundaries: one conversation's extracted features.

A line of ``records.jsonl`` validates into an :class:`ExtractedRecord`. The
extraction stage produces the same model, so everything downstream of
extraction sees one shape whichever way the features were made.
"""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints, field_validator

from valuegraph.keys import normalise_key

MAX_VALUE_NAME = 200
MAX_TASK = 10_000


class ResponseType(StrEnum):
    """How the AI responded to the user's values: the seven categories of the paper."""

    STRONG_SUPPORT = "strong_support"
    MILD_SUPPORT = "mild_support"
    NEUTRAL = "neutral"
    REFRAMING = "reframing"
    MILD_RESISTANCE = "mild_resistance"
    STRONG_RESISTANCE = "strong_resistance"
    NO_VALUES = "no_values"


RESPONSE_TYPES: tuple[str, ...] = tuple(r.value for r in ResponseType)

ValueName = Annotated[
    str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_VALUE_NAME)
]


class AIValueMention(BaseModel):
    """An AI value as expressed in one conversation: stated outright, or only demonstrated."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    name: ValueName
    explicit: bool = False


class ExtractedRecord(BaseModel):
    """One conversation's extracted features (the paper's four, plus metadata)."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    conversation_id: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]
    task: Annotated[
        str, StringConstraints(strip_whitespace=True, min_length=1, max_length=MAX_TASK)
    ]
    response_type: ResponseType
    ai_values: tuple[AIValueMention, ...] = ()
    human_values: tuple[ValueName, ...] = ()
    model: Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)] | None = None
    created_at: datetime | None = None
    subjective: bool = True
    language: str | None = None
    source: str | None = None
    text: str | None = Field(default=None, description="Raw text; stored only with --store-text.")

    @field_validator("ai_values", mode="before")
    @classmethod
    def _bare_names_are_implicit(cls, raw: Any) -> Any:
        # The released format and hand-written files list bare names; those are implicit.
        if isinstance(raw, list | tuple):
            return [{"name": item} if isinstance(item, str) else item for item in raw]
        return raw

    @field_validator("human_values", mode="before")
    @classmethod
    def _list_of_names(cls, raw: Any) -> Any:
        if raw is not None and not isinstance(raw, list | tuple):
            raise ValueError("must be a list of names")
        return raw

    def ai_value_keys(self) -> dict[str, tuple[str, bool]]:
        """Key -> (display name, explicit); one entry per key, explicit if any mention was."""
        merged: dict[str, tuple[str, bool]] = {}
        for mention in self.ai_values:
            key = normalise_key(mention.name)
            name, explicit = merged.get(key, (mention.name, False))
            merged[key] = (name, explicit or mention.explicit)
        return merged

    def human_value_keys(self) -> dict[str, str]:
        """Key -> display name, one entry per key."""
        merged: dict[str, str] = {}
        for name in self.human_values:
            merged.setdefault(normalise_key(name), name)
        return merged
