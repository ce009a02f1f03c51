"""GraphiQL renders and runs a query in headless Chromium with the network blocked.

Chromium is driven over the DevTools protocol through ``--remote-debugging-pipe`` (file
descriptors 3 and 4, NUL-terminated JSON), so the test needs no driver package and no
websocket. Every request the page makes is paused by ``Fetch`` and let through only if it goes
to the API's own origin; anything else fails and is recorded, and the test demands there was
none: GraphiQL, React and their styles all come from the pinned npm packages on this server.
The host resolver maps every name to nothing and a dead proxy sits in front of anything else,
so even a request Fetch missed could not leave the machine.
"""

from __future__ import annotations

import base64
import json
import os
import select
import shutil
import subprocess
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support.api_process import ApiProcess
from tests.support.paths import SCREENSHOTS
from valuegraph.api.graphiql import assets_installed

CHROMIUM_CANDIDATES = ("/usr/lib/chromium/chromium", "chromium", "chromium-browser")
QUERY = "{ stats { conversations aiValues } }"
# Only a guard against a page that never gets there: a loaded machine renders slowly.
TIMEOUT_S = 300.0


def chromium_binary() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        found = shutil.which(candidate) or (candidate if Path(candidate).is_file() else None)
        if found:
            return found
    return None


class PipeBrowser:
    """A headless Chromium and one page, driven over the DevTools pipe."""

    def __init__(self, binary: str, allowed_origin: str) -> None:
        self.allowed_origin = allowed_origin
        self.blocked: list[str] = []
        self.allowed: list[str] = []
        self._next_id = 0
        self._buffer = b""
        self._profile = tempfile.mkdtemp(prefix="vg-chromium-")
        to_browser_read, self._to_browser = os.pipe()
        self._from_browser, from_browser_write = os.pipe()

        def wire_pipes() -> None:  # in the child: the protocol wants fds 3 (in) and 4 (out)
            os.dup2(to_browser_read, 3)
            os.dup2(from_browser_write, 4)

        self.process = subprocess.Popen(
            [
                binary,
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-dev-shm-usage",
                "--no-first-run",
                "--remote-debugging-pipe",
                f"--user-data-dir={self._profile}",
                "--host-resolver-rules=MAP * ~NOTFOUND , EXCLUDE 127.0.0.1",
                "--proxy-server=http://127.0.0.1:9",
                "--proxy-bypass-list=127.0.0.1",
                "about:blank",
            ],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=(3, 4),
            preexec_fn=wire_pipes,
        )
        os.close(to_browser_read)
        os.close(from_browser_write)
        self.session = self._open_page()

    # --- protocol -----------------------------------------------------------------------
    def send(self, method: str, params: dict[str, Any] | None = None, *, wait: bool = True) -> Any:
        self._next_id += 1
        message: dict[str, Any] = {"id": self._next_id, "method": method, "params": params or {}}
        if getattr(self, "session", None):
            message["sessionId"] = self.session
        os.write(self._to_browser, json.dumps(message).encode() + b"\0")
        if not wait:
            return None
        return self._await_reply(self._next_id)

    def _await_reply(self, wanted: int) -> Any:
        deadline = time.monotonic() + TIMEOUT_S
        while True:
            message = self._read_message(deadline)
            if message.get("id") == wanted:
                if "error" in message:
                    raise RuntimeError(f"DevTools error: {message['error']}")
                return message.get("result", {})
            self._on_event(message)

    def _read_message(self, deadline: float) -> dict[str, Any]:
        while b"\0" not in self._buffer:
            remaining = deadline - time.monotonic()
            if remaining <= 0:
                raise TimeoutError("Chromium did not answer in time")
            ready, _, _ = select.select([self._from_browser], [], [], remaining)
            if ready:
                chunk = os.read(self._from_browser, 1 << 16)
                if not chunk:
                    raise RuntimeError("Chromium closed the DevTools pipe")
                self._buffer += chunk
        raw, self._buffer = self._buffer.split(b"\0", 1)
        return json.loads(raw)

    def _on_event(self, message: dict[str, Any]) -> None:
        if message.get("method") != "Fetch.requestPaused":
            return
        params = message["params"]
        url = params["request"]["url"]
        if url.startswith(self.allowed_origin):
            self.allowed.append(url)
            self.send("Fetch.continueRequest", {"requestId": params["requestId"]}, wait=False)
        else:
            self.blocked.append(url)
            self.send(
                "Fetch.failRequest",
                {"requestId": params["requestId"], "errorReason": "BlockedByClient"},
                wait=False,
            )

    def _open_page(self) -> str:
        target = self.send("Target.createTarget", {"url": "about:blank"})["targetId"]
        attached = self.send("Target.attachToTarget", {"targetId": target, "flatten": True})
        return str(attached["sessionId"])

    # --- page helpers -------------------------------------------------------------------
    def evaluate(self, expression: str) -> Any:
        result = self.send("Runtime.evaluate", {"expression": expression, "returnByValue": True})
        return result.get("result", {}).get("value")

    def wait_for(self, expression: str, what: str) -> Any:
        deadline = time.monotonic() + TIMEOUT_S
        while time.monotonic() < deadline:
            value = self.evaluate(expression)
            if value:
                return value
            self.send("Runtime.evaluate", {"expression": "new Promise(r => setTimeout(r, 200))",
                                           "awaitPromise": True})  # fmt: skip
        raise TimeoutError(f"timed out waiting for {what}")

    def screenshot(self, path: Path) -> None:
        data = self.send("Page.captureScreenshot", {"format": "png"})["data"]
        path.write_bytes(base64.b64decode(data))

    def close(self) -> None:
        try:
            self.send("Browser.close", wait=False)
            self.process.wait(timeout=10)
        except (OSError, subprocess.TimeoutExpired):
            self.process.kill()
            self.process.wait()
        finally:
            os.close(self._to_browser)
            os.close(self._from_browser)
            shutil.rmtree(self._profile, ignore_errors=True)


