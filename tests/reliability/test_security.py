"""Security: the token is enforced on every route that holds data; injection strings in every
string argument of the CLI and the API change nothing; depth, cost and page-size bombs are
refused before Neo4j; secrets never reach logs or error messages; files that hold private data
are readable by their owner only.
"""

from __future__ import annotations

import json
import os
import socket
import stat
import subprocess
import sys
import threading
from collections.abc import Iterator
from contextlib import suppress
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import click
import pytest
from click.testing import CliRunner
from pydantic import SecretStr

from tests.support.neo4j_fixtures import TEST_PASSWORD
from tests.support.paths import REPO
from tests.support.served_api import ServedApi, served_api
from tests.support.synthetic_corpus import Corpus
from valuegraph.api.app import PUBLIC_PREFIXES, create_app
from valuegraph.cli.main import cli
from valuegraph.errors import ExtractionError, ValuegraphError
from valuegraph.graph.connection import Graph
from valuegraph.graph.server import LocalServer
from valuegraph.ingest.extract import ClaudeClient, RetryPolicy
from valuegraph.ingest.jsonl import Quarantine, Rejection
from valuegraph.ingest.scrub import load_id_salt
from valuegraph.settings import Settings

TOKEN = "vg-test-token-6f1d2c9a8b7e"
ANTHROPIC_KEY = "sk-ant-test-key-0a9b8c7d6e5f"
INJECTIONS = [
    "' }) MATCH (n) DETACH DELETE n //",
    '" }) MATCH (n) DETACH DELETE n //',
    "`) DETACH DELETE n //",
    "x` {k: 1}) DETACH DELETE n //",
    "$param",
    "a\x00b",
    "x" * 20_000,
]
COUNTS = """
CALL () { MATCH (n) RETURN count(n) AS nodes }
CALL () { MATCH ()-[r]->() RETURN count(r) AS relationships }
CALL () { MATCH (n) UNWIND labels(n) AS label RETURN collect(DISTINCT label) AS labels }
RETURN nodes, relationships, labels
"""


def graph_counts(graph: Graph) -> dict[str, Any]:
    found = graph.read(COUNTS)[0]
    return {**found, "labels": sorted(found["labels"])}


@pytest.fixture(scope="module")
def api(corpus: Corpus, tmp_path_factory: pytest.TempPathFactory) -> Iterator[ServedApi]:
    with served_api(tmp_path_factory.mktemp("security-api")) as served:
        yield served


# --- the token --------------------------------------------------------------------------------


def data_routes() -> list[tuple[str, str]]:
    """(method, path) of every route of the app that is not public by design."""
    app = create_app(Settings(neo4j_uri="bolt://127.0.0.1:1", neo4j_password=SecretStr("unused")))
    routes = []
    for rule in app.url_map.iter_rules():
        path = rule.rule
        for argument in rule.arguments:
            path = path.replace(f"<path:{argument}>", "x").replace(f"<{argument}>", "x")
        if any(path.startswith(prefix) for prefix in PUBLIC_PREFIXES):
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            routes.append((method, path))
    return routes


def test_the_token_is_enforced_on_every_data_route(corpus: Corpus, tmp_path: Path) -> None:
    routes = data_routes()
    assert {("GET", "/graphql"), ("POST", "/graphql"), ("GET", "/export")} <= set(routes)
    assert ("GET", "/report") in routes and ("GET", "/healthz") in routes
    query = json.dumps({"query": "{ stats { conversations } }"}).encode()
    wrong = [
        {},
        {"Authorization": f"Bearer {TOKEN}x"},
        {"Authorization": f"Bearer {TOKEN[:-1]}"},
        {"Authorization": f"Basic {TOKEN}"},
        {"Authorization": TOKEN},
        {"Authorization": "Bearer "},
    ]
    with served_api(tmp_path, env={"VALUEGRAPH_API_TOKEN": TOKEN}) as api:
        for method, path in routes:
            target = f"{path}?{urlencode({'query': '{ stats { conversations } }'})}"
            body = query if method == "POST" else None
            headers = {"Content-Type": "application/json", "Accept": "application/json"}
            for credentials in wrong:
                reply = api.connection().request(method, target, body, {**headers, **credentials})
                assert reply.status == 401, (method, path, credentials, reply.status)
                assert reply.error_codes() == ["UNAUTHENTICATED"]
                assert reply.headers.get("www-authenticate", "").startswith("Bearer")
            allowed = api.connection().request(
                method, target, body, {**headers, "Authorization": f"Bearer {TOKEN}"}
            )
            assert allowed.status != 401, (method, path)
        good = api.graphql("{ stats { conversations } }")
        assert good.json()["data"]["stats"]["conversations"] == corpus.conversations

        # A browser opening /graphql gets the GraphiQL shell without a token, never data.
        shell = api.connection().request(
            "GET",
            "/graphql?" + urlencode({"query": "{ stats { conversations } }"}),
            headers={"Accept": "text/html"},
        )
        assert shell.status == 200 and shell.headers["content-type"].startswith("text/html")
        assert b'"data"' not in shell.body and b'"conversations":' not in shell.body


