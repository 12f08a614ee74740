"""How likely people are to be the person a user describes, by the trained linkage model.

What the user typed (a search, or a child's details on a concern) becomes one more record, and the
model compares it with each person's agency records and hand-entered details exactly as a linkage
run compares two records (``linkage.model``, Splink). A person's likelihood is their best pair. It is
banded at linkage's own review thresholds (``linkage.REVIEW_BAND``), so "likely" here means what a
run would link without asking anyone.

No access check and no ledger entry: callers decide what to show and record it
(``people.selectors.search_people``, ``people.matches``). Ethnicity is never read: the model's inputs
are ``linkage.records.LINK_INPUTS``.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
import re
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

import pandas as pd
from django.db.models import Max
from django.utils import timezone
from splink.blocking_rule_library import CustomRule

from sightline.ledger.models import Entry
from sightline.people.linkage import model as mdl
from sightline.people.linkage import pyscore
from sightline.people.linkage.backends import Backend
from sightline.people.linkage.engine import REVIEW_BAND, format_pairs
from sightline.people.linkage.names import name_tokens
from sightline.people.linkage.prepare import prepare_records, valid_nhs_number
from sightline.people.linkage.records import FRAME_COLUMNS, LINK_INPUTS, input_frame, linkage_dir
from sightline.people.linkage.types import LinkageInputError
from sightline.people.models import Person, SourceRecord

TYPED = "typed"  # the agency of what was typed; its keys are "typed:0"... beside "agency:record_id"
QUERY = f"{TYPED}:"
log = logging.getLogger(__name__)
# A field that moves the weight down by more than this many bits disagrees with what was typed.
DISAGREES_BITS = -1.0
_DOB = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


class Likelihood(StrEnum):
    LIKELY = "likely"  # at least REVIEW_BAND's top: a linkage run would link them unasked
    POSSIBLE = "possible"  # inside the review band: a run would ask a person
    UNLIKELY = "unlikely"  # below it, and something typed disagrees
    UNKNOWN = "unknown"  # below it, but only because too little was typed to tell

    @property
    def label(self) -> str:
        return LABELS[self]

    @property
    def rank(self) -> int:
        return list(Likelihood).index(self)


LABELS = {
    Likelihood.LIKELY: "Likely the same person",
    Likelihood.POSSIBLE: "Possibly the same person",
    Likelihood.UNLIKELY: "Probably someone else",
    Likelihood.UNKNOWN: "Too little to tell",
}
# Bands worth a person's attention one by one; the others are only counted.
WORTH_SHOWING = (Likelihood.LIKELY, Likelihood.POSSIBLE)


@dataclass(frozen=True)
class Details:
    """What a user knows about the person they mean. Empty fields are not compared."""

    given_name: str = ""
    family_name: str = ""
    other_names: str = ""
    date_of_birth: str = ""  # YYYY-MM-DD, YYYY-MM or YYYY
    estimated_age: int | None = None
    sex: str = ""
    postcode: str = ""
    nhs_number: str = ""

    @property
    def empty(self) -> bool:
        return not any(
            (self.given_name, self.family_name, self.other_names, self.date_of_birth, self.postcode)
        ) and (self.estimated_age is None and not self.nhs_number)

    @classmethod
    def from_search(
        cls, name: str, date_of_birth: str = "", postcode: str = "", identifier: str = ""
    ) -> list[Details]:
        """The readings of a search: one name typed as one box is read first-middle-last, and a lone
        name as either a first or a last name (the model weighs each reading; the best one counts)."""
        digits = re.sub(r"\D", "", identifier)
        base = cls(
            date_of_birth=date_of_birth, postcode=postcode, nhs_number=digits if len(digits) == 10 else ""
        )
        tokens = name_tokens(name)
        if not tokens:
            return [] if base.empty else [base]
        if len(tokens) == 1:
            return [
                dataclasses.replace(base, given_name=tokens[0]),
                dataclasses.replace(base, family_name=tokens[0]),
            ]
        return [
            dataclasses.replace(
                base, given_name=tokens[0], family_name=tokens[-1], other_names=" ".join(tokens[1:-1])
            )
        ]

    def row(self, key: str, today: dt.date) -> dict[str, str]:
        dob = self.date_of_birth.strip()
        nhs = self.nhs_number if valid_nhs_number(self.nhs_number) else ""
        values = {
            "given_name": self.given_name,
            "family_name": self.family_name,
            "other_names": self.other_names,
            "date_of_birth": dob if _real_date(dob) else "",
            "estimated_age": "" if self.estimated_age is None else str(self.estimated_age),
            "sex": self.sex,
            "postcode": self.postcode,
            "nhs_number": nhs,
        }
        return _frame_row(key, TYPED, values, today)


@dataclass(frozen=True)
class Match:
    probability: float
    likelihood: Likelihood


def _real_date(value: str) -> bool:
    if not _DOB.match(value):
        return False
    parts = [int(p) for p in value.split("-")]
    try:
        dt.date(parts[0], parts[1] if len(parts) > 1 else 1, parts[2] if len(parts) > 2 else 1)
    except ValueError:
        return False
    return True


def _frame_row(key: str, agency: str, values: Mapping[str, Any], reference: dt.date) -> dict[str, str]:
    row = {"record_key": key, "agency": agency, "record_id": key, "reference_date": reference.isoformat()}
    for column in LINK_INPUTS:
        row[column] = str(values.get(column) or "").strip()
    return row


def band(probability: float, weights: Mapping[str, float]) -> Likelihood:
    """The band of a pair's probability; below the review band, "unlikely" only when a field typed
    disagrees, since a lone surname is not evidence against anyone."""
    low, high = REVIEW_BAND
    if probability >= high:
        return Likelihood.LIKELY
    if probability >= low:
        return Likelihood.POSSIBLE
    if any(w < DISAGREES_BITS for w in weights.values()):
        return Likelihood.UNLIKELY
    return Likelihood.UNKNOWN


def current_model() -> dict[str, Any]:
    """The model the last linkage run trained, or, before any run, the model's own starting values."""
    trained = mdl.load_model(linkage_dir() / "model.json")
    if trained is not None:
        return trained
    untrained: dict[str, Any] = mdl.settings_for("duckdb").get_settings("duckdb").as_dict()
    return untrained