@pytest.fixture(scope="module")
def browser(api_process: ApiProcess) -> Iterator[PipeBrowser]:
    binary = chromium_binary()
    if binary is None:
        pytest.skip("Chromium is not installed (apt-get install -y chromium chromium-driver)")
    if not assets_installed():
        pytest.skip("GraphiQL packages are not installed (npm ci --prefix api/graphiql)")
    opened = PipeBrowser(binary, api_process.origin)
    try:
        yield opened
    finally:
        opened.close()


def test_graphiql_renders_and_runs_a_query_offline(
    browser: PipeBrowser,
    api_process: ApiProcess,
) -> None:
    browser.send("Fetch.enable", {"patterns": [{"urlPattern": "*"}]})
    browser.send("Page.enable")
    browser.send(
        "Emulation.setDeviceMetricsOverride",
        {"width": 1400, "height": 900, "deviceScaleFactor": 1, "mobile": False},
    )
    browser.send("Page.navigate", {"url": api_process.origin + "/graphql"})
    browser.wait_for(
        "!!document.querySelector('.graphiql-query-editor .CodeMirror')", "GraphiQL's editor"
    )
    browser.evaluate(
        "document.querySelector('.graphiql-query-editor .CodeMirror').CodeMirror"
        f".setValue({json.dumps(QUERY)})"
    )
    browser.evaluate("document.querySelector('.graphiql-execute-button').click()")
    response_text = browser.wait_for(
        "(() => { const cm = document.querySelector('.graphiql-response .CodeMirror');"
        " const text = cm ? cm.CodeMirror.getValue() : '';"
        " return text.includes('conversations') ? text : null; })()",
        "the query's result",
    )
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    browser.screenshot(SCREENSHOTS / "graphiql.png")

    result = json.loads(response_text)
    assert result["data"]["stats"]["conversations"] == api_process.conversations
    assert browser.blocked == [], f"the page tried to reach the network: {browser.blocked}"
    assert any(url.endswith("/graphiql/graphiql.min.js") for url in browser.allowed)
    assert (SCREENSHOTS / "graphiql.png").stat().st_size > 10_000
