from __future__ import annotations

import json
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client

from sightline.access.models import User
from tests import factories


class Api:
    """A token-authenticated JSON client for /api/, acting for ``user``."""

    def __init__(self, user: User, token: str) -> None:
        self.user = user
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
def api_for(make_user: Callable[..., User]) -> Callable[..., Api]:
    """``api_for(role, agency, username=None)``: an API client with a new account's token."""

    def _make(role: str = "cse_coordinator", agency: str = "mash", username: str | None = None) -> Api:
        user = make_user(role, agency, username=username)
        return Api(user, factories.api_token(user))

    return _make
