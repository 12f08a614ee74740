"""The OpenAPI document: every schema name is defined once across all routers."""

from __future__ import annotations

import importlib
import inspect
import json
import pkgutil
from collections import defaultdict

import pytest
from django.test import Client
from ninja import Schema

from sightline.api.urls import DOMAINS


def test_no_two_routers_define_a_schema_with_the_same_name() -> None:
    # django-ninja names OpenAPI components by class name, so a second class of the same name
    # silently replaces the first in /api/openapi.json and clients validate against the wrong one.
    owners: dict[str, set[str]] = defaultdict(set)
    for module_name in ["sightline.api.core", *(f"sightline.api.{d}" for d in DOMAINS)]:
        try:
            package = importlib.import_module(module_name)
        except ModuleNotFoundError:
            continue
        # A domain may be a package (schemas apart from endpoints): look in every module of it.
        inside = pkgutil.walk_packages(getattr(package, "__path__", []), f"{module_name}.")
        for module in [package, *(importlib.import_module(m.name) for m in inside)]:
            for name, obj in vars(module).items():
                if inspect.isclass(obj) and issubclass(obj, Schema) and obj.__module__ == module.__name__:
                    owners[name].add(module.__name__)
    clashes = {name: sorted(mods) for name, mods in owners.items() if len(mods) > 1}
    assert clashes == {}


@pytest.mark.django_db
def test_case_work_operations_are_in_the_document() -> None:
    doc = json.loads(Client().get("/api/openapi.json").content)
    assert doc["openapi"].startswith("3.1")
    for path in ["/api/people", "/api/cases/concerns", "/api/cases/people/{person_id}/chronology"]:
        assert path in doc["paths"]
    listed = doc["paths"]["/api/cases/concerns"]["get"]["responses"]["200"]["content"]["application/json"]
    ref = listed["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(doc["components"]["schemas"][ref]["properties"]) >= {"items", "count", "limit", "offset"}
    assert (
        "application/problem+json"
        in doc["paths"]["/api/cases/concerns"]["post"]["responses"]["422"]["content"]
    )
