"""Headless Chromium for tests, through chromedriver's W3C WebDriver HTTP API: no extra packages.

Debian's ``chromium`` and ``chromium-driver`` (``apt-get install -y chromium chromium-driver``)
provide ``/usr/bin/chromium`` and ``/usr/bin/chromedriver``; this module speaks to
chromedriver with ``urllib`` only, so the venv needs nothing new.

Use it as a context manager; it starts chromedriver on a free port, opens a headless
Chromium with a fresh profile, and cleans both up::

    from tests.support.browser_support import Browser, browser_available

    pytestmark = pytest.mark.skipif(not browser_available(), reason="no chromium/chromedriver")

    with Browser(tmp_path) as browser:
        browser.get("http://127.0.0.1:7474/browser/")
        field = browser.wait_for("input[data-testid='username']")
        browser.type(field, "neo4j")
        browser.click(browser.find("button[data-testid='connect']"))
        browser.wait_until(lambda: browser.find_all("svg g.node"), timeout=30)
        browser.screenshot(Path("tests/screenshots/page.png"))
        errors = browser.console_errors()        # console.error and uncaught exceptions
        browser.cdp("Performance.enable", {})    # any DevTools command

Chromium runs with ``--headless --no-sandbox --disable-gpu --disable-background-networking``
and a ``--user-data-dir`` under the given folder. ``block_network=True`` makes every
request fail that is not to 127.0.0.1/localhost (a dead proxy and a resolver that knows no
other name), for pages that must work offline. Elements are WebDriver element ids (strings).
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

CHROMIUM = "/usr/bin/chromium"
CHROMEDRIVER = "/usr/bin/chromedriver"
ELEMENT_KEY = "element-6066-11e4-a52e-4f735466cecf"  # the W3C name of an element reference
T = TypeVar("T")


def browser_available() -> bool:
    """True when both Chromium and chromedriver are installed."""
    return bool(shutil.which(CHROMIUM) or Path(CHROMIUM).exists()) and Path(CHROMEDRIVER).exists()


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


class WebDriverError(RuntimeError):
    """chromedriver answered with an error (its W3C error name and message)."""


class Browser:
    """One chromedriver process and one headless Chromium session."""

    def __init__(
        self,
        workdir: Path,
        *,
        width: int = 1400,
        height: int = 1000,
        block_network: bool = False,
    ) -> None:
        self.workdir = workdir
        self.size = (width, height)
        self.block_network = block_network
        self.port = _free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.session_id: str | None = None
        self._driver: subprocess.Popen[bytes] | None = None

    # --- lifecycle ---------------------------------------------------------------------
    def __enter__(self) -> Browser:
        self.workdir.mkdir(parents=True, exist_ok=True)
        log = (self.workdir / "chromedriver.log").open("wb")
        self._driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={self.port}"], stdout=log, stderr=subprocess.STDOUT
        )
        # A guard only: on a loaded machine chromedriver can take long to listen.
        self.wait_until(self._driver_ready, timeout=300, message="chromedriver did not start")
        profile = self.workdir / "chromium-profile"
        arguments = [
            "--headless",
            "--no-sandbox",
            "--disable-gpu",
            "--disable-background-networking",
            "--disable-dev-shm-usage",
            f"--user-data-dir={profile}",
            f"--window-size={self.size[0]},{self.size[1]}",
        ]
        if self.block_network:
            # Every request goes to a proxy that is not there, except to this machine (Chromium
            # never proxies loopback); names other than localhost do not even resolve.
            arguments += [
                "--proxy-server=http://127.0.0.1:9",
                "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1",
            ]
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {"binary": CHROMIUM, "args": arguments},
            "goog:loggingPrefs": {"browser": "ALL"},
        }
        answer = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self.session_id = answer["sessionId"]
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if self.session_id is not None:
                self._call("DELETE", f"/session/{self.session_id}")
        except (OSError, WebDriverError):
            pass
        finally:
            if self._driver is not None:
                self._driver.terminate()
                try:
                    self._driver.wait(timeout=10)
                except subprocess.TimeoutExpired:
                    self._driver.kill()

    def _driver_ready(self) -> bool:
        try:
            return bool(self._call("GET", "/status").get("ready"))
        except OSError:
            return False

    # --- the wire ------------------------------------------------------------------------
    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self.base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.loads(response.read() or b"{}").get("value")
        except urllib.error.HTTPError as exc:
            detail = json.loads(exc.read() or b"{}").get("value", {})
            raise WebDriverError(f"{detail.get('error')}: {detail.get('message')}") from None

    def _session(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        return self._call(method, f"/session/{self.session_id}{path}", body)

    # --- what tests use --------------------------------------------------------------------
    def get(self, url: str) -> None:
        self._session("POST", "/url", {"url": url})

    def find(self, css: str) -> str:
        return str(
            self._session("POST", "/element", {"using": "css selector", "value": css})[ELEMENT_KEY]
        )

    def find_all(self, css: str) -> list[str]:
        found = self._session("POST", "/elements", {"using": "css selector", "value": css})
        return [item[ELEMENT_KEY] for item in found]

    def wait_for(self, css: str, timeout: float = 30.0) -> str:
        """The first element matching ``css``, once there is one."""

        def first() -> str | None:
            found = self.find_all(css)
            return found[0] if found else None

        return self.wait_until(first, timeout=timeout, message=f"no {css!r}")

    def click(self, element: str) -> None:
        self._session("POST", f"/element/{element}/click", {})

    def type(self, element: str, text: str) -> None:
        self._session("POST", f"/element/{element}/value", {"text": text})

    def text(self, element: str) -> str:
        return str(self._session("GET", f"/element/{element}/text"))

    def script(self, source: str, *args: Any) -> Any:
        """Run JavaScript in the page (``return ...`` for a value; ``arguments[i]`` for args)."""
        return self._session("POST", "/execute/sync", {"script": source, "args": list(args)})

    def element_arg(self, element: str) -> dict[str, str]:
        """An element id in the form ``script()`` passes to the page as a DOM node."""
        return {ELEMENT_KEY: element}

    def screenshot(self, path: Path) -> Path:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(self._session("GET", "/screenshot")))
        return path

    def cdp(self, command: str, params: dict[str, Any]) -> Any:
        """A Chrome DevTools Protocol command, e.g. ``Network.setBlockedURLs``."""
        return self._session("POST", "/goog/cdp/execute", {"cmd": command, "params": params})

    def console_errors(self) -> list[str]:
        """Console messages of level SEVERE since the last call (errors, uncaught exceptions)."""
        entries = self._session("POST", "/se/log", {"type": "browser"}) or []
        return [entry["message"] for entry in entries if entry.get("level") == "SEVERE"]

    def wait_until(
        self, condition: Callable[[], T | None], timeout: float = 30.0, message: str = "timed out"
    ) -> T:
        """Poll ``condition`` until it returns something truthy; return that."""
        deadline = time.monotonic() + timeout
        while True:
            try:
                result = condition()
            except WebDriverError:
                result = None
            if result:
                return result
            if time.monotonic() > deadline:
                raise TimeoutError(message)
            time.sleep(0.25)
