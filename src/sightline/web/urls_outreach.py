"""Outreach pages: from an alert to a child reached."""

from django.urls import path

from sightline.access.permissions import Cap
from sightline.web.navigation import register_nav
from sightline.web.views import outreach

urlpatterns = [
    path("intelligence/alerts/<str:alert_id>/outreach", outreach.assign, name="outreach_assign"),
    path("outreach", outreach.outreach_list, name="outreach_list"),
    path("outreach/<str:assignment_id>", outreach.outreach_detail, name="outreach"),
    path("outreach/<str:assignment_id>/attempts/new", outreach.attempt_new, name="outreach_attempt_new"),
    path("outreach/<str:assignment_id>/decision", outreach.decision, name="outreach_decision"),
]

register_nav("Outreach", "web:outreach_list", caps=[Cap.RECORD_OUTREACH, Cap.ASSIGN_OUTREACH], order=32)
