"""``sightline serve``: the web application and API on one port, served by gunicorn with several
worker processes (one per CPU core by default), and the ledger's background work in a process of
its own (``sightline ledger worker``).

The master process only forks and watches: it opens no database connection and runs no thread, so
nothing is copied half-done into a worker. Web workers only answer requests; on PostgreSQL their
ledger entries are queued and the ledger worker sequences them. The ledger worker also checkpoints
and verifies incrementally on a schedule. Hashing the ledger in a web worker held that worker's
interpreter lock while people waited: at a million people half a web worker's busy time was the
ledger's (docs/performance.md). The master starts the ledger worker again if it dies, as gunicorn
does a web worker. Every child dies with the master, so a crash of ``serve`` is a crash of all of
it, as with one process; a clean stop stops the web workers first, then the ledger worker, which
sequences what they queued, and starts nothing again meanwhile.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import signal
import sys
import time
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import connection, connections
from gunicorn.app.base import BaseApplication
from gunicorn.arbiter import Arbiter
from waitress.proxy_headers import proxy_headers_middleware

from sightline.ledger.services import background_sequencing
from sightline.ledger.worker import run_until_signalled

log = logging.getLogger("sightline.serve")

PORT = 8000
THREADS = 4
RESTART_DELAY_MAX = 60.0  # seconds; a ledger worker that keeps dying at once is started less often


def default_workers() -> int:
    """One worker process per CPU core this process may use."""
    try:
        return max(len(os.sched_getaffinity(0)), 1)
    except AttributeError:  # not Linux
        return max(os.cpu_count() or 1, 1)


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="serve the web application and API on 127.0.0.1")
    p.add_argument("--port", type=int, default=PORT, help=f"port to listen on (default {PORT})")
    p.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    p.add_argument(
        "--workers",
        type=int,
        default=default_workers(),
        help="worker processes (default: one per CPU core, here %(default)s)",
    )
    p.add_argument("--threads", type=int, default=THREADS, help="threads per worker (default %(default)s)")
    p.add_argument(
        "--verify-every",
        type=float,
        default=settings.LEDGER_VERIFY_EVERY,
        metavar="SECONDS",
        help="incremental ledger verification interval (default SIGHTLINE_VERIFY_EVERY or 300)",
    )
    p.add_argument(
        "--no-ledger-worker",
        dest="ledger_worker",
        action="store_false",
        help="start no ledger worker: web workers sequence their own entries, and `sightline ledger "
        "worker` (or cron's `ledger verify --incremental`) runs elsewhere",
    )
    p.set_defaults(func=cmd_serve)


def collect_static() -> int:
    call_command("collectstatic", interactive=False, verbosity=0)
    return sum(1 for p in settings.STATIC_ROOT.rglob("*") if p.is_file())


def proxy_options(trusted_proxy: str) -> dict[str, Any]:
    """X-Forwarded-Proto, -Host and -For are believed only from the trusted proxy's address, and
    stripped from every other client, so they cannot be forged past the proxy."""
    if not trusted_proxy:
        return {}
    return {
        "trusted_proxy": trusted_proxy,
        "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-host", "x-forwarded-for"},
    }


def wsgi_application() -> Any:
    app = get_wsgi_application()
    options = proxy_options(settings.TRUSTED_PROXY)
    # waitress's middleware, not gunicorn's forwarded-header handling (switched off below): it also
    # strips the headers from anyone else and sets REMOTE_ADDR from X-Forwarded-For.
    return proxy_headers_middleware(app, **options) if options else app


def _die_with_parent(parent: int) -> None:
    """Linux: the kernel kills this worker when the master dies, even by SIGKILL."""
    if not sys.platform.startswith("linux"):
        return
    libc = ctypes.CDLL(None, use_errno=True)
    pr_set_pdeathsig = 1
    libc.prctl(pr_set_pdeathsig, signal.SIGKILL, 0, 0, 0)
    if os.getppid() != parent:  # the master died before the call
        os._exit(1)


def _post_fork(server: Any, _worker: Any) -> None:
    _die_with_parent(server.pid)


def _post_worker_init(_worker: Any, *, queue_only: bool) -> None:
    # Writers only queue their ledger entries; the ledger worker sequences them (PostgreSQL).
    if queue_only and connection.vendor == "postgresql":
        background_sequencing.set()


class _LedgerWorker:
    """The ``sightline ledger worker`` process that this ``serve`` keeps running, if any."""

    verify_every: float | None = None  # None: serve --no-ledger-worker
    pid: int | None = None
    started = 0.0  # time.monotonic() of the last start
    died = 0.0
    delay = 0.0  # before the next start: grows while it keeps dying within RESTART_DELAY_MAX


def start_ledger_worker(verify_every: float, arbiter: Arbiter | None = None) -> int:
    """Fork the ledger worker from the master, as gunicorn forks its web workers: it shares their
    settings and holds no listening socket. The first is forked before gunicorn starts; one forked
    later, from gunicorn's ``arbiter``, first drops what is the master's."""
    master = os.getpid()
    pid = os.fork()
    if pid:
        _LedgerWorker.pid, _LedgerWorker.started = pid, time.monotonic()
        return pid
    code = 1
    try:
        if arbiter is not None:
            _leave_arbiter(arbiter)
        _die_with_parent(master)
        code = run_until_signalled(verify_every)
    except BaseException:
        log.exception("the ledger worker failed")
    finally:
        os._exit(code)


def _leave_arbiter(arbiter: Arbiter) -> None:
    """In a child of gunicorn's running master: its signal handlers (which only queue a signal for
    the master's loop), its listening sockets and the web workers' heartbeat files are not ours."""
    signal.set_wakeup_fd(-1)
    for sig in (*arbiter.SIGNALS, signal.SIGCHLD):
        signal.signal(sig, signal.SIG_DFL)
    for listener in arbiter.LISTENERS:
        listener.close()
    for worker in arbiter.WORKERS.values():
        worker.tmp.close()


def _ended(status: int | None) -> str:
    if status is None:
        return "ended"
    if os.WIFSIGNALED(status):
        number = os.WTERMSIG(status)
        try:
            return f"was killed by {signal.Signals(number).name}"
        except ValueError:  # a real-time signal
            return f"was killed by signal {number}"
    return f"exited with code {os.waitstatus_to_exitcode(status)}"


class _Arbiter(Arbiter):
    """gunicorn's master, which also keeps the ledger worker running: one that dies is forked again
    (at once, or after a growing delay if it keeps dying within a minute), until the server stops."""

    stopping = False

    def reap_workers(self) -> None:
        self._reap_ledger_worker()  # before gunicorn's waitpid(-1) reaps it as an unknown child
        super().reap_workers()

    def manage_workers(self) -> None:
        super().manage_workers()
        self._reap_ledger_worker()  # gunicorn's waitpid(-1) may have got there first
        lw = _LedgerWorker
        if self.stopping or lw.verify_every is None or lw.pid is not None:
            return
        if time.monotonic() >= lw.died + lw.delay:
            pid = start_ledger_worker(lw.verify_every, self)
            log.warning("started the ledger worker again (pid %s)", pid)

    def stop(self, graceful: bool = True) -> None:
        self.stopping = True  # a clean stop stops the ledger worker last (_on_exit)
        super().stop(graceful)

    def _reap_ledger_worker(self) -> None:
        lw = _LedgerWorker
        if lw.pid is None:
            return
        status: int | None
        try:
            done, status = os.waitpid(lw.pid, os.WNOHANG)
        except ChildProcessError:  # reaped by gunicorn's waitpid(-1)
            done, status = lw.pid, None
        if lw.pid in self.WORKERS:  # reaped, and the pid already taken by a new web worker
            done, status = lw.pid, None
        if not done:
            return
        lw.pid, lw.died = None, time.monotonic()
        lw.delay = (
            0.0
            if lw.died - lw.started >= RESTART_DELAY_MAX
            else min(max(2 * lw.delay, 1.0), RESTART_DELAY_MAX)
        )
        if not self.stopping:
            log.error(
                "the ledger worker (pid %s) %s; starting another%s",
                done,
                _ended(status),
                f" in {lw.delay:g} s" if lw.delay else "",
            )


def _on_exit(_server: Any) -> None:
    """After the web workers have stopped: stop the ledger worker, which sequences what they queued."""
    pid = _LedgerWorker.pid
    if pid is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)
    except ProcessLookupError:
        return
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            done, status = os.waitpid(pid, os.WNOHANG)
        except ChildProcessError:  # gunicorn's own reaping got there first
            return
        if done:
            _LedgerWorker.pid = None
            if os.waitstatus_to_exitcode(status) != 0:  # gunicorn says so of a web worker too
                log.error("the ledger worker (pid %s) %s while stopping", pid, _ended(status))
            return
        time.sleep(0.05)
    log.error("the ledger worker did not stop within 60 s; killing it")
    os.kill(pid, signal.SIGKILL)


class _Gunicorn(BaseApplication):
    def __init__(self, application: Any, options: dict[str, Any]) -> None:
        self.application = application
        self.options = options
        super().__init__()

    def load_config(self) -> None:
        for key, value in self.options.items():
            self.cfg.set(key, value)

    def load(self) -> Any:
        return self.application

    def run(self) -> None:
        """BaseApplication.run, with the arbiter that also keeps the ledger worker running."""
        try:
            _Arbiter(self).run()
        except RuntimeError as e:
            print(f"\nError: {e}\n", file=sys.stderr)
            sys.stderr.flush()
            sys.exit(1)


def gunicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    queue_only = bool(args.ledger_worker)
    return {
        "bind": f"{args.host}:{args.port}",
        "workers": max(int(args.workers), 1),
        "worker_class": "gthread",
        "threads": max(int(args.threads), 1),
        "proc_name": "sightline",
        "control_socket_disable": True,  # gunicorn's is one fixed path shared by every server
        "timeout": 120,
        "graceful_timeout": 30,
        "keepalive": 5,
        "accesslog": None,
        "errorlog": "-",
        "loglevel": os.environ.get("SIGHTLINE_SERVE_LOG", "warning"),
        # Forwarded headers are the proxy middleware's business (wsgi_application).
        "forwarded_allow_ips": "",
        "secure_scheme_headers": {},
        "forwarder_headers": "",
        "post_fork": _post_fork,
        "post_worker_init": lambda worker: _post_worker_init(worker, queue_only=queue_only),
        "on_exit": _on_exit,
    }


def cmd_serve(args: argparse.Namespace) -> int:
    if args.verify_every <= 0:
        print("sightline: --verify-every must be positive", file=sys.stderr)
        return 2
    files = collect_static()
    application = wsgi_application()
    options = gunicorn_options(args)
    url = f"http://{args.host}:{args.port}/"
    mode = (
        " in DEMO MODE (insecure demo sign-in allowed, cookies not marked secure)"
        if settings.DEMO_MODE
        else ""
    )
    if settings.TRUSTED_PROXY:
        mode += f" behind the proxy at {settings.TRUSTED_PROXY} (X-Forwarded-Proto, -Host and -For)"
    print(f"Serving Sightline at {url}{mode}")
    ledger = "; the ledger's background work in a process of its own" if args.ledger_worker else ""
    print(
        f"  {options['workers']} worker processes of {options['threads']} threads{ledger}; "
        f"static files: {files} in {settings.STATIC_ROOT}; API docs at {url}api/docs. Press Ctrl+C to stop."
    )
    sys.stdout.flush()
    connections.close_all()  # workers open their own; none is shared across fork
    if args.ledger_worker:
        _LedgerWorker.verify_every = float(args.verify_every)
        start_ledger_worker(_LedgerWorker.verify_every)
    _Gunicorn(application, options).run()
    return 0
