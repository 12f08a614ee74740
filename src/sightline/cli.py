"""The ``sightline`` command. Each domain adds its own sub-commands in its ``commands`` module; ``manage``
hands everything after it to Django's own command line."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

import django
from django.core.management import execute_from_command_line

# Domains that contribute commands; each has ``register(subparsers)``.
COMMAND_MODULES = [
    "sightline.access.commands",
    "sightline.ledger.commands",
    "sightline.ledger.backup_commands",
    "sightline.witness.commands",
    "sightline.synthetic.commands",
    "sightline.extracts.commands",
    "sightline.pprl.commands",
    "sightline.people.commands",
    "sightline.intelligence.commands",
    "sightline.accountability.commands",
    "sightline.reports.commands",
    "sightline.reports.returns.commands",
    "sightline.notifications.commands",
    "sightline.web.commands",
    "sightline.web.drafts_commands",
    "sightline.demo.commands",
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.config.settings")

    django.setup()
    # Importing the witness's publisher needs the app registry, so it waits until here.
    from sightline.ledger.services import checkpoint_hooks  # noqa: PLC0415
    from sightline.witness.publish import submit_checkpoint  # noqa: PLC0415

    if submit_checkpoint not in checkpoint_hooks:
        checkpoint_hooks.append(submit_checkpoint)


DESCRIPTION = (
    "Sightline: one shared, append-only record for the agencies that safeguard children at risk of "
    "sexual exploitation. Set up a database, import agency extracts, link and analyse them, verify the "
    "ledger, export, and serve the web pages."
)
EPILOG = (
    "Run 'sightline COMMAND --help' for a command's options. docs/cli.md describes every command, its "
    "output and exit status. Configuration comes from the environment (SIGHTLINE_HOME, DATABASE_URL...: "
    "see the README)."
)


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sightline", description=DESCRIPTION, epilog=EPILOG)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(sub)
    manage = sub.add_parser(
        "manage",
        help="run one of Django's management commands (for developers; 'sightline manage help' lists them)",
        add_help=False,
    )
    manage.add_argument("args", nargs=argparse.REMAINDER, help="the Django command and its options")
    return parser


def manage(argv: Sequence[str]) -> int:
    """Django's command line, ``--help`` included: argparse would take that option for itself."""
    execute_from_command_line(["sightline manage", *argv])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    setup_django()
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["manage"]:
        return manage(argv[1:] or ["help"])
    parser = build_parser()
    args = parser.parse_args(argv)
    result = args.func(args)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
