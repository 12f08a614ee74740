"""``sightline plan import FILE`` (and ``--sample NAME``): load an inquiry's response plan."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from sightline.accountability.planfile import PlanFileError
from sightline.accountability.services import do_import_plan, sample_plan_path, sample_plans
from sightline.ledger.services import SYSTEM, checkpoint_if_due


def register(sub: Any) -> None:
    plan = sub.add_parser("plan", help="import an inquiry's response plan (recommendations and actions)")
    ps = plan.add_subparsers(dest="plan_command", required=True, metavar="PLAN_COMMAND")
    p = ps.add_parser(
        "import",
        help="import a plan from YAML or CSV (all or nothing)",
        description="Imports recommendations, actions, owners, target dates and indicators from a YAML or "
        "CSV file (docs/accountability.md). Importing the same plan again updates it; nothing is deleted. "
        "Moving a target date needs --reason. Exit status 2 when the file is rejected, with "
        "file:row:field: reason lines on stderr.",
    )
    p.add_argument("file", nargs="?", type=Path, help="the plan file (.yaml, .yml or .csv)")
    p.add_argument(
        "--sample", metavar="NAME", help="import a shipped sample plan instead, e.g. rotherham-2014"
    )
    p.add_argument("--reason", default="", help="why target dates move, when re-importing a changed plan")
    p.set_defaults(func=cmd_import)
    p = ps.add_parser("samples", help="list the shipped sample plans")
    p.set_defaults(func=cmd_samples)


def cmd_samples(_args: argparse.Namespace) -> int:
    for path in sample_plans():
        print(f"{path.stem}\t{path}")
    return 0


def cmd_import(args: argparse.Namespace) -> int:
    if bool(args.file) == bool(args.sample):
        print("give a plan FILE or --sample NAME (not both)", file=sys.stderr)
        return 2
    try:
        path = sample_plan_path(args.sample) if args.sample else args.file
        content = path.read_bytes()
    except (OSError, FileNotFoundError) as exc:
        print(f"{args.file or args.sample}: {exc}", file=sys.stderr)
        return 2
    try:
        summary = do_import_plan(SYSTEM, content=content, name=str(path), reason=args.reason)
    except PlanFileError as exc:
        for problem in exc.problems:
            print(problem, file=sys.stderr)
        return 2
    print(summary.summary())
    checkpoint_if_due()
    return 0
