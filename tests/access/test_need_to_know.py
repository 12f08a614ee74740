"""Need to know (``people.need_to_know``): agency involvement, multi-agency roles, break-glass, and
ledgered reads."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import Client

from sightline.access import selectors, services
from sightline.config.errors import forbidden
from sightline.core.errors import NotFound
from sightline.ledger.services import SYSTEM, do_update
from sightline.people import need_to_know
from sightline.people.models import Person
from sightline.people.need_to_know import NeedToKnowDenied, person_access, require_person_access
from sightline.people.services import do_break_glass

from .conftest import entries, entry_data

pytestmark = pytest.mark.django_db


def test_agency_with_a_record_of_the_child_may_open_it_and_the_read_is_ledgered(
    make_user: Callable[..., Any], person: Callable[..., Any]
) -> None:
    sw = make_user("practitioner", "social_care", username="sw")
    child = person("social_care")
    decision = require_person_access(sw, child.id, "view the child record")
    assert (decision.allowed, decision.basis) == (True, "agency")
    [read] = entries(action="read", object_id=child.id)
    assert (read.actor_user, read.actor_agency, read.actor_role) == ("sw", "social_care", "practitioner")
    assert read.object_type == "people.person"
    assert read.reason == "view the child record"
    assert entry_data(read)["basis"] == "agency"


def test_other_agencies_are_refused_and_the_refusal_is_ledgered(
    make_user: Callable[..., Any], person: Callable[..., Any]
) -> None:
    pc = make_user("practitioner", "police", username="pc")
    child = person("social_care")
    with pytest.raises(NeedToKnowDenied) as refused:
        require_person_access(pc, child.id, "view the child record")
    assert refused.value.can_break_glass and refused.value.person_id == child.id
    assert not entries(action="read")
    [denied] = entries(action="read_denied", object_id=child.id)
    assert denied.actor_user == "pc"


def test_multi_agency_roles_see_everyone(make_user: Callable[..., Any], person: Callable[..., Any]) -> None:
    coord = make_user("cse_coordinator", "mash")
    child = person("health")
    assert require_person_access(coord, child.id, "triage").basis == "role"
    assert entry_data(entries(action="read")[0])["basis"] == "role"


def test_a_missing_person_is_404_only_for_those_who_could_see_it(make_user: Callable[..., Any]) -> None:
    coord = make_user("cse_coordinator", "mash")
    pc = make_user("practitioner", "police")
    with pytest.raises(NotFound):
        require_person_access(coord, "P-NOSUCHPERSON", "look")
    with pytest.raises(PermissionDenied):  # no hint whether the id exists
        require_person_access(pc, "P-NOSUCHPERSON", "look")


def test_source_records_not_linked_to_the_person_give_no_access(
    make_user: Callable[..., Any], person: Callable[..., Any]
) -> None:
    pc = make_user("practitioner", "police")
    person("police")  # someone else the police know
    child = person("social_care")
    assert not person_access(pc, child.id).allowed


@pytest.fixture
def concern_hook() -> Iterator[None]:
    """An involvement source like the one case work registers for concerns raised by an agency."""

    need_to_know.register_involvement(
        "test.concerns", lambda agency: Person.objects.filter(other_names=f"concern:{agency}").values("id")
    )
    yield
    need_to_know._INVOLVEMENT.pop("test.concerns")


@pytest.mark.usefixtures("concern_hook")
def test_other_domains_extend_involvement(make_user: Callable[..., Any], person: Callable[..., Any]) -> None:
    teacher = make_user("dsl", "education")
    child = person("social_care")
    assert not person_access(teacher, child.id).allowed
    child.other_names = "concern:education"
    do_update(child, actor=SYSTEM)
    decision = person_access(teacher, child.id)
    assert decision.allowed and decision.basis == "agency" and "test.concerns" in decision.reason
    assert list(need_to_know.visible_people(teacher)) == [child]


def test_visible_people_follows_the_same_rules(
    make_user: Callable[..., Any], person: Callable[..., Any]
) -> None:
    sw = make_user("practitioner", "social_care")
    ours, theirs = person("social_care"), person("police")
    assert set(need_to_know.visible_people(sw)) == {ours}
    do_break_glass(sw, person_id=theirs.id, reason="urgent: missing tonight, police need our history")
    assert set(need_to_know.visible_people(sw)) == {ours, theirs}
    analyst, board, pc = (
        make_user("analyst", "police"),
        make_user("board_member", "mash"),
        make_user("practitioner", "police"),
    )
    assert set(need_to_know.visible_people(analyst)) == {ours, theirs}
    assert not need_to_know.visible_people(board).exists()
    # The one decision for many people (hidden matches use it) is the decision for each.
    for user in (sw, analyst, board, pc):
        seen = set(need_to_know.visible_people(user).values_list("pk", flat=True))
        assert need_to_know.visible_among(user, [ours.id, theirs.id, "P-NOSUCH"]) == seen
        assert {p.id: p.id in seen for p in (ours, theirs)} == {
            p.id: person_access(user, p.id).allowed for p in (ours, theirs)
        }


# --- break-glass -----------------------------------------------------------------------------------


def test_break_glass_opens_the_record_for_a_limited_time(
    make_user: Callable[..., Any], person: Callable[..., Any], settings: Any
) -> None:
    pc = make_user("practitioner", "police", username="pc")
    child = person("social_care")
    grant = do_break_glass(
        pc, person_id=child.id, reason="  Missing since last night; need placement address  "
    )
    assert grant.reason == "Missing since last night; need placement address"
    decision = require_person_access(pc, child.id, "view the child record")
    assert (decision.basis, decision.grant_id) == ("break_glass", grant.id)
    read = entries(action="read", object_id=child.id)[0]
    assert entry_data(read)["break_glass"] == grant.id
    [opened] = entries(action="break_glass")
    assert opened.object_type == "access.breakglass" and opened.reason == grant.reason
    assert opened.actor_user == "pc"
    # Expired grants give nothing.
    settings.BREAK_GLASS_MINUTES = 0
    other = make_user("practitioner", "health")
    do_break_glass(other, person_id=child.id, reason="checking whether we know this child already")
    assert not person_access(other, child.id).allowed


def test_break_glass_needs_a_real_reason_and_a_real_person(
    make_user: Callable[..., Any], person: Callable[..., Any]
) -> None:
    pc = make_user("practitioner", "police")
    child = person("social_care")
    with pytest.raises(ValidationError) as short:
        do_break_glass(pc, person_id=child.id, reason="because")
    assert "reason" in short.value.message_dict
    with pytest.raises(NotFound):
        do_break_glass(pc, person_id="P-NOSUCHPERSON", reason="a perfectly good reason for this")
    assert not entries(action="break_glass")


@pytest.mark.parametrize("role", ["board_member", "independent_reviewer", "sysadmin"])
def test_roles_without_break_glass_cannot_use_it(
    role: str, make_user: Callable[..., Any], person: Callable[..., Any]
) -> None:
    user = make_user(role, "mash")
    with pytest.raises(PermissionDenied):
        do_break_glass(user, person_id=person("mash").id, reason="a perfectly good reason for this")


def test_the_reviewer_reviews_each_grant_once(
    make_user: Callable[..., Any], person: Callable[..., Any]
) -> None:
    pc = make_user("practitioner", "police", username="pc")
    reviewer = make_user("independent_reviewer", "independent_review", username="rev")
    child = person("social_care")
    grant = do_break_glass(pc, person_id=child.id, reason="Missing since last night; need placement address")
    require_person_access(pc, child.id, "view")
    assert list(selectors.break_glass_queue()) == [grant]
    entries()  # sequence what this test's transaction queued (a real request commits first)
    assert [e.action for e in need_to_know.reads_under_grant(grant)] == ["read"]
    with pytest.raises(ValidationError):
        services.do_review_break_glass(reviewer, grant_id=grant.id, outcome="concern", note="")
    with pytest.raises(PermissionDenied):
        services.do_review_break_glass(pc, grant_id=grant.id, outcome="appropriate", note="")
    services.do_review_break_glass(
        reviewer, grant_id=grant.id, outcome="appropriate", note="Urgent and proportionate"
    )
    assert not selectors.break_glass_queue().exists()
    assert list(selectors.break_glass_queue(reviewed=True)) == [grant]
    [review] = entries(action="review")
    assert review.actor_user == "rev" and review.object_id == grant.id and review.version == 2
    with pytest.raises(ValidationError):
        services.do_review_break_glass(reviewer, grant_id=grant.id, outcome="concern", note="changed my mind")


# --- the pages ---------------------------------------------------------------------------------------


def test_break_glass_and_review_pages(
    client: Client, make_user: Callable[..., Any], person: Callable[..., Any], login: Callable[..., Any]
) -> None:
    pc = make_user("practitioner", "police", username="pc")
    child = person("social_care")
    login(client, pc)
    url = f"/people/{child.id}/break-glass"
    page = client.get(url).content.decode()
    assert "govuk-warning-text" in page and "independent reviewer" in page
    response = client.post(url, {"reason": "urgent"})
    assert response.status_code == 200
    html = response.content.decode()
    assert '<a href="#id_reason">' in html and ">urgent</textarea>" in html  # what was typed is kept
    response = client.post(url, {"reason": "Missing since last night; need placement address"})
    assert response.status_code == 302
    assert person_access(pc, child.id).basis == "break_glass"
    # Once open, the page sends the user straight on.
    assert client.get(url).status_code == 302

    reviewer = make_user("independent_reviewer", "independent_review", username="rev")
    rc = Client()
    login(rc, reviewer)
    queue = rc.get("/review/break-glass").content.decode()
    grant = selectors.break_glass_queue().get()
    assert f"/review/break-glass/{grant.id}" in queue and "Missing since last night" in queue
    assert rc.post(f"/review/break-glass/{grant.id}", {}).status_code == 200  # outcome is required
    response = rc.post(f"/review/break-glass/{grant.id}", {"outcome": "concern", "note": "No urgency shown"})
    assert response.status_code == 302
    grant.refresh_from_db()
    assert grant.review_outcome == "concern" and grant.reviewed_by == reviewer
    assert "Nothing is waiting for review" in rc.get("/review/break-glass").content.decode()


def test_the_403_page_offers_break_glass_to_those_who_may_use_it(
    rf: Any, make_user: Callable[..., Any]
) -> None:
    request = rf.get("/people/P-ABC/")
    request.user = make_user("practitioner", "police")
    html = forbidden(
        request, NeedToKnowDenied("Not involved", person_id="P-ABC", can_break_glass=True)
    ).content
    assert b"/people/P-ABC/break-glass?next=%2Fpeople%2FP-ABC%2F" in html
    html = forbidden(
        request, NeedToKnowDenied("Not involved", person_id="P-ABC", can_break_glass=False)
    ).content
    assert b"break-glass" not in html
