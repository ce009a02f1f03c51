"""Read raw conversation logs: detect the format, parse, scrub, and quarantine what is invalid.

Three formats are understood, one per file (detected from the first records, or given):

* ``messages``: OpenAI/Anthropic-style ``{"id", "messages": [{"role", "content"}]}``, where
  content is a string or a list of content blocks;
* ``sharegpt``: ``{"conversations": [{"from", "value"}]}``;
* ``claude-export``: the ``conversations.json`` of a Claude.ai data export, whose items carry
  ``chat_messages``. The export is one JSON array; JSON Lines of the same objects work too.

Files are JSON Lines (or that one JSON array), plain or gzip-compressed. Every raw record is
scrubbed *before* it is parsed, so no :class:`Conversation` ever holds unscrubbed text, and the
quarantine file (the one of :mod:`ingest.jsonl`: line, reason, raw) holds scrubbed text only.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterator
from dataclasses import replace
from datetime import UTC, datetime
from enum import StrEnum
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from valuegraph.errors import InputError
from valuegraph.ingest.jsonl import Accepted, Quarantine, Rejection, open_input, read_jsonl

# How many leading records format detection may look at before giving up.
DETECT_SAMPLE = 20


class ConversationFormat(StrEnum):
    MESSAGES = "messages"
    SHAREGPT = "sharegpt"
    CLAUDE_EXPORT = "claude-export"


FORMAT_NAMES: tuple[str, ...] = tuple(f.value for f in ConversationFormat)


class Role(StrEnum):
    USER = "user"
    ASSISTANT = "assistant"
    SYSTEM = "system"
    TOOL = "tool"


# Spellings of roles across the three formats and their common variants.
_ROLE_ALIASES: dict[str, Role] = {
    "user": Role.USER,
    "human": Role.USER,
    "assistant": Role.ASSISTANT,
    "gpt": Role.ASSISTANT,
    "chatgpt": Role.ASSISTANT,
    "claude": Role.ASSISTANT,
    "model": Role.ASSISTANT,
    "bard": Role.ASSISTANT,
    "bing": Role.ASSISTANT,
    "system": Role.SYSTEM,
    "developer": Role.SYSTEM,
    "tool": Role.TOOL,
    "function": Role.TOOL,
    "function_call": Role.TOOL,
    "observation": Role.TOOL,
    "ipython": Role.TOOL,
}

_SPEAKER = {
    Role.USER: "User",
    Role.ASSISTANT: "Assistant",
    Role.SYSTEM: "System",
    Role.TOOL: "Tool",
}


class Turn(BaseModel):
    """One message of a conversation, reduced to its role and its (scrubbed) text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    role: Role
    text: str


class Conversation(BaseModel):
    """A parsed, scrubbed conversation, ready for extraction."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    source_id: str = Field(
        description="The id found in the file, or a content hash if it had none."
    )
    format: ConversationFormat
    line: int = Field(description="Line in the file (element number for a JSON array).")
    turns: tuple[Turn, ...]
    created_at: datetime | None = None
    model: str | None = None

    def transcript(self) -> str:
        """The text a model sees: one block per turn, speaker first."""
        return "\n\n".join(f"{_SPEAKER[t.role]}: {t.text}" for t in self.turns)

    def content_hash(self) -> str:
        """SHA-256 of the transcript: the identity of what is sent to a model."""
        return hashlib.sha256(self.transcript().encode("utf-8")).hexdigest()

    def text_of(self, role: Role) -> str:
        return "\n\n".join(t.text for t in self.turns if t.role is role)


# --- reading raw records --------------------------------------------------------------------

RawRecord = tuple[int, Any]


def read_raw(path: Path) -> Iterator[RawRecord | Rejection]:
    """Yield (line, parsed JSON) per line, or per element of one JSON array, or a Rejection.

    Lines go through :func:`ingest.jsonl.read_jsonl`, so broken JSON, bad UTF-8 and truncated
    gzip are handled as for records files. The raw text of a rejection is *not* scrubbed here;
    :func:`read_conversations` scrubs it before it is quarantined.
    """
    if _is_json_array(path):
        yield from _read_array(path)
        return
    for result in read_jsonl(path, _as_is):
        yield (result.line, result.item) if isinstance(result, Accepted) else result


def _as_is(data: Any) -> Any:
    return data


def _is_json_array(path: Path) -> bool:
    with open_input(path) as handle:
        try:
            head = handle.read(4096)
        except (OSError, EOFError) as e:
            raise InputError(f"{path}: cannot be read ({e})") from None
    return head.lstrip()[:1] == b"["


def _read_array(path: Path) -> Iterator[RawRecord]:
    """A Claude.ai export is one JSON array; its elements are numbered from 1 as "lines"."""
    with open_input(path) as handle:
        try:
            items = json.load(handle)
        except (json.JSONDecodeError, UnicodeDecodeError, EOFError, OSError) as e:
            raise InputError(f"{path} looks like a JSON array but does not parse: {e}") from None
        except RecursionError:  # Python's parser gives up past about a thousand levels
            raise InputError(f"{path} looks like a JSON array but is nested too deeply") from None
    yield from enumerate(items, start=1)


# --- format detection ------------------------------------------------------------------------


def sniff_format(record: Any) -> ConversationFormat | None:
    """The format one raw record is in, or None if it matches none."""
    if not isinstance(record, dict):
        return None
    if isinstance(record.get("chat_messages"), list):
        return ConversationFormat.CLAUDE_EXPORT
    turns = record.get("conversations")
    if isinstance(turns, list) and all(isinstance(t, dict) and "from" in t for t in turns):
        return ConversationFormat.SHAREGPT
    if isinstance(record.get("messages"), list):
        return ConversationFormat.MESSAGES
    return None


def detect_format(path: Path) -> ConversationFormat:
    """Detect a file's format from its first records; anything unrecognised is an InputError."""
    seen = 0
    for item in read_raw(path):
        if isinstance(item, Rejection):
            continue
        found = sniff_format(item[1])
        if found is not None:
            return found
        seen += 1
        if seen >= DETECT_SAMPLE:
            break
    if seen == 0:
        raise InputError(f"{path} holds no JSON records")
    raise InputError(
        f"cannot detect the conversation format of {path}: expected records with 'messages', "
        f"'conversations' (ShareGPT) or 'chat_messages' (Claude.ai export); "
        f"use --format {{{','.join(FORMAT_NAMES)}}}"
    )


