"""``sightline demo --accounts-only``: the demo accounts in a database that already holds a town (the
load run on ``bench_scale.py``'s million records), without building the demo town or serving."""

from __future__ import annotations

import pytest

from sightline.access.models import User
from sightline.cli import main
from sightline.people.models import Person, SourceRecord

pytestmark = pytest.mark.django_db


def test_accounts_only_adds_every_demo_account_and_builds_nothing(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["demo", "--accounts-only"]) == 0
    out = capsys.readouterr().out
    assert "demo-coordinator" in out and "Go to http://127.0.0.1:8000/" in out
    demo = set(User.objects.filter(demo_account=True).values_list("username", flat=True))
    assert {"demo-coordinator", "demo-analyst", "demo-practitioner", "demo-police"} <= demo
    assert not Person.objects.exists() and not SourceRecord.objects.exists()
    # Again: idempotent, the same accounts.
    assert main(["demo", "--accounts-only"]) == 0
    assert set(User.objects.filter(demo_account=True).values_list("username", flat=True)) == demo
