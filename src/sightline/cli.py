"""The ``sightline`` command. Each domain adds its own sub-commands in its ``commands`` module."""

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


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="sightline", description=__doc__)
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    manage = sub.add_parser("manage", help="run a Django management command", add_help=False)
    manage.add_argument("args", nargs=argparse.REMAINDER)
    manage.set_defaults(func=_manage)
    for name in COMMAND_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name and name.startswith(exc.name):
                continue
            raise
        module.register(sub)
    return parser


def _manage(args: argparse.Namespace) -> int:

    execute_from_command_line(["sightline manage", *args.args])
    return 0


def main(argv: Sequence[str] | None = None) -> int:
    setup_django()
    parser = build_parser()
    args = parser.parse_args(argv)
    result = args.func(args)
    return int(result or 0)


if __name__ == "__main__":
    sys.exit(main())
