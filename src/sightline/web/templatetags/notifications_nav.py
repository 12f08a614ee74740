"""The service navigation's link to the inbox, with the number of notifications not seen yet."""

from __future__ import annotations

from typing import Any

from django import template

from sightline.access.decorators import fully_signed_in
from sightline.access.permissions import can
from sightline.notifications.selectors import INBOX_CAPS, unseen_count

register = template.Library()


@register.inclusion_tag("web/includes/notifications_link.html", takes_context=True)
def notifications_link(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    if request is None or not fully_signed_in(request):
        return {"show": False}
    user = request.user
    if not any(can(user.role, c) for c in INBOX_CAPS):
        return {"show": False}
    return {"show": True, "count": unseen_count(user), "current": request.path.startswith("/notifications")}
