"""The private Django internal the bulk write path relies on, checked so that an upgrade fails here,
loudly, instead of quietly building wrong instances (docs/decisions/0005)."""

from __future__ import annotations

import hashlib
import inspect
from typing import Any

import django
import pytest
from django.db.models import Model, signals
from django.db.models.base import ModelState

from sightline.ledger.models import LedgeredModel
from sightline.ledger.services import instances, ledgered_models
from sightline.people.models import Person, SourceRecord

# What instances() was checked against: Django 5.2.19's Model.__init__ and ModelState.
CHECKED_WITH = "5.2.19"
INIT_SHA256 = "2950c3a90d8343b5"
MODEL_STATE_SHA256 = "1c36c15dcbfdd1a9"


def _digest(obj: Any) -> str:
    return hashlib.sha256(inspect.getsource(obj).encode()).hexdigest()[:16]


def test_model_init_is_what_instances_was_checked_against() -> None:
    changed = [
        name
        for name, obj, digest in (
            ("Model.__init__", Model.__init__, INIT_SHA256),
            ("ModelState", ModelState, MODEL_STATE_SHA256),
        )
        if _digest(obj) != digest
    ]
    assert not changed, (
        f"Django {django.get_version()} changed {', '.join(changed)} since {CHECKED_WITH}: "
        "sightline.ledger.services.bulk.instances() builds instances without Model.__init__. Check "
        "that it still does what __init__ does for attnames and defaults (this file's other tests), "
        "then record the new version and digests here and in "
        "docs/decisions/0005-write-path-and-django-internals.md"
    )


def _fields(obj: Model) -> dict[str, Any]:
    return {k: v for k, v in obj.__dict__.items() if k != "_state"}


@pytest.mark.parametrize("model", ledgered_models(), ids=lambda m: m._meta.label)
def test_instances_are_what_init_builds(model: type[LedgeredModel]) -> None:
    values = {"id": f"{model.id_prefix}-SAME", "version": 3}
    (built,) = instances(model, [values])
    plain = model(**values)
    assert type(built) is model
    assert built._state.adding is True and built._state.db is None
    assert _fields(built).keys() == _fields(plain).keys()
    callable_defaults = {
        f.attname for f in model._meta.concrete_fields if f.has_default() and callable(f.default)
    }
    for name, value in _fields(plain).items():
        if name not in callable_defaults:  # a fresh value per call (now(), a new dict...)
            assert _fields(built)[name] == value, name
    assert built.snapshot().keys() == plain.snapshot().keys()


def test_instances_take_values_by_attname_and_refuse_unknown_names() -> None:
    (record,) = instances(SourceRecord, [{"agency_id": "police", "data": {"a": "1"}, "row_number": 2}])
    assert (record.agency_id, record.data, record.row_number, record.person_id) == (
        "police",
        {"a": "1"},
        2,
        None,
    )
    with pytest.raises(TypeError, match="has no field 'agency'"):
        instances(SourceRecord, [{"agency": "police"}])


def test_models_with_init_receivers_are_built_through_init() -> None:
    seen: list[Model] = []

    def receiver(sender: type[Model], instance: Model, **kwargs: Any) -> None:  # noqa: ARG001
        seen.append(instance)

    signals.post_init.connect(receiver, sender=Person)
    try:
        (person,) = instances(Person, [{"id": "P-SIGNAL", "given_name": "Ida"}])
    finally:
        signals.post_init.disconnect(receiver, sender=Person)
    assert seen == [person] and person.given_name == "Ida"
