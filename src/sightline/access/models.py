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
    # Only demo accounts may use the insecure demo second factor, and only when DEMO_MODE is on.
    demo_account = models.BooleanField(default=False)

    class Meta:
        ordering = ["username"]

    @property
    def agency_code(self) -> str:
        return self.agency_id or ""

    @property
    def display_name(self) -> str:
        return self.get_full_name() or self.username


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


class ApiToken(LedgeredModel):
    """A bearer token for system-to-system API use. Only its SHA-256 is stored; the token is shown once.

    Requests made with a token act as its owner, with the owner's role and need-to-know.
    """

    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=120)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)

    id_prefix = "TK"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None