def _neutral_tf(features: pd.DataFrame, model: dict[str, Any]) -> dict[str, pd.DataFrame]:
    # A handful of records says nothing about how common a name is: every name gets the model's
    # average weight, as when explaining a pair no run compared.
    tables = mdl.tf_tables(features.iloc[:0], model)
    out = {}
    for column, empty in tables.items():
        names = features[column].dropna().astype(str).unique()
        u = next(
            float(level["u_probability"])
            for comp in model["comparisons"]
            for level in comp["comparison_levels"]
            if level.get("tf_adjustment_column") == column
        )
        out[column] = pd.DataFrame({column: names, f"tf_{column}": [u] * len(names)}, columns=empty.columns)
    return out


def _merged_into(person_ids: Sequence[str]) -> dict[str, str]:
    """Each of these people and everyone merged into them (directly or through others) -> which of
    these people they now stand for. A few queries however many people, unlike one walk each."""
    root_of = {pid: pid for pid in person_ids}
    frontier = list(person_ids)
    while frontier:
        merged = Person.objects.filter(merged_into__in=frontier, status=Person.Status.MERGED)
        frontier = []
        for pk, into in merged.values_list("pk", "merged_into"):
            if pk not in root_of:
                root_of[pk] = root_of[into]
                frontier.append(pk)
    return root_of