# --- injection --------------------------------------------------------------------------------


def test_injection_strings_in_every_string_argument_of_the_api_change_nothing(
    corpus: Corpus, api: ServedApi
) -> None:
    from graphql import GraphQLEnumType, GraphQLNonNull, get_named_type, is_leaf_type

    from valuegraph.api.schema import schema

    query_type = schema.graphql_schema.query_type
    assert query_type is not None
    before = graph_counts(corpus.graph)
    tried = 0
    for field_name, definition in query_type.fields.items():
        named = get_named_type(definition.type)
        leaves = [
            name
            for name, inner in getattr(named, "fields", {}).items()
            if is_leaf_type(get_named_type(inner.type)) and not inner.args
        ]
        selection = "{ " + " ".join(leaves) + " }" if leaves else ""
        required = {
            name: argument
            for name, argument in definition.args.items()
            if isinstance(argument.type, GraphQLNonNull)
        }
        for name, argument in definition.args.items():
            if get_named_type(argument.type).name not in ("String", "ID"):
                continue
            others = ""
            for other, spec in required.items():
                if other != name:
                    kind = get_named_type(spec.type)
                    value = next(iter(kind.values)) if isinstance(kind, GraphQLEnumType) else '"x"'
                    others += f", {other}: {value}"
            text = f"query($s: {argument.type}) {{ {field_name}({name}: $s{others}) {selection} }}"
            for injection in INJECTIONS:
                reply = api.graphql(text, {"s": injection})
                assert reply.status in (200, 400), (field_name, name, reply.status)
                assert b"Traceback" not in reply.body
                tried += 1
    # The download route takes Cypher on purpose: only reads pass, and only after a check.
    for cypher in [
        "MATCH (n) DETACH DELETE n",
        "CREATE (:Injected) RETURN 1",
        "MATCH (n) SET n.hacked = true RETURN n",
        "CALL { MATCH (n) DETACH DELETE n } RETURN 1",
        "MATCH (n) RETURN n; MATCH (n) DETACH DELETE n",
        "CALL dbms.security.createUser('x', 'y', false)",
        "MATCH (n) WITH n LIMIT 1 FOREACH (x IN [1] | CREATE (:Injected)) RETURN n",
    ] + [f"MATCH (v:AIValue {{name: '{i}'}}) RETURN v" for i in INJECTIONS[:4]]:
        reply = api.request("GET", "/export?" + urlencode({"cypher": cypher, "format": "json"}))
        assert reply.status != 500 and b"Traceback" not in reply.body, (cypher, reply.status)
        tried += 1
    for around in INJECTIONS:
        reply = api.request("GET", "/export?" + urlencode({"around": f"value:{around}"}))
        assert reply.status != 500 and b"Traceback" not in reply.body
        tried += 1
    assert graph_counts(corpus.graph) == before
    print(f"{tried} injection attempts through the API: node and relationship counts unchanged")


def test_export_cypher_cannot_make_neo4j_fetch_a_url(api: ServedApi) -> None:
    """LOAD CSV is a read query to EXPLAIN (type "r"), so the --cypher check lets it run, and
    Neo4j then fetches any URL it is given: a request forgery from inside the database host
    (cloud metadata endpoints, internal services), open to every API client."""
    listener = socket.create_server(("127.0.0.1", 0))
    listener.settimeout(15)
    port = listener.getsockname()[1]
    cypher = f"LOAD CSV FROM 'http://127.0.0.1:{port}/metadata' AS line MATCH (m:Model) RETURN m"
    fetched: list[bytes] = []

    def answer() -> None:
        with suppress(OSError):
            connection, _ = listener.accept()
            with connection:
                fetched.append(connection.recv(1000))
                connection.sendall(b"HTTP/1.0 200 OK\r\nContent-Length: 4\r\n\r\na,b\n")

    watcher = threading.Thread(target=answer, daemon=True)
    watcher.start()
    try:
        reply = api.connection(timeout=10).request(
            "GET", "/export?" + urlencode({"cypher": cypher, "format": "json"})
        )
    finally:
        watcher.join(20)
        listener.close()
    assert fetched == [], f"Neo4j fetched {fetched[0][:60]!r}"
    assert reply.status == 400 and reply.error_codes() == ["BAD_REQUEST"]


