"""Fixtures for every test that uses Django: cheap password hashing, a private home for files, and
accounts. They are thin wrappers of tests/factories.py, which tests call directly for everything else."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from django.contrib.auth.hashers import Argon2PasswordHasher
from django.test import Client
from playwright.sync_api import Playwright, sync_playwright
from pytest_django import Settings

from sightline.access.models import User
from tests import factories


@pytest.fixture(autouse=True, scope="session")
def _cheap_argon2() -> Iterator[None]:
    """The one password-hashing setting of the suite. Passwords are still hashed with Argon2, the
    production hasher, but with small parameters: Django's defaults (100 MiB, parallelism 8) take about
    a second per hash on a shared 2-core machine."""
    saved = (
        Argon2PasswordHasher.time_cost,
        Argon2PasswordHasher.memory_cost,
        Argon2PasswordHasher.parallelism,
    )
    Argon2PasswordHasher.time_cost, Argon2PasswordHasher.memory_cost, Argon2PasswordHasher.parallelism = (
        1,
        1024,
        1,
    )
    yield
    Argon2PasswordHasher.time_cost, Argon2PasswordHasher.memory_cost, Argon2PasswordHasher.parallelism = saved


@pytest.fixture(autouse=True)
def _isolated_home(settings: Settings, tmp_path: Path) -> None:
    """Checkpoints and evidence files of one test never leak into another."""
    settings.LEDGER_CHECKPOINT_DIR = tmp_path / "checkpoints"
    evidence = settings.STORAGES["evidence"]
    options = {**evidence["OPTIONS"], "location": tmp_path / "evidence"}
    settings.STORAGES = {**settings.STORAGES, "evidence": {**evidence, "OPTIONS": options}}


@pytest.fixture
def make_user(db: None) -> Callable[..., User]:
    """``make_user(role, agency, username=None, *, totp=True, ...)``: see :func:`factories.user`."""
    return factories.user


@pytest.fixture
def login() -> Callable[[Client, User], Client]:
    """``login(client, user)``: the client signed in as the user (see :func:`factories.signed_in`)."""
    return lambda client, account: factories.signed_in(account, client)


# --- accounts by role, for the tests of each domain ---------------------------------------------------


@pytest.fixture
def coordinator(make_user: Callable[..., User]) -> User:
    return make_user("cse_coordinator", "mash", username="coord")


@pytest.fixture
def manager(make_user: Callable[..., User]) -> User:
    return make_user("manager", "social_care", username="mgr")


@pytest.fixture
def manager2(make_user: Callable[..., User]) -> User:
    return make_user("manager", "police", username="mgr2")


@pytest.fixture
def social_worker(make_user: Callable[..., User]) -> User:
    return make_user("practitioner", "social_care", username="sw")


@pytest.fixture
def police_officer(make_user: Callable[..., User]) -> User:
    return make_user("practitioner", "police", username="pc")


@pytest.fixture
def practitioner(make_user: Callable[..., User]) -> User:
    return make_user("practitioner", "youth_service", username="youthworker")


@pytest.fixture
def analyst(make_user: Callable[..., User]) -> User:
    return make_user("analyst", "police", username="analyst")


@pytest.fixture
def board_member(make_user: Callable[..., User]) -> User:
    return make_user("board_member", "mash", username="board")


@pytest.fixture
def reviewer(make_user: Callable[..., User]) -> User:
    return make_user("independent_reviewer", "independent_review", username="reviewer")


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    """One Playwright per test process: its sync API runs an event loop in this thread, and a second
    one cannot start beside it (browser and deploy tests may share a worker)."""
    # The ORM calls the tests make in that thread are still synchronous and safe.
    os.environ["DJANGO_ALLOW_ASYNC_UNSAFE"] = "true"
    with sync_playwright() as pw:
        yield pw
