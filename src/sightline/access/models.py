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


class RoleChangeRequest(LedgeredModel):
    """A role change (or a new account's role) waiting for a second account manager.

    Changes to one's own role, and any role that reaches case data, are requested by one account
    manager and approved or refused by another; the requester and the account holder cannot decide.
    ``from_role`` is blank for a new account, which cannot sign in until approved.
    """

    class Status(models.TextChoices):
        PENDING = "pending", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    user = models.ForeignKey(User, on_delete=models.PROTECT, related_name="role_change_requests")
    from_role = models.CharField(max_length=40, blank=True)
    to_role = models.CharField(max_length=40, choices=Role.choices)
    reason = models.TextField()
    requested_by = models.CharField(max_length=150)
    requested_at = models.DateTimeField()
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    decided_by = models.CharField(max_length=150, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    decision_note = models.TextField(blank=True)

    id_prefix = "RC"

    class Meta:
        ordering = ["-requested_at"]

    def __str__(self) -> str:
        return f"{self.user.username}: {self.from_role or 'new account'} to {self.to_role} ({self.status})"

    @property
    def username(self) -> str:
        return self.user.username

    @property
    def new_account(self) -> bool:
        return not self.from_role


# What an API token may do: read (GET) or write (anything else), on which routers of the API.
TOKEN_MODES = ("read", "write")
TOKEN_DOMAINS = ("access", "people", "cases", "intelligence", "accountability", "reports")
TOKEN_SCOPES = TOKEN_MODES + TOKEN_DOMAINS


class ApiToken(LedgeredModel):
    """A bearer token for system-to-system API use. Only its SHA-256 is stored; the token is shown once.

    Requests made with a token act as its owner, with the owner's role and need-to-know, and only
    within the token's scopes (read and/or write, on the listed API domains) until it expires.
    """

    owner = models.ForeignKey(User, on_delete=models.PROTECT, related_name="api_tokens")
    name = models.CharField(max_length=120)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    expires_at = models.DateTimeField()
    scopes = models.JSONField(default=list, help_text="read, write and the API domains it may use")

    id_prefix = "TK"

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.name} ({self.id})"

    @property
    def active(self) -> bool:
        return self.revoked_at is None


class ApiTokenUse(models.Model):
    """When a token was last used. Not ledgered: it changes at most once a minute and is not a decision."""

    token = models.OneToOneField(ApiToken, on_delete=models.CASCADE, primary_key=True, related_name="use")
    last_used_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.token_id} last used {self.last_used_at:%Y-%m-%d %H:%M}"
