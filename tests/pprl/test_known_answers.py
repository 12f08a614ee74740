"""Known answers: encoded rows pinned as the encoder first wrote them (scheme `sightline-bf/1`).

Two agencies' extracts compare only if both encoded alike, so a faster encoder must write the same
bytes. Regenerate known_answers.json only with a new scheme version.
"""

from __future__ import annotations

import csv
import hashlib
import json
from pathlib import Path
from typing import Any

import pytest

from sightline.pprl import chunks
from sightline.pprl.bloom import Params
from sightline.pprl.extract import encode_extract

SECRET = b"known-answer secret for sightline-bf/1"
ANSWERS = Path(__file__).with_name("known_answers.json")
PEOPLE = [
    "record_id,given_name,family_name,other_names,date_of_birth,estimated_age,sex,address,postcode,phone,email,nhs_number,upn,pnc_id",
    'P1,Mary-Jane,O\'Neil,Molly;MJ Smith,2009-03-07,,F,"12 Lindley Drive, Parkgate",S62 6JY,'
    "07700 900123,mj@example.org,943 476 5919,,",
    "P2,Mick,Brown,,2011-04,,M,Flat 3,S65 7QH,+44 7700 900456;0114 496 0000,,,A123456789012,",
    "P3,Zoë,Łukasz,,2005,,F,1 Market Avenue,S65,,,,,12/345678X",
    "P4,Tom,Smith,,,14,M,,,,,,,",
    "P5,Ann,Lee,,2010-12-11,,,7 The Close,s25 6hu,,,,,",
    "P6,,,,not a date,,U,,,,,,,",
    "P7,Mick,Brown,Mike,2011-04-05,,M,Flat 3,S65 7QH,,,,,",
]
EVENTS = [
    "event_id,record_id,kind,occurred_on,ended_on,place,postcode,vehicle,phone,others,factors,summary",
    "E1,P1,incident,2014-02-01,,St Thomas's Catholic High School,S25 6HU,AB12 CDE;X?12 ABC,"
    "07700 900123,P2:with,,names here",
    "E2,P4,referral,2013-05-09,,,,,,,,",
]
MANIFEST = {"format": "multi-agency-extract/1", "agency": "police", "extracted_on": "2014-07-01"}
SETS: dict[str, dict[str, Any]] = {
    "fold": {},
    "balance": {"hardening": "balance"},
    "off": {"hardening": "off"},
    "fold-512": {"bits": 512, "k": 15},
    "balance-1088": {"hardening": "balance", "bits": 1088},
    "fold-1088": {"bits": 1088},
}


def _extract(root: Path) -> None:
    folder = root / "plain"
    folder.mkdir()
    (folder / "manifest.json").write_text(json.dumps(MANIFEST), encoding="utf-8")
    (folder / "people.csv").write_text("\n".join(PEOPLE) + "\n", encoding="utf-8")
    (folder / "events.csv").write_text("\n".join(EVENTS) + "\n", encoding="utf-8")


def encoded(root: Path, name: str, **kw: Any) -> dict[str, object]:
    """The rows written for one parameter set, and the digest of each file as written."""
    out, plain = root / name, root / "plain"
    if not plain.exists():
        _extract(root)
    params = Params(salt="known-answers", **SETS[name])
    encode_extract(plain, SECRET, out, params, **kw)
    answer: dict[str, object] = {}
    for part in ("people", "events"):
        data = (out / f"{part}.csv").read_bytes()
        answer[f"{part}.csv sha256"] = hashlib.sha256(data).hexdigest()
        if name == "fold":
            answer[part] = list(csv.DictReader(data.decode("utf-8").splitlines()))
    return answer


@pytest.mark.parametrize("name", list(SETS))
def test_the_encoder_writes_the_pinned_bytes(name: str, tmp_path: Path) -> None:
    assert encoded(tmp_path, name) == json.loads(ANSWERS.read_text(encoding="utf-8"))[name]


@pytest.mark.parametrize("name", ["fold", "balance"])
def test_several_processes_write_the_same_bytes(
    name: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(chunks, "CHUNK", 2)  # several chunks, so the workers share them
    assert encoded(tmp_path, name, workers=2) == json.loads(ANSWERS.read_text(encoding="utf-8"))[name]


if __name__ == "__main__":  # writes known_answers.json: only for a new scheme version
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        answers = {name: encoded(Path(tmp), name) for name in SETS}
    ANSWERS.write_text(json.dumps(answers, indent=1, ensure_ascii=False) + "\n", encoding="utf-8")
