"""``sightline analyse`` (see docs/cli.md)."""

from __future__ import annotations

import argparse
import datetime as dt
from typing import Any

from sightline.core.progress import Bar, wanted
from sightline.intelligence.services import do_analyse
from sightline.ledger.services import checkpoint_if_due


def register(sub: Any) -> None:
    p = sub.add_parser(
        "analyse",
        help="build the network and raise alerts",
        description="Builds the network of people, places, vehicles and phones from every imported event, "
        "finds groups and raises ranked, explained alerts. Alert status set by people is kept.",
    )
    p.add_argument(
        "--as-of",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="the date ages and recency are measured at (default: the latest extract's date)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on stderr (default: when stderr is a terminal)",
    )
    p.set_defaults(func=cmd_analyse)


def cmd_analyse(args: argparse.Namespace) -> int:
    bar = Bar.fractions("analyse", wanted(args.progress))
    try:
        summary, _result = do_analyse(as_of=args.as_of, progress=bar)
    finally:
        bar.close()
    print(summary.summary())
    checkpoint_if_due()
    return 0
