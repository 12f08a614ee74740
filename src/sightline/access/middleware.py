"""Server-side idle timeout: a session unused for SESSION_IDLE_SECONDS is ended (and ledgered)."""

from __future__ import annotations

import time
from collections.abc import Callable

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse

from sightline.access.services import do_record_logout

TIMED_OUT_KEY = "signed_out_reason"
# The last-seen time is rewritten at most this often: saving the session on every request would make
# each page a session write. The idle limit is kept to within this many seconds.
LAST_SEEN_RESOLUTION = 60


class SessionIdleTimeoutMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated:
            now = int(time.time())
            last = request.session.get("last_seen")
            if last is not None and now - int(last) > settings.SESSION_IDLE_SECONDS:
                do_record_logout(user, reason="idle timeout")
                logout(request)
                request.session[TIMED_OUT_KEY] = "idle"
            elif last is None or now - int(last) >= LAST_SEEN_RESOLUTION:
                request.session["last_seen"] = now
        return self.get_response(request)
