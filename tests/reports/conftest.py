from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.utils import timezone

from sightline.ledger.services import Actor

# Actors by role and agency, as the services see them (no account needed to write case data).
COORDINATOR = Actor(user="cse.coord", agency="mash", role="cse_coordinator")
POLICE = Actor(user="pc.officer", agency="police", role="manager")
HEALTH = Actor(user="school.nurse", agency="health", role="manager")
YOUTH = Actor(user="youth.worker", agency="youth_service", role="manager")


@pytest.fixture(autouse=True)
def _fast_passwords_and_store(settings: Any, tmp_path: Path) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    evidence = settings.STORAGES["evidence"]
    options = {**evidence["OPTIONS"], "location": tmp_path / "evidence"}
    settings.STORAGES = {**settings.STORAGES, "evidence": {**evidence, "OPTIONS": options}}


@pytest.fixture
def reviewer(make_user: Callable[..., Any]) -> Any:
    return make_user("independent_reviewer", "independent_review", username="reviewer")


@pytest.fixture
def board_member(make_user: Callable[..., Any]) -> Any:
    return make_user("board_member", "mash", username="board")


@pytest.fixture
def practitioner(make_user: Callable[..., Any]) -> Any:
    return make_user("practitioner", "youth_service", username="youthworker")


def at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))
