"""Extraction through the real ``anthropic`` SDK against the local fake Messages API.

Nothing in the SDK is patched: the client is pointed at the fake server by ``base_url``, and the
only thing replaced is the client's own ``sleep`` (so a ``retry-after: 30`` is recorded, not
waited for).
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.support.fake_anthropic import (
    Error,
    Expired,
    FakeAnthropic,
    Malformed,
    Overloaded,
    RateLimited,
    ServerError,
    Slow,
    TextOnly,
)
from valuegraph.errors import ConfigError, ExtractionError
from valuegraph.ingest.conversations import Conversation, ConversationFormat, Role, Turn
from valuegraph.ingest.extract import (
    ClaudeClient,
    ClaudeExtractor,
    Extracted,
    Failed,
    RetryPolicy,
    build_record,
    extract_all,
    parse_retry_after,
)
from valuegraph.ingest.extract_batch import BatchRunner, state_path
from valuegraph.ingest.prompts import PROMPT_VERSION, SYSTEM_PROMPT, TOOL_NAME, ExtractionOutput

FAST = RetryPolicy(max_attempts=5, base_delay=0.01, max_delay=0.05)


def conversation(text: str, source_id: str | None = None) -> Conversation:
    return Conversation(
        source_id=source_id or text,
        format=ConversationFormat.MESSAGES,
        line=1,
        turns=(
            Turn(role=Role.USER, text=text),
            Turn(role=Role.ASSISTANT, text="Here is my answer."),
        ),
    )


@pytest.fixture()
def fake() -> Iterator[FakeAnthropic]:
    with FakeAnthropic(polls_until_ended=2) as server:
        yield server


class Sleeps(list[float]):
    def __call__(self, seconds: float) -> None:
        self.append(seconds)


def client(
    fake: FakeAnthropic, tmp_path: Path, sleeps: Sleeps | None = None, **options: object
) -> ClaudeClient:
    settings: dict[str, object] = {
        "policy": FAST,
        "timeout": 5.0,
        "seed": 1,
        "model": "claude-test",
    }
    settings.update(options)
    return ClaudeClient(
        api_key="test-key",
        cache_dir=tmp_path / "cache",
        base_url=fake.base_url,
        sleep=sleeps if sleeps is not None else Sleeps(),
        **settings,  # type: ignore[arg-type]
    )


def test_one_forced_tool_call_with_a_cached_system_prompt(
    fake: FakeAnthropic, tmp_path: Path
) -> None:
    extractor = ClaudeExtractor(client(fake, tmp_path))
    out = extractor(
        conversation("VALUES: honesty, user autonomy. HUMAN: family. RESPONSE: reframing.")
    )
    assert [v.name for v in out.ai_values] == ["honesty", "user autonomy"]
    assert out.human_values == ["family"] and out.response_type.value == "reframing"

    request = fake.requests[0]
    assert request["system"] == [
        {"type": "text", "text": SYSTEM_PROMPT, "cache_control": {"type": "ephemeral"}}
    ]
    assert request["tool_choice"] == {"type": "tool", "name": TOOL_NAME}
    schema = request["tools"][0]["input_schema"]
    assert set(schema["required"]) == {
        "subjective",
        "task",
        "ai_values",
        "human_values",
        "response_type",
    }
    assert "Normative considerations" in schema["properties"]["ai_values"]["description"]
    # The fake reports prompt-cache reads once the prefix has been seen.
    extractor(conversation("another conversation"))
    assert extractor.client.stats.cache_read_tokens > 0


def test_429_honours_retry_after_and_retry_after_ms(fake: FakeAnthropic, tmp_path: Path) -> None:
    sleeps = Sleeps()
    extractor = ClaudeExtractor(client(fake, tmp_path, sleeps))
    fake.script("limited", RateLimited(30), RateLimited(ms=1500))
    extractor(conversation("limited"))
    assert fake.calls_with("limited") == 3
    assert 30 <= sleeps[0] < 30.01 and 1.5 <= sleeps[1] < 1.51


def test_529_500_and_timeouts_back_off_exponentially(fake: FakeAnthropic, tmp_path: Path) -> None:
    sleeps = Sleeps()
    policy = RetryPolicy(max_attempts=6, base_delay=1.0, max_delay=60.0)
    extractor = ClaudeExtractor(client(fake, tmp_path, sleeps, policy=policy, timeout=0.3))
    # The slow answer comes long after the 0.3 s timeout, so a busy machine cannot make it
    # arrive in time.
    fake.script("flaky", Overloaded(), ServerError(500), Slow(10.0), ServerError(503))
    out = extractor(conversation("flaky"))
    assert out.ai_values
    # Equal jitter: retry n waits between half and all of base * 2**(n-1).
    for n, pause in enumerate(sleeps, start=1):
        assert 2 ** (n - 1) / 2 <= pause <= 2 ** (n - 1)
    assert len(sleeps) == 4 and extractor.client.stats.retries == 4


def test_giving_up_is_an_error_with_its_reason_and_is_not_cached(
    fake: FakeAnthropic, tmp_path: Path
) -> None:
    extractor = ClaudeExtractor(client(fake, tmp_path))
    fake.script("down", *[Overloaded()] * FAST.max_attempts)
    with pytest.raises(ExtractionError, match=r"after 5 attempts: HTTP 529 overloaded_error"):
        extractor(conversation("down"))
    extractor(conversation("down"))  # the next run tries again, and succeeds
    assert fake.calls_with("down") == FAST.max_attempts + 1


def test_a_refused_key_stops_the_run(fake: FakeAnthropic, tmp_path: Path) -> None:
    fake.script("auth", Error(401, "authentication_error"))
    with pytest.raises(ConfigError, match="refused the key"):
        ClaudeExtractor(client(fake, tmp_path))(conversation("auth"))


def test_invalid_tool_input_gets_one_repair(fake: FakeAnthropic, tmp_path: Path) -> None:
    extractor = ClaudeExtractor(client(fake, tmp_path))
    fake.script("bad once", Malformed())
    out = extractor(conversation("bad once"))
    assert out.response_type.value == "mild_support"
    repair = fake.requests[-1]["messages"]
    assert [m["role"] for m in repair] == ["user", "assistant", "user"]
    result = repair[2]["content"][0]
    assert result["type"] == "tool_result" and result["is_error"] is True
    assert "response_type" in result["content"]
    assert extractor.client.stats.repairs == 1


def test_invalid_twice_is_rejected_with_its_reason_once(
    fake: FakeAnthropic, tmp_path: Path
) -> None:
    extractor = ClaudeExtractor(client(fake, tmp_path))
    fake.script("bad twice", Malformed(), TextOnly())
    with pytest.raises(ExtractionError, match="after one repair: no call to"):
        extractor(conversation("bad twice"))
    with pytest.raises(ExtractionError, match=r"\(cached\)"):
        extractor(conversation("bad twice"))
    assert fake.calls_with("bad twice") == 2  # the rejection was paid for once, not twice


def test_private_details_in_the_task_are_sent_back_for_repair(
    fake: FakeAnthropic, tmp_path: Path
) -> None:
    extractor = ClaudeExtractor(client(fake, tmp_path))
    leaky = {
        "subjective": True,
        "task": "email jo@example.com about the lease",
        "ai_values": [{"name": "honesty", "explicit": True}],
        "human_values": [],
        "response_type": "neutral",
    }
    fake.script("leak", Malformed(leaky))
    extractor(conversation("leak"))
    assert "private details" in fake.requests[-1]["messages"][2]["content"][0]["content"]


def test_the_disk_cache_means_each_conversation_is_paid_once(
    fake: FakeAnthropic, tmp_path: Path
) -> None:
    conversations = [conversation(f"conversation {i}") for i in range(10)]
    first = list(extract_all(ClaudeExtractor(client(fake, tmp_path)), conversations, concurrency=4))
    again = ClaudeExtractor(client(fake, tmp_path))  # a new process after a crash, say
    second = list(extract_all(again, conversations, concurrency=4))
    assert len(fake.requests) == 10
    assert again.client.stats.cache_hits == 10
    assert sorted(o.output.model_dump_json() for o in first if isinstance(o, Extracted)) == sorted(
        o.output.model_dump_json() for o in second if isinstance(o, Extracted)
    )


def test_the_cache_key_has_model_prompt_version_and_content(
    fake: FakeAnthropic, tmp_path: Path
) -> None:
    a = ClaudeExtractor(client(fake, tmp_path))
    b = ClaudeExtractor(client(fake, tmp_path, model="claude-other"))
    c = conversation("same text")
    assert a.key(c) != b.key(c)
    assert a.key(c) == a.key(conversation("same text", source_id="another id"))
    assert PROMPT_VERSION in a.label


def test_no_conversation_is_lost_in_a_concurrent_pool(fake: FakeAnthropic, tmp_path: Path) -> None:
    extractor = ClaudeExtractor(client(fake, tmp_path))
    conversations = [conversation(f"item {i:02d}") for i in range(40)]
    for i in range(0, 40, 4):
        fake.script(f"item {i:02d}", RateLimited(ms=5), Overloaded())
    fake.script("item 07", *[ServerError()] * FAST.max_attempts)
    outcomes = list(extract_all(extractor, conversations, concurrency=8))
    assert sorted(o.conversation.source_id for o in outcomes) == sorted(
        c.source_id for c in conversations
    )
    failed = [o for o in outcomes if isinstance(o, Failed)]
    assert [f.conversation.source_id for f in failed] == ["item 07"]
    assert "HTTP 500" in failed[0].reason


def test_batches_chunk_poll_collect_and_resume_without_resubmitting(
    fake: FakeAnthropic, tmp_path: Path
) -> None:
    conversations = [conversation(f"batch item {i}") for i in range(7)]
    fake.script("batch item 3", Overloaded())  # errored inside the batch
    fake.script("batch item 4", Expired())
    fake.script("batch item 5", Malformed())  # repaired by one direct call
    extractor = ClaudeExtractor(client(fake, tmp_path))
    state = state_path(tmp_path, "claude-test")

    class Interrupted(Exception):
        pass

    def interrupt(_seconds: float) -> None:
        raise Interrupted

    # First run: submits three batches (chunks of three), then is interrupted while polling.
    with pytest.raises(Interrupted):
        BatchRunner(extractor, state, chunk_size=3, poll_interval=0, sleep=interrupt).run(
            conversations
        )
    assert fake.batch_creates == 3
    # Second run: nothing is resubmitted; the open batches are polled and collected.
    report = BatchRunner(extractor, state, chunk_size=3, poll_interval=0).run(conversations)
    assert fake.batch_creates == 3 and report.submitted == 0 and report.resumed_batches == 3
    assert report.failed == {"overloaded_error": 1, "expired": 1}
    # The five results that came back were paid for, and their tokens are counted (200 in and
    # 60 out each, the fake's figures), with the one direct repair call.
    usage = extractor.client.stats
    assert (usage.calls, usage.input_tokens, usage.output_tokens) == (6, 6 * 200, 6 * 60)
    # What the batch could not do goes through direct calls; the rest comes from the cache.
    outcomes = list(extract_all(extractor, conversations, concurrency=4))
    assert all(isinstance(o, Extracted) for o in outcomes) and len(outcomes) == 7
    assert len(fake.batch_requests) == 7
    assert len(fake.requests) == 3  # direct calls: the repair of item 5, then items 3 and 4
    assert (
        BatchRunner(extractor, state, chunk_size=3, poll_interval=0).run(conversations).submitted
        == 0
    )


def test_retry_policy_and_retry_after_parsing() -> None:
    rng = random.Random(3)
    policy = RetryPolicy(base_delay=2.0, max_delay=10.0)
    assert all(4.0 <= policy.delay(3, None, rng) <= 8.0 for _ in range(50))
    assert all(5.0 <= policy.delay(9, None, rng) <= 10.0 for _ in range(50))
    assert 7.0 <= policy.delay(1, 7.0, rng) <= 7.2
    assert parse_retry_after({"retry-after-ms": "250", "retry-after": "9"}) == 0.25
    assert parse_retry_after({"retry-after": "Wed, 21 Oct 2015 07:28:00 GMT"}) == 0.0
    assert parse_retry_after({}) is None


def test_output_validation_rules() -> None:
    good = {
        "subjective": True,
        "task": "advice on a job offer",
        "ai_values": [],
        "human_values": [],
        "response_type": "neutral",
    }
    ExtractionOutput.model_validate(good)
    for bad in (
        {**good, "response_type": "very supportive"},
        {
            **good,
            "ai_values": [
                {"name": "the assistant always tries to tell the truth", "explicit": True}
            ],
        },
        {**good, "task": "call [PHONE] about the flat"},
        {**good, "subjective": "yes"},
        {**good, "extra": 1},
    ):
        with pytest.raises(ValueError):
            ExtractionOutput.model_validate(bad)


def test_build_record_hashes_nothing_itself_and_keeps_text_only_when_asked() -> None:
    c = conversation("VALUES: honesty")
    out = ExtractionOutput.model_validate(
        {
            "subjective": True,
            "task": "a task",
            "ai_values": [{"name": "honesty", "explicit": True}],
            "human_values": [],
            "response_type": "neutral",
        }
    )
    record = build_record(c, out, conversation_id="c_1", source="claude:x:v1")
    assert record.text is None and record.ai_value_keys() == {"honesty": ("honesty", True)}
    assert (
        build_record(c, out, conversation_id="c_1", source="s", store_text=True).text
        == c.transcript()
    )
