from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Api:
    """A token-authenticated JSON client for /api/."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.headers = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def call(self, method: str, path: str, body: Any = None, **params: Any) -> Any:
        kwargs: dict[str, Any] = dict(self.headers)
        if body is not None:
            kwargs["data"] = json.dumps(body, default=str)
            kwargs["content_type"] = "application/json"
        elif params:
            kwargs["data"] = params
        return getattr(self.client, method)(f"/api{path}", **kwargs)

    def get(self, path: str, **params: Any) -> Any:
        return self.call("get", path, **params)

    def post(self, path: str, body: Any) -> Any:
        return self.call("post", path, body)

    def patch(self, path: str, body: Any) -> Any:
        return self.call("patch", path, body)


@pytest.fixture
def api_for(make_user: Callable[..., Any]) -> Callable[..., Api]:
    from sightline.access.services import do_create_api_token
    from sightline.ledger.services import SYSTEM

    def _make(role: str = "cse_coordinator", agency: str = "mash", username: str | None = None) -> Api:
        user = make_user(role, agency, username=username)
        _row, token = do_create_api_token(SYSTEM, username=user.username, name="test system")
        api = Api(token)
        api.user = user  # type: ignore[attr-defined]
        return api

    return _make
