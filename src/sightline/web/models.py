"""The web interface's own table: drafts of long forms, outside the ledger (ledger/outside.py says why)."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class Draft(models.Model):
    """What one user has typed into one long form and not yet submitted.

    ``path`` is the form page's address (path and query); ``form_data`` the form's fields as the
    browser would send them, a list of ``[name, value]`` pairs. Only the owner reads a draft; it is
    deleted when the form is submitted or the draft discarded, and ``DRAFT_DAYS`` after its last save.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    path = models.CharField(max_length=500)
    form_data = models.JSONField(default=list)
    saved_at = models.DateTimeField(db_index=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "path"], name="web_draft_one_per_form")]

    def __str__(self) -> str:
        return f"draft of {self.path} by user {self.user_id}"
