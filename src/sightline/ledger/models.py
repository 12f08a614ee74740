"""Ledger tables, and the base class for every current-state table that the ledger feeds."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Collection, Iterable
from decimal import Decimal
from typing import Any, ClassVar, TypeVar

from django.db import models

from sightline.ledger.canonical import jsonable
from sightline.ledger.guard import NO_DELETE, refuse_outside_ledger


class PendingEntry(models.Model):
    """Committed changes waiting to be sequenced (Trillian's unsequenced queue).

    Writers insert here inside their own transaction, so they never wait on the sequencer's lock
    for the length of a request; the integrator gives them gapless indexes in batches.
    """

    id = models.BigAutoField(primary_key=True)
    body = models.TextField(help_text="canonical JSON of the entry without index and prev")

    class Meta:
        db_table = "ledger_pending"

    def __str__(self) -> str:
        return f"pending #{self.id}"


class Entry(models.Model):
    """One sequenced ledger entry. Append-only: database triggers refuse UPDATE, DELETE, TRUNCATE."""

    index = models.BigIntegerField(primary_key=True)
    time = models.DateTimeField()
    actor_user = models.CharField(max_length=150)
    actor_agency = models.CharField(max_length=64)
    actor_role = models.CharField(max_length=64)
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64)
    object_id = models.CharField(max_length=128)
    version = models.IntegerField(null=True)
    reason = models.TextField(blank=True)
    canonical = models.BinaryField(help_text="exactly the bytes hashed into the leaf")
    leaf_hash = models.BinaryField()

    class Meta:
        db_table = "ledger_entry"
        verbose_name_plural = "entries"
        indexes = [
            models.Index(fields=["object_type", "object_id", "version"], name="ledger_obj_idx"),
            models.Index(fields=["actor_user", "time"], name="ledger_actor_idx"),
            models.Index(fields=["action"], name="ledger_action_idx"),
        ]

    def __str__(self) -> str:
        return f"#{self.index} {self.action} {self.object_type}:{self.object_id}"


class TreeHead(models.Model):
    """The integrator's state: tree size, compact range and last leaf hash. One row (id=1)."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    size = models.BigIntegerField(default=0)
    root = models.BinaryField()
    frontier = models.BinaryField()
    last_leaf_hash = models.BinaryField(default=b"")
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        db_table = "ledger_treehead"

    def __str__(self) -> str:
        return f"tree head, size {self.size}"


#: The smallest stored subtree: 2**8 = 256 leaves. Proofs read at most a few such runs of leaf
#: hashes beside about two stored hashes per level; the table holds one row per 128 entries.
SUBTREE_MIN_LEVEL = 8


class Subtree(models.Model):
    """The hash of a complete, aligned subtree of the Merkle tree: 2**level leaves from leaf
    number * 2**level. Written with the entries that complete it, so proofs read O(log n) rows
    instead of every leaf. Derived from the entries (``sightline ledger subtrees --rebuild``),
    checked by ``verify``, and append-only like them: a completed subtree never changes."""

    pk = models.CompositePrimaryKey("level", "number")
    level = models.SmallIntegerField()
    number = models.BigIntegerField()
    hash = models.BinaryField()

    class Meta:
        db_table = "ledger_subtree"

    def __str__(self) -> str:
        return f"subtree level {self.level} #{self.number}"


class Checkpoint(models.Model):
    """A signed tree head, also written to a folder outside the database. Append-only."""

    id = models.BigAutoField(primary_key=True)
    size = models.BigIntegerField()
    root = models.BinaryField()
    note = models.TextField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        db_table = "ledger_checkpoint"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"checkpoint {self.id} (size {self.size})"


class VerificationRun(models.Model):
    """One verification of the ledger, full or incremental: what it covered and what it found.

    Outside the ledger (``outside.py``): a run is about the ledger, not in it. The next incremental
    run starts from the latest one that found nothing wrong, using its tree size, root and compact
    range, so it reads only the entries added since. Problems are kept as counts by kind, never their
    messages, which can name people.
    """

    class Kind(models.TextChoices):
        FULL = "full", "Full"
        INCREMENTAL = "incremental", "Incremental"

    id = models.BigAutoField(primary_key=True)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    started_at = models.DateTimeField()
    finished_at = models.DateTimeField()
    from_size = models.BigIntegerField(help_text="entries before this were checked by earlier runs")
    size = models.BigIntegerField(help_text="entries checked up to (the tree size verified)")
    root = models.BinaryField()
    frontier = models.BinaryField(help_text="the compact range at ``size``, to extend next time")
    last_leaf_hash = models.BinaryField(default=b"")
    checkpoint_id = models.BigIntegerField(default=0, help_text="checkpoints up to this id were checked")
    ok = models.BooleanField()
    problem_count = models.IntegerField(default=0)
    problem_kinds = models.JSONField(default=dict, help_text="how many problems of each kind")
    entries_checked = models.BigIntegerField(default=0)
    checkpoints_checked = models.IntegerField(default=0)
    rows_checked = models.BigIntegerField(default=0)

    class Meta:
        db_table = "ledger_verification_run"
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.kind} verification {self.id} (size {self.size}, {'ok' if self.ok else 'FAILED'})"


