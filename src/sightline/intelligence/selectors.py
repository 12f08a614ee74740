"""Reads over alerts and networks. Views and exports call these; none of them query models directly."""

from __future__ import annotations

from django.db.models import QuerySet

from sightline.intelligence.models import Alert, Network, NetworkMember


def ranked_alerts(*, include_dismissed: bool = False, kind: str | None = None) -> QuerySet[Alert]:
    """Alerts raised by the latest run, highest score first (ties by id, so the order is stable)."""
    qs = Alert.objects.filter(active=True)
    if not include_dismissed:
        qs = qs.exclude(status=Alert.Status.DISMISSED)
    if kind:
        qs = qs.filter(kind=kind)
    return qs.order_by("-score", "id")


def network_members() -> QuerySet[NetworkMember]:
    """Current members of current networks, in network, type and id order."""
    return NetworkMember.objects.filter(active=True, network__active=True).order_by(
        "network_id", "member_type", "member_id"
    )


def get_network(network_id: str) -> Network | None:
    return Network.objects.filter(pk=network_id).first()
