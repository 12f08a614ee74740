"""Access leaks found by trying Sightline as an attacker would. Each test failed before its fix."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Callable
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from sightline.access import role_changes, selectors, services
from sightline.access.models import ApiToken, ApiTokenUse, RoleChangeRequest, User
from sightline.accountability import services as accountability
from sightline.accountability.models import Action
from sightline.cases import selectors as cases
from sightline.cases import services as case_services
from sightline.cases.models import Concern
from sightline.cli import main
from sightline.ledger.services import SYSTEM, do_create, do_update
from sightline.people.models import Person
from sightline.people.need_to_know import person_access
from sightline.people.services import do_break_glass

from .conftest import entries, entry_data

pytestmark = pytest.mark.django_db

PROBLEM = "application/problem+json"


@pytest.fixture(autouse=True)
def _fast_passwords(settings: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]


class Api:
    """A JSON client that sends a bearer token."""

    def __init__(self, token: str) -> None:
        self.client = Client()
        self.auth = {"HTTP_AUTHORIZATION": f"Bearer {token}"}

    def get(self, path: str, **params: Any) -> Any:
        return self.client.get(f"/api{path}", params, **self.auth)  # type: ignore[arg-type]

    def post(self, path: str, body: Any) -> Any:
        return self.client.post(
            f"/api{path}",
            json.dumps(body, default=str),
            content_type="application/json",
            **self.auth,  # type: ignore[arg-type]
        )


@pytest.fixture
def api_as(make_user: Callable[..., Any]) -> Callable[..., tuple[Any, Api]]:
    def _as(role: str, agency: str, username: str, **token: Any) -> tuple[Any, Api]:
        user = make_user(role, agency, username=username)
        _row, secret = services.do_create_api_token(SYSTEM, username=username, name="test system", **token)
        return user, Api(secret)

    return _as


def _concern_body(person_id: str) -> dict[str, Any]:
    return {
        "person_id": person_id,
        "what_was_seen": "Seen getting into a car with two older men outside the shop",
        "urgency": "urgent",
        "occurred_at": (timezone.now() - dt.timedelta(hours=2)).isoformat(),
    }


# --- 1. a concern or self-referral never grants reading -------------------------------------------


def test_a_concern_through_the_api_about_an_unseen_child_grants_no_access(
    api_as: Callable[..., Any], person: Callable[..., Any]
) -> None:
    child = person("education", given="Emily", family="Stone")
    officer, pc = api_as("practitioner", "police", "pc")
    assert pc.get(f"/people/{child.id}").status_code == 403
    r = pc.post("/cases/concerns", _concern_body(child.id))
    assert r.status_code == 201, r.content
    # Still no access, for the raiser or anyone else in their agency.
    assert pc.get(f"/people/{child.id}").status_code == 403
    assert not person_access(officer, child.id).allowed
    receipt = r.json()
    assert receipt["raised_blind"] is True and "Emily" not in r.content.decode()
    # The raiser can read their own receipt, without the child's name or the triage decisions.
    mine = pc.get(f"/cases/concerns/{receipt['id']}")
    assert mine.status_code == 200 and mine.json()["receipt_only"] is True
    assert "Emily" not in mine.content.decode() and mine.json()["decisions"] == []
    # It goes to the hub's triage queue, marked as raised without sight of the record.
    _, hub = api_as("cse_coordinator", "mash", "coord")
    [item] = hub.get("/cases/concerns").json()["items"]
    assert (item["concern_id"], item["raised_blind"], item["person_name"]) == (
        receipt["id"],
        True,
        "Emily Stone",
    )
    # A triage role who cannot see the child sees that it is there, not who it is about.
    _, manager = api_as("manager", "housing", "mgr")
    [item] = manager.get("/cases/concerns").json()["items"]
    assert (item["restricted"], item["person_id"], item["person_name"]) == (True, "", "")


def test_a_self_referral_through_the_api_grants_no_access(
    api_as: Callable[..., Any], person: Callable[..., Any]
) -> None:
    child = person("education")
    officer, pc = api_as("practitioner", "police", "pc")
    r = pc.post("/cases/self-referrals", {"received_on": str(timezone.localdate()), "person_id": child.id})
    assert r.status_code == 201, r.content
    assert pc.get(f"/people/{child.id}").status_code == 403
    assert not person_access(officer, child.id).allowed


def test_the_concern_form_behaves_as_the_api_for_an_unseen_child(
    make_user: Callable[..., Any], login: Callable[..., Any], person: Callable[..., Any]
) -> None:
    child = person("education", given="Emily", family="Stone")
    officer = make_user("practitioner", "police", username="pc")
    client = Client()
    login(client, officer)
    form = client.get(f"/people/{child.id}/concerns/new")
    assert form.status_code == 200 and "Emily" not in form.content.decode()
    assert "cannot see this child" in form.content.decode()
    today = timezone.localdate() - dt.timedelta(days=1)
    response = client.post(
        f"/people/{child.id}/concerns/new",
        {
            "what_was_seen": "Seen getting into a car with two older men",
            "occurred_on_0": str(today.day),
            "occurred_on_1": str(today.month),
            "occurred_on_2": str(today.year),
            "urgency": "standard",
        },
    )
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/concerns/{concern.id}"
    assert concern.raised_blind and concern.agency_id == "police"
    receipt = client.get(response["Location"])
    assert receipt.status_code == 200 and "Emily" not in receipt.content.decode()
    assert client.get(f"/people/{child.id}").status_code == 403
    assert not person_access(officer, child.id).allowed


# --- 2. a second person for case roles and one's own role -------------------------------------------


def test_an_administrator_cannot_give_themselves_a_case_role(
    make_user: Callable[..., Any], login: Callable[..., Any], person: Callable[..., Any]
) -> None:
    admin = make_user("sysadmin", "sightline_ops", username="admin")
    client = Client()
    login(client, admin)
    r = client.post("/accounts/admin/role", {"role": "cse_coordinator", "reason": "covering the hub"})
    assert r.status_code == 302
    admin.refresh_from_db()
    assert admin.role == "sysadmin"
    [pending] = RoleChangeRequest.objects.all()
    assert (pending.username, pending.to_role, pending.requested_by, pending.status) == (
        "admin",
        "cse_coordinator",
        "admin",
        "pending",
    )
    assert not person_access(admin, person("police").id).allowed
    # The requester cannot approve it, from the page or the service.
    assert client.post(f"/accounts/role-changes/{pending.id}", {"decision": "approve"}).status_code == 403
    with pytest.raises(PermissionDenied):
        role_changes.do_decide_role_change(
            services.actor_for(admin), request_id=pending.id, approve=True, note="fine"
        )
    admin.refresh_from_db()
    assert admin.role == "sysadmin"
    # A second account manager can.
    other = make_user("sysadmin", "sightline_ops", username="admin2")
    second = Client()
    login(second, other)
    assert pending.id in second.get("/accounts/role-changes").content.decode()
    r = second.post(f"/accounts/role-changes/{pending.id}", {"decision": "approve", "note": "agreed"})
    assert r.status_code == 302
    admin.refresh_from_db()
    assert admin.role == "cse_coordinator"
    assert [e.action for e in entries(object_type="access.rolechangerequest")] == ["request", "approve"]
    [change] = entries(action="change_role", object_id="admin")
    data = entry_data(change)
    assert (data["requested_by"], data["approved_by"], change.actor_user) == ("admin", "admin2", "admin2")


def test_granting_a_case_role_to_another_account_needs_a_second_person(
    make_user: Callable[..., Any],
) -> None:
    admin = services.actor_for(make_user("sysadmin", "sightline_ops", username="admin"))
    make_user("board_member", "mash", username="bo")
    with pytest.raises(PermissionDenied, match="second account manager"):
        services.do_change_role(admin, username="bo", role="analyst", reason="moved to the hub")
    request = role_changes.do_request_role_change(admin, username="bo", role="analyst", reason="moved")
    assert User.objects.get(username="bo").role == "board_member"
    with pytest.raises(ValidationError):
        role_changes.do_request_role_change(admin, username="bo", role="analyst", reason="again")
    # Taking case data away needs no second person.
    make_user("practitioner", "police", username="pc")
    services.do_change_role(admin, username="pc", role="board_member", reason="joined the board")
    assert User.objects.get(username="pc").role == "board_member"
    refused = role_changes.do_decide_role_change(
        services.actor_for(make_user("sysadmin", "sightline_ops", username="admin2")),
        request_id=request.id,
        approve=False,
        note="not agreed",
    )
    assert refused.status == "refused" and User.objects.get(username="bo").role == "board_member"


def test_an_administrator_cannot_mint_an_account_that_sees_case_data_or_approves(
    make_user: Callable[..., Any],
) -> None:
    admin = services.actor_for(make_user("sysadmin", "sightline_ops", username="admin"))
    for username, role in [("ally", "sysadmin"), ("sock", "cse_coordinator")]:
        user = services.do_create_user(admin, username=username, role=role, agency="mash", password="a" * 16)
        assert not user.is_active and selectors.awaiting_approval(user)
        with pytest.raises(ValidationError):
            services.do_reactivate_user(admin, username=username, reason="turn it on")
    # A second account manager approves one; it can sign in from then on.
    [request] = RoleChangeRequest.objects.filter(user__username="sock")
    second = services.actor_for(make_user("sysadmin", "sightline_ops", username="admin2"))
    role_changes.do_decide_role_change(second, request_id=request.id, approve=True, note="new hub worker")
    assert User.objects.get(username="sock").is_active and not User.objects.get(username="ally").is_active


def test_the_command_line_changes_roles_directly_and_says_so(make_user: Callable[..., Any]) -> None:
    make_user("board_member", "mash", username="bo")
    assert main(["user", "role", "bo", "analyst", "--reason", "moved to the hub"]) == 0
    assert User.objects.get(username="bo").role == "analyst"
    [change] = entries(action="change_role", object_id="bo")
    assert (
        change.actor_user == "system" and entry_data(change)["second_person"] == "not required: command line"
    )


# --- 3. overdue lists name nothing the user may not see, and are ledgered ------------------------------


def test_overdue_lists_hide_text_about_children_outside_access(
    make_user: Callable[..., Any], login: Callable[..., Any], person: Callable[..., Any]
) -> None:
    hidden = person("social_care", given="Emily", family="Stone")
    mine = person("housing", given="Kayleigh", family="Brookes")
    sw = services.actor_for(make_user("practitioner", "social_care", username="sw"))
    housing_officer = services.actor_for(make_user("practitioner", "housing", username="ho"))
    last_week = timezone.localdate() - dt.timedelta(days=7)
    plan = case_services.do_create_plan(
        sw, person_id=hidden.id, title="Emily: sexual health", review_due_on=last_week
    )
    case_services.do_add_plan_action(
        sw,
        plan_id=plan.id,
        description="Emily to be taken to GUM clinic",
        owner_agency="social_care",
        due_on=last_week,
    )
    own = case_services.do_create_plan(
        housing_officer, person_id=mine.id, title="Kayleigh: tenancy", review_due_on=last_week
    )
    case_services.do_add_plan_action(
        housing_officer,
        plan_id=own.id,
        description="Visit the flat",
        owner_agency="housing",
        due_on=last_week,
    )
    manager = make_user("manager", "housing", username="hm")
    items = cases.overdue_items(manager)
    text = repr(items)
    assert "GUM" not in text and "Emily" not in text and hidden.id not in text
    assert any(t.title == "Visit the flat" for t in items)
    hidden_items = [t for t in items if t.restricted]
    assert hidden_items and all(t.object_id == "" and t.person_id == "" for t in hidden_items)
    [listed] = entries(action="read_list", actor_user="hm")
    assert entry_data(listed)["people"] == [mine.id] and entry_data(listed)["hidden"] == len(hidden_items)
    client = Client()
    login(client, manager)
    home = client.get("/").content.decode()
    assert "GUM" not in home and "sexual health" not in home and "Visit the flat" in home
    assert "outside your access" in home
    _row, secret = services.do_create_api_token(SYSTEM, username="hm", name="feed")
    api = Api(secret).get("/cases/tasks", which="overdue").content.decode()
    assert "GUM" not in api and "sexual health" not in api and hidden.id not in api
    queue = Api(secret).get("/cases/concerns", view="overdue")
    assert queue.status_code == 200


# --- 4. a child's ledger entries: only what the chronology cites ----------------------------------------


def test_the_childs_ledger_pages_show_no_ones_reads_or_break_glass(
    make_user: Callable[..., Any], login: Callable[..., Any], person: Callable[..., Any]
) -> None:
    child = person("social_care")
    nurse = make_user("practitioner", "health", username="nurse")
    do_break_glass(nurse, person_id=child.id, reason="Attended A&E with injuries; need history")
    cases.child_record(nurse, child.id)
    sw = make_user("practitioner", "social_care", username="sw")
    case_services.do_record_missing_episode(
        services.actor_for(sw), person_id=child.id, category="M", started_at=timezone.now()
    )
    client = Client()
    login(client, sw)
    last = entries()[-1].index
    shown = []
    for index in range(last + 1):
        r = client.get(f"/people/{child.id}/ledger/{index}")
        assert r.status_code in {200, 404}
        if r.status_code == 200:
            shown.append(index)
            assert "nurse" not in r.content.decode()
    assert len(shown) == 1  # the episode, which the chronology cites


def test_ledger_entries_about_people_cannot_become_accountability_evidence(
    make_user: Callable[..., Any], person: Callable[..., Any]
) -> None:
    child = person("social_care")
    nurse = make_user("practitioner", "health", username="nurse")
    do_break_glass(nurse, person_id=child.id, reason="Attended A&E with injuries; need history")
    [grant] = entries(action="break_glass")
    manager = make_user("manager", "social_care", username="mgr")
    accountability.do_import_sample_plan(SYSTEM, key="rotherham-2014")
    action = Action.objects.get(ref="R9.1")
    with pytest.raises(ValidationError, match="not a record of"):
        accountability.do_add_ledger_link(
            services.actor_for(manager), action_id=action.id, ledger_index=grant.index
        )


# --- 5. search says how likely a hidden person is the one meant, never who they are -------------------


def test_search_describes_a_hidden_child_by_likelihood_only_and_ledgers_it(
    api_as: Callable[..., Any], settings: Any, tmp_path: Any
) -> None:
    settings.HOME = tmp_path / "home"  # the linkage model's starting values
    hidden = do_create(
        Person(
            kind="child",
            given_name="Emily",
            family_name="Stone",
            date_of_birth="2011-05-03",
            postcode="S65 2AB",
            address="4 Quarry Lane",
        ),
        actor=SYSTEM,
    )
    _, pc = api_as("practitioner", "police", "pc")

    def hits(**query: str) -> list[tuple[str, float, bool, str]]:
        body = pc.get("/people", **query).json()
        text = json.dumps(body)
        assert "Quarry" not in text and "2011" not in text and "S65" not in text
        return [(h["person_id"], h["score"], h["restricted"], h["likelihood"]) for h in body["items"]]

    # Neither a date of birth nor a postcode alone finds a person outside access.
    assert hits(date_of_birth="2011-05-03") == []
    assert hits(postcode="S65 2AB") == []
    # With a name, the score and whether they are found depend on the name alone...
    right = hits(name="Emily Stone", date_of_birth="2011-05-03", postcode="S65 2AB")
    wrong = hits(name="Emily Stone", date_of_birth="1990-12-25", postcode="N1 9GU")
    assert [h[:3] for h in right] == [h[:3] for h in wrong] == [(hidden.id, right[0][1], True)]
    # ...while the band says whether what was typed agrees, as the linkage model judges it. That is
    # the point: the user learns whether to ask for the record. Each band above "unlikely" is
    # ledgered against the child, so the reviewer sees who was told a child was probably theirs.
    assert (right[0][3], wrong[0][3]) == ("likely", "unlikely")
    shown = entries(action="match_shown", object_id=hidden.id)
    assert [(e.actor_user, entry_data(e)["likelihood"]) for e in shown] == [("pc", "likely")]


# --- 6. API tokens expire, have scopes, record their last use, and are listed ------------------------------


def test_tokens_expire_after_ninety_days_by_default(api_as: Callable[..., Any]) -> None:
    _, pc = api_as("practitioner", "police", "pc")
    row = ApiToken.objects.get()
    assert row.expires_at - row.created_at == dt.timedelta(days=90)
    assert pc.get("/access/me").status_code == 200
    row.expires_at = timezone.now() - dt.timedelta(seconds=1)
    do_update(row, actor=SYSTEM, reason="as if ninety days had passed")
    r = pc.get("/access/me")
    assert r.status_code == 401 and "expired" in r.json()["detail"]
    _, short = api_as("practitioner", "police", "pc2", days=7)
    assert (
        ApiToken.objects.get(owner__username="pc2").expires_at.date()
        == (timezone.now() + dt.timedelta(days=7)).date()
    )
    assert short.get("/access/me").status_code == 200


def test_token_scopes_limit_methods_and_domains(
    api_as: Callable[..., Any], person: Callable[..., Any]
) -> None:
    child = person("police")
    _, reader = api_as("practitioner", "police", "reader", scopes=["read", "people"])
    assert reader.get(f"/people/{child.id}").status_code == 200
    refused = reader.post("/cases/concerns", _concern_body(child.id))
    assert refused.status_code == 403 and refused["Content-Type"] == PROBLEM
    assert "scope" in refused.json()["detail"]
    assert reader.get(f"/cases/people/{child.id}/plans").status_code == 403  # not the cases domain
    assert not Concern.objects.exists()
    _, writer = api_as("practitioner", "police", "writer", scopes=["read", "write", "cases"])
    assert writer.post("/cases/concerns", _concern_body(child.id)).status_code == 201
    assert writer.get(f"/people/{child.id}").status_code == 403  # not the people domain
    with pytest.raises(ValidationError):
        services.do_create_api_token(SYSTEM, username="reader", name="x", scopes=["read", "everything"])


def test_token_last_use_is_recorded_at_most_once_a_minute(api_as: Callable[..., Any]) -> None:
    _, pc = api_as("practitioner", "police", "pc")
    row = ApiToken.objects.get()
    assert selectors.token_last_used(row) is None

    def writes_of_last_use() -> list[str]:
        with CaptureQueriesContext(connection) as queries:
            assert pc.get("/access/me").status_code == 200
        return [
            q["sql"]
            for q in queries.captured_queries
            if "access_apitokenuse" in q["sql"] and q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE"))
        ]

    assert len(writes_of_last_use()) == 1
    first = selectors.token_last_used(row)
    assert first is not None
    assert writes_of_last_use() == []  # used again within the minute: nothing written
    assert selectors.token_last_used(row) == first
    earlier = timezone.now() - dt.timedelta(minutes=2)
    ApiTokenUse.objects.filter(token=row).update(last_used_at=earlier)  # as if used two minutes ago
    assert len(writes_of_last_use()) == 1
    last_used = selectors.token_last_used(row)
    assert last_used is not None and last_used > earlier


def test_the_administrator_lists_tokens_on_a_page_and_the_command_line(
    api_as: Callable[..., Any], make_user: Callable[..., Any], login: Callable[..., Any], capsys: Any
) -> None:
    _, pc = api_as("practitioner", "police", "pc", scopes=["read", "people"], days=30)
    assert pc.get("/people", q="nobody").status_code == 200
    row = ApiToken.objects.get()
    admin = make_user("sysadmin", "sightline_ops", username="admin")
    client = Client()
    login(client, admin)
    page = client.get("/accounts/tokens").content.decode()
    assert row.id in page and "test system" in page and "read, people" in page
    assert f"{timezone.localtime(row.expires_at):%-d %B %Y}" in page and "Never" not in page
    login(client, make_user("practitioner", "police", username="other"))
    assert client.get("/accounts/tokens").status_code == 403
    assert main(["token", "list"]) == 0
    out = capsys.readouterr().out
    assert row.id in out and "read,people" in out and f"expires {row.expires_at:%Y-%m-%d}" in out
