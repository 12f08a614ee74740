"""``sightline returns cin|ssda903|annex-a --from D --to D --out F`` (docs/cli.md, docs/returns.md)."""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from typing import Any

from sightline.reports import returns


def _day(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a YYYY-MM-DD date") from None


def register(sub: Any) -> None:
    r = sub.add_parser(
        "returns",
        help="export and validate a statutory return",
        description="Write a statutory return for a period as CSV and report every validation problem: "
        "the rule (code and message) and the child's record, so that data are fixed before submission.",
    )
    r.add_argument(
        "kind", choices=list(returns.KINDS), help="; ".join(f"{k}: {t}" for k, t in returns.TITLES.items())
    )
    r.add_argument("--from", dest="start", required=True, type=_day, metavar="YYYY-MM-DD", help="first day")
    r.add_argument("--to", dest="end", required=True, type=_day, metavar="YYYY-MM-DD", help="last day")
    r.add_argument("--out", required=True, metavar="F", help="the return, as CSV")
    r.add_argument("--report", metavar="R", help="also write the problems as CSV")
    r.add_argument(
        "--with-interviews",
        action="store_true",
        help="ssda903: add RHI_OFFERED and RHI_ACCEPTED (not DfE columns) for local use",
    )
    r.set_defaults(func=cmd_returns)


def cmd_returns(args: argparse.Namespace) -> int:
    try:
        period = returns.Period(args.start, args.end)
    except ValueError as exc:
        print(f"sightline: {exc}", file=sys.stderr)
        return 2
    made = returns.build(args.kind, period, interviews=args.with_interviews)
    rows = returns.write(made, period, args.out)
    for code, severity, _source, message, pid, name, record, detail in returns.report_rows(made):
        who = f"{pid} {name}".strip() or "no Sightline person"
        print(
            f"{who} ({record}): {severity} {code}: {message}" + (f" [{detail}]" if detail else ""),
            file=sys.stderr,
        )
    if args.report:
        returns.write_report(made, args.report)
    queries = len(made.problems) - made.errors
    print(
        f"{args.kind}: {rows} rows written to {args.out}; {made.errors} errors, {queries} queries"
        + (f" (listed in {args.report})" if args.report else "")
    )
    return 1 if made.errors else 0
