"""Writes for case work. Each function takes the actor first and everything else by keyword, with the
objects it acts on given by id. It checks the actor's capability, validates (``checks``), and writes
through the ledger's one write path in one transaction. Nothing is deleted: closing, ending and
correcting are new versions, with a reason where a change must be explained.

Need to know on a particular child is checked by the caller (web view or API endpoint) with
``sightline.cases.selectors.require_child_access`` before calling in. Writing about a child makes the
actor's agency involved with them: the involvement hooks in ``selectors.access_hooks`` read it from
these tables, so there is nothing separate to keep in step.

Validation problems raise ``django.core.exceptions.ValidationError`` with a message per field, so forms
and the API can point at the field; an id that names nothing raises ``sightline.core.errors.NotFound``.
"""

from sightline.cases.deadlines import (
    DEFAULT_TRIAGE_HOURS,
    RETURN_INTERVIEW_HOURS,
    add_months,
    triage_hours,
)
from sightline.cases.services.concerns import (
    do_enter_child_for_concern,
    do_raise_concern,
    do_triage_concern,
    do_withdraw_concern,
)
from sightline.cases.services.episodes import (
    do_end_missing_episode,
    do_offer_return_interview,
    do_record_missing_episode,
    do_record_return_interview_response,
)
from sightline.cases.services.investigations import (
    do_close_investigation,
    do_link_investigation_person,
    do_open_investigation,
    do_record_self_referral,
    do_record_suspect_status,
    do_unlink_investigation_person,
)
from sightline.cases.services.placements import do_end_placement, do_start_placement
from sightline.cases.services.plans import (
    do_add_plan_action,
    do_close_plan,
    do_create_plan,
    do_review_plan,
    do_update_plan_action,
)
from sightline.cases.services.screenings import do_complete_screening

__all__ = [
    "DEFAULT_TRIAGE_HOURS",
    "RETURN_INTERVIEW_HOURS",
    "add_months",
    "do_add_plan_action",
    "do_close_investigation",
    "do_close_plan",
    "do_complete_screening",
    "do_create_plan",
    "do_end_missing_episode",
    "do_end_placement",
    "do_enter_child_for_concern",
    "do_link_investigation_person",
    "do_offer_return_interview",
    "do_open_investigation",
    "do_raise_concern",
    "do_record_missing_episode",
    "do_record_return_interview_response",
    "do_record_self_referral",
    "do_record_suspect_status",
    "do_review_plan",
    "do_start_placement",
    "do_triage_concern",
    "do_unlink_investigation_person",
    "do_update_plan_action",
    "do_withdraw_concern",
    "triage_hours",
]
