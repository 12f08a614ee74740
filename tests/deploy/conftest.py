"""Deployment tests: a real ``sightline serve`` process on the test database, and Debian's nginx and
Chromium in front of it. Without them the browser test is skipped, unless SIGHTLINE_REQUIRE_BROWSER=1
(CI), when it fails."""

from __future__ import annotations

import importlib
import os
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
from django.db import connection

from tests.processes import database_env, free_port, wait_for

REPO = Path(__file__).resolve().parents[2]
TRIGGERS = importlib.import_module("sightline.ledger.migrations.0002_append_only_triggers")
TABLES = [*TRIGGERS.TABLES, *importlib.import_module("sightline.ledger.migrations.0005_subtree").TABLES]
CHROMIUM = Path(os.environ.get("SIGHTLINE_CHROMIUM", "/usr/bin/chromium"))
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-sync"]

SERVE = textwrap.dedent(
    """
    import os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "sightline.config.settings"
    if os.environ.get("TEST_SQLITE_FILE"):  # the test database, not SIGHTLINE_HOME's
        import sightline.config.settings as conf
        conf.DATABASES["default"]["NAME"] = os.environ["TEST_SQLITE_FILE"]
    from sightline.cli import main
    sys.exit(main(["serve", "--port", sys.argv[1], "--threads", "4"]))
    """
)


def unavailable(reason: str) -> None:
    if os.environ.get("SIGHTLINE_REQUIRE_BROWSER") == "1":
        pytest.fail(f"browser tests are required (SIGHTLINE_REQUIRE_BROWSER=1) but {reason}")
    pytest.skip(reason)


@pytest.fixture
def committed(transactional_db: None) -> Iterator[None]:
    """Really committed transactions (a server process reads them), and at the end the append-only
    ledger tables emptied around their triggers so that the test's flush can run."""
    yield
    connection.close()
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            for table in TABLES:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_delete")
                cursor.execute(f"DELETE FROM {table}")
                for sql in TRIGGERS._sqlite(table):
                    cursor.execute(sql)
        else:
            cursor.execute("SET session_replication_role = replica")
            for table in TABLES:
                cursor.execute(f"DELETE FROM {table}")
            cursor.execute("SET session_replication_role = DEFAULT")


@pytest.fixture
def serve(tmp_path: Path) -> Iterator[Callable[..., str]]:
    """``serve(**env)``: start ``sightline serve`` on a free loopback port; returns its base URL."""
    procs: list[subprocess.Popen[bytes]] = []

    def start(**extra: str) -> str:
        port = free_port()
        env = dict(os.environ, SIGHTLINE_HOME=str(tmp_path / "home"), SIGHTLINE_LOG_LEVEL="ERROR")
        env.pop("SIGHTLINE_DEMO", None)
        env.update(extra)
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(port)],
            env=database_env(env),
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"

        def up() -> bool:
            try:
                return requests.get(f"{base}/sign-in", timeout=5).status_code == 200
            except requests.RequestException:
                return proc.poll() is not None

        assert wait_for(up, 90) and proc.poll() is None, proc.stderr.read().decode() if proc.stderr else ""
        return base

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def nginx_binary() -> str:
    found = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").exists() else None)
    if found is None:
        unavailable(
            "nginx is missing (install Debian's nginx-light; scripts/ensure-nginx.sh does it as root)"
        )
    assert found is not None
    return found


@pytest.fixture(scope="session")
def chromium(playwright: Any) -> Iterator[Any]:
    if not CHROMIUM.exists():
        unavailable(f"{CHROMIUM} is missing (install Debian's chromium package)")
    browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
    yield browser
    browser.close()
