"""The typed REST API: one NinjaAPI, one router per domain (``sightline.api.<domain>``)."""

import importlib

from django.urls import path

from sightline.api.core import api

DOMAINS = ["access", "people", "cases", "intelligence", "accountability", "ledger"]

for _domain in DOMAINS:
    try:
        _module = importlib.import_module(f"sightline.api.{_domain}")
    except ModuleNotFoundError as exc:
        if exc.name != f"sightline.api.{_domain}":
            raise
        continue
    api.add_router(f"/{_domain}", _module.router)

urlpatterns = [path("", api.urls)]