def _people_rows(person_ids: Sequence[str], today: dt.date) -> tuple[pd.DataFrame, dict[str, str]]:
    """Every agency record and hand-entered row of these people and of everyone merged into them,
    and which of these people each key belongs to."""
    owner: dict[str, str] = {}
    members = _merged_into(person_ids)
    rows = []
    people = list(Person.objects.filter(pk__in=list(members)))
    written = _written_on([p.pk for p in people if p.estimated_age is not None])
    for person in people:
        key = f"person:{person.pk}"
        owner[key] = members[person.pk]
        # An age was judged when it was written down, not today.
        rows.append(_frame_row(key, "sightline", _person_values(person), written.get(person.pk, today)))
    records = {
        r.key: r
        for r in SourceRecord.objects.filter(person_id__in=list(members)).select_related("agency", "extract")
    }
    for key, r in records.items():
        owner[key] = members[str(r.person_id)]
    frame = pd.concat([pd.DataFrame(rows, columns=FRAME_COLUMNS), input_frame(records)], ignore_index=True)
    return frame, owner


def _written_on(person_ids: Sequence[str]) -> dict[str, dt.date]:
    """When each person's details were last written, from the ledger (missing until it is sequenced)."""
    if not person_ids:
        return {}
    rows = (
        Entry.objects.filter(
            object_type=Person.ledger_type(), object_id__in=person_ids, version__isnull=False
        )
        .values("object_id")
        .annotate(last=Max("time"))
        .values_list("object_id", "last")
    )
    return {pid: timezone.localdate(last) for pid, last in rows}


def _person_values(person: Person) -> dict[str, Any]:
    return {
        "given_name": person.given_name,
        "family_name": person.family_name,
        "other_names": person.other_names.replace(",", " "),
        "date_of_birth": person.date_of_birth if _real_date(person.date_of_birth) else "",
        "estimated_age": person.estimated_age,
        "sex": person.sex if person.sex in ("F", "M") else "",
        "address": person.address,
        "postcode": person.postcode,
    }


def score_people(readings: Sequence[Details], person_ids: Sequence[str]) -> dict[str, Match]:
    """Each person's best match with any reading of what was typed, by person id. The records of
    people merged into them count as theirs. People nothing can be compared with are left out."""
    readings = [r for r in readings if not r.empty]
    if not readings or not person_ids:
        return {}
    today = timezone.localdate()
    people, owner = _people_rows(list(dict.fromkeys(person_ids)), today)
    typed = pd.DataFrame([r.row(f"{QUERY}{i}", today) for i, r in enumerate(readings)], columns=FRAME_COLUMNS)
    try:
        features = prepare_records(pd.concat([typed, people], ignore_index=True), as_of=today)
    except LinkageInputError as exc:  # a record a linkage run would refuse too: no bands, not no search
        log.warning("cannot score what was typed against %s: %s", exc.record_key, exc.reason)
        return {}
    best: dict[str, Match] = {}
    for other, p, weights in _pairs(features, current_model()):
        person = owner.get(other)
        if person is not None and (person not in best or p > best[person].probability):
            best[person] = Match(p, band(p, weights))
    return best


def _pairs(features: pd.DataFrame, model: dict[str, Any]) -> Iterator[tuple[str, float, dict[str, float]]]:
    """(the other record's key, match probability, weight of each comparison not null) for every
    pair of a typed reading with another record: in Python (``linkage.pyscore``) where the model
    allows, else by Splink."""
    try:
        scorer = pyscore.scorer(model)
    except pyscore.Unsupported as exc:
        log.warning("scoring a search by Splink: %s", exc)
    else:
        rows = pyscore.records(features, scorer.columns)
        typed = [k for k in rows if k.startswith(QUERY)]
        for other, row in rows.items():
            if other.startswith(QUERY):
                continue
            for key in typed:  # Splink's order: the smaller id on the left
                p, weights = scorer.pair(*((rows[key], row) if key < other else (row, rows[key])))
                yield other, p, weights
        return
    rule = CustomRule(f"(l.agency = '{TYPED}') <> (r.agency = '{TYPED}')")  # typed against the rest
    scored = Backend().score(features, model, [rule], _neutral_tf(features, model), reuse_sql=True)
    for row in format_pairs(scored).to_dict("records"):
        left, right = str(row["record_key_l"]), str(row["record_key_r"])
        weights = {n: float(row[f"mw_{n}"]) for n in mdl.COMPARISON_NAMES if int(row[f"gamma_{n}"]) >= 0}
        yield (right if left.startswith(QUERY) else left), float(row["match_probability"]), weights
