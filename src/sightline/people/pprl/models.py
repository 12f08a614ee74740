"""The encoded columns of an agency's person record. The record itself is an ordinary
``people.SourceRecord`` holding only what is not identifying (its reference, sex, how much of the
date of birth is known), so its events, person and need to know work as for any other record.

A cache of the ledger: write only through services (``sightline.ledger.services``).
"""

from __future__ import annotations

from django.db import models

from sightline.ledger.models import LedgeredModel


class EncodedRecord(LedgeredModel):
    """Filters and digests of one encoded person record, as received; never shown to anyone."""

    source = models.OneToOneField("people.SourceRecord", on_delete=models.PROTECT, related_name="encoding")
    agency = models.ForeignKey("access.Agency", on_delete=models.PROTECT, related_name="+")
    record_id = models.CharField(max_length=200)
    extract = models.ForeignKey("people.Extract", on_delete=models.PROTECT, related_name="+")
    # Records compare only within one agreement: same scheme, salt, key check, hardening and length.
    agreement = models.CharField(max_length=32, db_index=True)
    encoded = models.JSONField(help_text="the encoded columns as received (base64 filters and digests)")

    id_prefix = "ENC"

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["agency", "record_id"], name="encoded_record_unique_per_agency")
        ]
