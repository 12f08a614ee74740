from typing import Any

from django.apps import AppConfig
from django.contrib.auth.signals import user_logged_in

# Set at sign-in when the user has drafts waiting; the first page after it lists them once.
DRAFTS_WAITING_KEY = "drafts_waiting"


def _after_sign_in(sender: Any, request: Any, user: Any, **kwargs: Any) -> None:
    """Drafts too old to keep go at every sign-in; the user hears about their own that wait."""
    from sightline.web import drafts

    drafts.do_purge_old_drafts()
    if request is not None and hasattr(request, "session") and drafts.has_drafts(user):
        request.session[DRAFTS_WAITING_KEY] = True


class WebConfig(AppConfig):
    name = "sightline.web"
    label = "web"

    def ready(self) -> None:
        user_logged_in.connect(_after_sign_in, dispatch_uid="sightline.web.drafts_after_sign_in")
