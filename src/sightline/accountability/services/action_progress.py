"""An action's progress: start, mark complete, sign off (by a second person), send back, reopen.

"Complete" needs live evidence, and stands only when someone other than whoever marked it complete signs
it off with the ``sign_off`` capability. Overdue is never recorded: it follows from the date.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.db import transaction

from sightline.access.permissions import Cap, require_cap
from sightline.accountability.models import Action, ActionStatus, Evidence
from sightline.accountability.services.validation import now_or, require_progress, required
from sightline.ledger.services import Actor, do_update, locked


def live_evidence(action: Action) -> list[Evidence]:
    return list(Evidence.objects.filter(action=action, withdrawn=False))


def do_start_action(actor: Actor, *, action_id: str, note: str = "") -> Action:
    with transaction.atomic():
        action = locked(Action, action_id)
        require_progress(actor, action)
        if action.status != ActionStatus.NOT_STARTED:
            raise ValidationError({"status": "only an action that has not started can be started"})
        action.status = ActionStatus.IN_PROGRESS
        return do_update(action, actor=actor, action="start", reason=note.strip())


def do_complete_action(
    actor: Actor, *, action_id: str, note: str = "", now: dt.datetime | None = None
) -> Action:
    """Mark an action complete. It needs evidence; it then waits for a second person's sign-off."""
    with transaction.atomic():
        action = locked(Action, action_id)
        require_progress(actor, action)
        if action.status == ActionStatus.COMPLETE:
            raise ValidationError({"status": "this action is already marked complete"})
        if not live_evidence(action):
            raise ValidationError({"status": "add evidence before marking the action complete"})
        action.status = ActionStatus.COMPLETE
        action.completed_by = actor.user
        action.completed_at = now_or(now)
        action.signed_off_by = ""
        action.signed_off_at = None
        action.sign_off_note = ""
        return do_update(action, actor=actor, action="complete", reason=note.strip())


def do_sign_off_action(
    actor: Actor, *, action_id: str, note: str = "", now: dt.datetime | None = None
) -> Action:
    """A second person confirms a completed action. The one who marked it complete cannot."""
    require_cap(actor, Cap.SIGN_OFF)
    with transaction.atomic():
        action = locked(Action, action_id)
        if action.status != ActionStatus.COMPLETE:
            raise ValidationError({"__all__": "only an action marked complete can be signed off"})
        if action.signed_off_at is not None:
            raise ValidationError(
                {"__all__": f"this action was already signed off by {action.signed_off_by}"}
            )
        if action.completed_by == actor.user:
            raise ValidationError(
                {"__all__": "you marked this action complete: a second person must sign it off"}
            )
        if not live_evidence(action):
            raise ValidationError({"__all__": "this action has no evidence left: it cannot be signed off"})
        action.signed_off_by = actor.user
        action.signed_off_at = now_or(now)
        action.sign_off_note = note.strip()
        return do_update(action, actor=actor, action="sign_off", reason=note.strip())


def do_return_action(actor: Actor, *, action_id: str, reason: str) -> Action:
    """Refuse sign-off: the action goes back to in progress, with the reason."""
    require_cap(actor, Cap.SIGN_OFF)
    required({"reason": reason})
    with transaction.atomic():
        action = locked(Action, action_id)
        if action.status != ActionStatus.COMPLETE or action.signed_off_at is not None:
            raise ValidationError({"__all__": "only an action awaiting sign-off can be sent back"})
        if action.completed_by == actor.user:
            raise ValidationError({"__all__": "you marked this action complete: a second person must decide"})
        action.status = ActionStatus.IN_PROGRESS
        action.completed_by = ""
        action.completed_at = None
        return do_update(action, actor=actor, action="return", reason=reason.strip())


def do_reopen_action(actor: Actor, *, action_id: str, reason: str) -> Action:
    """Reopen a completed (or signed-off) action, for example when the evidence turned out wrong."""
    require_cap(actor, Cap.MANAGE_RECOMMENDATIONS)
    required({"reason": reason})
    with transaction.atomic():
        action = locked(Action, action_id)
        if action.status != ActionStatus.COMPLETE:
            raise ValidationError({"__all__": "only a completed action can be reopened"})
        action.status = ActionStatus.IN_PROGRESS
        action.completed_by = ""
        action.completed_at = None
        action.signed_off_by = ""
        action.signed_off_at = None
        action.sign_off_note = ""
        return do_update(action, actor=actor, action="reopen", reason=reason.strip())
