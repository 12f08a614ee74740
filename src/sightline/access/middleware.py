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


# For the pages' timeout warning (web/views/session.py): the same clock the middleware keeps.


def idle_seconds_left(request: HttpRequest) -> int:
    """Seconds before this session is ended for inactivity, as the middleware will judge it."""
    now = int(time.time())
    last = int(request.session.get("last_seen", now))
    return max(0, settings.SESSION_IDLE_SECONDS - (now - last))


def mark_active(request: HttpRequest) -> None:
    """Restart the idle clock: the user chose to stay signed in."""
    request.session["last_seen"] = int(time.time())


def end_idle_session(request: HttpRequest) -> None:
    """Sign out for inactivity, ledgered as such, and tell the sign-in page why."""
    do_record_logout(request.user, reason="idle timeout")  # type: ignore[arg-type]
    logout(request)
    request.session[TIMED_OUT_KEY] = "idle"
