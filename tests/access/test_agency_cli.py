"""``sightline agency add|list``: partner agencies beyond the standard ones, whose extracts then import."""

from __future__ import annotations

from pathlib import Path

import pytest

from sightline.access.models import Agency
from sightline.cli import main
from sightline.extracts import services as extracts
from sightline.ledger.models import Entry
from sightline.ledger.services import integrate
from sightline.people.models import SourceRecord
from tests import factories
from tests.extracts.helpers import write_extract

pytestmark = pytest.mark.django_db


def test_an_added_agency_is_ledgered_listed_and_its_extract_imports(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    factories.agencies()
    folder = write_extract(tmp_path, "lines-2026-11-30", agency="county_lines")
    refused = extracts.do_import_extract(folder)
    assert refused.status != "imported" and not SourceRecord.objects.filter(agency_id="county_lines").exists()

    code = main(["agency", "add", "county_lines", "--name", "County lines project", "--kind", "voluntary"])
    assert code == 0 and "county_lines (County lines project) registered" in capsys.readouterr().out
    agency = Agency.objects.get(pk="county_lines")
    assert (agency.name, agency.kind, agency.active) == ("County lines project", "voluntary", True)
    integrate()  # on PostgreSQL entries wait in the queue until sequenced
    assert Entry.objects.filter(action="agency_add", object_id="county_lines").count() == 1

    assert main(["agency", "list"]) == 0
    lines = capsys.readouterr().out.splitlines()
    assert "county_lines\tCounty lines project\tvoluntary\tactive\t0 accounts" in lines
    assert any(line.startswith("police\tPolice\t") for line in lines)

    assert extracts.do_import_extract(folder).status == "imported"
    assert SourceRecord.objects.filter(agency_id="county_lines").exists()


@pytest.mark.parametrize(
    ("argv", "message"),
    [
        (["County-Lines", "--name", "X"], "is not an agency code"),
        (["police", "--name", "Police again"], "already registered"),
        (["newbody", "--name", "  "], "give the agency's name"),
    ],
)
def test_a_bad_agency_is_refused_and_nothing_is_written(
    argv: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    factories.agencies()
    before = (Agency.objects.count(), integrate())
    assert main(["agency", "add", *argv]) == 2
    assert message in capsys.readouterr().err
    assert (Agency.objects.count(), integrate()) == before
