"""Reliability tests: real ``sightline serve`` and ``sightline import`` processes on the test database,
HTTP writers that remember every write the server acknowledged, and committed transactions."""

from __future__ import annotations

import importlib
import os
import signal
import subprocess
import sys
import textwrap
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection

from tests.processes import database_env, free_port, wait_for

TRIGGERS = importlib.import_module("sightline.ledger.migrations.0002_append_only_triggers")
TABLES = [*TRIGGERS.TABLES, *importlib.import_module("sightline.ledger.migrations.0005_subtree").TABLES]
# The test database, not SIGHTLINE_HOME's, for a child process on SQLite.
CHILD = textwrap.dedent(
    """
    import os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "sightline.config.settings"
    if os.environ.get("TEST_SQLITE_FILE"):
        import sightline.config.settings as conf
        conf.DATABASES["default"]["NAME"] = os.environ["TEST_SQLITE_FILE"]
    from sightline.cli import main
    sys.exit(main(sys.argv[1:]))
    """
)


def child_env(home: Path) -> dict[str, str]:
    """The environment for a ``sightline`` child process on the test database and this test's key."""
    env = dict(os.environ, SIGHTLINE_HOME=str(home), SIGHTLINE_LOG_LEVEL="ERROR")
    env["SIGHTLINE_LEDGER_KEY"] = str(settings.LEDGER_KEY_PATH)
    env["SIGHTLINE_CHECKPOINT_DIR"] = str(settings.LEDGER_CHECKPOINT_DIR)
    env.pop("SIGHTLINE_DEMO", None)
    return database_env(env)


def sightline(home: Path, *argv: str, **kwargs: Any) -> subprocess.Popen[bytes]:
    return subprocess.Popen([sys.executable, "-c", CHILD, *argv], env=child_env(home), **kwargs)


class Server:
    """One ``sightline serve`` process; ``kill()`` is SIGKILL, ``stop()`` a clean Ctrl+C."""

    def __init__(self, home: Path) -> None:
        self.port = free_port()
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc = sightline(
            home, "serve", "--port", str(self.port), "--threads", "4",
            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE,
        )  # fmt: skip

        def up() -> bool:
            try:
                return requests.get(f"{self.base}/sign-in", timeout=5).status_code == 200
            except requests.RequestException:
                return self.proc.poll() is not None

        if not wait_for(up, 90) or self.proc.poll() is not None:
            if self.proc.poll() is None:
                self.kill()  # never leave a server behind on the test database
            raise AssertionError(
                self.proc.stderr.read().decode() if self.proc.stderr else "serve did not start"
            )

    def kill(self) -> None:
        self.proc.send_signal(signal.SIGKILL)
        self.proc.wait(30)

    def stop(self) -> None:
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                self.kill()


class Writers:
    """Threads creating people through the API; ``acknowledged`` holds each id the server returned
    201 for. A write whose answer never came is not acknowledged, whatever became of it."""

    def __init__(self, base: str, token: str, threads: int = 3, tag: str = "w") -> None:
        self.base, self.token, self.tag = base, token, tag
        self.acknowledged: list[str] = []
        self.errors: list[str] = []
        self.stopping = threading.Event()
        self.threads = [threading.Thread(target=self._run, args=(n,), daemon=True) for n in range(threads)]
        for t in self.threads:
            t.start()

    def _run(self, n: int) -> None:
        session = requests.Session()
        i = 0
        while not self.stopping.is_set():
            i += 1
            try:
                r = session.post(
                    f"{self.base}/api/people",
                    json={"kind": "child", "given_name": f"{self.tag}{n}-{i}", "family_name": "Writer"},
                    headers={"Authorization": f"Bearer {self.token}"},
                    timeout=30,
                )
            except requests.RequestException:
                time.sleep(0.05)  # the server is gone or going: unacknowledged
                continue
            if r.status_code == 201:
                self.acknowledged.append(r.json()["person"]["id"])
            else:
                self.errors.append(f"{r.status_code} {r.text[:200]}")

    def stop(self) -> list[str]:
        self.stopping.set()
        for t in self.threads:
            t.join(60)
        return self.acknowledged


def empty_ledger_tables() -> None:
    """Let the test's flush run over the append-only tables (their triggers stepped around)."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
                cursor.execute(f"DELETE FROM {table}")
                for sql in TRIGGERS._sqlite(table):
                    cursor.execute(sql)
        else:
            for table in TABLES:
                cursor.execute(f"ALTER TABLE {table} DISABLE TRIGGER USER")
                cursor.execute(f"DELETE FROM {table}")
                cursor.execute(f"ALTER TABLE {table} ENABLE TRIGGER USER")


@pytest.fixture
def committed(transactional_db: None) -> Iterator[None]:
    """Transactions that really commit, for other processes to see."""
    yield
    connection.close()
    empty_ledger_tables()


@pytest.fixture
def servers(tmp_path: Path) -> Iterator[Callable[[], Server]]:
    """``servers()`` starts a ``sightline serve``; any still running at the end are stopped."""
    started: list[Server] = []

    def start() -> Server:
        started.append(Server(tmp_path / "home"))
        return started[-1]

    yield start
    for server in started:
        server.stop()
