"""``sightline link`` (see docs/cli.md)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.db import transaction

from sightline.core.progress import Bar, wanted
from sightline.ledger.services import checkpoint_if_due
from sightline.people.linkage.encoded_rows import SecretMismatch
from sightline.people.linkage.run import do_link
from sightline.people.search_index import reindex
from sightline.pprl.bloom import SecretError, read_secret


def register(sub: Any) -> None:
    people = sub.add_parser("people", help="the person search index")
    psub = people.add_subparsers(dest="people_command", required=True, metavar="PEOPLE_COMMAND")
    p = psub.add_parser("reindex", help="rebuild the person search index from the current rows")
    p.set_defaults(func=cmd_reindex)
    p = sub.add_parser(
        "link",
        help="link person records across agencies into people",
        description="Links every imported record into people with the trained Splink model, keeping "
        "person ids stable and honouring every human link decision. Runs incrementally when the last "
        "run's state is in SIGHTLINE_HOME/linkage/.",
    )
    p.add_argument(
        "--full", action="store_true", help="re-score every pair instead of only new or changed records"
    )
    p.add_argument(
        "--backend", choices=["duckdb", "spark"], help="default: SIGHTLINE_LINKAGE_BACKEND, else duckdb"
    )
    p.add_argument(
        "--secret-file",
        metavar="F",
        help="an encoding agreement's secret, for this run only: the plain records are encoded with it "
        "so that they link to that agreement's encoded records (never stored; see docs/pprl.md)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on stderr (default: when stderr is a terminal)",
    )
    p.set_defaults(func=cmd_link)


def cmd_link(args: argparse.Namespace) -> int:
    secret = None
    if args.secret_file:
        try:
            secret = read_secret(Path(args.secret_file).read_bytes())
        except (OSError, SecretError) as exc:
            print(f"sightline: --secret-file: {exc}", file=sys.stderr)
            return 2
    bar = Bar.fractions("link", wanted(args.progress))
    try:
        summary, _result = do_link(progress=bar, full=args.full, backend=args.backend, secret=secret)
    except SecretMismatch as exc:
        print(f"sightline: {exc}", file=sys.stderr)
        return 2
    finally:
        bar.close()
    print(summary.summary())
    checkpoint_if_due()
    return 0


def cmd_reindex(args: argparse.Namespace) -> int:
    with transaction.atomic():
        count = reindex()
    print(f"person search index rebuilt: {count} rows indexed")
    return 0
