"""``sightline demo``: init, build the demo data, create the demo accounts, then serve in demo mode."""

from __future__ import annotations

import argparse
import os
import sys
import time
from typing import Any

from django.conf import settings

from sightline.access.commands import cmd_init
from sightline.access.permissions import Role
from sightline.access.services import DEMO_SECOND_FACTOR, create_demo_users
from sightline.demo.steps import STEPS

DEMO_HOST = "127.0.0.1"
DEMO_PORT = 8000


def register(sub: Any) -> None:
    p = sub.add_parser("demo", help="init, build the demo data, create demo accounts, then serve")
    p.add_argument("--port", type=int, default=DEMO_PORT, help=f"port to serve on (default {DEMO_PORT})")
    p.add_argument("--no-serve", action="store_true", help="prepare everything but do not serve")
    p.add_argument("--children", type=int, default=5000, help="size of the synthetic town (default 5000)")
    p.add_argument("--seed", type=int, default=1, help="seed of the synthetic town (default 1)")
    p.add_argument(
        "--accounts-only",
        action="store_true",
        help="only create the demo accounts, in a database that already holds data (load tests); no serve",
    )
    p.set_defaults(func=cmd_demo)


def _print_accounts(demo_users: list[Any], url: str) -> None:

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

    cmd_init(args)
    demo_users = create_demo_users()  # the case work is written as these accounts
    if args.accounts_only:
        _print_accounts(demo_users, f"http://{DEMO_HOST}:{args.port}/")
        return 0
    # The build's case work notifies the demo accounts: those emails go nowhere instead of filling
    # the terminal; the notifications themselves are in each account's inbox.
    backend, settings.EMAIL_BACKEND = settings.EMAIL_BACKEND, "django.core.mail.backends.dummy.EmailBackend"
    try:
        for i, (name, run) in enumerate(STEPS, 1):
            print(f"[{i}/{len(STEPS)}] {name}")
            started = time.monotonic()
            run(args)
            print(f"      done in {time.monotonic() - started:.1f}s")
    finally:
        settings.EMAIL_BACKEND = backend
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
