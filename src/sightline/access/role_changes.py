"""Role changes that need a second person: requested by one account manager, approved or refused by
another, each step ledgered.

Which changes need one is :func:`sightline.access.services.needs_second_person`: any change to one's
own role, and any role that reaches case data (``permissions.CASE_DATA_CAPS``), including a new
account's. The requester and the account holder can never decide. The command line (the system
actor) changes roles directly, and the ledger says so.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from sightline.access.models import RoleChangeRequest
from sightline.access.permissions import Cap, Role, require_cap
from sightline.access.services import _account, _ledger_user, apply_role, pending_role_change
from sightline.core.errors import NotFound
from sightline.ledger.services import Actor, do_update


def do_request_role_change(actor: Actor, *, username: str, role: str, reason: str) -> RoleChangeRequest:
    """Ask for ``username`` to be given ``role``; another account manager decides."""
    require_cap(actor, Cap.MANAGE_ACCOUNTS)
    if role not in Role.values:
        raise ValidationError({"role": f"Choose a role from the list ({role!r} is not a role)"})
    if not reason.strip():
        raise ValidationError({"reason": "Enter why the role is changing"})
    user = _account(username)
    if user.role == role:
        raise ValidationError({"role": f"{username} already has this role"})
    with transaction.atomic():
        return pending_role_change(actor, user=user, role=role, reason=reason.strip())


def do_decide_role_change(
    actor: Actor, *, request_id: str, approve: bool, note: str = ""
) -> RoleChangeRequest:
    """Approve (the role changes, or a new account can sign in) or refuse a pending role change."""
    require_cap(actor, Cap.MANAGE_ACCOUNTS)
    with transaction.atomic():
        request = RoleChangeRequest.objects.select_for_update().filter(pk=request_id).first()
        if request is None:
            raise NotFound("No such role change")
        user = request.user
        if actor.user in {request.requested_by, user.username}:
            raise PermissionDenied(
                "A second account manager, not the requester or the account holder, decides"
            )
        if request.status != RoleChangeRequest.Status.PENDING:
            raise ValidationError({"decision": "This role change has already been decided"})
        if not approve and not note.strip():
            raise ValidationError({"note": "Enter why the role change is refused"})
        if request.from_role and user.role != request.from_role:
            raise ValidationError({"decision": "The account's role has changed since this was requested"})
        request.status = RoleChangeRequest.Status.APPROVED if approve else RoleChangeRequest.Status.REFUSED
        request.decided_by = actor.user
        request.decided_at = timezone.now()
        request.decision_note = note.strip()
        do_update(request, actor=actor, action="approve" if approve else "refuse", reason=note.strip())
        if approve:
            approval = {
                "requested_by": request.requested_by,
                "approved_by": actor.user,
                "request": request.id,
            }
            if request.new_account:
                user.is_active = True
                user.save(update_fields=["is_active"])
                _ledger_user(actor, "reactivate", user, reason="new account approved", **approval)
            else:
                apply_role(actor, user, request.to_role, reason=request.reason, **approval)
    return request
