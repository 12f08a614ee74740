"""Web routes. Each domain keeps its pages in its own ``urls_<domain>`` module, included here."""

import importlib

from django.http import HttpRequest, HttpResponse
from django.urls import URLPattern, URLResolver, path

app_name = "web"

DOMAINS = [
    "access",
    "people",
    "cases",
    "intelligence",
    "outreach",
    "sharing",
    "accountability",
    "reports",
    "ledger",
    "session",
    "notifications",
    "returns",
]


def healthz(request: HttpRequest) -> HttpResponse:
    return HttpResponse("ok", content_type="text/plain")


urlpatterns: list[URLPattern | URLResolver] = [path("healthz", healthz, name="healthz")]
for _domain in DOMAINS:
    try:
        _module = importlib.import_module(f"sightline.web.urls_{_domain}")
    except ModuleNotFoundError as exc:
        if exc.name != f"sightline.web.urls_{_domain}":
            raise
        continue
    urlpatterns += _module.urlpatterns
