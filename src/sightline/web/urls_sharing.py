"""Sharing decisions and section 47 workspaces."""

from django.urls import path

from sightline.access.permissions import Cap
from sightline.web.navigation import register_nav
from sightline.web.views import sharing

urlpatterns = [
    path("people/<str:person_id>/sharing", sharing.child_sharing, name="child_sharing"),
    path("people/<str:person_id>/sharing/new", sharing.sharing_new, name="sharing_new"),
    path("people/<str:person_id>/nhs-number", sharing.nhs_number, name="nhs_number"),
    path("sharing", sharing.sharing_review, name="sharing_review"),
    path("people/<str:person_id>/s47/new", sharing.s47_open, name="s47_open"),
    path("s47/<str:workspace_id>", sharing.s47_detail, name="s47"),
    path("s47/<str:workspace_id>/members/new", sharing.s47_member_add, name="s47_member_add"),
    path("s47/<str:workspace_id>/members/remove", sharing.s47_member_remove, name="s47_member_remove"),
    path("s47/<str:workspace_id>/tasks/new", sharing.s47_task_new, name="s47_task_new"),
    path("s47/<str:workspace_id>/tasks/<str:task_id>/done", sharing.s47_task_done, name="s47_task_done"),
    path("s47/<str:workspace_id>/decisions/new", sharing.s47_decision_new, name="s47_decision_new"),
]

register_nav("Sharing decisions", "web:sharing_review", caps=[Cap.VIEW_LEDGER], order=75)
