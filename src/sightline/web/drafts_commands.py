"""``sightline drafts purge``: delete drafts of long forms older than ``DRAFT_DAYS`` (docs/case-work.md)."""

from __future__ import annotations

import argparse
from typing import Any

from django.conf import settings

from sightline.web.drafts import do_purge_old_drafts


def register(sub: Any) -> None:
    drafts = sub.add_parser(
        "drafts",
        help="manage drafts of long forms (kept outside the ledger)",
        description="Drafts are what users typed into long forms and have not submitted yet.",
    )
    actions = drafts.add_subparsers(dest="drafts_command", required=True, metavar="ACTION")
    purge = actions.add_parser(
        "purge",
        help="delete every draft last saved more than SIGHTLINE_DRAFT_DAYS days ago",
        description="Sign-in does this too; run it daily (cron, a systemd timer) so that old drafts "
        "go even when nobody signs in.",
    )
    purge.set_defaults(func=cmd_purge)


def cmd_purge(_args: argparse.Namespace) -> int:
    deleted = do_purge_old_drafts()
    print(f"deleted {deleted} draft{'' if deleted == 1 else 's'} older than {settings.DRAFT_DAYS} days")
    return 0
