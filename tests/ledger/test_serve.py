"""``sightline serve`` end to end: real HTTP writes through the API are ledgered and sequenced by
the running server (on PostgreSQL by its ledger worker process), and stopping it strands nothing."""

from __future__ import annotations

import os
import signal
import socket
import subprocess
import sys
import textwrap
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import requests
from django.conf import settings
from django.db import connection

from sightline.ledger.models import Checkpoint, Entry, PendingEntry, TreeHead, VerificationRun
from sightline.ledger.selectors import verify
from sightline.ledger.services import integrate
from tests import factories
from tests.processes import wait_for

SERVE = textwrap.dedent(
    """
    import os, sys
    os.environ["DJANGO_SETTINGS_MODULE"] = "sightline.config.settings"
    if os.environ.get("TEST_SQLITE_FILE"):  # the test database, not SIGHTLINE_HOME's
        import sightline.config.settings as conf
        conf.DATABASES["default"]["NAME"] = os.environ["TEST_SQLITE_FILE"]
    from sightline.cli import main
    sys.exit(main(["serve", "--port", sys.argv[1], "--threads", "4", *sys.argv[2:]]))
    """
)


def _children(pid: int) -> list[int]:
    try:
        with open(f"/proc/{pid}/task/{pid}/children", encoding="ascii") as fh:
            return [int(c) for c in fh.read().split()]
    except FileNotFoundError:
        return []


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat", encoding="ascii") as fh:
            return fh.read().split(") ")[1][0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def _log(tmp_path: Path, tail: int = 4000) -> str:
    path = tmp_path / "serve.log"
    return path.read_text(encoding="utf-8", errors="replace")[-tail:] if path.exists() else ""


def _start(
    tmp_path: Path, *args: str, env: dict[str, str] | None = None
) -> tuple[subprocess.Popen[bytes], str]:
    port = _free_port()
    # A file, not a pipe nobody reads: a server blocked writing to a full pipe would never stop.
    with open(tmp_path / "serve.log", "wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-c", SERVE, str(port), *args],
            env={**_env(tmp_path), **(env or {})},
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    base = f"http://127.0.0.1:{port}"

    def up() -> bool:
        try:
            return requests.get(f"{base}/sign-in", timeout=10).status_code == 200
        except requests.RequestException:  # not listening yet, or still starting up
            return proc.poll() is not None  # stop waiting if it died

    assert wait_for(up, 120) and proc.poll() is None, _log(tmp_path)
    return proc, base


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def _env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ, SIGHTLINE_HOME=str(tmp_path / "home"), SIGHTLINE_LOG_LEVEL="ERROR")
    env.pop("SIGHTLINE_DEMO", None)
    db = settings.DATABASES["default"]
    if connection.vendor == "postgresql":
        auth = str(db["USER"]) + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
        env["DATABASE_URL"] = (
            f"postgres://{auth}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"
        )
    else:
        env.pop("DATABASE_URL", None)
        env["TEST_SQLITE_FILE"] = str(db["NAME"])
    return env


def _write_people(base: str, token: str, n: int) -> list[str]:
    ids = []
    for k in range(n):
        r = requests.post(
            f"{base}/api/people",
            json={"kind": "child", "given_name": f"Served{k}", "family_name": "Walker"},
            headers={"Authorization": f"Bearer {token}"},
            timeout=30,
        )
        assert r.status_code == 201, r.text
        ids.append(r.json()["person"]["id"])
    return ids


def _stop(proc: subprocess.Popen[bytes], tmp_path: Path, sig: int = signal.SIGINT) -> None:
    proc.send_signal(sig)
    try:
        # At worst gunicorn waits its graceful timeout (30 s) for a worker before killing it.
        proc.wait(timeout=60)
    except subprocess.TimeoutExpired:
        proc.kill()
        name = signal.Signals(sig).name
        pytest.fail(f"serve did not stop within 60 s of {name}; its log ends:\n{_log(tmp_path)}")


def _listener(port: int) -> str:
    """The inode of the socket listening on ``port``."""
    for table in ("/proc/net/tcp", "/proc/net/tcp6"):
        with open(table, encoding="ascii") as fh:
            for line in fh.readlines()[1:]:
                fields = line.split()
                if int(fields[1].rsplit(":", 1)[1], 16) == port and fields[3] == "0A":  # LISTEN
                    return fields[9]
    raise AssertionError(f"nothing listens on port {port}")


