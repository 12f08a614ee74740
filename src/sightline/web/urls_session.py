"""What the pages' scripts call: the timeout warning's session endpoints and drafts of long forms."""

from django.urls import path

from sightline.web.views import session

urlpatterns = [
    path("session/keep-alive", session.keep_alive, name="keep_alive"),
    path("session/timed-out", session.timed_out, name="timed_out"),
    path("drafts", session.draft_save, name="draft_save"),
    path("drafts/discard", session.draft_discard, name="draft_discard"),
]
