"""The API core: token and session authentication, problem+json errors, pagination, OpenAPI and docs."""

from __future__ import annotations

import re
import typing
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from pydantic import BaseModel

from sightline.access import selectors, services
from sightline.access.models import ApiToken
from sightline.api.core import api
from sightline.ledger.services import SYSTEM, record_action
from sightline.people.services import do_break_glass
from tests.factories import bearer

from .conftest import entries

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture
def token_for(make_user: Callable[..., Any]) -> Callable[..., tuple[Any, dict[str, str]]]:
    def _token(
        role: str = "analyst", agency: str = "police", username: str | None = None
    ) -> tuple[Any, dict[str, str]]:
        user = make_user(role, agency, username=username, totp=False)
        return user, bearer(user)

    return _token


def _problem(response: Any, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.content
    assert response["Content-Type"] == PROBLEM
    body: dict[str, Any] = response.json()
    assert body["status"] == status and body["title"] and body["type"] == "about:blank"
    return body


def test_token_authenticates_as_its_owner(client: Client, token_for: Callable[..., Any]) -> None:
    _, auth = token_for(username="feed")
    body = client.get("/api/access/me", **auth).json()
    assert body["username"] == "feed" and body["role"] == "analyst" and body["authenticated_by"] == "token"
    assert "view_all_people" in body["capabilities"]


def test_missing_unknown_and_revoked_tokens_get_401(client: Client, token_for: Callable[..., Any]) -> None:
    _problem(client.get("/api/access/me"), 401)
    response = client.get("/api/access/me", HTTP_AUTHORIZATION="Bearer sl_not-a-real-token")
    _problem(response, 401)
    assert response["WWW-Authenticate"].startswith("Bearer")
    _, auth = token_for()
    services.do_revoke_api_token(SYSTEM, token_id=ApiToken.objects.get().id, reason="retired")
    _problem(client.get("/api/access/me", **auth), 401)
    # A POST with a bad token and no session is a 401, not a CSRF failure.
    _problem(client.post("/api/access/break-glass", {}, content_type="application/json", **auth), 401)


def test_session_counts_only_after_the_second_factor(
    client: Client, make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    user = make_user("practitioner", "police", username="pc")
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")  # password only
    _problem(client.get("/api/access/me"), 401)
    login(client, user)
    body = client.get("/api/access/me").json()
    assert body["username"] == "pc" and body["authenticated_by"] == "session"


def test_session_changes_need_the_csrf_token(
    make_user: Callable[..., Any], login: Callable[..., Any], person: Callable[..., Any]
) -> None:
    client = Client(enforce_csrf_checks=True)
    login(client, make_user("practitioner", "police"))
    payload = {"person_id": person("health").id, "reason": "Missing since last night; need address"}
    body = _problem(client.post("/api/access/break-glass", payload, content_type="application/json"), 403)
    assert "CSRF" in body["detail"]


def test_forbidden_is_a_403_problem(client: Client, token_for: Callable[..., Any]) -> None:
    _, auth = token_for("practitioner", "social_care")
    body = _problem(client.get("/api/access/break-glass", **auth), 403)
    assert body["instance"] == "/api/access/break-glass"


def test_validation_errors_point_at_the_field(
    client: Client, token_for: Callable[..., Any], person: Callable[..., Any]
) -> None:
    _, auth = token_for("practitioner", "social_care")
    body = _problem(client.get("/api/access/me/activity?limit=1000", **auth), 422)
    assert body["errors"][0]["parameter"] == "limit"
    body = _problem(
        client.post(
            "/api/access/break-glass",
            {"person_id": person("police").id, "reason": "too short"},
            content_type="application/json",
            **auth,
        ),
        422,
    )
    assert body["errors"] == [{"detail": body["errors"][0]["detail"], "pointer": "#/reason"}]
    body = _problem(
        client.post("/api/access/break-glass", {"reason": 3}, content_type="application/json", **auth), 422
    )
    assert {e.get("pointer") for e in body["errors"]} >= {"#/person_id", "#/reason"}
    _problem(
        client.post("/api/access/break-glass", "{not json", content_type="application/json", **auth), 400
    )


def test_break_glass_through_the_api_is_the_same_service(
    client: Client, token_for: Callable[..., Any], person: Callable[..., Any]
) -> None:
    _, auth = token_for("practitioner", "social_care", username="sw")
    child = person("police")
    assert client.get(f"/api/access/people/{child.id}/access", **auth).json()["allowed"] is False
    response = client.post(
        "/api/access/break-glass",
        {"person_id": child.id, "reason": "Missing since last night; need address"},
        content_type="application/json",
        **auth,
    )
    assert response.status_code == 201 and response.json()["username"] == "sw"
    decision = client.get(f"/api/access/people/{child.id}/access", **auth).json()
    assert decision == decision | {"allowed": True, "basis": "break_glass"}
    assert entries(action="break_glass")[0].actor_user == "sw"
    nobody = {"person_id": "P-NOSUCHPERSON", "reason": "Missing since last night; need address"}
    _problem(client.post("/api/access/break-glass", nobody, content_type="application/json", **auth), 404)


def test_not_found_is_a_404_problem(client: Client, token_for: Callable[..., Any]) -> None:
    _, auth = token_for("independent_reviewer", "independent_review")
    _problem(
        client.post(
            "/api/access/break-glass/BG-NOPE/review",
            {"outcome": "appropriate"},
            content_type="application/json",
            **auth,
        ),
        404,
    )
    _problem(client.get("/api/no/such/thing", **auth), 404)


def test_server_errors_are_a_500_problem(
    client: Client, token_for: Callable[..., Any], monkeypatch: Any
) -> None:
    def broken(_user: Any) -> Any:
        raise RuntimeError("database on fire")

    monkeypatch.setattr(selectors, "my_activity", broken)
    _, auth = token_for()
    body = _problem(client.get("/api/access/me/activity", **auth), 500)
    assert "fire" not in body["detail"]  # nothing internal leaks


def test_pagination_is_limit_offset_with_a_maximum(client: Client, token_for: Callable[..., Any]) -> None:
    user, auth = token_for(username="feed")
    actor = services.actor_for(user)
    for i in range(7):
        record_action(actor, "export", "test.thing", f"T{i}")
    entries()
    page = client.get("/api/access/me/activity?limit=3&offset=2", **auth).json()
    assert page["limit"] == 3 and page["offset"] == 2
    assert page["count"] == len(entries(actor_user="feed"))
    assert [i["object_id"] for i in page["items"]] == ["T4", "T3", "T2"]
    assert client.get("/api/access/me/activity?limit=200", **auth).status_code == 200
    assert client.get("/api/access/me/activity?limit=201", **auth).status_code == 422
    assert client.get("/api/access/me/activity?offset=-1", **auth).status_code == 422
    assert client.get(f"/api/access/me/activity?offset={2**63}", **auth).status_code == 422
    assert client.get("/api/access/me/activity?offset=1000000000", **auth).json()["items"] == []


def test_openapi_is_3_1_and_documents_problem_responses(client: Client) -> None:
    schema = client.get("/api/openapi.json").json()
    assert schema["openapi"].startswith("3.1")
    assert "Problem" in schema["components"]["schemas"]
    me = schema["paths"]["/api/access/me"]["get"]
    assert set(me["responses"]) >= {"200", "401", "403", "500"}
    assert "application/problem+json" in me["responses"]["401"]["content"]
    activity = schema["paths"]["/api/access/me/activity"]["get"]
    params = {p["name"]: p for p in activity["parameters"]}
    assert params["limit"]["schema"]["maximum"] == 200
    assert "422" in activity["responses"]
    paged = activity["responses"]["200"]["content"]["application/json"]["schema"]["$ref"].rsplit("/", 1)[-1]
    assert set(schema["components"]["schemas"][paged]["properties"]) == {"items", "count", "limit", "offset"}
    schemes = schema["components"]["securitySchemes"]
    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}


def test_docs_are_self_hosted_and_need_no_script(client: Client) -> None:
    response = client.get("/api/docs")
    assert response.status_code == 200
    html = response.content.decode()
    assert "/api/access/me/activity" in html and "application/problem+json" in html
    assert not re.search(r"""<(script|link|img)[^>]+(src|href)=["']?(https?:)?//""", html), "no CDN"
    assert "<script>" not in html and "<style" not in html and " style=" not in html
    assert "'unsafe-inline'" not in response["Content-Security-Policy"]


def test_reviewing_through_the_api(
    client: Client, token_for: Callable[..., Any], make_user: Callable[..., Any], person: Callable[..., Any]
) -> None:
    pc = make_user("practitioner", "police")
    grant = do_break_glass(pc, person_id=person("health").id, reason="Missing since last night; need address")
    _, auth = token_for("independent_reviewer", "independent_review", username="rev")
    url = f"/api/access/break-glass/{grant.id}/review"
    queue = client.get("/api/access/break-glass", **auth).json()
    assert [g["id"] for g in queue["items"]] == [grant.id]
    body = _problem(client.post(url, {"outcome": "concern"}, content_type="application/json", **auth), 422)
    assert body["errors"][0]["pointer"].endswith("note")
    response = client.post(url, {"outcome": "appropriate"}, content_type="application/json", **auth)
    assert response.status_code == 200 and response.json()["reviewed_by"] == "rev"
    again = client.post(url, {"outcome": "concern", "note": "x"}, content_type="application/json", **auth)
    _problem(again, 409)
    assert client.get("/api/access/break-glass", **auth).json()["count"] == 0


def _models(annotation: Any) -> Any:
    """Every pydantic model reachable from a type annotation."""

    if isinstance(annotation, type) and issubclass(annotation, BaseModel):
        yield annotation
        for field in annotation.model_fields.values():
            yield from _models(field.annotation)
    for arg in typing.get_args(annotation):
        yield from _models(arg)


def test_api_schema_names_are_unique_across_domains() -> None:
    """ninja files schemas by class name: two domains' ``ReviewIn`` would silently share one entry in
    the OpenAPI document, documenting one endpoint with the other's body."""

    seen: dict[str, set[str]] = {}
    for bound in api._get_bound_routers():
        for path_view in bound.path_operations.values():
            for op in path_view.operations:
                annotations = [f.annotation for m in op.models for f in m.model_fields.values()]
                annotations += [
                    r.model_fields["response"].annotation for r in op.response_models.values() if r
                ]
                for model in (m for a in annotations for m in _models(a)):
                    if model.__module__.startswith("sightline"):
                        seen.setdefault(model.__name__, set()).add(f"{model.__module__}.{model.__qualname__}")
    clashes = {name: where for name, where in seen.items() if len(where) > 1}
    assert not clashes, f"schema names used by more than one class: {clashes}"
