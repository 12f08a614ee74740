"""The signed-in page's helpers in base.html: the idle-timeout warning, the draft of a long form, and
the drafts waiting after sign-in (docs/access.md, docs/case-work.md)."""

from __future__ import annotations

from typing import Any

from django import template
from django.conf import settings

from sightline.access.decorators import fully_signed_in
from sightline.access.middleware import idle_seconds_left
from sightline.web import drafts
from sightline.web.apps import DRAFTS_WAITING_KEY

register = template.Library()


@register.inclusion_tag("web/includes/session_tools.html", takes_context=True)
def session_tools(context: template.Context) -> dict[str, Any]:
    """The timeout dialog and its script; on a form that keeps drafts, the drafts script and, on a
    fresh visit (not a form shown again with its errors), the user's own draft to restore."""
    request = context.get("request")
    if request is None or not fully_signed_in(request):
        return {"show": False}
    path = request.get_full_path()
    kind = drafts.drafted_kind(path)
    draft = drafts.draft_for(request.user, path=path) if kind and request.method == "GET" else None
    idle = settings.SESSION_IDLE_SECONDS
    return {
        "show": True,
        "seconds_left": idle_seconds_left(request),
        "warn_seconds": min(settings.SESSION_IDLE_WARNING_SECONDS, idle),
        "drafted": bool(kind),
        "path": path,
        "draft": draft,
        "draft_time": drafts.saved_at_text(draft.saved_at) if draft else "",
        "draft_days": settings.DRAFT_DAYS,
    }


@register.inclusion_tag("web/includes/drafts_waiting.html", takes_context=True)
def drafts_waiting(context: template.Context) -> dict[str, Any]:
    """Once, on the first page after sign-in: the user's drafts waiting elsewhere, with links back."""
    request = context.get("request")
    if request is None or not fully_signed_in(request) or not request.session.pop(DRAFTS_WAITING_KEY, False):
        return {"waiting": []}
    here = request.get_full_path()
    waiting = [
        {
            "path": d.path,
            "kind": drafts.drafted_kind(d.path) or "a form",
            "time": drafts.saved_at_text(d.saved_at),
        }
        for d in drafts.drafts_of(request.user)
        if d.path != here
    ]
    return {"waiting": waiting}
