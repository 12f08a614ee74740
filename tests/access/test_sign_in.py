"""Sign-in with password and second factor, lockout, demo factor, sign-out and idle timeout."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.access.permissions import MATRIX, PERSONAL_DATA_CAPS, Cap, Role, needs_second_factor
from sightline.access.services import (
    DEMO_SECOND_FACTOR,
    current_totp_code,
    do_deactivate_user,
    do_unlock_user,
)
from sightline.ledger.services import SYSTEM
from tests.factories import TEST_PASSWORD

from .conftest import entries, entry_data

pytestmark = pytest.mark.django_db

LOGIN = "/sign-in"
CODE = "/sign-in/security-code"


def _device(user: Any) -> Any:
    return TOTPDevice.objects.get(user=user)


def _password(client: Client, username: str, password: str = TEST_PASSWORD, **extra: Any) -> Any:
    return client.post(LOGIN, {"username": username, "password": password}, **extra)


def _signed_in(client: Client) -> bool:
    return client.get("/").status_code == 200


def test_urls_are_named() -> None:
    assert reverse("web:login") == LOGIN
    assert reverse("web:login_code") == CODE
    assert reverse("web:dashboard") == "/"


def test_sign_in_page_is_gov_uk_and_keeps_the_username(client: Client, make_user: Callable[..., Any]) -> None:
    make_user(username="ann")
    response = client.get(LOGIN)
    assert response.status_code == 200
    assert b'class="govuk-input' in response.content
    response = _password(client, "ann", "wrong password!")
    html = response.content.decode()
    assert response.status_code == 200
    assert "govuk-error-summary" in html
    assert "Enter a correct username and password" in html
    assert 'value="ann"' in html  # nothing the user typed is lost
    assert "wrong password!" not in html  # except the password, which is never echoed
    assert html.count("<title>Error: ") == 1


def test_empty_form_errors_link_to_their_fields(client: Client) -> None:
    html = client.post(LOGIN, {"username": "", "password": ""}).content.decode()
    assert '<a href="#id_username">Enter your username</a>' in html
    assert '<a href="#id_password">Enter your password</a>' in html
    assert 'aria-describedby="id_username-error"' in html


def test_password_then_security_code_signs_in_and_is_ledgered(
    client: Client, make_user: Callable[..., Any]
) -> None:
    user = make_user("practitioner", "police", username="pc-jones")
    response = _password(client, "pc-jones")
    assert response.status_code == 302 and response["Location"] == CODE
    assert not _signed_in(client), "a password alone must not sign in a role that sees personal data"
    page = client.get(CODE)
    assert page.status_code == 200 and b"security code" in page.content
    response = client.post(CODE, {"code": current_totp_code(_device(user))})
    assert response.status_code == 302 and response["Location"] == "/"
    assert _signed_in(client)
    [login] = entries(action="login", object_id="pc-jones")
    assert (login.actor_user, login.actor_agency, login.actor_role) == ("pc-jones", "police", "practitioner")
    assert entry_data(login)["second_factor"] == "totp"


@pytest.mark.parametrize("role", [r for r in Role.values if needs_second_factor(r)])
def test_every_role_that_needs_it_is_asked_for_a_code(
    role: str, client: Client, make_user: Callable[..., Any]
) -> None:
    make_user(role, username="someone")
    response = _password(client, "someone")
    assert response["Location"] == CODE
    assert not _signed_in(client)


def test_the_matrix_says_who_needs_a_second_factor() -> None:
    for role, caps in MATRIX.items():
        if caps & PERSONAL_DATA_CAPS or Cap.MANAGE_ACCOUNTS in caps:
            assert needs_second_factor(role), role
    assert not needs_second_factor(Role.BOARD_MEMBER)
    assert needs_second_factor(Role.SYSADMIN)  # can create accounts that see personal data


def test_role_without_personal_data_and_no_app_signs_in_with_password(
    client: Client, make_user: Callable[..., Any]
) -> None:
    make_user(Role.BOARD_MEMBER, "mash", username="board", totp=False)
    response = _password(client, "board")
    assert response["Location"] == "/"
    assert _signed_in(client)
    [login] = entries(action="login", object_id="board")
    assert entry_data(login)["second_factor"] == "none"


def test_a_board_member_who_set_up_an_app_is_asked_for_it(
    client: Client, make_user: Callable[..., Any]
) -> None:
    make_user(Role.BOARD_MEMBER, "mash", username="board")
    assert _password(client, "board")["Location"] == CODE


def test_role_that_needs_an_app_cannot_sign_in_without_one(
    client: Client, make_user: Callable[..., Any]
) -> None:
    make_user("practitioner", username="noapp", totp=False)
    response = _password(client, "noapp")
    assert response.status_code == 403
    assert b"You need an authenticator app to sign in" in response.content
    assert not _signed_in(client)
    [failed] = entries(action="login_failed", object_id="noapp")
    assert entry_data(failed)["stage"] == "no_second_factor"


def test_wrong_password_is_ledgered_without_recording_unknown_usernames(
    client: Client, make_user: Callable[..., Any]
) -> None:
    make_user(username="known")
    _password(client, "known", "not the password")
    _password(client, "typed-my-password-here", "whatever")
    failed = entries(action="login_failed")
    assert [f.object_id for f in failed] == ["known", "unknown"]
    assert all(f.actor_user == "anonymous" for f in failed)
    assert entry_data(failed[0])["stage"] == "password"
    assert "typed-my-password-here" not in bytes(failed[1].canonical).decode()


def test_wrong_security_code_is_refused_and_ledgered(client: Client, make_user: Callable[..., Any]) -> None:
    user = make_user(username="ann")
    _password(client, "ann")
    right = current_totp_code(_device(user))
    wrong = f"{(int(right) + 1) % 1_000_000:06d}"
    response = client.post(CODE, {"code": wrong})
    assert response.status_code == 200
    assert b"The security code is not correct" in response.content
    assert not _signed_in(client)
    [failed] = entries(action="login_failed", object_id="ann")
    assert entry_data(failed)["stage"] == "second_factor"


def test_security_code_must_be_six_digits(client: Client, make_user: Callable[..., Any]) -> None:
    make_user(username="ann")
    _password(client, "ann")
    response = client.post(CODE, {"code": "12ab"})
    assert b"The security code must be 6 digits" in response.content
    assert b'value="12ab"' in response.content


def test_security_code_page_needs_the_password_first(client: Client) -> None:
    response = client.get(CODE)
    assert response.status_code == 302 and response["Location"] == LOGIN


def test_a_code_cannot_be_used_twice(client: Client, make_user: Callable[..., Any]) -> None:
    user = make_user(username="ann")
    code = current_totp_code(_device(user))
    _password(client, "ann")
    assert client.post(CODE, {"code": code})["Location"] == "/"
    other = Client()
    _password(other, "ann")
    assert other.post(CODE, {"code": code}).status_code == 200  # replay refused
    assert not _signed_in(other)


def test_inactive_accounts_cannot_sign_in(client: Client, make_user: Callable[..., Any]) -> None:
    user = make_user(username="left")
    do_deactivate_user(SYSTEM, username=user.username, reason="left the agency")
    response = _password(client, "left")
    assert response.status_code == 200 and b"Enter a correct username and password" in response.content


def test_next_is_followed_only_within_the_site(client: Client, make_user: Callable[..., Any]) -> None:
    user = make_user(username="ann")
    client.post(f"{LOGIN}?next=https://evil.example/", {"username": "ann", "password": TEST_PASSWORD})
    assert client.post(CODE, {"code": current_totp_code(_device(user))})["Location"] == "/"
    other = Client()
    other.post(f"{LOGIN}?next=/account/activity", {"username": "ann", "password": TEST_PASSWORD})
    code = current_totp_code(_device(user), at=time.time() + 30)  # the next step: the last one was used
    assert other.post(CODE, {"code": code})["Location"] == "/account/activity"


# --- lockout ---------------------------------------------------------------------------------------


@pytest.fixture
def three_strikes(settings: Any) -> None:
    settings.AXES_FAILURE_LIMIT = 3
    settings.OTP_TOTP_THROTTLE_FACTOR = 0


@pytest.mark.usefixtures("three_strikes")
def test_lockout_after_repeated_wrong_passwords(client: Client, make_user: Callable[..., Any]) -> None:
    make_user(username="target")
    for _ in range(2):
        assert _password(client, "target", "guess guess guess").status_code == 200
    response = _password(client, "target", "guess guess guess")
    assert response.status_code == 429
    html = response.content.decode()
    assert "You cannot sign in at the moment" in html
    assert "try again in 1 hour" in html
    assert "govuk-heading-l" in html
    # Even the right password is refused while locked, and that attempt is ledgered too.
    response = _password(client, "target")
    assert response.status_code == 429
    assert not _signed_in(client)
    assert len(entries(action="lockout", object_id="target")) == 1
    stages = [entry_data(e)["stage"] for e in entries(action="login_failed", object_id="target")]
    assert stages == ["password", "password", "password", "locked"]


@pytest.mark.usefixtures("three_strikes")
def test_wrong_security_codes_count_towards_lockout(client: Client, make_user: Callable[..., Any]) -> None:
    user = make_user(username="target")
    _password(client, "target")
    right = current_totp_code(_device(user))
    wrong = f"{(int(right) + 7) % 1_000_000:06d}"
    client.post(CODE, {"code": wrong})
    client.post(CODE, {"code": wrong})
    response = client.post(CODE, {"code": wrong})
    assert response.status_code == 429
    assert len(entries(action="lockout", object_id="target")) == 1
    assert _password(client, "target").status_code == 429


@pytest.mark.usefixtures("three_strikes")
def test_unlock_clears_the_lockout(client: Client, make_user: Callable[..., Any]) -> None:
    user = make_user(username="target")
    for _ in range(3):
        _password(client, "target", "guess guess guess")
    assert _password(client, "target").status_code == 429
    do_unlock_user(SYSTEM, username=user.username, reason="called the service desk")
    assert _password(client, "target")["Location"] == CODE
    assert len(entries(action="unlock", object_id="target")) == 1


# --- the demo second factor ------------------------------------------------------------------------


def test_demo_code_is_refused_outside_demo_mode(
    client: Client, make_user: Callable[..., Any], settings: Any
) -> None:
    settings.DEMO_MODE = False
    make_user(username="demo-x", demo_account=True)
    _password(client, "demo-x")
    response = client.post(CODE, {"code": DEMO_SECOND_FACTOR})
    assert response.status_code == 200 and b"not correct" in response.content
    assert b"000000 also works" not in response.content
    assert not _signed_in(client)


def test_demo_code_works_for_demo_accounts_in_demo_mode(
    client: Client, make_user: Callable[..., Any], settings: Any
) -> None:
    settings.DEMO_MODE = True
    make_user(username="demo-x", demo_account=True)
    _password(client, "demo-x")
    assert b"000000 also works" in client.get(CODE).content
    assert client.post(CODE, {"code": DEMO_SECOND_FACTOR})["Location"] == "/"
    assert _signed_in(client)
    [login] = entries(action="login", object_id="demo-x")
    assert entry_data(login)["second_factor"] == "demo"


def test_demo_code_is_refused_for_real_accounts_even_in_demo_mode(
    client: Client, make_user: Callable[..., Any], settings: Any
) -> None:
    settings.DEMO_MODE = True
    make_user(username="real")
    _password(client, "real")
    assert client.post(CODE, {"code": DEMO_SECOND_FACTOR}).status_code == 200
    assert not _signed_in(client)


# --- sign-out and idle timeout ---------------------------------------------------------------------


def test_sign_out_is_a_post_and_is_ledgered(
    client: Client, make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    login(client, make_user(username="ann"))
    assert client.get("/sign-out").status_code == 200  # a confirmation page, not a sign-out
    assert _signed_in(client)
    response = client.post("/sign-out")
    assert response["Location"] == LOGIN
    assert not _signed_in(client)
    [logout] = entries(action="logout", object_id="ann")
    assert logout.reason == "signed out"


def test_idle_sessions_are_ended_and_ledgered(
    client: Client, make_user: Callable[..., Any], login: Callable[..., Any], settings: Any
) -> None:
    settings.SESSION_IDLE_SECONDS = 60
    login(client, make_user(username="ann"))
    assert _signed_in(client)
    session = client.session
    session["last_seen"] = int(time.time()) - 61
    session.save()
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)
    page = client.get(LOGIN).content.decode()
    assert "You were signed out because you had not used Sightline for 1 minute." in page
    [logout] = entries(action="logout", object_id="ann")
    assert logout.reason == "idle timeout"


def test_sessions_in_use_stay_signed_in(
    client: Client, make_user: Callable[..., Any], login: Callable[..., Any], settings: Any
) -> None:
    settings.SESSION_IDLE_SECONDS = 60
    login(client, make_user(username="ann"))
    session = client.session
    session["last_seen"] = int(time.time()) - 30
    session.save()
    assert _signed_in(client)
    assert not entries(action="logout")


def test_cookies_are_secure_outside_demo_and_debug() -> None:
    if settings.DEMO_MODE or settings.DEBUG:
        pytest.skip("demo or debug mode serves plain HTTP")
    assert settings.SESSION_COOKIE_SECURE and settings.CSRF_COOKIE_SECURE
    assert settings.SESSION_COOKIE_HTTPONLY
    assert settings.SESSION_COOKIE_SAMESITE == "Strict"
