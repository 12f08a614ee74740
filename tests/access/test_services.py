"""Account services, their ledger entries, the demo accounts and the command line."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client
from django_otp.plugins.otp_totp.models import TOTPDevice

from sightline.access import services
from sightline.access.models import ApiToken, User
from sightline.access.permissions import Role
from sightline.access.selectors import user_for_token
from sightline.cli import main
from sightline.core.errors import NotFound
from sightline.ledger.selectors import verify
from sightline.ledger.services import SYSTEM, Actor
from sightline.people.services import do_break_glass

from .conftest import entries, entry_data

pytestmark = pytest.mark.django_db

PASSWORD = "a long enough passphrase"


def _create(**kw: Any) -> User:
    services.ensure_standard_agencies()
    args = {"username": "jo", "role": "practitioner", "agency": "health", "password": PASSWORD}
    return services.do_create_user(SYSTEM, **(args | kw))


def test_passwords_are_hashed_with_argon2() -> None:
    assert settings.PASSWORD_HASHERS[0] == "django.contrib.auth.hashers.Argon2PasswordHasher"
    user = _create()
    assert user.password.startswith("argon2$") and user.check_password(PASSWORD)


def test_create_user_is_ledgered_without_the_password_hash() -> None:
    user = _create(first_name="Jo", last_name="Bloggs")
    [created] = entries(action="create", object_type="access.user")
    data = entry_data(created)
    assert created.object_id == "jo" and data["role"] == "practitioner" and data["agency_id"] == "health"
    assert "view_own_agency_people" in data["capabilities"]
    assert "password" not in data
    raw = bytes(created.canonical).decode()
    assert user.password not in raw and "argon2" not in raw and PASSWORD not in raw


def test_create_user_refuses_bad_input() -> None:
    _create()
    for kw, field in [
        ({"username": "JO"}, "username"),  # usernames are unique ignoring case
        ({"username": "new"}, "username"),
        ({"username": "x1", "role": "wizard"}, "role"),
        ({"username": "x2", "agency": "nowhere"}, "agency"),
        ({"username": "x3", "password": "short"}, "password"),
    ]:
        with pytest.raises(ValidationError) as err:
            _create(**kw)
        assert field in err.value.message_dict, kw


def test_role_changes_record_the_capabilities_gained_and_lost() -> None:
    user = _create()
    with pytest.raises(ValidationError):
        services.do_change_role(SYSTEM, username=user.username, role="analyst", reason=" ")
    services.do_change_role(
        SYSTEM, username=user.username, role="analyst", reason="moved to the intelligence team"
    )
    user.refresh_from_db()
    assert user.role == "analyst"
    [change] = entries(action="change_role")
    data = entry_data(change)
    assert change.reason == "moved to the intelligence team"
    assert data["previous_role"] == "practitioner" and data["role"] == "analyst"
    assert "view_all_people" in data["capabilities_added"]
    assert "manage_case" in data["capabilities_removed"]


def test_deactivation_keeps_the_account() -> None:
    user = _create()
    services.do_deactivate_user(SYSTEM, username=user.username, reason="left the agency")
    assert User.objects.filter(username="jo", is_active=False).exists()
    assert entries(action="deactivate")[0].reason == "left the agency"
    services.do_reactivate_user(SYSTEM, username=user.username, reason="came back")
    assert User.objects.get(username="jo").is_active


def test_set_password_is_ledgered_but_the_password_is_not() -> None:
    user = _create()
    services.do_set_password(SYSTEM, username=user.username, password="another long passphrase")
    assert User.objects.get(pk=user.pk).check_password("another long passphrase")
    [changed] = entries(action="set_password")
    assert b"another long passphrase" not in bytes(changed.canonical)


def test_totp_enrolment_replaces_the_old_app_and_keeps_the_secret_out_of_the_ledger() -> None:
    user = _create()
    first = services.do_enrol_totp(SYSTEM, username="jo")
    second = services.do_enrol_totp(SYSTEM, username="jo", reason="lost phone")
    assert list(TOTPDevice.objects.filter(user=user)) == [second.device]
    assert first.secret != second.secret
    assert second.uri.startswith("otpauth://totp/Sightline%3Ajo?secret=" + second.secret)
    assert "issuer=Sightline" in second.uri
    assert second.qr_svg().startswith("<?xml") or "<svg" in second.qr_svg()
    assert second.qr_data_uri().startswith("data:image/svg+xml;base64,")
    for e in entries(action="enrol_second_factor"):
        raw = bytes(e.canonical).decode()
        assert first.secret not in raw and second.secret not in raw
        assert second.device.key not in raw


def test_an_unconfirmed_app_is_confirmed_by_its_first_code() -> None:
    user = _create()
    enrolment = services.do_enrol_totp(SYSTEM, username=user.username)
    assert not enrolment.device.confirmed
    result = services.verify_second_factor(user, services.current_totp_code(enrolment.device))
    assert result.ok and result.method == "totp"
    enrolment.device.refresh_from_db()
    assert enrolment.device.confirmed


def test_demo_users_cover_every_role_and_are_idempotent() -> None:
    first = services.create_demo_users()
    assert {d.user.role for d in first} == set(Role.values)
    assert all(d.user.demo_account and d.user.check_password(services.DEMO_PASSWORD) for d in first)
    again = services.create_demo_users()
    assert [d.enrolment.secret for d in again] == [d.enrolment.secret for d in first]
    assert User.objects.filter(demo_account=True).count() == len(first)


def test_api_tokens_are_stored_hashed_and_can_be_revoked() -> None:
    user = _create()
    row, token = services.do_create_api_token(SYSTEM, username="jo", name="police records system")
    assert token.startswith("sl_") and row.token_hash == services.hash_token(token)
    assert token not in bytes(entries(object_type="access.apitoken")[0].canonical).decode()
    assert user_for_token(token) == user
    assert user_for_token(token + "x") is None
    services.do_revoke_api_token(SYSTEM, token_id=row.id, reason="system retired")
    assert user_for_token(token) is None
    assert ApiToken.objects.get(pk=row.pk).revoked_at is not None
    assert [e.action for e in entries(object_type="access.apitoken")] == ["create", "revoke"]


def test_account_changes_need_the_account_managers_role_and_a_real_account() -> None:
    _create()
    manager = Actor("mgr", "social_care", Role.MANAGER)
    admin = Actor("admin", "sightline_ops", Role.SYSADMIN)
    for call in [
        lambda a: services.do_create_user(a, username="kim", role="practitioner", agency="health"),
        lambda a: services.do_change_role(a, username="jo", role="board_member", reason="joined the board"),
        lambda a: services.do_deactivate_user(a, username="jo", reason="left"),
        lambda a: services.do_reactivate_user(a, username="jo", reason="came back"),
        lambda a: services.do_set_password(a, username="jo", password="yet another passphrase"),
        lambda a: services.do_enrol_totp(a, username="jo"),
        lambda a: services.do_unlock_user(a, username="jo", reason="phoned the desk"),
        lambda a: services.do_create_api_token(a, username="jo", name="feed"),
    ]:
        with pytest.raises(PermissionDenied):
            call(manager)
        call(admin)
    assert not entries(actor_user="mgr")
    with pytest.raises(NotFound):
        services.do_change_role(admin, username="nobody", role="analyst", reason="promoted")
    with pytest.raises(NotFound):
        services.do_revoke_api_token(admin, token_id="TK-NOPE", reason="retired")


def test_ledger_verifies_after_access_changes(
    make_user: Callable[..., Any], person: Callable[..., Any]
) -> None:
    pc = make_user("practitioner", "police")
    grant = do_break_glass(
        pc, person_id=person("social_care").id, reason="Missing since last night; need address"
    )
    services.do_review_break_glass(
        make_user("independent_reviewer", "independent_review"),
        grant_id=grant.id,
        outcome="appropriate",
        note="",
    )
    services.do_create_api_token(SYSTEM, username=pc.username, name="x")
    report = verify()
    assert report.ok, report.problems


# --- the accounts pages ----------------------------------------------------------------------------


def test_sysadmin_creates_an_account_and_sees_its_sign_in_details_once(
    client: Client, make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    admin = make_user("sysadmin", "sightline_ops", username="admin")
    login(client, admin)
    response = client.post("/accounts/new", {"username": "", "agency": "", "role": ""})
    html = response.content.decode()
    assert '<a href="#id_username">Enter a username</a>' in html
    assert '<a href="#id_role_0">Select a role</a>' in html  # radios link to their first option
    response = client.post(
        "/accounts/new",
        {
            "username": "newbie",
            "first_name": "New",
            "last_name": "Bie",
            "email": "",
            "agency": "health",
            "role": "practitioner",
        },
    )
    html = response.content.decode()
    assert response.status_code == 200 and "Account created" in html
    assert 'src="data:image/svg+xml;base64,' in html
    newbie = User.objects.get(username="newbie")
    assert newbie.role == "practitioner" and newbie.agency_id == "health" and newbie.has_usable_password()
    [created] = entries(action="create", object_id="newbie")
    assert created.actor_user == "admin" and created.actor_role == "sysadmin"
    # A role that sees case data waits for a second account manager: the account cannot sign in yet.
    assert not newbie.is_active and "second account manager" in html
    assert client.post("/accounts/newbie/role", {"role": "analyst", "reason": "moved"}).status_code == 200
    # Change the role through the page; the reason is required. Granting case data needs approval.
    services.do_create_user(SYSTEM, username="bo", role="board_member", agency="mash")
    assert client.post("/accounts/bo/role", {"role": "analyst", "reason": ""}).status_code == 200
    assert client.post("/accounts/bo/role", {"role": "analyst", "reason": "moved"}).status_code == 302
    assert User.objects.get(username="bo").role == "board_member"
    assert "waiting for a second account manager" in client.get("/accounts/bo").content.decode()
    assert client.post("/accounts/bo/deactivate", {"reason": "left"}).status_code == 302
    assert not User.objects.get(username="bo").is_active
    assert client.get("/accounts/newbie/delete").status_code == 404  # there is no removing
    assert "newbie" in client.get("/accounts").content.decode()


# --- command line ------------------------------------------------------------------------------------


def run(capsys: Any, *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_user_commands(capsys: Any) -> None:
    code, out, _ = run(capsys, "user", "create", "cli-user", "--role", "analyst", "--agency", "police")
    assert code == 0 and "first password:" in out and "key:" in out and "otpauth://totp/" in out
    password = out.split("first password:")[1].split()[0]
    assert User.objects.get(username="cli-user").check_password(password)
    code, _, err = run(capsys, "user", "create", "cli-user", "--role", "analyst", "--agency", "police")
    assert code == 2 and "already exists" in err
    code, _, err = run(capsys, "user", "create", "x", "--role", "wizard", "--agency", "police")
    assert code == 2 and "role" in err
    assert run(capsys, "user", "role", "cli-user", "manager", "--reason", "promoted")[0] == 0
    assert User.objects.get(username="cli-user").role == "manager"
    assert run(capsys, "user", "deactivate", "cli-user", "--reason", "left")[0] == 0
    assert "cli-user\tmanager\tpolice\tdeactivated" in run(capsys, "user", "list")[1]
    assert run(capsys, "user", "role", "nobody", "manager", "--reason", "x")[0] == 2
    code, out, _ = run(capsys, "user", "password", "cli-user", "--generate")
    assert code == 0 and User.objects.get(username="cli-user").check_password(
        out.split("password:")[1].split()[0]
    )
    assert [e.actor_user for e in entries(object_id="cli-user")] == ["system"] * 5


def test_token_commands(capsys: Any) -> None:
    run(capsys, "user", "create", "feed", "--role", "analyst", "--agency", "police", "--no-totp")
    code, out, _ = run(capsys, "token", "create", "feed", "--name", "police feed")
    assert code == 0
    token = out.strip().splitlines()[-1]
    row = ApiToken.objects.get()
    assert row.token_hash == services.hash_token(token)
    assert f"{row.id}\tfeed\tpolice feed" in run(capsys, "token", "list")[1]
    assert run(capsys, "token", "revoke", row.id, "--reason", "retired")[0] == 0
    assert "revoked" in run(capsys, "token", "list")[1]
