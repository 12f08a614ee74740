"""One write path, enforced: no ledgered row changes outside the ledger's services, and every table
is either ledgered or listed, with its reason, as outside the ledger."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.apps import apps
from django.db import models

import sightline
from sightline.access.models import Agency
from sightline.accountability.models import ImmutableError
from sightline.ledger.guard import ledger_writes
from sightline.ledger.models import LedgeredModel
from sightline.ledger.outside import OUTSIDE_THE_LEDGER
from sightline.ledger.services import SYSTEM, DirectWriteError, do_create, do_update, ledgered_models
from sightline.people.models import Person

LEDGERED = ledgered_models()


def test_every_installed_model_is_ledgered_or_listed_outside_with_a_reason() -> None:
    installed = {m._meta.label: m for m in apps.get_models(include_auto_created=True)}
    unaccounted = [
        label
        for label, model in installed.items()
        if not issubclass(model, LedgeredModel) and label not in OUTSIDE_THE_LEDGER
    ]
    assert not unaccounted, f"neither ledgered nor listed in ledger/outside.py: {unaccounted}"
    for label, reason in OUTSIDE_THE_LEDGER.items():
        assert label in installed, f"ledger/outside.py lists {label}, which is not installed"
        assert not issubclass(installed[label], LedgeredModel), f"{label} is ledgered, yet listed outside"
        assert len(reason) > 20, label
    assert len(LEDGERED) > 30  # every domain's tables, found through the app registry


def _refused(service: str) -> pytest.RaisesExc[DirectWriteError]:
    return pytest.raises(DirectWriteError, match=rf"outside the ledger's services is refused.*{service}")


def _instance_refused(model: type[LedgeredModel], service: str) -> pytest.RaisesExc[Exception]:
    """Refused by the guard, or first by a model's own stricter save()/delete() (write-once rows)."""
    if model.save is not LedgeredModel.save or model.delete is not LedgeredModel.delete:
        return pytest.raises((DirectWriteError, ImmutableError))
    return _refused(service)


@pytest.mark.django_db
@pytest.mark.parametrize("model", LEDGERED, ids=lambda m: m._meta.label)
def test_plain_writes_to_every_ledgered_model_are_refused(model: type[LedgeredModel]) -> None:
    obj = model(id=f"{model.id_prefix}-PLAIN", version=1)
    with _instance_refused(model, "do_create or do_update"):
        obj.save()
    with _instance_refused(model, "do_create or do_update"):
        obj.save(force_insert=True)
    with _instance_refused(model, "never deleted"):
        obj.delete()
    managers: list[models.Manager[LedgeredModel]] = [model._default_manager, model._base_manager]
    for manager in managers:
        with _refused("do_update or do_bulk_update"):
            manager.filter(pk=obj.pk).update(version=2)
        with _refused("never deleted"):
            manager.filter(pk=obj.pk).delete()
        with _refused("never deleted"):
            manager.all().delete()
        with _refused("do_bulk_create"):
            manager.bulk_create([obj])
        with _refused("do_bulk_update"):
            manager.bulk_update([obj], ["version"])
        with _instance_refused(model, "do_create or do_update"):
            manager.create(id=f"{model.id_prefix}-PLAIN2")
    assert not model._default_manager.filter(pk__in=[obj.pk, f"{model.id_prefix}-PLAIN2"]).exists()


@pytest.mark.django_db
def test_writes_through_an_instance_or_related_manager_are_refused_too() -> None:
    person = do_create(Person(given_name="Rhea", family_name="Guarded"), actor=SYSTEM)
    agency = do_create(Agency(id="guard_test", name="Guard test"), actor=SYSTEM)
    person.given_name = "Changed"
    with _refused("do_create or do_update"):
        person.save(update_fields=["given_name"])
    with _refused("do_create or do_update"):
        Person.objects.update_or_create(pk=person.pk, defaults={"given_name": "Changed"})
    with _refused("do_update or do_bulk_update"):
        agency.records.all().update(row_number=3)
    assert Person.objects.get(pk=person.pk).given_name == "Rhea"
    # The services still write (the guard opens for them, and only for them).
    person.given_name = "Rhea Two"
    do_update(person, actor=SYSTEM, reason="spelling")
    assert Person.objects.get(pk=person.pk).version == 2


@pytest.mark.django_db
def test_the_services_permit_only_inside_their_own_block() -> None:
    with ledger_writes():
        with ledger_writes():
            pass
        person = Person(id="P-INSIDE", version=1, given_name="Inside")
        person.save(force_insert=True)  # permitted here: what do_create does
    with _refused("do_create or do_update"):
        person.save()


def test_only_the_ledger_opens_the_guard() -> None:
    src = Path(sightline.__file__).parent
    openers = [
        str(path.relative_to(src))
        for path in sorted(src.rglob("*.py"))
        if path.relative_to(src).parts[0] != "ledger"
        and ("ledger.guard" in (text := path.read_text(encoding="utf-8")) or "ledger_writes" in text)
    ]
    assert not openers, f"only the ledger's services may permit writes to ledgered tables: {openers}"
