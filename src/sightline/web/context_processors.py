from typing import Any

from django.conf import settings
from django.http import HttpRequest

from sightline.access.decorators import fully_signed_in
from sightline.web.navigation import nav_items


def service(request: HttpRequest) -> dict[str, Any]:
    signed_in = fully_signed_in(request)
    user = getattr(request, "user", None)
    return {
        "service_name": "Sightline",
        "demo_mode": settings.DEMO_MODE,
        "signed_in": signed_in,
        "navigation": nav_items(user.role, request.path) if signed_in and user is not None else [],
    }
