"""``sightline serve``: the web application and API on one port, with the ledger's background threads."""

from __future__ import annotations

import argparse
import logging
import sys
from typing import Any

import waitress
from django.conf import settings
from django.core.management import call_command
from django.core.wsgi import get_wsgi_application

from sightline.ledger.services import start_checkpointer, start_integrator

log = logging.getLogger("sightline.serve")

PORT = 8000
CHECKPOINT_INTERVAL = 60


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="serve the web application and API on 127.0.0.1")
    p.add_argument("--port", type=int, default=PORT, help=f"port to listen on (default {PORT})")
    p.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    p.set_defaults(func=cmd_serve)


def collect_static() -> int:

    call_command("collectstatic", interactive=False, verbosity=0)
    return sum(1 for p in settings.STATIC_ROOT.rglob("*") if p.is_file())


def proxy_options(trusted_proxy: str) -> dict[str, Any]:
    """Waitress believes X-Forwarded-Proto, -Host and -For only from the trusted proxy's address, and
    strips them from every other client (its default), so they cannot be forged past the proxy."""
    if not trusted_proxy:
        return {}
    return {
        "trusted_proxy": trusted_proxy,
        "trusted_proxy_headers": {"x-forwarded-proto", "x-forwarded-host", "x-forwarded-for"},
    }


def cmd_serve(args: argparse.Namespace) -> int:

    files = collect_static()
    checkpointer = start_checkpointer(CHECKPOINT_INTERVAL)
    # Web writers only queue their ledger entries; this thread sequences them (PostgreSQL).
    integrator = start_integrator()
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
        f"  static files: {files} in {settings.STATIC_ROOT}; API docs at {url}api/docs. Press Ctrl+C to stop."
    )
    sys.stdout.flush()
    try:
        waitress.serve(
            get_wsgi_application(),
            host=args.host,
            port=args.port,
            threads=args.threads,
            ident="sightline",
            **proxy_options(settings.TRUSTED_PROXY),
        )
    finally:
        if integrator is not None:
            integrator.stop()
        checkpointer.stop()
    return 0
