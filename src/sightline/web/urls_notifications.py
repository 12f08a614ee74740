"""Notifications: the inbox (linked from the service navigation with its unseen count) and how the user
hears by email."""

from django.urls import path

from sightline.web.views import notifications as v

urlpatterns = [
    path("notifications", v.inbox, name="notifications"),
    path("notifications/seen", v.mark_all_seen, name="notifications_seen"),
    path("notifications/settings", v.email_settings, name="notification_settings"),
]
