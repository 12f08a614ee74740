"""``sightline notifications digest`` (docs/cli.md): the daily email digest. Run it once a day."""

from __future__ import annotations

import argparse
from typing import Any

from sightline.notifications.services import do_send_digests


def register(sub: Any) -> None:
    n = sub.add_parser("notifications", help="notification emails")
    nsub = n.add_subparsers(dest="notifications_command", required=True, metavar="WHAT")
    d = nsub.add_parser(
        "digest",
        help="email each user who chose the daily digest what is new since the last one (run daily)",
        description="Send one email to each user who chose the daily digest, listing the notifications "
        "not emailed yet, and retry any immediate email that could not be sent. Emails name no child.",
    )
    d.set_defaults(func=cmd_digest)


def cmd_digest(args: argparse.Namespace) -> int:
    print(do_send_digests().summary())
    return 0