# The CLI's string arguments (arguments and options of type STRING), and how to invoke each.
# Commands that start or stop servers are left out: their strings are hosts and ports.
CLI_STRING_ARGUMENTS: list[tuple[list[str], str | None]] = [
    (["values", "similar"], None),  # None: the string is the positional argument
    (["taxonomy", "build"], "--levels"),
    (["export", "--format", "json", "-o", "-", "--around"], None),
    (["export", "--format", "json", "-o", "-", "--cluster"], None),
    (["export", "--format", "json", "-o", "-", "--cypher"], None),
    (["export", "--format", "json", "--associations", "-o"], None),
    (["analyze", "frequencies"], "--model"),
    (["analyze", "response-types"], "--model"),
    (["analyze", "associations"], "--model"),
    (["analyze", "associations"], "--value"),
    (["analyze", "associations", "--kind", "value-task"], "--task"),
    (["analyze", "associations", "--kind", "ai-human"], "--human-value"),
    (["analyze", "mirroring"], "--model"),
    (["analyze", "invariance"], "--model"),
    (["analyze", "models", "--top", "3"], None),
    (["analyze", "materialize"], "--model"),
    (["ingest", "records", "--dry-run"], None),
    (["scrub"], None),
]


def cli_string_parameters() -> set[tuple[str, str]]:
    """Every (command, parameter) of type STRING in the CLI, to check the table is complete."""
    found = set()

    def walk(command: click.Command, path: str) -> None:
        if isinstance(command, click.Group):
            for name, sub in command.commands.items():
                walk(sub, f"{path} {name}".strip())
            return
        for parameter in command.params:
            if isinstance(parameter.type, click.types.StringParamType):
                found.add((path, parameter.name or ""))

    walk(cli, "")
    return found


