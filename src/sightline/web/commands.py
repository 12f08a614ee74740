"""``sightline serve``: the web application and API on one port, served by gunicorn with several
worker processes (one per CPU core by default), each running the ledger's background threads.

The master process only forks and watches the workers: it opens no database connection and runs no
thread, so nothing is copied half-done into a worker. Each worker starts its own threads once its
application is loaded: on PostgreSQL the integrator (which the advisory lock lets any number run),
and the scheduled ledger jobs (checkpoints and incremental verification), of which a lock shared by
the processes lets one do each round (``sightline.ledger.jobs``). A worker dies with the master, so
a crash of ``serve`` is a crash of all of it, as with one process.
"""

from __future__ import annotations

import argparse
import ctypes
import logging
import os
import signal
import sys
from typing import Any

from django.conf import settings
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application
from django.db import connections
from gunicorn.app.base import BaseApplication
from waitress.proxy_headers import proxy_headers_middleware

from sightline.ledger.jobs import LedgerJobs, start_jobs
from sightline.ledger.services import Integrator, start_integrator

log = logging.getLogger("sightline.serve")

PORT = 8000
CHECKPOINT_INTERVAL = 60  # seconds between rounds of the ledger's jobs
THREADS = 4


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


class _Threads:
    """This worker's ledger threads."""

    integrator: Integrator | None = None
    jobs: LedgerJobs | None = None


def _post_fork(server: Any, _worker: Any) -> None:
    _die_with_parent(server.pid)


def _post_worker_init(_worker: Any, *, verify_every: float) -> None:
    # Web writers only queue their ledger entries; this thread sequences them (PostgreSQL).
    _Threads.integrator = start_integrator()
    _Threads.jobs = start_jobs(CHECKPOINT_INTERVAL, verify_every)


def _worker_exit(_server: Any, _worker: Any) -> None:
    if _Threads.jobs is not None:
        # A round is all or nothing, so a worker need not wait long for one mid-verification.
        _Threads.jobs.stop(timeout=5)
    if _Threads.integrator is not None:
        _Threads.integrator.stop()  # sequences what is still queued


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


def gunicorn_options(args: argparse.Namespace) -> dict[str, Any]:
    verify_every = float(args.verify_every)
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
        "post_worker_init": lambda worker: _post_worker_init(worker, verify_every=verify_every),
        "worker_exit": _worker_exit,
    }


def cmd_serve(args: argparse.Namespace) -> int:
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
    print(
        f"  {options['workers']} worker processes of {options['threads']} threads; static files: {files} "
        f"in {settings.STATIC_ROOT}; API docs at {url}api/docs. Press Ctrl+C to stop."
    )
    sys.stdout.flush()
    connections.close_all()  # workers open their own; none is shared across fork
    _Gunicorn(application, options).run()
    return 0
