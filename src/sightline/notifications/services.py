"""Making notifications, and the one setting a user changes: how they hear by email.

When an import or an entry announces new events (``people.news``), each event about a child with an
owner (``owners.py``) becomes a notification for every owner who may open the child's record at that
moment (need to know, by their role or their agency, never by a break-glass grant). Nobody is told of
what they entered themselves. The notifications are made in the announcing transaction, so they exist
exactly when the event does; emails go after it commits (``mail.py``).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.access.models import User
from sightline.access.services import actor_for
from sightline.ledger.models import new_id
from sightline.ledger.services import SYSTEM, Actor, record_action
from sightline.notifications import mail
from sightline.notifications.models import EmailChoice, EmailPreference, Notification
from sightline.notifications.owners import BASES, owned, owners_of
from sightline.people.models import Person, SourceEvent
from sightline.people.need_to_know import person_access
from sightline.people.news import Entered
from sightline.people.selectors import person_group_ids, resolve_person_id

# A notification is sent only where the owner sees the child by role or agency: a break-glass grant
# is for one purpose and a short time, and does not make anyone the child's owner.
SENDING_BASES = frozenset({"role", "agency"})


def notify_kinds() -> frozenset[str]:
    return frozenset(settings.SIGHTLINE_NOTIFY_KINDS)


def notify_import(actor: Actor, extract_id: str) -> None:
    """The new events of an imported extract about children with owners, read in one query."""
    rows = (
        SourceEvent.objects.filter(
            extract_id=extract_id, version=1, kind__in=notify_kinds(), record__person__isnull=False
        )
        .filter(owned("record__person_id"))
        .values_list("id", "kind", "occurred_on", "record__person_id", "agency_id")
    )
    events = [
        Entered(str(pid), kind, when, agency, SourceEvent.ledger_type(), eid)
        for eid, kind, when, pid, agency in rows
    ]
    if events:
        notify(actor, events)


def notify_entry(actor: Actor, event: Entered) -> None:
    if event.kind in notify_kinds():
        notify(actor, [event])


@dataclass(frozen=True)
class _Told:
    event: Entered
    person_id: str  # the person who stands for the event's subject now
    recipients: dict[int, str]  # user pk -> basis


def notify(actor: Actor, events: Sequence[Entered], *, now: dt.datetime | None = None) -> list[Notification]:
    """Notify the owners of each event's child about the recent events; returns the notifications made."""
    now = now or timezone.now()
    oldest = timezone.localdate(now) - dt.timedelta(days=settings.SIGHTLINE_NOTIFY_WITHIN_DAYS)
    events = [e for e in events if e.occurred_on >= oldest]
    if not events:
        return []
    roots = {pid: resolve_person_id(pid) for pid in {e.person_id for e in events}}
    groups = {root: person_group_ids(root) for root in set(roots.values())}
    owners = owners_of({pid for group in groups.values() for pid in group}, now)
    names = {u for found in owners.values() for u in found}
    users = {u.username: u for u in User.objects.filter(username__in=names, is_active=True)}
    order = list(BASES)
    allowed: dict[tuple[int, str], bool] = {}
    told: list[_Told] = []
    for event in events:
        root = roots[event.person_id]
        choice: dict[str, str] = {}
        for pid in groups[root]:
            for username, basis in owners.get(pid, {}).items():
                if username not in choice or order.index(basis) < order.index(choice[username]):
                    choice[username] = basis
        recipients: dict[int, str] = {}
        for username, basis in choice.items():
            user = users.get(username)
            if user is None or username == actor.user:
                continue
            key = (user.pk, root)
            if key not in allowed:
                decision = person_access(user, root)
                allowed[key] = decision.allowed and decision.basis in SENDING_BASES
            if allowed[key]:
                recipients[user.pk] = basis
        if recipients:
            told.append(_Told(event, root, recipients))
    made = _write(told, actor, now)
    if made:
        ids = [n.id for n in made]
        transaction.on_commit(lambda: mail.send_immediate(ids))
    return made


def _write(told: list[_Told], actor: Actor, now: dt.datetime) -> list[Notification]:
    if not told:
        return []
    held = set(
        Notification.objects.filter(
            source_id__in={t.event.source_id for t in told},
            source_type__in={t.event.source_type for t in told},
        ).values_list("user_id", "source_type", "source_id")
    )
    usernames = dict(
        User.objects.filter(pk__in={u for t in told for u in t.recipients}).values_list("pk", "username")
    )
    rows: list[Notification] = []
    for t in told:
        e = t.event
        fresh = {u: b for u, b in t.recipients.items() if (u, e.source_type, e.source_id) not in held}
        if not fresh:
            continue
        rows += [
            Notification(
                id=new_id("NT"),
                user_id=u,
                person_id=t.person_id,
                kind=e.kind,
                occurred_on=e.occurred_on,
                agency=e.agency,
                source_type=e.source_type,
                source_id=e.source_id,
                basis=basis,
                created_at=now,
            )
            for u, basis in sorted(fresh.items())
        ]
        # Who was told about which child's event is part of the child's history; what they were told
        # is the event itself, already ledgered.
        record_action(
            SYSTEM,
            "notify",
            Person.ledger_type(),
            t.person_id,
            data={
                "event": e.kind,
                "source": f"{e.source_type}:{e.source_id}",
                "recipients": sorted(usernames[u] for u in fresh),
                "brought_by": actor.user,
            },
            reason="a new event about a child with an owner",
        )
    Notification.objects.bulk_create(rows)
    return rows


# --- the user's own choice ------------------------------------------------------------------------


def email_choice(user: User) -> str:
    row = EmailPreference.objects.filter(user=user).first()
    return row.email if row else EmailChoice.IMMEDIATE


def do_set_email_preference(user: User, *, email: str) -> EmailPreference:
    """Choose an email for each event, a daily digest, or no email. Ledgered on the account."""
    if email not in EmailChoice.values:
        raise ValidationError({"email": "Choose how you want to hear by email"})
    with transaction.atomic():
        row, _ = EmailPreference.objects.update_or_create(
            user=user, defaults={"email": email, "changed_at": timezone.now()}
        )
        record_action(
            actor_for(user), "set_notification_email", "access.user", user.username, data={"email": email}
        )
    return row


def do_send_digests(*, now: dt.datetime | None = None) -> mail.DigestResult:
    """The daily run: one email per user listing what was not emailed yet, for users who chose the
    digest, and for anyone whose immediate email could not be sent. Users who chose no email, or have
    no address, are skipped."""
    return mail.send_digests(now=now or timezone.now(), skip_users=_no_email_users())


def _no_email_users() -> Iterable[int]:
    return EmailPreference.objects.filter(email=EmailChoice.NONE).values_list("user_id", flat=True)


def do_mark_all_seen(user: User, *, now: dt.datetime | None = None) -> int:
    """Mark every notification of the user seen (the inbox marks only the page shown); returns how many."""
    return Notification.objects.filter(user_id=user.pk, seen_at__isnull=True).update(
        seen_at=now or timezone.now()
    )