def test_injection_strings_in_every_string_argument_of_the_cli_change_nothing(
    corpus: Corpus, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    covered = {("serve", "host")}  # a listening address, not data: checked by the OS
    covered |= {
        ("values similar", "name"),
        ("taxonomy build", "levels"),
        ("export", "around"),
        ("export", "cluster"),
        ("export", "cypher"),
        ("export", "output"),
        ("analyze frequencies", "model"),
        ("analyze response-types", "model"),
        ("analyze associations", "model"),
        ("analyze associations", "value"),
        ("analyze associations", "task"),
        ("analyze associations", "human_value"),
        ("analyze mirroring", "model"),
        ("analyze invariance", "model"),
        ("analyze materialize", "model"),
    }
    assert cli_string_parameters() <= covered, "a new string argument needs a row here"
    monkeypatch.chdir(tmp_path)  # export -o <injection> writes here, if anywhere
    runner = CliRunner()
    before = graph_counts(corpus.graph)
    tried = 0
    for command, option in CLI_STRING_ARGUMENTS:
        if command[:2] == ["analyze", "models"]:
            continue  # no string argument; listed to keep the table readable
        # A command line cannot carry a NUL byte (execve refuses it), so it is left out here.
        for injection in [text for text in INJECTIONS if "\x00" not in text]:
            argv = [*command, option, injection] if option else [*command, injection]
            result = runner.invoke(cli, argv, catch_exceptions=True)
            problem = result.exception
            clean = problem is None or isinstance(
                problem, SystemExit | ValuegraphError | click.ClickException
            )
            assert clean, (argv[:4], repr(problem))
            tried += 1
    assert graph_counts(corpus.graph) == before
    print(f"{tried} injection attempts through the CLI: node and relationship counts unchanged")


# --- bombs and page sizes ------------------------------------------------------------------


def _nested(depth: int) -> str:
    inner = "name"
    for _ in range(depth):
        inner = f"parent {{ {inner} }}"
    return f"{{ clusters(level: 1) {{ {inner} }} }}"


BOMBS = {
    "deep": (_nested(30), "QUERY_TOO_DEEP"),
    "wide and nested lists": (
        "{ values(first: 100) { edges { node { conversations(first: 100) { edges { node "
        "{ aiValues { key } } } } } } } }",
        "QUERY_TOO_COSTLY",
    ),
    "aliases": (
        "{ " + " ".join(f"a{i}: values(first: 100) {{ totalCount }}" for i in range(2_000)) + " }",
        "QUERY_TOO_COSTLY",
    ),
    "fragment cycle": (
        "query { clusters { ...A } } fragment A on Cluster { parent { ...B } } "
        "fragment B on Cluster { parent { ...A } }",
        "GRAPHQL_VALIDATION_FAILED",
    ),
    "introspection depth": (
        "{ __schema { types { fields { type { ofType { ofType { ofType { ofType { ofType "
        "{ ofType { ofType { ofType { name } } } } } } } } } } } } }",
        None,  # answered from the schema, or refused; either way quickly and without Neo4j
    ),
}


@pytest.mark.parametrize("bomb", list(BOMBS))
def test_depth_and_cost_bombs_are_refused_quickly(api: ServedApi, bomb: str) -> None:
    query, code = BOMBS[bomb]
    # "Quickly" is the work the server does for the query, its CPU time; the wall time would
    # also count the other processes of a busy machine.
    started = api.cpu_seconds()
    reply = api.graphql(query)
    elapsed = api.cpu_seconds() - started
    assert reply.status in (200, 400, 413), reply.status
    if code is not None:
        assert code in reply.error_codes(), reply.body[:300]
        assert reply.json().get("data") is None
    assert elapsed < 10, f"{bomb} took {elapsed:.1f} s of the server's CPU"


def test_a_request_over_the_size_limit_is_refused(api: ServedApi) -> None:
    # A body over the limit is refused by waitress itself (plain text), before the app.
    huge = "{ stats { conversations } }" + " " * 200_000
    assert api.graphql(huge).status == 413
    # A query string over the limit is refused by the app, as a JSON error.
    reply = api.request("GET", "/graphql?" + urlencode({"query": huge[:150_000]}))
    assert reply.status == 413 and reply.error_codes() == ["REQUEST_TOO_LARGE"]


@pytest.mark.parametrize(
    "query",
    [
        "{ values(first: 100000) { totalCount } }",
        "{ tasks(first: 2147483647) { totalCount } }",
        "{ associations(kind: VALUE_TASK, first: 5000) { tests } }",
        "{ mirroring(top: 1000000) { conversations } }",
        "{ invariance(top: 1000000) { __typename } }",
        '{ value(name: "honesty") { conversations(first: 1000) { totalCount } } }',
        "{ values(first: 1) { nodes { tasks(top: 999999) { tests } } } }",
        "query($n: Int) { values(first: $n) { totalCount } }",
    ],
)
def test_huge_page_sizes_are_refused(api: ServedApi, query: str) -> None:
    reply = api.graphql(query, {"n": 10**6})
    codes = reply.error_codes()
    assert {"PAGE_TOO_LARGE"} & set(codes) or {"BAD_PAGE_SIZE"} & set(codes), reply.body[:300]


def test_the_largest_page_is_served_and_capped(api: ServedApi) -> None:
    reply = api.graphql("{ values(first: 100) { edges { node { key } } } }")
    assert reply.graphql_ok()
    assert len(reply.json()["data"]["values"]["edges"]) <= 100
    for path in ("/report?top=100000", "/export?around=value:x&top_k=100000000&depth=1000"):
        answer = api.request("GET", path)
        assert 400 <= answer.status < 500, (path, answer.status, answer.body[:200])


# --- secrets ----------------------------------------------------------------------------------


def test_secrets_never_reach_the_server_log_or_a_response(corpus: Corpus, tmp_path: Path) -> None:
    secrets = [TOKEN, TEST_PASSWORD, ANTHROPIC_KEY]
    env = {"VALUEGRAPH_API_TOKEN": TOKEN, "ANTHROPIC_API_KEY": ANTHROPIC_KEY}
    replies = []
    with served_api(tmp_path, env=env, log_level="DEBUG") as api:
        replies.append(api.graphql("{ stats { conversations } }"))
        replies.append(api.graphql('{ value(name: "honesty") { tasks(top: 3) { tests } } }'))
        replies.append(api.graphql("{ nonsense }"))
        replies.append(api.request("GET", "/export?cypher=MATCH%20(n)%20DETACH%20DELETE%20n"))
        replies.append(api.connection().request("GET", "/healthz"))  # no token
        replies.append(
            api.connection().request("GET", "/report", headers={"Authorization": "Bearer no"})
        )
        log = api.log()
    wrong_password = "wrong-password-3c8e1f"
    # Another user name: Neo4j locks a user out after three failed logins, and the other tests
    # log in as the real one.
    intruder = {"NEO4J_USER": "valuegraph-intruder", "NEO4J_PASSWORD": wrong_password}
    with served_api(tmp_path, env=intruder, log_level="DEBUG", healthy=False) as refused:
        health = refused.request("GET", "/healthz")
        replies += [health, refused.graphql("{ stats { conversations } }")]
        log += refused.log()
    assert health.status == 503 and "credentials" in health.text()
    assert "DEBUG" in log  # the log really was at DEBUG
    for secret in [*secrets, wrong_password]:
        assert secret not in log
        for reply in replies:
            assert secret not in reply.text()


def test_secrets_never_reach_cli_errors(corpus: Corpus) -> None:
    wrong_password = "wrong-password-7d2a90"
    done = subprocess.run(
        [sys.executable, "-m", "valuegraph", "analyze", "frequencies", "--top", "3"],
        cwd=REPO,
        env={
            **os.environ,
            "NEO4J_USER": "valuegraph-intruder",
            "NEO4J_PASSWORD": wrong_password,
            "ANTHROPIC_API_KEY": ANTHROPIC_KEY,
        },
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode == 3 and "credentials" in done.stderr
    assert wrong_password not in done.stderr + done.stdout
    assert ANTHROPIC_KEY not in done.stderr + done.stdout


def test_the_anthropic_key_never_reaches_an_extraction_error(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    from valuegraph.ingest.prompts import ClusterLabel, cluster_tool

    caplog.set_level("DEBUG")
    client = ClaudeClient(
        api_key=ANTHROPIC_KEY,
        model="claude-test",
        cache_dir=tmp_path / "cache",
        base_url="http://127.0.0.1:9",  # nothing listens: a connection error
        policy=RetryPolicy(base_delay=0.01, max_attempts=2),
        sleep=lambda _: None,
    )
    request = client.tool_request(system="s", tool=cluster_tool(), content="c")
    with pytest.raises(ExtractionError) as failure:
        client.call_tool(request, ClusterLabel, "k" * 64)
    assert ANTHROPIC_KEY not in str(failure.value) and ANTHROPIC_KEY not in repr(failure.value)
    assert ANTHROPIC_KEY not in caplog.text
    assert ANTHROPIC_KEY not in repr(Settings(anthropic_api_key=SecretStr(ANTHROPIC_KEY)))


# --- private files ----------------------------------------------------------------------------


def private(path: Path) -> bool:
    return stat.S_IMODE(path.stat().st_mode) & 0o077 == 0


@pytest.fixture()
def open_umask() -> Iterator[None]:
    """The most permissive umask, so a file is private only if the code makes it so."""
    saved = os.umask(0)
    try:
        yield
    finally:
        os.umask(saved)


def test_quarantine_password_salt_and_cache_files_are_private(
    tmp_path: Path, open_umask: None
) -> None:
    source = tmp_path / "records.jsonl"
    with Quarantine(source) as quarantine:
        quarantine.add(Rejection(source, 1, "broken", "private text"))
    assert private(quarantine.path)

    server = LocalServer(Settings(neo4j_password=None), home=tmp_path / "home")
    server.password()
    assert private(server.password_file)

    settings = Settings(id_salt=None, state_dir=tmp_path / "state")
    load_id_salt(settings)
    assert private(settings.state_dir / "id_salt")

    client = ClaudeClient(api_key="k", model="m", cache_dir=tmp_path / "cache")
    client.cache.put("ab" * 32, {"private": "answer"})
    cached = list((tmp_path / "cache").rglob("*.json"))
    assert cached and all(private(path) for path in cached)


def test_a_quarantine_file_that_existed_readable_is_made_private(tmp_path: Path) -> None:
    """An older quarantine file (or one copied in) keeps its mode when reopened with O_TRUNC;
    the rejected lines written into it then are readable by everyone."""
    source = tmp_path / "records.jsonl"
    stale = tmp_path / "records.quarantine.jsonl"
    stale.write_text("old\n")
    stale.chmod(0o644)
    with Quarantine(source) as quarantine:
        quarantine.add(Rejection(source, 1, "broken", "private text"))
    assert private(quarantine.path)


def test_an_export_with_conversations_is_private(
    corpus: Corpus, tmp_path: Path, open_umask: None
) -> None:
    target = tmp_path / "with-conversations.json"
    result = CliRunner().invoke(
        cli,
        ["export", "--associations", "--include-conversations", "-o", str(target)],
        catch_exceptions=False,
    )
    assert result.exit_code == 0, result.output
    assert target.exists()
    assert private(target), oct(stat.S_IMODE(target.stat().st_mode))
