"""A small headless-Chromium driver for the report tests: open a page offline, collect its
console messages and network requests, screenshot elements.

It speaks WebDriver to Debian's ``chromedriver`` over plain HTTP (no client library), and reads
two logs chromedriver keeps: the browser log (console messages) and the performance log (the
DevTools Network events, hence every request the page tried). The network is blocked twice:
host names resolve nowhere, and DevTools refuses every http(s) and ws(s) URL.
"""

from __future__ import annotations

import base64
import json
import shutil
import socket
import subprocess
import tempfile
import time
import urllib.error
import urllib.request
from dataclasses import dataclass
from pathlib import Path
from typing import Any

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMEDRIVER = shutil.which("chromedriver") or "/usr/bin/chromedriver"
BLOCKED_URLS = ["http://*", "https://*", "ws://*", "wss://*"]
ELEMENT = "element-6066-11e4-a52e-4f735466cecf"  # the W3C key of an element reference


def browser_available() -> bool:
    return Path(CHROMIUM).exists() and Path(CHROMEDRIVER).exists()


@dataclass(frozen=True)
class Visit:
    """What a page did while loading: the URLs it requested and what it logged."""

    requests: tuple[str, ...]
    console: tuple[dict[str, Any], ...]

    @property
    def console_errors(self) -> tuple[str, ...]:
        return tuple(entry["message"] for entry in self.console if entry["level"] == "SEVERE")


class Browser:
    """One headless Chromium session with a fresh profile; use as a context manager."""

    def __init__(self, width: int = 1100, height: int = 1000) -> None:
        self._profile = tempfile.mkdtemp(prefix="vg-chromium-")
        port = _free_port()
        self._driver = subprocess.Popen(
            [CHROMEDRIVER, f"--port={port}"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
        )
        self._base = f"http://127.0.0.1:{port}"
        self._wait_for_driver()
        capabilities = {
            "browserName": "chrome",
            "goog:chromeOptions": {
                "binary": CHROMIUM,
                "args": [
                    "--headless",
                    "--no-sandbox",
                    "--disable-gpu",
                    "--disable-background-networking",
                    f"--user-data-dir={self._profile}",
                    "--host-resolver-rules=MAP * ~NOTFOUND",
                    f"--window-size={width},{height}",
                ],
            },
            "goog:loggingPrefs": {"browser": "ALL", "performance": "ALL"},
        }
        session = self._call("POST", "/session", {"capabilities": {"alwaysMatch": capabilities}})
        self._session = f"/session/{session['sessionId']}"
        self.cdp("Network.enable")
        self.cdp("Network.setBlockedURLs", urls=BLOCKED_URLS)

    def __enter__(self) -> Browser:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        try:
            self._call("DELETE", self._session)
        finally:
            self._driver.terminate()
            self._driver.wait(timeout=10)
            shutil.rmtree(self._profile, ignore_errors=True)

    def cdp(self, command: str, **params: Any) -> Any:
        """Run one DevTools command in the page."""
        return self._call(
            "POST", f"{self._session}/goog/cdp/execute", {"cmd": command, "params": params}
        )

    def open(self, url: str) -> Visit:
        """Navigate to ``url`` and report the requests and console messages of that load."""
        self._logs("performance")  # drop what earlier pages (the start page) left in the log
        self._logs("browser")
        self._call("POST", f"{self._session}/url", {"url": url})
        requests = []
        for entry in self._logs("performance"):
            message = json.loads(entry["message"])["message"]
            if message["method"] == "Network.requestWillBeSent":
                requests.append(message["params"]["request"]["url"])
        return Visit(tuple(requests), tuple(self._logs("browser")))

    def script(self, source: str, *args: Any) -> Any:
        """Run JavaScript in the page (the test's, not the page's: the page has none)."""
        return self._call("POST", f"{self._session}/execute/sync", {"script": source, "args": args})

    def screenshot(self, css: str, path: Path) -> Path:
        """A PNG of the first element matching ``css``, whole even where it is taller than
        the window."""
        found = self._call(
            "POST", f"{self._session}/element", {"using": "css selector", "value": css}
        )
        rect = self._call("GET", f"{self._session}/element/{found[ELEMENT]}/rect")
        clip = {k: rect[k] for k in ("x", "y", "width", "height")} | {"scale": 1}
        shot = self.cdp("Page.captureScreenshot", clip=clip, captureBeyondViewport=True)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(base64.b64decode(shot["data"]))
        return path

    # --- WebDriver over HTTP -------------------------------------------------------------
    def _logs(self, kind: str) -> list[dict[str, Any]]:
        return list(self._call("POST", f"{self._session}/se/log", {"type": kind}))

    def _call(self, method: str, path: str, body: dict[str, Any] | None = None) -> Any:
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(
            self._base + path,
            data=data,
            method=method,
            headers={"Content-Type": "application/json"},
        )
        try:
            with urllib.request.urlopen(request, timeout=120) as response:
                return json.load(response)["value"]
        except urllib.error.HTTPError as exc:
            raise RuntimeError(f"WebDriver {method} {path}: {exc.read().decode()[:500]}") from None

    def _wait_for_driver(self) -> None:
        deadline = time.monotonic() + 300  # a guard only: a loaded machine starts it slowly
        while time.monotonic() < deadline:
            try:
                self._call("GET", "/status")
                return
            except (OSError, RuntimeError):
                time.sleep(0.1)
        self._driver.terminate()
        raise RuntimeError("chromedriver did not start")


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])
