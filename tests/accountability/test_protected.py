"""Protected concerns about handling: anyone raises one, only the independent reviewer (and the raiser)
sees it, nobody can change or remove it, and responses are new ledger entries."""

from __future__ import annotations

from typing import Any

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from sightline.access.models import User
from sightline.access.permissions import MATRIX, Cap, Role
from sightline.access.services import actor_for
from sightline.accountability import selectors as sel
from sightline.accountability import services
from sightline.accountability.models import ImmutableError, ProtectedConcern, ProtectedConcernResponse
from sightline.ledger.models import Entry
from sightline.ledger.services import DirectWriteError, do_update, integrate, rebuild

pytestmark = pytest.mark.django_db


@pytest.fixture
def raised(make_user: Any) -> ProtectedConcern:
    researcher = make_user("analyst", "police", username="researcher")
    return services.do_raise_protected_concern(
        actor_for(researcher),
        about="service",
        what_happened="My report on CSE in the town was suppressed and nobody has acted on it.",
        agency_concerned="social_care",
    )


def test_every_role_can_raise_one(make_user: Any) -> None:
    for role in Role.values:
        assert Cap.RAISE_PROTECTED_CONCERN in MATRIX[role]
        user = make_user(role, "mash")
        c = services.do_raise_protected_concern(
            actor_for(user), about="case", case_reference="P-ABC123", what_happened="Nothing is being done"
        )
        assert c.raised_by == user.username
    with pytest.raises(ValidationError, match="enter the case"):
        services.do_raise_protected_concern(actor_for(user), about="case", what_happened="x")


def test_only_the_reviewer_and_the_raiser_can_see_it(
    raised: ProtectedConcern, reviewer: Any, manager: Any, coordinator: Any, board_member: Any, make_user: Any
) -> None:
    researcher = make_user("practitioner", "police", username="colleague")
    assert [v.concern.id for v in sel.protected_concerns_for_review(reviewer)] == [raised.id]
    assert sel.get_protected_concern(reviewer, raised.id).concern.what_happened.startswith("My report")
    raiser = User.objects.get(username="researcher")
    assert sel.get_protected_concern(raiser, raised.id).concern.id == raised.id
    assert [v.concern.id for v in sel.my_protected_concerns(raiser)] == [raised.id]
    for user in (manager, coordinator, board_member, researcher):
        with pytest.raises(PermissionDenied):
            sel.get_protected_concern(user, raised.id)
        with pytest.raises(PermissionDenied):
            sel.protected_concerns_for_review(user)
        assert sel.my_protected_concerns(user) == []
        assert sel.unanswered_protected_count(user) == 0
    assert sel.unanswered_protected_count(reviewer) == 1
    integrate()
    denied = (
        Entry.objects.filter(object_id=raised.id, action="read_denied")
        .order_by("index")
        .values_list("actor_user", flat=True)
    )
    assert sorted(denied) == sorted(["mgr", "coord", "board", "colleague"])


def test_nobody_can_edit_or_remove_it(raised: ProtectedConcern, reviewer: Any) -> None:
    concern = ProtectedConcern.objects.get(pk=raised.pk)
    concern.what_happened = "nothing to see here"
    with pytest.raises(ImmutableError):
        do_update(concern, actor=actor_for(reviewer), reason="tidy up")
    with pytest.raises(ImmutableError):
        concern.delete()
    # Nor past the model, in bulk: no ledgered row is removed outside the ledger's services.
    with pytest.raises(DirectWriteError):
        ProtectedConcern.objects.filter(pk=raised.pk).delete()
    assert ProtectedConcern.objects.get(pk=raised.pk).what_happened.startswith("My report")
    assert ProtectedConcern.objects.get(pk=raised.pk).version == 1


def test_reviewer_responses_are_new_ledger_entries(
    raised: ProtectedConcern, reviewer: Any, manager: Any
) -> None:
    with pytest.raises(PermissionDenied):
        services.do_respond_to_protected_concern(
            actor_for(manager), concern_id=raised.id, outcome="closed", text="no"
        )
    r1 = services.do_respond_to_protected_concern(
        actor_for(reviewer),
        concern_id=raised.id,
        outcome="looking_into_it",
        text="I have asked for the report.",
    )
    r2 = services.do_respond_to_protected_concern(
        actor_for(reviewer), concern_id=raised.id, outcome="referred", text="Referred to the board chair."
    )
    with pytest.raises(ImmutableError):
        do_update(ProtectedConcernResponse.objects.get(pk=r1.pk), actor=actor_for(reviewer))
    view = sel.get_protected_concern(reviewer, raised.id)
    assert [r.outcome for r in view.responses] == ["looking_into_it", "referred"]
    assert view.latest_outcome == "Referred for action"
    integrate()
    created = Entry.objects.filter(object_id__in=[r1.id, r2.id], action="respond", version=1)
    assert created.count() == 2
    assert not Entry.objects.filter(object_id=raised.id, version__gt=1).exists()
    # Rebuilding from the ledger restores them (the write-once guard is on saves, not on the ledger).
    rebuild()
    assert ProtectedConcernResponse.objects.filter(concern_id=raised.id).count() == 2
