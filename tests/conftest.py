"""Shared fixtures. Tests run against the database the environment names (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Callable
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SIGHTLINE_SHARED", REPO.parent / "shared"))


def shared_dir(*parts: str) -> Path:
    """A folder of ../shared/, or skip the test with a clear reason where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(f"{path} is absent: the shared contracts are not beside this checkout (CI always has them)")
    return path


@pytest.fixture(autouse=True)
def _isolated_home(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Checkpoints and keys of one test never leak into another."""
    settings.LEDGER_CHECKPOINT_DIR = tmp_path / "checkpoints"  # type: ignore[attr-defined]


@pytest.fixture
def system_actor():  # type: ignore[no-untyped-def]
    from sightline.ledger.services import SYSTEM

    return SYSTEM


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    """Create a user of a given role and agency (agencies are created on demand)."""
    from sightline.access.services import ensure_standard_agencies
    from sightline.access.models import User

    ensure_standard_agencies()
    counter = {"n": 0}

    def _make(role: str = "practitioner", agency: str = "social_care", username: str | None = None) -> User:
        counter["n"] += 1
        name = username or f"{role}-{agency}-{counter['n']}"
        user = User.objects.create_user(username=name, password="correct horse battery staple", role=role)
        user.agency_id = agency
        user.save()
        return user

    return _make