def _holds(pid: int, inode: str) -> bool:
    try:
        fds = os.listdir(f"/proc/{pid}/fd")
    except FileNotFoundError:
        return False
    for fd in fds:
        try:
            if os.readlink(f"/proc/{pid}/fd/{fd}") == f"socket:[{inode}]":
                return True
        except OSError:  # closed meanwhile
            continue
    return False


def _ledger_workers(master: int, listener: str) -> list[int]:
    """The master's live children that do not hold the listening socket: every web worker does."""
    return [c for c in _children(master) if _alive(c) and not _holds(c, listener)]


@pytest.mark.usefixtures("committed")
@pytest.mark.parametrize("ledger_worker", [True, False], ids=["ledger-worker", "no-ledger-worker"])
def test_serve_ledgers_and_sequences_http_writes_then_stops_cleanly(
    make_user: Callable[..., Any], tmp_path: Path, ledger_worker: bool
) -> None:
    user = make_user("cse_coordinator", "mash", username="serve-coordinator")
    token = factories.api_token(user, "serve test")
    proc, base = _start(tmp_path, *([] if ledger_worker else ["--no-ledger-worker"]))
    cores = len(os.sched_getaffinity(0))
    children: list[int] = []
    try:
        # One web worker per core by default (serve's --workers), and the ledger's own process.
        expected = cores + (1 if ledger_worker else 0)
        assert wait_for(lambda: len(_children(proc.pid)) == expected, 20), _children(proc.pid)
        assert ("ledger worker:" in _log(tmp_path)) == ledger_worker, _log(tmp_path)
        ids = _write_people(base, token, 5)
        # Sequenced by the server itself: this test never calls integrate().
        assert wait_for(lambda: Entry.objects.filter(object_id__in=ids, action="create").count() == 5, 20)
    finally:
        children = _children(proc.pid)
        _stop(proc, tmp_path)
    assert not PendingEntry.objects.exists()
    assert len(children) == expected and not any(_alive(c) for c in children)
    report = verify()
    assert report.ok, report.problems


@pytest.mark.usefixtures("committed")
def test_a_sigterm_after_a_search_and_a_write_ends_every_process_cleanly(
    make_user: Callable[..., Any], tmp_path: Path
) -> None:
    """No process of serve dies of its stop. A master that had imported duckdb (the command line
    did, through linkage) held DuckDB's scheduler thread, which a forked web worker lacks: a worker
    that had served anything aborted at exit ("terminate called without an active exception",
    SIGABRT). A search imports duckdb in the worker itself, after the fork, which is fine."""
    user = make_user("cse_coordinator", "mash", username="sigterm-coordinator")
    token = factories.api_token(user, "sigterm test")
    # gunicorn logs a web worker's death by a signal (at info for SIGTERM) and a non-zero exit;
    # serve logs the ledger worker's.
    proc, base = _start(tmp_path, env={"SIGHTLINE_SERVE_LOG": "info"})
    expected = len(os.sched_getaffinity(0)) + 1
    children: list[int] = []
    master_has_duckdb = False
    try:
        assert wait_for(lambda: len(_children(proc.pid)) == expected, 20), _children(proc.pid)
        with open(f"/proc/{proc.pid}/maps", encoding="ascii", errors="replace") as fh:
            master_has_duckdb = "_duckdb" in fh.read()
        [person] = _write_people(base, token, 1)
        for _ in range(3):  # scored by the linkage model, on DuckDB, in whichever worker answers
            r = requests.get(
                f"{base}/api/people",
                params={"q": "Served0 Walker"},
                headers={"Authorization": f"Bearer {token}"},
                timeout=60,
            )
            assert r.status_code == 200, r.text
            hits = [h for h in r.json()["items"] if h["person_id"] == person]
            assert len(hits) == 1 and hits[0]["likelihood"], r.text
        late = _write_people(base, token, 1)  # queued on PostgreSQL: sequenced as serve stops
    finally:
        children = _children(proc.pid)
        _stop(proc, tmp_path, signal.SIGTERM)
    whole = _log(tmp_path, 10**6)
    assert proc.returncode == 0, whole
    assert len(children) == expected and not any(_alive(c) for c in children)
    for death in ("terminate called", "SIGABRT", "was sent", "exited with code", "was killed by"):
        assert death not in whole, whole
    assert not master_has_duckdb
    assert not PendingEntry.objects.exists()
    assert Entry.objects.filter(object_id__in=[person, *late], action="create").count() == 2
    report = verify()
    assert report.ok, report.problems


