"""Notification emails, through Django's mail framework (console in the demo, SMTP in production:
docs/notifications.md).

An email never names or identifies a child: it says what kind of event, how the recipient is
connected to a child, and where to sign in. Email leaves the secure service, so it carries no
personal data (UK practice for safeguarding alerts); the kinds are broad, so that a health visit
is only ever "a health event".
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.core.mail import EmailMessage, get_connection
from django.core.mail.backends.base import BaseEmailBackend
from django.urls import reverse
from django.utils import timezone

from sightline.access.models import User
from sightline.notifications.models import EmailChoice, EmailPreference, Notification
from sightline.notifications.owners import BASES

log = logging.getLogger(__name__)

# What an email calls each kind: broad, and never a health service by name.
EMAIL_KINDS = {
    "missing": "missing episode",
    "absent": "absence from placement",
    "police_incident": "police incident",
    "health_attendance": "health event",
    "sexual_health": "health event",
    "outreach_contact": "outreach contact",
    "concern": "concern",
}
SUBJECT = "Sightline: new events for children you work with"
FOOTER = (
    "This email does not say which child it is about. Sign in to Sightline to see who, and what "
    "happened.\nYou can choose a daily digest, or no email, in your notification settings."
)


def email_kind(kind: str) -> str:
    return EMAIL_KINDS.get(kind, "event")


def inbox_url() -> str:
    return settings.SIGHTLINE_BASE_URL.rstrip("/") + reverse("web:notifications")


def _plural(n: int, word: str) -> str:
    return f"{n} {word}" if n == 1 else f"{n} {word}s"


def body(notifications: list[Notification]) -> str:
    """The text of one email about these notifications (one or many, of one user)."""
    if len(notifications) == 1:
        n = notifications[0]
        kind = email_kind(n.kind)
        first = f"A new {kind} was recorded for a child {BASES[n.basis][1]}."
    else:
        counts = Counter(email_kind(n.kind) for n in notifications)
        lines = "\n".join(f"- {_plural(c, k)}" for k, c in sorted(counts.items()))
        first = f"{len(notifications)} new events were recorded for children you work with:\n{lines}"
    them = "it" if len(notifications) == 1 else "them"
    return f"{first}\n\nOpen Sightline to see {them}: {inbox_url()}\n\n{FOOTER}\n"


def _send(user: User, notifications: list[Notification], connection: BaseEmailBackend) -> bool:
    message = EmailMessage(SUBJECT, body(notifications), to=[user.email], connection=connection)
    try:
        message.send()
    except Exception:  # an unreachable mail server must not lose the notification: the digest retries
        log.warning("could not email %s notifications to user %s", len(notifications), user.pk, exc_info=True)
        return False
    return True


def _by_user(rows: Iterable[Notification]) -> dict[int, list[Notification]]:
    out: dict[int, list[Notification]] = {}
    for n in rows:
        out.setdefault(n.user_id, []).append(n)
    return out


def _mark_sent(rows: list[Notification], now: dt.datetime) -> None:
    Notification.objects.filter(pk__in=[n.pk for n in rows]).update(emailed_at=now)


def send_immediate(ids: list[str]) -> int:
    """Email the owners who want each event straight away (one email per owner for one batch)."""
    rows = Notification.objects.filter(pk__in=ids, emailed_at__isnull=True).order_by("created_at", "id")
    groups = _by_user(rows)
    wanting = set(
        EmailPreference.objects.filter(user_id__in=groups)
        .exclude(email=EmailChoice.IMMEDIATE)
        .values_list("user_id", flat=True)
    )
    users = {u.pk: u for u in User.objects.filter(pk__in=groups, is_active=True).exclude(email="")}
    sent = 0
    connection = get_connection()
    for user_id, notifications in groups.items():
        user = users.get(user_id)
        if user is None or user_id in wanting:
            continue
        if _send(user, notifications, connection):
            _mark_sent(notifications, timezone.now())
            sent += 1
    return sent


@dataclass(frozen=True)
class DigestResult:
    emails: int
    notifications: int

    def summary(self) -> str:
        covering = _plural(self.notifications, "notification")
        return f"digest: {_plural(self.emails, 'email')} sent, covering {covering}"


def send_digests(*, now: dt.datetime, skip_users: Iterable[int]) -> DigestResult:
    rows = Notification.objects.filter(emailed_at__isnull=True, created_at__lte=now).exclude(
        user_id__in=list(skip_users)
    )
    groups = _by_user(rows.order_by("created_at", "id"))
    users = {u.pk: u for u in User.objects.filter(pk__in=groups, is_active=True).exclude(email="")}
    emails = covered = 0
    connection = get_connection()
    for user_id, notifications in sorted(groups.items()):
        user = users.get(user_id)
        if user is not None and _send(user, notifications, connection):
            _mark_sent(notifications, now)
            emails += 1
            covered += len(notifications)
    return DigestResult(emails, covered)