# --- parsing one record ----------------------------------------------------------------------


class InvalidConversation(ValueError):
    """Why one record is not a usable conversation; becomes a quarantine reason."""


def parse_conversation(record: Any, fmt: ConversationFormat, line: int) -> Conversation:
    """Parse one (already scrubbed) raw record; raise InvalidConversation with a reason."""
    if not isinstance(record, dict):
        raise InvalidConversation(f"not a JSON object but {type(record).__name__}")
    parser = _PARSERS[fmt]
    turns, meta = parser(record)
    turns = [t for t in turns if t.text.strip()]
    if not any(t.role is Role.USER for t in turns):
        raise InvalidConversation("no user message with text")
    if not any(t.role is Role.ASSISTANT for t in turns):
        raise InvalidConversation("no assistant message with text")
    conversation = Conversation(source_id="", format=fmt, line=line, turns=tuple(turns), **meta)
    raw_id = record.get("id") or record.get("uuid") or record.get("conversation_id")
    source_id = str(raw_id) if raw_id not in (None, "") else f"sha256:{conversation.content_hash()}"
    return conversation.model_copy(update={"source_id": source_id})


def _parse_messages(record: dict[str, Any]) -> tuple[list[Turn], dict[str, Any]]:
    messages = record.get("messages")
    if not isinstance(messages, list):
        raise InvalidConversation("no 'messages' list (file is in the messages format)")
    turns = []
    for index, message in enumerate(messages, start=1):
        if not isinstance(message, dict):
            raise InvalidConversation(f"message {index} is not an object")
        role = _role(message.get("role"), index)
        turns.append(Turn(role=role, text=_content_text(message.get("content"), index)))
    system = record.get("system")
    if isinstance(system, str) and system.strip():
        turns.insert(0, Turn(role=Role.SYSTEM, text=system))
    return turns, _meta(record, record.get("created_at") or record.get("create_time"))


def _parse_sharegpt(record: dict[str, Any]) -> tuple[list[Turn], dict[str, Any]]:
    items = record.get("conversations")
    if not isinstance(items, list):
        raise InvalidConversation("no 'conversations' list (file is in the ShareGPT format)")
    turns = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidConversation(f"turn {index} is not an object")
        value = item.get("value")
        if not isinstance(value, str):
            raise InvalidConversation(f"turn {index} has no string 'value'")
        turns.append(Turn(role=_role(item.get("from"), index), text=value))
    return turns, _meta(record, record.get("created_at"))


def _parse_claude_export(record: dict[str, Any]) -> tuple[list[Turn], dict[str, Any]]:
    items = record.get("chat_messages")
    if not isinstance(items, list):
        raise InvalidConversation("no 'chat_messages' list (file is a Claude.ai export)")
    turns = []
    for index, item in enumerate(items, start=1):
        if not isinstance(item, dict):
            raise InvalidConversation(f"chat message {index} is not an object")
        role = _role(item.get("sender"), index)
        blocks = item.get("content")
        # Newer exports carry content blocks; older ones only "text". Prefer the blocks.
        text = _content_text(blocks, index) if blocks else item.get("text")
        if not isinstance(text, str):
            raise InvalidConversation(f"chat message {index} has no text")
        if item.get("attachments") or item.get("files"):
            text = f"{text}\n[attachment]".strip()
        turns.append(Turn(role=role, text=text))
    return turns, _meta(record, record.get("created_at"), model=record.get("model"))


