"""``sightline generate-town OUT --children N --seed S [--variant V] [--set KEY=VALUE] [--ends-on DATE]``
(docs/cli.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path
from typing import Any

from sightline.core.progress import Bar, wanted
from sightline.synthetic import Variant, generate_town, load_variant, with_settings
from sightline.synthetic.variants import names as variant_names


def register(sub: Any) -> None:
    p = sub.add_parser(
        "generate-town",
        help="write a synthetic town: one extract folder per agency and the ground truth",
        description="Writes OUT/extracts/<agency>-<date>/ (multi-agency-extract/1) and OUT/truth/. "
        "The same seed gives the same town. See docs/synthetic-town.md.",
    )
    p.add_argument("out", metavar="OUT", type=Path, help="an empty or new folder to write the town into")
    p.add_argument(
        "--children", type=int, default=5000, metavar="N", help="children in the town (default 5000)"
    )
    p.add_argument("--seed", type=int, default=1, metavar="S", help="random seed (default 1)")
    p.add_argument(
        "--variant",
        metavar="V",
        help=f"a variant by name ({', '.join(variant_names())}) or a .toml/.yaml file; "
        "default: the standard town",
    )
    p.add_argument(
        "--set",
        action="append",
        default=[],
        metavar="KEY=VALUE",
        dest="settings",
        help="set one proportion, e.g. models.taxi=0.4 or children.runaways=0.02 (repeatable; "
        "on top of --variant)",
    )
    p.add_argument(
        "--ends-on",
        type=dt.date.fromisoformat,
        metavar="YYYY-MM-DD",
        help="move every date by whole weeks so that the period ends on this day or up to six days "
        "before (default: the town's own period, 2011-01-01 to 2014-06-30)",
    )
    p.add_argument(
        "--progress",
        action=argparse.BooleanOptionalAction,
        default=None,
        help="show progress on stderr (default: when stderr is a terminal)",
    )
    p.set_defaults(func=cmd_generate_town)


def cmd_generate_town(args: argparse.Namespace) -> int:
    try:
        variant = load_variant(args.variant) if args.variant else None
        if args.settings:
            variant = with_settings(variant or Variant(), args.settings)
    except ValueError as exc:
        print(f"sightline: {exc}", file=sys.stderr)
        return 2
    bars = Bar.stages("town", wanted(args.progress))
    try:
        summary = generate_town(args.out, args.children, args.seed, bars, variant, args.ends_on)
    except (ValueError, FileExistsError) as exc:
        print(f"sightline: {exc}", file=sys.stderr)
        return 2
    finally:
        bars.close()
    records = sum(summary.records.values())
    events = sum(summary.events.values())
    made_as = f" (variant {summary.variant})" if summary.variant else ""
    print(
        f"town written to {summary.out}{made_as}: {summary.children} children, {summary.adults} adults, "
        f"{summary.networks} networks ({summary.victims} victims, {summary.hidden_victims} hidden; "
        f"{summary.offenders} offenders), {summary.benign_hubs} benign hubs"
    )
    print(
        f"{len(summary.extracts)} extracts, {records} person records, {events} events; "
        f"truth in {summary.out / 'truth'}"
    )
    for path in summary.extracts:
        print(f"  {path}")
    return 0
