"""``{% accountability_dashboard as acc %}``: the home page's accountability panel for the signed-in user:
their own overdue actions (owners), every overdue action and plan progress (board and managers),
actions awaiting their sign-off, and protected concerns awaiting the independent reviewer."""

from __future__ import annotations

from typing import Any

from django import template

from sightline.access.permissions import Cap, can
from sightline.accountability import selectors as sel

register = template.Library()


@register.simple_tag(takes_context=True)
def accountability_dashboard(context: template.Context) -> dict[str, Any]:
    request = context.get("request")
    user: Any = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    role = user.role
    board = can(role, Cap.VIEW_AGGREGATE) or can(role, Cap.MANAGE_RECOMMENDATIONS)
    return {
        "mine": sel.overdue_actions(owner_user=user.username),
        "board": board,
        "overdue": sel.overdue_actions() if board else [],
        "counts": sel.status_counts(sel.recommendations_by_status()) if board else [],
        "sign_off": sel.awaiting_sign_off(exclude_user=user.username) if can(role, Cap.SIGN_OFF) else [],
        "reviewer_unanswered": sel.unanswered_protected_count(user),
    }
