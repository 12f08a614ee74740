"""Drafts of long forms: saved as the user types, offered back to that user alone (docs/case-work.md).

A draft stays outside the ledger: it is unfinished thinking, not a record, until the form is
submitted through its service. A draft belongs to one user and one form page (its address, path and
query); only the pages in ``DRAFTED`` keep drafts. It is deleted when the form is submitted
(:class:`DraftMiddleware`), when the user discards it, and ``DRAFT_DAYS`` after its last save
(:func:`do_purge_old_drafts`, run at every sign-in and by ``sightline drafts purge``). Nothing here
logs what a draft says.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any
from urllib.parse import urlsplit

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.urls import Resolver404, resolve
from django.utils import timezone

from sightline.access.models import User
from sightline.web.models import Draft

# The pages whose forms keep drafts, by view name, with what a draft of each is called.
DRAFTED: dict[str, str] = {
    "web:concern_new": "a concern",
    "web:concern_new_child": "a concern",
    "web:triage": "a triage decision",
    "web:screening_new": "a screening",
    "web:interview_new": "a return home interview",
    "web:interview_response": "a return home interview",
    "web:plan_new": "a plan",
    "web:plan_review": "a plan review",
}
MAX_BYTES = 200_000  # a long assessment is some thousands of words; this is far more
MAX_FIELDS = 1_000
MAX_PER_USER = 50
NOT_KEPT = {"csrfmiddlewaretoken"}


def drafted_kind(path: str) -> str:
    """What a draft of the page at ``path`` is called, or "" if that page keeps no drafts."""
    parts = urlsplit(path)
    if parts.scheme or parts.netloc or not parts.path.startswith("/") or len(path) > 500:
        return ""
    try:
        match = resolve(parts.path)
    except Resolver404:
        return ""
    return DRAFTED.get(match.view_name, "")


def _oldest_kept(now: dt.datetime | None = None) -> dt.datetime:
    return (now or timezone.now()) - dt.timedelta(days=settings.DRAFT_DAYS)


def _clean(form_data: Any) -> list[list[str]]:
    if not isinstance(form_data, list) or len(form_data) > MAX_FIELDS:
        raise ValidationError("A draft is a list of form fields")
    pairs = []
    for pair in form_data:
        if not (
            isinstance(pair, list)
            and len(pair) == 2
            and all(isinstance(part, str) for part in pair)
            and 0 < len(pair[0]) <= 200
        ):
            raise ValidationError("Each field of a draft is a name and a value")
        if pair[0] not in NOT_KEPT:
            pairs.append([pair[0], pair[1]])
    return pairs


def do_save_draft(user: User, *, path: str, form_data: Any) -> Draft:
    """Keep what ``user`` has typed into the form at ``path``, replacing their earlier draft of it."""
    if not drafted_kind(path):
        raise ValidationError("That page keeps no drafts")
    pairs = _clean(form_data)
    mine = Draft.objects.filter(user=user)
    if not mine.filter(path=path).exists() and mine.count() >= MAX_PER_USER:
        raise ValidationError("Too many drafts are waiting: submit or discard some first")
    draft, _ = Draft.objects.update_or_create(
        user=user, path=path, defaults={"form_data": pairs, "saved_at": timezone.now()}
    )
    return draft


def do_discard_draft(user: User, *, path: str) -> bool:
    """Delete ``user``'s draft of the form at ``path``; whether there was one."""
    deleted, _ = Draft.objects.filter(user=user, path=path).delete()
    return bool(deleted)


def do_purge_old_drafts(*, now: dt.datetime | None = None) -> int:
    """Delete every user's drafts last saved more than ``DRAFT_DAYS`` ago; how many."""
    deleted, _ = Draft.objects.filter(saved_at__lt=_oldest_kept(now)).delete()
    return deleted


def draft_for(user: User, *, path: str) -> Draft | None:
    """``user``'s own draft of the form at ``path``, unless it is too old to keep."""
    return Draft.objects.filter(user=user, path=path, saved_at__gte=_oldest_kept()).first()


def has_drafts(user: User) -> bool:
    """Whether ``user`` has any draft still kept."""
    return Draft.objects.filter(user=user, saved_at__gte=_oldest_kept()).exists()


def drafts_of(user: User) -> list[Draft]:
    """``user``'s own drafts still kept, newest first."""
    return list(Draft.objects.filter(user=user, saved_at__gte=_oldest_kept()).order_by("-saved_at"))


def saved_at_text(when: dt.datetime) -> str:
    """'14:32 today' or '14:32 on 5 May 2025', in local time."""
    local = timezone.localtime(when)
    if local.date() == timezone.localdate():
        return f"{local:%H:%M} today"
    return f"{local:%H:%M} on {local.day} {local:%B %Y}"


class DraftMiddleware:
    """A form that keeps drafts, submitted successfully (its page redirects after the service ran),
    no longer needs its draft: delete it. A refused submission is shown again and keeps the draft."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        match = getattr(request, "resolver_match", None)
        if (
            request.method == "POST"
            and 300 <= response.status_code < 400
            and match is not None
            and match.view_name in DRAFTED
            and request.user.is_authenticated
        ):
            do_discard_draft(request.user, path=request.get_full_path())
        return response
