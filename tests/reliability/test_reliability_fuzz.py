"""Fuzzing of the inputs that reach valuegraph from outside: conversation files, and every
argument of every GraphQL field over HTTP, and the HTTP requests themselves.

Whatever comes in, the answer is never a traceback and never an HTTP 500; every bad
conversation is quarantined with its line and a reason, and no good one is lost.
``make reliability`` runs many more examples (VALUEGRAPH_FUZZ_EXAMPLES).
"""

from __future__ import annotations

import json
import os
import string
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from graphql import (
    GraphQLArgument,
    GraphQLEnumType,
    GraphQLInputType,
    GraphQLList,
    GraphQLNonNull,
    GraphQLObjectType,
    GraphQLOutputType,
    GraphQLScalarType,
    get_named_type,
    is_leaf_type,
)
from graphql.pyutils import Undefined
from hypothesis import HealthCheck, event, example, given, settings
from hypothesis import strategies as st

from tests.support.paths import REPO
from tests.support.served_api import ServedApi, served_api
from tests.support.synthetic_corpus import Corpus
from valuegraph.api.schema import schema
from valuegraph.errors import InputError
from valuegraph.ingest.conversations import ConversationFormat, read_conversations
from valuegraph.ingest.jsonl import Quarantine
from valuegraph.ingest.scrub import Scrubber

