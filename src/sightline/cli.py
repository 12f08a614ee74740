"""The ``sightline`` command. Each domain adds its own sub-commands in its ``commands`` module."""

from __future__ import annotations

import argparse
import importlib
import os
import sys
from collections.abc import Sequence

# Domains that contribute commands; each has ``register(subparsers)``.
COMMAND_MODULES = [
    "sightline.access.commands",
    "sightline.ledger.commands",
    "sightline.ledger.backup_commands",
    "sightline.witness.commands",
    "sightline.synthetic.commands",
    "sightline.extracts.commands",
    "sightline.people.commands",
    "sightline.intelligence.commands",
    "sightline.accountability.commands",
    "sightline.reports.commands",
    "sightline.web.commands",
    "sightline.demo.commands",
]


def setup_django() -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "sightline.config.settings")
    import django

    django.setup()


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
    from django.core.management import execute_from_command_line

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
