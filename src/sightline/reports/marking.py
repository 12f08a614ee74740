"""The protective marking on everything Sightline lets people take away: printed pages, the board report
PDF and evidence packs. Under the Government Security Classifications, case records about children are
OFFICIAL with the SENSITIVE handling caveat; each copy also says who made it and when, so that a copy
found later can be traced (the ledger records the same export or print)."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

PROTECTIVE_MARKING = "OFFICIAL-SENSITIVE"


def printed_by(who: str, when: dt.datetime | None = None, *, verb: str = "Printed") -> str:
    """``Printed by Chris Hughes (demo-coordinator) on 2 December 2026 at 11:05``."""
    local = timezone.localtime(when or timezone.now())
    return f"{verb} by {who} on {local:%-d %B %Y} at {local:%H:%M}"


def user_label(user: object) -> str:
    """A person's name and account, as the marking names them."""
    username = str(getattr(user, "username", "") or "")
    name = str(getattr(user, "display_name", "") or "").strip()
    return f"{name} ({username})" if name and name != username else username