@pytest.mark.usefixtures("committed")
def test_the_ledger_worker_checkpoints_and_verifies_on_its_schedule(tmp_path: Path) -> None:
    """The scheduled jobs run in the ledger worker: a checkpoint of the growth, and a verification
    run recorded with its time, without any request asking for them."""
    factories.person(given_name="Scheduled")
    integrate()
    size = TreeHead.objects.get().size
    before = VerificationRun.objects.count()
    proc, _base = _start(tmp_path, "--verify-every", "1")
    try:
        assert wait_for(lambda: VerificationRun.objects.count() > before, 90), _log(tmp_path)
        assert wait_for(lambda: Checkpoint.objects.filter(size__gte=size).exists(), 30), _log(tmp_path)
    finally:
        _stop(proc, tmp_path)
    run = VerificationRun.objects.order_by("-finished_at").first()
    assert run is not None and run.ok and run.size >= size


@pytest.mark.usefixtures("committed")
def test_a_dead_ledger_worker_is_started_again_and_a_sigterm_still_strands_nothing(
    make_user: Callable[..., Any], tmp_path: Path
) -> None:
    user = make_user("cse_coordinator", "mash", username="respawn-coordinator")
    token = factories.api_token(user, "respawn test")
    proc, base = _start(tmp_path)
    listener = _listener(int(base.rsplit(":", 1)[1]))
    expected = len(os.sched_getaffinity(0)) + 1
    children: list[int] = []
    try:
        assert wait_for(lambda: len(_children(proc.pid)) == expected, 20), _children(proc.pid)
        assert wait_for(lambda: len(_ledger_workers(proc.pid, listener)) == 1, 20), _log(tmp_path)
        [first] = _ledger_workers(proc.pid, listener)
        os.kill(first, signal.SIGKILL)  # as the kernel's out-of-memory killer would
        assert wait_for(lambda: not _alive(first), 10)

        def replaced() -> bool:
            workers = _ledger_workers(proc.pid, listener)
            return len(workers) == 1 and workers[0] != first

        assert wait_for(replaced, 30), f"{_children(proc.pid)}\n{_log(tmp_path)}"
        assert wait_for(lambda: _log(tmp_path, 10**6).count("ledger worker:") == 2, 30), _log(tmp_path)
        assert f"the ledger worker (pid {first}) was killed by SIGKILL" in _log(tmp_path, 10**6)
        # On PostgreSQL the web workers only queue: the new ledger worker sequences the entries.
        ids = _write_people(base, token, 3)
        assert wait_for(lambda: Entry.objects.filter(object_id__in=ids, action="create").count() == 3, 20)
        late = _write_people(base, token, 2)  # sequenced at the latest when serve stops
    finally:
        children = _children(proc.pid)
        _stop(proc, tmp_path, signal.SIGTERM)
    assert proc.returncode == 0, _log(tmp_path)
    assert len(children) == expected and not any(_alive(c) for c in children)
    whole = _log(tmp_path, 10**6)
    assert whole.count("was killed by") == 1 and whole.count("ledger worker:") == 2, whole  # none since
    assert not PendingEntry.objects.exists()
    assert Entry.objects.filter(object_id__in=late, action="create").count() == 2
    report = verify()
    assert report.ok, report.problems


@pytest.mark.usefixtures("committed")
def test_a_killed_serve_takes_its_workers_with_it(tmp_path: Path) -> None:
    proc, _base = _start(tmp_path)
    workers = _children(proc.pid)
    assert workers
    proc.send_signal(signal.SIGKILL)
    proc.wait(30)
    # As a single process would: nothing of a crashed server goes on answering or writing.
    assert wait_for(lambda: not any(_alive(w) for w in workers), 10)


def test_the_master_loads_nothing_that_breaks_after_fork(tmp_path: Path) -> None:
    """duckdb's threads do not survive a fork: a worker that starts a thread aborts on exit. The
    master builds the command line (every domain's commands) and sets up the application before
    forking, so neither may import duckdb (linkage does, when it runs)."""
    script = (
        "import sys\n"
        "from sightline.cli import build_parser, setup_django\n"
        "setup_django()\n"
        "build_parser().parse_args(['serve'])\n"
        "from sightline.web.commands import collect_static, wsgi_application\n"
        "collect_static()\n"
        "wsgi_application()\n"
        "print(sorted(m for m in ('duckdb', 'pyspark') if m in sys.modules))\n"
    )
    out = subprocess.run(
        [sys.executable, "-c", script], env=_env(tmp_path), capture_output=True, text=True, timeout=120
    )
    assert out.returncode == 0, out.stderr
    assert out.stdout.strip() == "[]"
