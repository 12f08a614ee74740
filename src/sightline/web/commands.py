"""``sightline serve`` and ``sightline demo``.

``demo`` runs ``init``, then every step in :data:`DEMO_STEPS` (other modules append theirs: generate a
town, import it, link, analyse), then creates the demo accounts, and serves in demo mode.
"""

from __future__ import annotations

import argparse
import logging
import os
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

log = logging.getLogger("sightline.serve")

DEMO_HOST = "127.0.0.1"
DEMO_PORT = 8000
CHECKPOINT_INTERVAL = 60


@dataclass(frozen=True)
class DemoStep:
    name: str
    run: Callable[[argparse.Namespace], Any]
    order: int = 50


# Other modules add their steps, e.g. (in their commands.py ``register``):
#   DEMO_STEPS.append(DemoStep("Importing the town", run_import, order=20))
DEMO_STEPS: list[DemoStep] = []


def register(sub: Any) -> None:
    p = sub.add_parser("serve", help="serve the web application and API on 127.0.0.1")
    p.add_argument("--port", type=int, default=DEMO_PORT)
    p.add_argument("--host", default="127.0.0.1", help=argparse.SUPPRESS)
    p.add_argument("--threads", type=int, default=8, help="worker threads (default 8)")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("demo", help="init, build the demo data, create demo accounts, then serve")
    p.add_argument("--port", type=int, default=DEMO_PORT)
    p.add_argument("--no-serve", action="store_true", help="prepare everything but do not serve")
    p.add_argument("--children", type=int, default=5000, help="size of the synthetic town (default 5000)")
    p.add_argument("--seed", type=int, default=1, help="seed of the synthetic town (default 1)")
    p.set_defaults(func=cmd_demo)


# --- serve ---------------------------------------------------------------------------------------


def collect_static() -> int:
    from django.conf import settings
    from django.core.management import call_command

    call_command("collectstatic", interactive=False, verbosity=0)
    return sum(1 for p in settings.STATIC_ROOT.rglob("*") if p.is_file())


def cmd_serve(args: argparse.Namespace) -> int:
    import waitress
    from django.conf import settings
    from django.core.wsgi import get_wsgi_application

    from sightline.ledger.services import start_checkpointer, start_integrator

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
    print(f"Serving Sightline at {url}{mode}")
    print(
        f"  static files: {files} in {settings.STATIC_ROOT}; API docs at {url}api/docs. Press Ctrl+C to stop."
    )
    sys.stdout.flush()
    try:
        waitress.serve(
            get_wsgi_application(), host=args.host, port=args.port, threads=args.threads, ident="sightline"
        )
    finally:
        if integrator is not None:
            integrator.stop()
        checkpointer.stop()
    return 0


# --- demo ----------------------------------------------------------------------------------------


def _print_accounts(demo_users: list[Any], url: str) -> None:
    from sightline.access.permissions import Role
    from sightline.access.services import DEMO_SECOND_FACTOR

    print("\nDemo accounts (all share one password; every role is here):")
    print(f"  password: {demo_users[0].password}" if demo_users else "  (none)")
    print(f"  security code: {DEMO_SECOND_FACTOR} works for these accounts in demo mode only;")
    print("  or add the authenticator key below to any TOTP app to use real codes.\n")
    width = max(len(d.user.username) for d in demo_users)
    for d in demo_users:
        role = Role(d.user.role).label
        print(f"  {d.user.username:<{width}}  {role} ({d.user.agency_id})")
        print(f"  {'':<{width}}  key {d.enrolment.secret}")
        print(f"  {'':<{width}}  {d.enrolment.uri}")
    print(f"\nGo to {url} and sign in as, for example, demo-coordinator.")


def cmd_demo(args: argparse.Namespace) -> int:
    from sightline.access.services import create_demo_users
    from sightline.ledger.commands import cmd_init

    cmd_init(args)
    steps = sorted(DEMO_STEPS, key=lambda s: s.order)
    for i, step in enumerate(steps, 1):
        print(f"[{i}/{len(steps)}] {step.name}")
        started = time.monotonic()
        step.run(args)
        print(f"      done in {time.monotonic() - started:.1f}s")
    demo_users = create_demo_users()
    url = f"http://{DEMO_HOST}:{args.port}/"
    _print_accounts(demo_users, url)
    if args.no_serve:
        return 0
    # Settings are read once per process: serve in a fresh one with demo mode switched on.
    env = dict(os.environ, SIGHTLINE_DEMO="1")
    sys.stdout.flush()
    argv = [sys.executable, "-m", "sightline.cli", "serve", "--port", str(args.port)]
    os.execve(sys.executable, argv, env)  # noqa: S606  # our own interpreter and module
    return 0  # not reached