def new_id(prefix: str) -> str:
    # Random rather than sequential: ids leak nothing about volumes and need no shared counter.
    return f"{prefix}-{secrets.token_hex(6).upper()}"


_M = TypeVar("_M", bound="LedgeredModel")


class LedgeredQuerySet(models.QuerySet[_M]):
    """Refuses the bulk writes that would change rows without ledger entries (see ``guard``)."""

    def update(self, **kwargs: Any) -> int:
        refuse_outside_ledger(
            self.model._meta.label_lower, "QuerySet.update()", "do_update or do_bulk_update"
        )
        return super().update(**kwargs)

    def delete(self) -> tuple[int, dict[str, int]]:
        refuse_outside_ledger(self.model._meta.label_lower, "QuerySet.delete()", NO_DELETE)
        return super().delete()

    def bulk_create(
        self,
        objs: Iterable[_M],
        batch_size: int | None = None,
        ignore_conflicts: bool = False,
        update_conflicts: bool = False,
        update_fields: Collection[str] | None = None,
        unique_fields: Collection[str] | None = None,
    ) -> list[_M]:
        refuse_outside_ledger(self.model._meta.label_lower, "QuerySet.bulk_create()", "do_bulk_create")
        return super().bulk_create(
            objs, batch_size, ignore_conflicts, update_conflicts, update_fields, unique_fields
        )

    def bulk_update(self, objs: Iterable[_M], fields: Iterable[str], batch_size: int | None = None) -> int:
        refuse_outside_ledger(self.model._meta.label_lower, "QuerySet.bulk_update()", "do_bulk_update")
        return super().bulk_update(objs, fields, batch_size)


LedgeredManager = models.Manager.from_queryset(LedgeredQuerySet)


class LedgeredModel(models.Model):
    """Base for current-state tables: each row is a cache of its object's latest ledger version.

    Write only through ``sightline.ledger.services`` (``do_create`` / ``do_update`` and friends):
    ``save()``, ``delete()`` and the querysets' bulk writes refuse to run anywhere else.
    """

    id = models.CharField(primary_key=True, max_length=40, editable=False)
    version = models.PositiveIntegerField(default=0, editable=False)

    objects = LedgeredManager()

    id_prefix: ClassVar[str] = "X"

    class Meta:
        abstract = True

    def save(self, *args: Any, **kwargs: Any) -> None:
        refuse_outside_ledger(self._meta.label_lower, "save()", "do_create or do_update")
        super().save(*args, **kwargs)

    def delete(self, using: Any = None, keep_parents: bool = False) -> tuple[int, dict[str, int]]:
        refuse_outside_ledger(self._meta.label_lower, "delete()", NO_DELETE)
        return super().delete(using, keep_parents)

    @classmethod
    def ledger_type(cls) -> str:
        return cls._meta.label_lower

    def snapshot(self) -> dict[str, Any]:
        """The object's full version as stored in the ledger (every concrete field but version)."""
        data: dict[str, Any] = {}
        for field in self._meta.concrete_fields:
            if field.name == "version":
                continue
            data[field.attname] = jsonable(getattr(self, field.attname))
        return data

    @classmethod
    def from_snapshot(cls, data: dict[str, Any], version: int) -> LedgeredModel:
        values: dict[str, Any] = {"version": version}
        for field in cls._meta.concrete_fields:
            if field.attname not in data:
                continue
            raw = data[field.attname]
            if raw is not None and isinstance(field, models.JSONField):
                values[field.attname] = raw
            elif raw is not None and isinstance(field, models.DateTimeField):
                values[field.attname] = dt.datetime.fromisoformat(raw)
            elif raw is not None and isinstance(field, models.FloatField):
                values[field.attname] = float(raw)
            elif raw is not None and isinstance(field, models.DecimalField):
                values[field.attname] = Decimal(raw)
            else:
                values[field.attname] = field.to_python(raw)
        return cls(**values)


# Django's internal manager refuses too (a related manager's bulk add() updates through it). Set on
# the abstract base's options rather than in its Meta: the models without a Meta of their own would
# inherit that Meta, and the option, into their migrations.
LedgeredModel._meta.base_manager_name = "objects"
