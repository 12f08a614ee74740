"""Agencies, users and break-glass grants."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models

from sightline.access.permissions import Role
from sightline.ledger.models import LedgeredModel


class Agency(LedgeredModel):
    """A partner agency. Its id is the short code used in extracts (``police``, ``social_care``...)."""

    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)

    id_prefix = "AG"

    class Meta:
        verbose_name_plural = "agencies"
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class User(AbstractUser):
    """A person who signs in. Belongs to one agency and holds one role."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, null=True, blank=True, related_name="users")
    role = models.CharField(max_length=40, choices=Role.choices, default=Role.PRACTITIONER)

    class Meta:
        ordering = ["username"]

    @property
    def agency_code(self) -> str:
        return self.agency_id or ""


class BreakGlass(LedgeredModel):
    """A reasoned, time-limited access to a person's record outside the user's normal access.

    Every grant is ledgered and waits in the independent reviewer's queue until reviewed.
    """

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="break_glass")
    person_id = models.CharField(max_length=40, db_index=True)
    reason = models.TextField()
    granted_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    reviewed_by = models.ForeignKey(
        User, on_delete=models.PROTECT, null=True, blank=True, related_name="break_glass_reviews"
    )
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_outcome = models.CharField(
        max_length=20, blank=True, choices=[("appropriate", "Appropriate"), ("concern", "Raised a concern")]
    )
    review_note = models.TextField(blank=True)

    id_prefix = "BG"

    class Meta:
        ordering = ["-granted_at"]
