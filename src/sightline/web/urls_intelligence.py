"""Analysts' pages: alerts, the network view, the link review queue and a person's linkage."""

from django.urls import path

from sightline.access.permissions import Cap
from sightline.web.navigation import register_nav
from sightline.web.views.intelligence import alerts, link_reviews, linkage, networks

urlpatterns = [
    path("intelligence/alerts", alerts.alerts, name="alerts"),
    path("intelligence/alerts/<str:alert_id>", alerts.alert_detail, name="alert"),
    path("intelligence/networks", networks.networks, name="networks"),
    path("intelligence/networks/<str:network_id>", networks.network, name="network"),
    path("intelligence/link-reviews", link_reviews.link_reviews, name="link_reviews"),
    path("intelligence/link-reviews/<str:review_id>", link_reviews.link_review, name="link_review"),
    path("people/<str:person_id>/linkage", linkage.person_linkage, name="person_linkage"),
]

register_nav("Alerts", "web:alerts", caps=[Cap.VIEW_INTELLIGENCE], order=30)
register_nav("Networks", "web:networks", caps=[Cap.VIEW_INTELLIGENCE], order=31)
register_nav("Link reviews", "web:link_reviews", caps=[Cap.MERGE_PEOPLE], order=35)
