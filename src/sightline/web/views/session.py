"""What the pages' scripts call: keep the session when the user chooses to stay signed in, end it when
the timeout warning runs out, and save or discard a draft of a long form (web/drafts.py).

The JSON answers say 401 when the session has already ended, so that a script never mistakes the
sign-in page for an answer. No answer, and no log line, repeats what a draft says.
"""

from __future__ import annotations

import json
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.views.decorators.http import require_POST

from sightline.access.decorators import fully_signed_in, signed_in
from sightline.access.middleware import end_idle_session, idle_seconds_left, mark_active
from sightline.web import drafts

SIGNED_OUT = {"error": "You are signed out. Sign in again to continue."}


@require_POST
def keep_alive(request: HttpRequest) -> HttpResponse:
    """Stay signed in: restart the idle clock and say how long the session now has."""
    if not fully_signed_in(request):
        return JsonResponse(SIGNED_OUT, status=401)
    mark_active(request)
    return JsonResponse({"seconds_left": idle_seconds_left(request)})


@require_POST
def timed_out(request: HttpRequest) -> HttpResponse:
    """The warning ran out with nobody there: sign out now, as the idle timeout would."""
    if request.user.is_authenticated:
        end_idle_session(request)
    return HttpResponse(status=204)


@require_POST
def draft_save(request: HttpRequest) -> HttpResponse:
    """Save a draft: a JSON body ``{"path": the form page's address, "fields": [[name, value], ...]}``."""
    if not fully_signed_in(request):
        return JsonResponse(SIGNED_OUT, status=401)
    if len(request.body) > drafts.MAX_BYTES:
        return JsonResponse({"error": "This draft is too long to save"}, status=413)
    try:
        body: Any = json.loads(request.body)
        path, fields = str(body["path"]), body["fields"]
    except (ValueError, TypeError, KeyError):
        return JsonResponse({"error": "Send the page's address and its fields as JSON"}, status=400)
    try:
        draft = drafts.do_save_draft(request.user, path=path, form_data=fields)  # type: ignore[arg-type]
    except ValidationError as exc:
        return JsonResponse({"error": exc.messages[0]}, status=400)
    return JsonResponse(
        {
            "saved_at": draft.saved_at.isoformat(),
            "saved_at_text": drafts.saved_at_text(draft.saved_at),
            "seconds_left": idle_seconds_left(request),
        }
    )


@require_POST
@signed_in
def draft_discard(request: HttpRequest) -> HttpResponse:
    """Discard the draft of the form at ``path`` and show that form empty again."""
    path = request.POST.get("path", "")
    if drafts.do_discard_draft(request.user, path=path):  # type: ignore[arg-type]
        messages.success(request, "Your draft was discarded.")
    return redirect(path if drafts.drafted_kind(path) else "web:dashboard")
