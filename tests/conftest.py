"""Shared fixtures. Tests run against the database the environment names (SQLite or PostgreSQL)."""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parent.parent
SHARED = Path(os.environ.get("SIGHTLINE_SHARED", REPO.parent / "shared"))


def shared_dir(*parts: str) -> Path:
    """A folder of ../shared/, or skip the test with a clear reason where it is absent."""
    path = SHARED.joinpath(*parts)
    if not path.exists():
        pytest.skip(
            f"{path} is absent: the shared contracts are not beside this checkout (CI always has them)"
        )
    return path


@pytest.fixture(autouse=True, scope="session")
def _cheap_argon2() -> Iterator[None]:
    """Argon2 still hashes every test password, with small parameters: Django's defaults (100 MiB,
    parallelism 8) take about a second per hash on a shared 2-core machine."""
    from django.contrib.auth.hashers import Argon2PasswordHasher

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
def _isolated_home(settings: pytest.FixtureRequest, tmp_path: Path) -> None:
    """Checkpoints and keys of one test never leak into another."""
    settings.LEDGER_CHECKPOINT_DIR = tmp_path / "checkpoints"  # type: ignore[attr-defined]


@pytest.fixture
def system_actor():  # type: ignore[no-untyped-def]
    from sightline.ledger.services import SYSTEM

    return SYSTEM


TEST_PASSWORD = "correct horse battery staple"


@pytest.fixture
def make_user(db: None) -> Callable[..., object]:
    """Create a user of a given role and agency through the access services (ledgered).

    The user has the password ``TEST_PASSWORD`` and, unless ``totp=False``, a confirmed
    authenticator app (TOTP device), as a real account would.
    """
    from sightline.access.models import User
    from sightline.access.services import do_create_user, do_enrol_totp, ensure_standard_agencies
    from sightline.ledger.services import SYSTEM

    ensure_standard_agencies()
    counter = {"n": 0}

    def _make(
        role: str = "practitioner",
        agency: str = "social_care",
        username: str | None = None,
        *,
        totp: bool = True,
        password: str = TEST_PASSWORD,
        demo_account: bool = False,
    ) -> User:
        counter["n"] += 1
        name = username or f"{role}-{agency}-{counter['n']}"
        user = do_create_user(
            username=name,
            role=role,
            agency=agency,
            actor=SYSTEM,
            password=password,
            demo_account=demo_account,
        )
        if totp:
            do_enrol_totp(SYSTEM, username=user.username, confirmed=True)
        return user

    return _make


def login_client(client: object, user: object) -> object:
    """Leave ``client`` signed in as ``user`` exactly as the real sign-in does: authenticated and,
    where the user has an authenticator app, verified with it (django-otp's session key).

    Tests of the sign-in flow itself post the forms; this is for everything else.
    """
    from django_otp import DEVICE_ID_SESSION_KEY
    from django_otp.plugins.otp_totp.models import TOTPDevice

    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")  # type: ignore[attr-defined]
    device = TOTPDevice.objects.filter(user=user, confirmed=True).first()
    if device is not None:
        session = client.session  # type: ignore[attr-defined]
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def login() -> Callable[[object, object], object]:
    """``login(client, user)``: see :func:`login_client`."""
    return login_client
