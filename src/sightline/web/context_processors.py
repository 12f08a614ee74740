from typing import Any

from django.conf import settings
from django.http import HttpRequest

from sightline.access.decorators import fully_signed_in
from sightline.reports.marking import PROTECTIVE_MARKING, printed_by, user_label
from sightline.web.navigation import nav_items


def service(request: HttpRequest) -> dict[str, Any]:
    signed_in = fully_signed_in(request)
    user = getattr(request, "user", None)
    out = {
        "service_name": "Sightline",
        "demo_mode": settings.DEMO_MODE,
        "signed_in": signed_in,
        "navigation": nav_items(user.role, request.path) if signed_in and user is not None else [],
    }
    if signed_in and user is not None:  # for the marking on printed pages (includes/print_marking.html)
        who = user_label(user)
        out.update(protective_marking=PROTECTIVE_MARKING, printed_for=who, printed_by=printed_by(who))
    return out