_PARSERS: dict[
    ConversationFormat, Callable[[dict[str, Any]], tuple[list[Turn], dict[str, Any]]]
] = {
    ConversationFormat.MESSAGES: _parse_messages,
    ConversationFormat.SHAREGPT: _parse_sharegpt,
    ConversationFormat.CLAUDE_EXPORT: _parse_claude_export,
}


def _role(raw: Any, index: int) -> Role:
    role = _ROLE_ALIASES.get(str(raw).strip().lower()) if isinstance(raw, str) else None
    if role is None:
        raise InvalidConversation(f"message {index} has unknown role {raw!r}")
    return role


def _content_text(content: Any, index: int) -> str:
    """Flatten string or content-block content to text; non-text blocks leave a marker."""
    if isinstance(content, str):
        return content
    if content is None:
        return ""
    if not isinstance(content, list):
        raise InvalidConversation(f"message {index} content is neither text nor a list of blocks")
    parts = []
    for block in content:
        if isinstance(block, str):
            parts.append(block)
        elif isinstance(block, dict):
            parts.append(_block_text(block))
        else:
            raise InvalidConversation(f"message {index} has a content block that is not an object")
    return "\n".join(p for p in parts if p)


def _block_text(block: dict[str, Any]) -> str:
    kind = block.get("type")
    if kind in ("text", "input_text", "output_text") and isinstance(block.get("text"), str):
        return str(block["text"])
    if kind == "tool_result":
        return _content_text(block.get("content"), 0)
    if kind in ("thinking", "redacted_thinking"):
        return ""  # Reasoning is not part of what the user saw.
    if kind == "tool_use":
        return f"[tool call: {block.get('name', 'tool')}]"
    return f"[{kind or 'block'}]"


def _meta(record: dict[str, Any], created: Any, *, model: Any = None) -> dict[str, Any]:
    return {"created_at": _timestamp(created), "model": _model_name(model or record.get("model"))}


def _timestamp(raw: Any) -> datetime | None:
    if isinstance(raw, int | float) and not isinstance(raw, bool):
        try:
            return datetime.fromtimestamp(raw, tz=UTC)
        except (OverflowError, OSError, ValueError):
            return None
    if isinstance(raw, str) and raw:
        try:
            return datetime.fromisoformat(raw.replace("Z", "+00:00"))
        except ValueError:
            raise InvalidConversation(f"created_at {raw!r} is not an ISO 8601 time") from None
    return None


def _model_name(raw: Any) -> str | None:
    return raw.strip() if isinstance(raw, str) and raw.strip() else None


# --- the whole file --------------------------------------------------------------------------


def read_conversations(
    path: Path,
    *,
    scrub: Callable[[Any], Any] | None,
    quarantine: Quarantine | None = None,
    fmt: ConversationFormat | None = None,
) -> Iterator[Conversation]:
    """Yield the valid conversations of ``path``, each scrubbed before it is parsed.

    ``scrub`` maps a raw record to its scrubbed copy; it is a required argument so that
    skipping it (``None``, only for inspecting parsers in tests) is always a visible choice.
    Invalid records and repeated ids go to ``quarantine`` (scrubbed too) with their line and
    reason; with no quarantine they raise InputError, as nothing may be dropped silently.
    """
    open_input(path).close()  # a missing file is an InputError before anything else
    fmt = fmt or detect_format(path)
    clean = scrub or _as_is
    first_line: dict[str, int] = {}
    for item in read_raw(path):
        if isinstance(item, Rejection):
            _reject(quarantine, replace(item, raw=clean(item.raw)))
            continue
        line, record = item[0], clean(item[1])
        try:
            conversation = parse_conversation(record, fmt, line)
        except InvalidConversation as e:
            _reject(quarantine, Rejection(path, line, str(e), _compact(record)))
            continue
        seen = first_line.setdefault(conversation.source_id, line)
        if seen != line:
            reason = f"duplicate conversation id (first at line {seen})"
            _reject(quarantine, Rejection(path, line, reason, _compact(record)))
            continue
        yield conversation


def _compact(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, separators=(",", ":"), default=str)


def _reject(quarantine: Quarantine | None, rejection: Rejection) -> None:
    if quarantine is None:
        raise InputError(rejection.message())
    quarantine.add(rejection)