FUZZ_EXAMPLES = int(os.environ.get("VALUEGRAPH_FUZZ_EXAMPLES", "25"))
FUZZ = settings(
    max_examples=FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

# Strings that have broken parsers, query builders and terminals elsewhere.
NASTY = [
    "' }) MATCH (n) DETACH DELETE n //",
    "`) DETACH DELETE n //",
    "$param",
    "\x00",
    "a\x00b",
    "\u202e\u0301",
    "🦜" * 3,
    "\\",
    '"',
    "{{7*7}}",
    "<script>alert(1)</script>",
    "%s%n",
    "x" * 5000,
]
texts = st.one_of(
    st.sampled_from(NASTY),
    st.text(max_size=30),
    st.text(alphabet=string.printable, max_size=30),
)


# --- conversation files --------------------------------------------------------------------

# What one record of a generated file is; "good" thrice, so most files hold some good ones.
RECORD_KINDS = (
    *("good", "good", "good", "extra", "duplicate", "role"),
    *("no-assistant", "blank", "json", "truncated", "bytes", "foreign"),
)
SOLID = st.text(min_size=1, max_size=40).filter(lambda text: text.strip() != "")


def turn(fmt: ConversationFormat, role: str, text: str) -> dict[str, Any]:
    if fmt is ConversationFormat.SHAREGPT:
        return {"from": {"user": "human", "assistant": "gpt"}.get(role, role), "value": text}
    if fmt is ConversationFormat.CLAUDE_EXPORT:
        return {"sender": {"user": "human"}.get(role, role), "text": text}
    return {"role": role, "content": text}


def record(fmt: ConversationFormat, ident: str, turns: list[dict[str, Any]]) -> dict[str, Any]:
    if fmt is ConversationFormat.SHAREGPT:
        return {"id": ident, "conversations": turns}
    if fmt is ConversationFormat.CLAUDE_EXPORT:
        return {"uuid": ident, "chat_messages": turns}
    return {"id": ident, "messages": turns}


@st.composite
def conversation_file(draw: st.DrawFn) -> tuple[ConversationFormat, list[Any], int]:
    """(format, items, good): items are dicts (good or broken), other JSON, or raw bytes."""
    fmt = draw(st.sampled_from(list(ConversationFormat)))
    items: list[Any] = []
    good_ids: set[str] = set()
    for index in range(draw(st.integers(1, 12))):
        ident = f"c{index}"
        user, assistant = draw(SOLID), draw(SOLID)
        kind = draw(st.sampled_from(RECORD_KINDS))
        turns = [turn(fmt, "user", user), turn(fmt, "assistant", assistant)]
        item: Any
        if kind in ("good", "extra", "duplicate"):
            # A duplicate reuses the first id: good only if no valid record took it before.
            ident = "c0" if kind == "duplicate" else ident
            item = record(fmt, ident, turns)
            if kind == "extra":  # unknown keys and metadata are ignored, not fatal
                item |= {"model": draw(texts), "unknown": draw(texts), "created_at": None}
            good_ids.add(ident)
        elif kind == "role":
            item = record(fmt, ident, [turn(fmt, draw(texts), user), turns[1]])
            if _known_role(item):  # a role that is an alias of "user" makes it good after all
                good_ids.add(ident)
        elif kind == "no-assistant":
            item = record(fmt, ident, turns[:1])
        elif kind == "blank":
            item = record(fmt, ident, [turn(fmt, "user", " \n\t"), turns[1]])
        elif kind == "json":
            item = draw(
                st.recursive(
                    st.none() | st.booleans() | st.integers() | texts,
                    lambda inner: (
                        st.lists(inner, max_size=3) | st.dictionaries(texts, inner, max_size=3)
                    ),
                    max_leaves=6,
                )
            )
        elif kind == "truncated":
            item = json.dumps(record(fmt, ident, turns))[: draw(st.integers(1, 20))].encode()
        elif kind == "bytes":
            item = draw(st.binary(min_size=1, max_size=40)).replace(b"\n", b" ")
        else:
            other = next(f for f in ConversationFormat if f is not fmt)
            item = record(other, ident, [turn(other, "user", user), turn(other, "assistant", user)])
        items.append(item)
    return fmt, items, len(good_ids)


def _known_role(item: dict[str, Any]) -> bool:
    from valuegraph.ingest.conversations import _ROLE_ALIASES, Role

    turns = item.get("messages") or item.get("conversations") or item.get("chat_messages") or []
    first = turns[0]
    raw = first.get("role", first.get("from", first.get("sender")))
    return isinstance(raw, str) and _ROLE_ALIASES.get(raw.strip().lower()) is Role.USER


def write_conversations(path: Path, fmt: ConversationFormat, items: list[Any]) -> int:
    """Write ``items`` as JSON Lines (an array, for some Claude exports); return the records."""
    if fmt is ConversationFormat.CLAUDE_EXPORT and all(not isinstance(i, bytes) for i in items):
        path.write_text(json.dumps(items), encoding="utf-8")
        return len(items)
    lines = [i if isinstance(i, bytes) else json.dumps(i).encode() for i in items]
    content = b"\n".join(lines) + b"\n"
    path.write_bytes(content)
    try:
        whole = json.loads(content)
    except (ValueError, RecursionError):
        return len(lines)
    # One line that is a JSON array (say "[]") makes the file a Claude.ai export, read whole.
    return len(whole) if isinstance(whole, list) else len(lines)


def whole_file_refusal(path: Path) -> bool:
    """Files the reader refuses whole, with one clear error, by design: what starts like a JSON
    array (a Claude.ai export) must parse as one, and what starts like gzip must be gzip."""
    head = path.read_bytes().lstrip()
    return head.startswith(b"[") or head.startswith(b"\x1f\x8b")


@FUZZ
@given(generated=conversation_file())
@example(generated=(ConversationFormat.MESSAGES, [[]], 0))  # an empty export, not a lost line
def test_fuzzed_conversation_files_quarantine_the_bad_and_keep_the_good(
    tmp_path: Path, generated: tuple[ConversationFormat, list[Any], int]
) -> None:
    fmt, items, good = generated
    path = tmp_path / "conversations.jsonl"
    records = write_conversations(path, fmt, items)
    scrub = Scrubber().record
    with Quarantine(path) as quarantine:
        try:
            found = list(read_conversations(path, scrub=scrub, quarantine=quarantine, fmt=fmt))
        except InputError as refused:
            assert whole_file_refusal(path) and str(path) in str(refused), refused
            return
        quarantined = quarantine.count
    assert len(found) == good
    assert len({c.source_id for c in found}) == good  # and never one twice
    assert len(found) + quarantined == records
    # Split on newlines only: str.splitlines() also splits inside text at U+0085 and kin.
    text = quarantine.path.read_text(encoding="utf-8") if quarantined else ""
    entries = [line for line in text.split("\n") if line]
    assert len(entries) == quarantined
    for entry in map(json.loads, entries):
        assert entry["reason"] and 1 <= entry["line"] <= records


@settings(max_examples=max(3, FUZZ_EXAMPLES // 8), deadline=None)
@given(generated=conversation_file())
@example(generated=(ConversationFormat.MESSAGES, [b"\r\x80"], 0))  # a carriage return, echoed
def test_the_scrub_command_takes_any_conversation_file(
    tmp_path_factory: pytest.TempPathFactory, generated: tuple[ConversationFormat, list[Any], int]
) -> None:
    fmt, items, _ = generated
    path = tmp_path_factory.mktemp("scrub") / "conversations.jsonl"
    records = write_conversations(path, fmt, items)
    done = subprocess.run(
        [sys.executable, "-m", "valuegraph", "scrub", str(path)],
        cwd=REPO,
        capture_output=True,
        timeout=120,
    )
    assert b"Traceback" not in done.stderr, done.stderr[-500:]
    if done.returncode == 2:
        assert whole_file_refusal(path) and str(path).encode() in done.stderr
    else:
        assert done.returncode == 0, done.stderr[-500:]
        # A broken line is echoed as it was, a stray "\r" and all: lines end at "\n" only.
        assert done.stdout.count(b"\n") == records


def test_a_file_in_no_known_format_is_one_clear_error(tmp_path: Path) -> None:
    path = tmp_path / "other.jsonl"
    path.write_text('{"hello": "world"}\n')
    with pytest.raises(InputError, match="cannot detect the conversation format"):
        list(read_conversations(path, scrub=Scrubber().record, quarantine=None))


DEEP = "[" * 100_000


@pytest.mark.parametrize(
    ("command", "content"),
    [
        (["ingest", "records", "{path}", "--dry-run"], DEEP + "\n"),
        (["scrub", "{path}"], DEEP + "\n"),
        (["scrub", "{path}"], "[" + DEEP),  # what looks like a Claude.ai export array
    ],
    ids=["records-line", "conversations-line", "conversations-array"],
)
def test_json_nested_too_deeply_is_rejected_not_a_traceback(
    tmp_path: Path, command: list[str], content: str
) -> None:
    """Python's json module raises RecursionError (not a JSONDecodeError) past ~1,000 levels;
    such a line must be one rejection, not an abort of the whole file."""
    path = tmp_path / "deep.jsonl"
    path.write_text(content)
    argv = [part.replace("{path}", str(path)) for part in command]
    done = subprocess.run(
        [sys.executable, "-m", "valuegraph", *argv],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert "Traceback" not in done.stderr, done.stderr[-400:]
    assert "RecursionError" not in done.stderr


# --- GraphQL arguments, over HTTP ------------------------------------------------------------

GRAPHQL = schema.graphql_schema
QUERY_TYPE = GRAPHQL.query_type
assert QUERY_TYPE is not None
ROOT_FIELDS = sorted(QUERY_TYPE.fields)
# Error codes that mean a resolver raised something nobody expected.
UNEXPECTED_CODES = {"INTERNAL", "INTERNAL_ERROR"}


@pytest.fixture(scope="module")
def api(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApi]:
    with served_api(tmp_path_factory.mktemp("fuzz-api")) as served:
        yield served


def value_for(input_type: GraphQLInputType, mistyped: bool) -> st.SearchStrategy[Any]:
    """Values of ``input_type``; with ``mistyped``, sometimes null or of another type."""
    if not mistyped:
        return _typed(input_type)
    wrong = st.one_of(st.none(), st.integers(), texts, st.booleans(), st.lists(st.integers()))
    return st.one_of(_typed(input_type), wrong)


def _typed(input_type: GraphQLInputType) -> st.SearchStrategy[Any]:
    if isinstance(input_type, GraphQLNonNull):
        return _typed(input_type.of_type)
    if isinstance(input_type, GraphQLList):
        return st.lists(_typed(input_type.of_type), max_size=3)
    if isinstance(input_type, GraphQLEnumType):
        return st.sampled_from(list(input_type.values))
    if isinstance(input_type, GraphQLScalarType):
        name = input_type.name
        if name == "Int":
            return st.one_of(
                st.integers(-(2**31), 2**31 - 1),
                st.sampled_from([-1, 0, 1, 2, 3, 5, 10, 100, 101, 10**6, 2**31 - 1]),
            )
        if name == "Float":
            return st.floats(allow_nan=False, allow_infinity=False) | st.sampled_from(
                [0.0, 1e-300, 0.05, 1.0, -1.0]
            )
        if name == "Boolean":
            return st.booleans()
        return texts  # String, ID, DateTime
    return st.none()


def _required(argument: GraphQLArgument) -> bool:
    return isinstance(argument.type, GraphQLNonNull) and argument.default_value is Undefined


def _variable_type(argument: GraphQLArgument) -> GraphQLInputType:
    """The argument's type, nullable where it has a default: GraphQL allows such a variable
    there, so an explicit null reaches the argument (and must be refused, not crash)."""
    if isinstance(argument.type, GraphQLNonNull) and argument.default_value is not Undefined:
        return argument.type.of_type
    return argument.type


class OperationBuilder:
    """Builds one query, drawing a value for each argument it sets, as a variable."""

    def __init__(self, draw: st.DrawFn, mistyped: bool) -> None:
        self.draw = draw
        self.mistyped = mistyped
        self.declared: list[str] = []
        self.variables: dict[str, Any] = {}

    def arguments(self, arguments: dict[str, GraphQLArgument]) -> str:
        given = []
        for name, argument in arguments.items():
            if not _required(argument) and self.draw(st.booleans()):
                continue  # left out: its default applies
            variable = f"v{len(self.variables)}"
            self.declared.append(f"${variable}: {_variable_type(argument)}")
            self.variables[variable] = self.draw(value_for(argument.type, self.mistyped))
            given.append(f"{name}: ${variable}")
        return f"({', '.join(given)})" if given else ""

    def selection(self, output: GraphQLOutputType, depth: int) -> str:
        """Every leaf field, and object fields ``depth`` levels down, with drawn arguments."""
        named = get_named_type(output)
        if is_leaf_type(named) or not isinstance(named, GraphQLObjectType):
            return ""
        parts = []
        for name, definition in named.fields.items():
            inner = get_named_type(definition.type)
            if is_leaf_type(inner) and not definition.args:
                parts.append(name)
            elif not is_leaf_type(inner) and depth > 0 and self.draw(st.booleans()):
                below = self.selection(definition.type, depth - 1)
                parts.append(f"{name}{self.arguments(definition.args)} {below}")
        return "{ " + " ".join(parts or ["__typename"]) + " }"


@st.composite
def operation(draw: st.DrawFn) -> tuple[str, dict[str, Any]]:
    """A query of one root field, nested fields and all their arguments drawn, as variables;
    one query in five may carry values of the wrong type."""
    field_name = draw(st.sampled_from(ROOT_FIELDS))
    definition = QUERY_TYPE.fields[field_name]
    builder = OperationBuilder(draw, mistyped=draw(st.integers(0, 4)) == 0)
    arguments = builder.arguments(definition.args)
    body = builder.selection(definition.type, draw(st.integers(0, 3)))
    header = f"({', '.join(builder.declared)})" if builder.declared else ""
    return f"query Fuzz{header} {{ {field_name}{arguments} {body} }}", builder.variables


# Fragments of valuegraph's own Cypher, which no client may see in an error.
OUR_CYPHER = ("MATCH (c:Conversation", "MATCH (v:AIValue", "RETURN count(", "UNWIND $", "WITH ")


def assert_no_crash(status: int, body: bytes, sent: Any = ()) -> None:
    """Not a 500, no trace, JSON, every error coded and none of them unexpected or Cypher."""
    assert status not in (0, 500), body[:500]
    assert b"Traceback" not in body and b'File "' not in body, body[:500]
    answer = json.loads(body)
    echoed = [text for text in _strings(sent) if text]
    for error in answer.get("errors") or []:
        code = (error.get("extensions") or {}).get("code")
        assert code and code not in UNEXPECTED_CODES, error
        message = error["message"]
        for text in echoed:  # the client's own input, quoted back, is not a leak
            message = (
                message.replace(text, "").replace(repr(text), "").replace(json.dumps(text), "")
            )
        assert not any(fragment in message for fragment in OUR_CYPHER), error
        assert "neo4j." not in message and "Neo." not in message, error


def _strings(value: Any) -> list[str]:
    if isinstance(value, str):
        return [value]
    if isinstance(value, dict):
        return [text for item in value.values() for text in _strings(item)]
    if isinstance(value, list | tuple):
        return [text for item in value for text in _strings(item)]
    return []


@settings(
    max_examples=FUZZ_EXAMPLES * 2,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(query=operation())
def test_any_argument_of_any_field_is_answered_never_a_500(
    api: ServedApi, query: tuple[str, dict[str, Any]]
) -> None:
    text, variables = query
    reply = api.graphql(text, variables)
    assert_no_crash(reply.status, reply.body, variables)
    codes = sorted(set(reply.error_codes()))
    event(f"{text.split('{')[1].split('(')[0].strip()}: {', '.join(codes) or 'data'}")


def test_an_explicit_null_for_an_argument_with_a_default_is_a_clear_error(
    api: ServedApi,
) -> None:
    """GraphQL lets a client send null for an argument that has a default, and then the
    default does not apply; each such argument is declared non-null, so null is refused."""
    tried = 0
    for field_name in ROOT_FIELDS:
        for name, argument in QUERY_TYPE.fields[field_name].args.items():
            if argument.default_value is Undefined:
                continue
            text = (
                f"query Q($v: {_variable_type(argument)}) "
                f"{{ {field_name}({name}: $v) {{ __typename }} }}"
            )
            reply = api.graphql(text, {"v": None})
            assert_no_crash(reply.status, reply.body)
            assert reply.error_codes(), (field_name, name, reply.body[:300])
            tried += 1
    assert tried > 10, tried  # 19 when written


def test_every_root_field_with_nasty_strings(api: ServedApi) -> None:
    """Each string argument of each root field gets each nasty string, deterministically."""
    for field_name in ROOT_FIELDS:
        definition = QUERY_TYPE.fields[field_name]
        strings = [
            name
            for name, argument in definition.args.items()
            if get_named_type(argument.type).name in ("String", "ID")
        ]
        for name in strings:
            for nasty in NASTY:
                argument_type = definition.args[name].type
                text = (
                    f"query($s: {argument_type}) {{ {field_name}({name}: $s"
                    + _required_rest(definition.args, name)
                    + f") {leaves(definition.type)} }}"
                )
                reply = api.graphql(text, {"s": nasty})
                assert_no_crash(reply.status, reply.body, nasty)


def leaves(output: GraphQLOutputType) -> str:
    named = get_named_type(output)
    if not isinstance(named, GraphQLObjectType):
        return ""
    fields = [n for n, d in named.fields.items() if is_leaf_type(get_named_type(d.type))]
    return "{ " + " ".join(fields or ["__typename"]) + " }"


def _required_rest(arguments: dict[str, GraphQLArgument], given: str) -> str:
    """Literal values for the other required arguments (an enum's first value)."""
    rest = []
    for name, argument in arguments.items():
        if name == given or not _required(argument):
            continue
        named = get_named_type(argument.type)
        if isinstance(named, GraphQLEnumType):
            rest.append(f"{name}: {next(iter(named.values))}")
        else:
            rest.append(f'{name}: "x"')
    return "".join(f", {item}" for item in rest)


# --- the HTTP requests themselves ----------------------------------------------------------

BROKEN_BODIES: dict[str, tuple[str, bytes]] = {
    "deeply nested JSON": ("application/json", b"[" * 50_000),  # under the size limit
    "deeply nested variables": (
        "application/json",
        b'{"query": "{ stats { tasks } }", "variables": ' + b'{"a": ' * 5_000 + b"1" + b"}" * 5_001,
    ),
    "a JSON array (a batch)": ("application/json", b'[{"query": "{ stats { tasks } }"}]'),
    "a JSON string": ("application/json", b'"{ stats { tasks } }"'),
    "invalid UTF-8": ("application/json", b'{"query": "\xff\xfe"}'),
    "not JSON": ("application/json", b"{ stats { tasks } }"),
    "form data": ("application/x-www-form-urlencoded", b"query=%7Bstats%7D"),
    "no content type": ("", b"{}"),
}


@pytest.mark.parametrize("case", list(BROKEN_BODIES))
def test_broken_request_bodies_are_a_client_error_not_a_500(api: ServedApi, case: str) -> None:
    content_type, body = BROKEN_BODIES[case]
    headers = {"Content-Type": content_type} if content_type else {}
    reply = api.request("POST", "/graphql", body, headers)
    assert 400 <= reply.status < 500, (reply.status, reply.body[:300])
    assert_no_crash(reply.status, reply.body)


QUERY_PARAMETERS = (
    *("query", "variables", "operationName", "around", "depth", "top_k", "cluster"),
    *("associations", "cypher", "format", "json_style", "top", "min_residual"),
)


@FUZZ
@given(
    path=st.sampled_from(["/graphql", "/export", "/report", "/healthz"]),
    parameters=st.dictionaries(
        st.sampled_from(QUERY_PARAMETERS),
        texts,
        max_size=4,
    ),
)
def test_any_query_string_is_answered_never_a_500(
    api: ServedApi, path: str, parameters: dict[str, str]
) -> None:
    from urllib.parse import urlencode

    reply = api.request("GET", f"{path}?{urlencode(parameters)}", headers={"Accept": "*/*"})
    assert reply.status not in (0, 500), reply.body[:300]
    assert b"Traceback" not in reply.body
