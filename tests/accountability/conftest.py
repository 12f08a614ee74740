from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest


@pytest.fixture(autouse=True)
def _fast_passwords_and_store(settings: Any, tmp_path: Path) -> None:
    # Argon2 at its production cost makes every user fixture slow on two shared cores.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    evidence = settings.STORAGES["evidence"]
    options = {**evidence["OPTIONS"], "location": tmp_path / "evidence"}
    settings.STORAGES = {**settings.STORAGES, "evidence": {**evidence, "OPTIONS": options}}


@pytest.fixture
def coordinator(make_user: Callable[..., Any]) -> Any:
    return make_user("cse_coordinator", "mash", username="coord")


@pytest.fixture
def manager(make_user: Callable[..., Any]) -> Any:
    return make_user("manager", "social_care", username="mgr")


@pytest.fixture
def manager2(make_user: Callable[..., Any]) -> Any:
    return make_user("manager", "police", username="mgr2")


@pytest.fixture
def board_member(make_user: Callable[..., Any]) -> Any:
    return make_user("board_member", "mash", username="board")


@pytest.fixture
def reviewer(make_user: Callable[..., Any]) -> Any:
    return make_user("independent_reviewer", "independent_review", username="reviewer")


@pytest.fixture
def practitioner(make_user: Callable[..., Any]) -> Any:
    return make_user("practitioner", "youth_service", username="youthworker")
