"""Analysts' pages: alerts, the network view, the link review queue and a person's linkage."""

from django.urls import path

from sightline.access.permissions import Cap
from sightline.web.navigation import register_nav
from sightline.web.views.intelligence import alerts, link_reviews, linkage, linkage_audit, networks

urlpatterns = [
    path("intelligence/alerts", alerts.alerts, name="alerts"),
    path("intelligence/alerts/<str:alert_id>", alerts.alert_detail, name="alert"),
    path("intelligence/networks", networks.networks, name="networks"),
    path("intelligence/networks/<str:network_id>", networks.network, name="network"),
    path("intelligence/link-reviews", link_reviews.link_reviews, name="link_reviews"),
    path(
        "intelligence/link-reviews/groups/<str:group_id>",
        link_reviews.link_review_group,
        name="link_review_group",
    ),
    path("intelligence/link-reviews/<str:review_id>", link_reviews.link_review, name="link_review"),
    path("intelligence/linkage-audit", linkage_audit.audit, name="linkage_audit"),
    path("people/<str:person_id>/linkage", linkage.person_linkage, name="person_linkage"),
]

# One section: alerts, networks, link reviews and, for analysts, investigations share a sub-navigation
# (intelligence/_subnav.html), so that the menu fits one row.
register_nav(
    "Intelligence",
    "web:alerts",
    caps=[Cap.VIEW_INTELLIGENCE],
    order=30,
    covers=[
        "web:networks",
        "web:link_reviews",
        "web:linkage_audit",
        "web:person_linkage",
        "web:investigations",
    ],
)
