"""``sightline export links|alerts|networks|chronology|i2`` (see docs/cli.md)."""

from __future__ import annotations

import argparse
import sys
from typing import Any

from sightline.reports import exports


def register(sub: Any) -> None:
    e = sub.add_parser("export", help="export links, alerts, networks, a chronology or an i2 chart")
    esub = e.add_subparsers(dest="export_command", required=True, metavar="WHAT")
    x = esub.add_parser("links", help="CSV agency,record_id,person_id,match_probability")
    x.add_argument("--out", required=True, metavar="F")
    x.set_defaults(func=cmd_export_links)
    x = esub.add_parser("alerts", help="CSV alert_id,person_id,kind,score,reasons, highest score first")
    x.add_argument("--out", required=True, metavar="F")
    x.add_argument("--include-dismissed", action="store_true", help="also list dismissed alerts")
    x.set_defaults(func=cmd_export_alerts)
    x = esub.add_parser("networks", help="CSV network_id,member_type,member_id,role,network_name")
    x.add_argument("--out", required=True, metavar="F")
    x.set_defaults(func=cmd_export_networks)
    x = esub.add_parser("chronology", help="one person's chronology across every agency, as XLSX")
    x.add_argument("--person", required=True, metavar="P", help="a person id, or agency:record_id")
    x.add_argument("--out", required=True, metavar="F.xlsx")
    x.add_argument("--reason", default="", help="why the record is being exported (ledgered)")
    x.set_defaults(func=cmd_export_chronology)
    x = esub.add_parser("i2", help="a network as an i2 Analyst's Notebook link CSV")
    x.add_argument("--network", required=True, metavar="N")
    x.add_argument("--out", required=True, metavar="F")
    x.set_defaults(func=cmd_export_i2)


def _fail(message: str) -> int:
    print(f"sightline: {message}", file=sys.stderr)
    return 2


def _done(what: str, rows: int, out: str) -> int:
    print(f"{what}: {rows} rows written to {out}")
    return 0


def cmd_export_links(args: argparse.Namespace) -> int:
    return _done("links", exports.export_links(args.out), args.out)


def cmd_export_alerts(args: argparse.Namespace) -> int:
    return _done(
        "alerts", exports.export_alerts(args.out, include_dismissed=args.include_dismissed), args.out
    )


def cmd_export_networks(args: argparse.Namespace) -> int:
    return _done("networks", exports.export_networks(args.out), args.out)


def cmd_export_chronology(args: argparse.Namespace) -> int:
    try:
        rows = exports.export_chronology(args.person, args.out, reason=args.reason)
    except exports.ExportError as exc:
        return _fail(str(exc))
    return _done("chronology", rows, args.out)


def cmd_export_i2(args: argparse.Namespace) -> int:
    try:
        rows = exports.export_i2(args.network, args.out)
    except exports.ExportError as exc:
        return _fail(str(exc))
    return _done("i2 links", rows, args.out)
