from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    # Argon2 at its production cost makes every user fixture take a second on two shared cores.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


@pytest.fixture
def coordinator(make_user: Callable[..., Any]) -> Any:
    return make_user("cse_coordinator", "mash", username="coord")


@pytest.fixture
def social_worker(make_user: Callable[..., Any]) -> Any:
    return make_user("practitioner", "social_care", username="sw")


@pytest.fixture
def police_officer(make_user: Callable[..., Any]) -> Any:
    return make_user("practitioner", "police", username="pc")


@pytest.fixture
def manager(make_user: Callable[..., Any]) -> Any:
    return make_user("manager", "social_care", username="mgr")


@pytest.fixture
def analyst(make_user: Callable[..., Any]) -> Any:
    return make_user("analyst", "police", username="analyst")
