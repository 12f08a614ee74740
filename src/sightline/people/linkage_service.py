"""``sightline link``: feed the imported records into the linkage engine and keep what it finds.

The engine (``people.linkage``) is pure. This module reads the source records and every human
decision from the database, runs ``link_records`` (incrementally where the last run's state is on
disk), keeps person ids stable with ``assign_stable_ids``, and writes, in one transaction through
the ledger: new and changed people, each record's person and match probability as a new
SourceRecord version, and the review queue. A re-run over unchanged records writes nothing.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
import time
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pandas as pd
from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import F, Q, QuerySet
from django.db.models.functions import Abs
from django.utils import timezone

from sightline.access.permissions import Cap, can
from sightline.ledger.models import new_id
from sightline.ledger.services import SYSTEM, Actor, do_bulk_create, do_bulk_update, do_create, do_update
from sightline.people.linkage import (
    FieldWeight,
    HumanDecision,
    LinkageResult,
    PreviousLinkage,
    assign_stable_ids,
    link_records,
)
from sightline.people.models import LinkDecision, LinkReview, Person, SourceEvent, SourceRecord

Progress = Callable[[str, float], None]
log = logging.getLogger(__name__)
# What the engine may read of a record. Ethnicity is not among them.
LINK_INPUTS = (
    "given_name", "family_name", "other_names", "date_of_birth", "estimated_age", "sex", "postcode", "phone",
    "email", "nhs_number", "upn", "pnc_id", "address",
)  # fmt: skip
CHILD_AGE = 18
PROBABILITY_PLACES = 4


def linkage_dir() -> Path:
    path = Path(settings.HOME) / "linkage"
    path.mkdir(parents=True, exist_ok=True)
    return path


def record_key(agency: str, record_id: str) -> str:
    return f"{agency}:{record_id}"


# --- reading -------------------------------------------------------------------------------------


@dataclass
class LinkInputs:
    records: pd.DataFrame
    versions: dict[str, int]
    persons: dict[str, str]  # record key -> current person id
    pk_of: dict[str, str]  # record key -> SourceRecord id
    data: dict[str, dict[str, Any]]
    as_of: dt.date


def _first_seen(estimated: dict[tuple[str, str], str]) -> dict[str, dt.date]:
    """SourceRecord id -> the earliest event naming it, for records with an estimated age (the
    recorder judged the age then)."""
    out: dict[str, dt.date] = {}
    if not estimated:
        return out
    wanted = set(estimated.values())
    events = SourceEvent.objects.values_list("agency_id", "occurred_on", "data", "record_id")
    for agency, when, data, subject in events.iterator(chunk_size=5000):
        named = [subject] if subject in wanted else []
        for item in str(data.get("others") or "").split(";"):
            other, sep, _role = item.strip().rpartition(":")
            if sep and (agency, other.strip()) in estimated:
                named.append(estimated[(agency, other.strip())])
        for pk in named:
            if pk not in out or when < out[pk]:
                out[pk] = when
    return out


def load_records() -> LinkInputs:
    rows, versions, persons, pk_of, datas = [], {}, {}, {}, {}
    extracted: dict[str, dt.date] = {}
    estimated: dict[tuple[str, str], str] = {}
    latest: dt.date | None = None
    qs = SourceRecord.objects.values_list(
        "id", "agency_id", "record_id", "data", "person_id", "version", "extract__extracted_on"
    ).order_by("agency_id", "record_id")
    for pk, agency, rid, data, person, version, extracted_on in qs.iterator(chunk_size=5000):
        key = record_key(agency, rid)
        latest = extracted_on if latest is None or extracted_on > latest else latest
        row = {"record_key": key, "agency": agency, "record_id": rid}
        for column in LINK_INPUTS:
            row[column] = str(data.get(column) or "").strip()
        if row["estimated_age"] and not row["date_of_birth"]:
            estimated[(agency, rid)] = pk
        rows.append(row)
        extracted[key] = extracted_on
        versions[key] = version
        pk_of[key] = pk
        datas[key] = data
        if person:
            persons[key] = person
    first_seen = _first_seen(estimated)
    for row in rows:
        key = row["record_key"]
        row["reference_date"] = first_seen.get(pk_of[key], extracted[key]).isoformat()
    frame = pd.DataFrame(rows, columns=["record_key", "agency", "record_id", *LINK_INPUTS, "reference_date"])
    return LinkInputs(frame, versions, persons, pk_of, datas, latest or timezone.localdate())


def human_decisions() -> list[HumanDecision]:
    return [
        HumanDecision(left, right, same)
        for left, right, same in LinkDecision.objects.order_by("record_key_l", "record_key_r").values_list(
            "record_key_l", "record_key_r", "same_person"
        )
    ]


# --- state of the last run, for incremental runs -------------------------------------------------


def _load_previous(current: dict[str, int]) -> tuple[PreviousLinkage | None, list[str]]:
    folder = linkage_dir()
    state_path, pairs_path = folder / "state.json", folder / "pairs.parquet"
    if not (state_path.exists() and pairs_path.exists()):
        return None, []
    try:
        import duckdb

        state = json.loads(state_path.read_text(encoding="utf-8"))
        pairs = duckdb.read_parquet(str(pairs_path)).df()
    except Exception:  # a damaged cache only means a full run
        return None, []
    versions: dict[str, int] = state.get("versions", {})
    changed = sorted(k for k, v in current.items() if k in versions and versions[k] != v)
    attachments = tuple((str(r), str(c)) for r, c in state.get("attachments", []))
    return PreviousLinkage(pairs=pairs, clusters=state.get("clusters", {}), attachments=attachments), changed


def _save_state(result: LinkageResult, versions: dict[str, int]) -> None:
    import duckdb

    folder = linkage_dir()
    pairs = result.pairs.drop(columns=["linked"], errors="ignore")
    tmp = folder / "pairs.parquet.tmp"
    con = duckdb.connect()
    try:
        con.register("pairs_df", pairs)
        con.execute(f"COPY pairs_df TO '{tmp}' (FORMAT PARQUET)")
    finally:
        con.close()
    tmp.replace(folder / "pairs.parquet")
    state = {
        "clusters": result.clusters,
        "attachments": result.attachments,
        "versions": versions,
        "saved_at": timezone.now().isoformat(),
    }
    (folder / "state.json.tmp").write_text(json.dumps(state), encoding="utf-8")
    (folder / "state.json.tmp").replace(folder / "state.json")


# --- people from their records -------------------------------------------------------------------


def _age(dob: str, estimated: str, reference: str, as_of: dt.date) -> float | None:
    if dob:
        parts = dob.split("-")
        year = int(parts[0])
        month = int(parts[1]) if len(parts) > 1 else 7
        day = int(parts[2]) if len(parts) > 2 else 1
        return (as_of - dt.date(year, month, day)).days / 365.25
    if estimated.isdigit():
        ref = dt.date.fromisoformat(reference) if reference else as_of
        return int(estimated) + (as_of - ref).days / 365.25
    return None


def _most_common(values: Iterable[str]) -> str:
    counts = Counter(v for v in values if v)
    if not counts:
        return ""
    # most often recorded, then the fullest form (Jessica over Jess), then alphabetical
    return max(counts, key=lambda v: (counts[v], len(v), [-ord(c) for c in v]))


def person_values(rows: list[dict[str, Any]], as_of: dt.date) -> dict[str, Any]:
    """A linked person's summary from their records' fields (never ethnicity from a score's view)."""
    dobs = [r["date_of_birth"] for r in rows if r["date_of_birth"]]
    best = max((len(d) for d in dobs), default=0)
    dob = _most_common(d for d in dobs if len(d) == best)
    ages = [
        a
        for r in rows
        if (a := _age(r["date_of_birth"], r["estimated_age"], r["reference_date"], as_of)) is not None
    ]
    est = [int(r["estimated_age"]) for r in rows if r["estimated_age"].isdigit()]
    kind = Person.Kind.UNKNOWN
    if ages:
        age = sorted(ages)[len(ages) // 2]
        kind = Person.Kind.CHILD if age < CHILD_AGE else Person.Kind.ADULT
    others = sorted({n for r in rows for n in r["other_names"].split(";") if n.strip()} - {""})
    return {
        "kind": kind,
        "given_name": _most_common(r["given_name"] for r in rows)[:200],
        "family_name": _most_common(r["family_name"] for r in rows)[:200],
        "other_names": "; ".join(n.strip() for n in others)[:500],
        "date_of_birth": dob[:10],
        "estimated_age": None if dob or not est else sorted(est)[len(est) // 2],
        "sex": _most_common(r["sex"] for r in rows if r["sex"] in ("F", "M"))[:1],
        "ethnicity": _most_common(r.get("ethnicity", "") for r in rows)[:8],
        "address": _most_common(r["address"] for r in rows)[:500],
        "postcode": _most_common(r["postcode"].upper() for r in rows)[:10],
    }


# --- the run -------------------------------------------------------------------------------------


@dataclass
class LinkSummary:
    records: int
    people: int
    incremental: bool
    people_created: int = 0
    people_updated: int = 0
    people_retired: int = 0
    records_relinked: int = 0
    review_open: int = 0
    review_added: int = 0
    conflicts: list[str] = field(default_factory=list)
    seconds: dict[str, float] = field(default_factory=dict)
    fallback: str = ""

    def summary(self) -> str:
        mode = "incremental" if self.incremental else "full"
        if self.fallback:
            mode += f", as the incremental run failed: {self.fallback}"
        text = (
            f"linked {self.records} records into {self.people} people ({mode} run): "
            f"{self.people_created} people new, {self.people_updated} updated, "
            f"{self.people_retired} merged away; "
            f"{self.records_relinked} records relinked; review queue {self.review_open} open "
            f"({self.review_added} new)"
        )
        if self.conflicts:
            text += f"; {len(self.conflicts)} human decisions conflict: " + "; ".join(self.conflicts[:3])
        return text


def do_link(
    *, actor: Actor = SYSTEM, progress: Progress | None = None, full: bool = False, backend: str | None = None
) -> tuple[LinkSummary, LinkageResult | None]:
    """Link every imported record into people, keeping person ids stable and human decisions honoured."""
    seconds: dict[str, float] = {}
    t = time.perf_counter()
    inputs = load_records()
    seconds["load"] = time.perf_counter() - t
    if inputs.records.empty:
        return LinkSummary(records=0, people=0, incremental=False), None
    previous, changed = (None, []) if full else _load_previous(inputs.versions)
    t = time.perf_counter()
    decisions = human_decisions()

    def run(prev: PreviousLinkage | None) -> LinkageResult:
        return link_records(
            inputs.records,
            decisions=decisions,
            model_path=linkage_dir() / "model.json",
            backend=backend,
            as_of=inputs.as_of,
            progress=progress,
            previous=prev,
            changed_keys=changed if prev is not None else (),
        )

    fallback = ""
    try:
        result = run(previous)
    except Exception as exc:
        if previous is None:
            raise
        # An incremental run that fails (a state saved by an older engine, say) costs only time:
        # the full run gives the same people. Say so rather than hide it.
        fallback = f"{type(exc).__name__}: {str(exc).splitlines()[0][:200] if str(exc) else ''}"
        log.warning("incremental linkage failed (%s); running in full", fallback)
        previous = None
        result = run(None)
    seconds["link"] = time.perf_counter() - t
    t = time.perf_counter()
    summary = LinkSummary(
        records=len(inputs.records),
        people=len(set(result.clusters.values())),
        incremental=previous is not None,
    )
    summary.conflicts = list(result.conflicts)
    summary.fallback = fallback
    with transaction.atomic():
        versions = _store(inputs, result, actor, summary)
    seconds["store"] = time.perf_counter() - t
    _save_state(result, versions)
    summary.seconds = seconds
    return summary, result


def _record_probabilities(result: LinkageResult) -> dict[str, float]:
    """Each record's strongest link inside its own cluster: how sure we are it belongs there."""
    pairs = result.pairs
    if pairs.empty:
        return {}
    linked = pairs[pairs["linked"]] if "linked" in pairs.columns else pairs
    best: dict[str, float] = {}
    for left, right, p in zip(
        linked["record_key_l"], linked["record_key_r"], linked["match_probability"], strict=True
    ):
        p = float(p)
        if p > best.get(left, -1.0):
            best[left] = p
        if p > best.get(right, -1.0):
            best[right] = p
    return best


def _store(inputs: LinkInputs, result: LinkageResult, actor: Actor, summary: LinkSummary) -> dict[str, int]:
    ids = assign_stable_ids(result.clusters, inputs.persons, lambda: new_id(Person.id_prefix))
    members: dict[str, list[str]] = defaultdict(list)
    for key, pid in ids.items():
        members[pid].append(key)
    rows_by_key = {r["record_key"]: r for r in inputs.records.to_dict("records")}
    for key, data in inputs.data.items():
        rows_by_key[key]["ethnicity"] = str(data.get("ethnicity") or "").strip()  # for display, never scoring

    existing = {p.pk: p for p in Person.objects.filter(pk__in=list(members))}
    create, update = [], []
    for pid, keys in members.items():
        values = person_values([rows_by_key[k] for k in keys], inputs.as_of)
        person = existing.get(pid)
        if person is None:
            create.append(Person(id=pid, created_by="linkage", **values))
        elif (
            person.created_by == "linkage"
            and person.status == Person.Status.ACTIVE
            and any(getattr(person, k) != v for k, v in values.items())
        ):
            for k, v in values.items():
                setattr(person, k, v)
            update.append(person)
    do_bulk_create(create, actor=actor, action="link", reason="linkage: new person")
    do_bulk_update(update, actor=actor, fields=list(person_values([], inputs.as_of)), action="link",
                   reason="linkage: records changed")  # fmt: skip
    summary.people_created, summary.people_updated = len(create), len(update)

    # People linkage made whose records all went elsewhere are merged into where most went.
    lost = set(inputs.persons.values()) - set(members)
    retire = []
    if lost:
        went: dict[str, Counter[str]] = defaultdict(Counter)
        for key, old in inputs.persons.items():
            if old in lost:
                went[old][ids[key]] += 1
        for person in Person.objects.filter(pk__in=lost, created_by="linkage", status=Person.Status.ACTIVE):
            person.status = Person.Status.MERGED
            person.merged_into = went[person.pk].most_common(1)[0][0]
            retire.append(person)
        do_bulk_update(retire, actor=actor, fields=["status", "merged_into"], action="link",
                       reason="linkage: records joined another person")  # fmt: skip
    summary.people_retired = len(retire)

    probability = _record_probabilities(result)
    relink: dict[str, tuple[str, float | None]] = {}
    for key, pid in ids.items():
        p = probability.get(key)
        p = round(p, PROBABILITY_PLACES) if p is not None else None
        relink[inputs.pk_of[key]] = (pid, p)
    # Only records whose person or probability changed get a new version.
    current = {
        pk: (person, prob)
        for pk, person, prob in SourceRecord.objects.values_list("id", "person_id", "match_probability")
    }
    changed_pks = [pk for pk, v in relink.items() if current.get(pk) != v]
    versions = dict(inputs.versions)
    key_of = {pk: key for key, pk in inputs.pk_of.items()}
    for i in range(0, len(changed_pks), 5000):
        chunk = list(SourceRecord.objects.select_for_update().filter(pk__in=changed_pks[i : i + 5000]))
        for obj in chunk:
            obj.person_id, obj.match_probability = relink[obj.pk]
        do_bulk_update(chunk, actor=actor, fields=["person", "match_probability"], action="link",
                       reason="linkage")  # fmt: skip
        for obj in chunk:
            versions[key_of[obj.pk]] = obj.version
    summary.records_relinked = len(changed_pks)
    _store_review(result, actor, summary)
    return versions


def _store_review(result: LinkageResult, actor: Actor, summary: LinkSummary) -> None:
    now = timezone.now()
    held = {(r.record_key_l, r.record_key_r): r for r in LinkReview.objects.all()}
    wanted = {}
    for row in result.review.itertuples(index=False):
        wanted[(str(row.record_key_l), str(row.record_key_r))] = row
    create, update = [], []
    for key, row in wanted.items():
        values = {
            "match_probability": round(float(row.match_probability), PROBABILITY_PLACES),
            "match_weight": round(float(row.match_weight), PROBABILITY_PLACES),
            "reason": str(row.reason),
        }
        review = held.get(key)
        if review is None:
            create.append(LinkReview(record_key_l=key[0], record_key_r=key[1], raised_at=now, **values))
        elif review.status == LinkReview.Status.CLOSED or (
            review.status == LinkReview.Status.OPEN
            and any(getattr(review, k) != v for k, v in values.items())
        ):
            for k, v in values.items():
                setattr(review, k, v)
            review.status = LinkReview.Status.OPEN
            update.append(review)
    for key, review in held.items():
        if key not in wanted and review.status == LinkReview.Status.OPEN:
            review.status = LinkReview.Status.CLOSED
            update.append(review)
    do_bulk_create(create, actor=actor, action="link", reason="linkage: uncertain pair")
    do_bulk_update(update, actor=actor, fields=["match_probability", "match_weight", "reason", "status"],
                   action="link")  # fmt: skip
    summary.review_added = len(create)
    summary.review_open = LinkReview.objects.filter(status=LinkReview.Status.OPEN).count()


# --- human decisions -----------------------------------------------------------------------------


def do_decide_link(
    key_a: str, key_b: str, *, same_person: bool, actor: Actor, reason: str = ""
) -> LinkDecision:
    """Record that two records are (or are not) the same person. Every later ``link`` honours it."""
    if actor.role != SYSTEM.role and not can(actor.role, Cap.MERGE_PEOPLE):
        raise PermissionDenied(f"the {actor.role} role may not decide link reviews")
    if key_a == key_b:
        raise ValueError("a record is always the same person as itself")
    left, right = sorted((key_a, key_b))
    for key in (left, right):
        agency, _, rid = key.partition(":")
        if not SourceRecord.objects.filter(agency_id=agency, record_id=rid).exists():
            raise ValueError(f"no record {key!r}")
    with transaction.atomic():
        decision = (
            LinkDecision.objects.select_for_update().filter(record_key_l=left, record_key_r=right).first()
        )
        now = timezone.now()
        if decision is None:
            decision = do_create(
                LinkDecision(record_key_l=left, record_key_r=right, same_person=same_person, reason=reason,
                             decided_by=actor.user, decided_at=now),
                actor=actor, action="link_decision", reason=reason,
            )  # fmt: skip
        else:
            decision.same_person, decision.reason = same_person, reason
            decision.decided_by, decision.decided_at = actor.user, now
            decision = do_update(decision, actor=actor, action="link_decision", reason=reason)
        review = LinkReview.objects.select_for_update().filter(record_key_l=left, record_key_r=right).first()
        if review is not None and (
            review.status != LinkReview.Status.DECIDED or review.decision_id != decision.pk
        ):
            review.status = LinkReview.Status.DECIDED
            review.decision = decision
            do_update(review, actor=actor, action="link_decision", reason=reason)
    return decision


# --- reads for the review pages and the API ------------------------------------------------------
# Explanations come from the last run's stored pairs and model (SIGHTLINE_HOME/linkage), so a page
# shows the very weights that run used; pairs it never compared are scored now with the same model.


def review_queue(status: str = LinkReview.Status.OPEN) -> QuerySet[LinkReview]:
    """Link reviews with this status, the most uncertain first (probability nearest a half)."""
    return (
        LinkReview.objects.filter(status=status)
        .annotate(uncertainty=Abs(F("match_probability") - 0.5))
        .order_by("uncertainty", "record_key_l", "record_key_r")
    )


def get_link_review(review_id: str) -> LinkReview | None:
    return LinkReview.objects.select_related("decision").filter(pk=review_id).first()


def records_by_key(keys: Iterable[str]) -> dict[str, SourceRecord]:
    """``agency:record_id`` -> the record (with its agency and extract); unknown keys are left out."""
    by_agency: dict[str, list[str]] = defaultdict(list)
    for key in keys:
        agency, sep, rid = key.partition(":")
        if sep:
            by_agency[agency].append(rid)
    out: dict[str, SourceRecord] = {}
    for agency, rids in by_agency.items():
        rows = SourceRecord.objects.filter(agency_id=agency, record_id__in=rids).select_related(
            "agency", "extract"
        )
        out.update({r.key: r for r in rows})
    return out


@dataclass(frozen=True)
class PairExplanation:
    """Why two records were (or were not) taken for one person: the prior and each comparison's
    match weight in bits; they add up to ``match_weight``."""

    record_key_l: str
    record_key_r: str
    match_weight: float
    match_probability: float
    fields: tuple[FieldWeight, ...]
    scored_by_run: bool  # False: the last run never compared them; scored now with its model


def comparison_titles() -> dict[str, str]:
    from sightline.people.linkage import model as mdl

    titles = {c["output_column_name"]: str(c["comparison_description"]) for c in mdl.comparisons("duckdb")}
    return {"prior": "Before comparing", **titles}


def _features(keys: Iterable[str]) -> pd.DataFrame:
    """The prepared features of these records, as the engine compares them."""
    from django.db.models import Min

    from sightline.people.linkage import prepare_records

    records = records_by_key(keys)
    # For estimated ages: the earliest event about the record (the run also reads events naming it).
    first = dict(
        SourceEvent.objects.filter(record_id__in=[r.pk for r in records.values()])
        .values("record_id")
        .annotate(first=Min("occurred_on"))
        .values_list("record_id", "first")
    )
    rows = []
    for key, r in records.items():
        row = {"record_key": key, "agency": r.agency_id, "record_id": r.record_id}
        for column in LINK_INPUTS:
            row[column] = str(r.data.get(column) or "").strip()
        row["reference_date"] = (first.get(r.pk) or r.extract.extracted_on).isoformat()
        rows.append(row)
    frame = pd.DataFrame(rows, columns=["record_key", "agency", "record_id", *LINK_INPUTS, "reference_date"])
    newest = max((r.extract.extracted_on for r in records.values()), default=None)
    return prepare_records(frame, as_of=newest)


def _stored_pairs(where: str, params: list[Any]) -> pd.DataFrame:
    path = linkage_dir() / "pairs.parquet"
    if not path.exists():
        return pd.DataFrame()
    import duckdb

    con = duckdb.connect()
    try:
        return con.execute(f"SELECT * FROM read_parquet(?) WHERE {where}", [str(path), *params]).df()
    finally:
        con.close()


def _typed_duckdb() -> Any:
    """The DuckDB backend with the feature columns' types declared: a handful of records can leave a
    column all blank, which DuckDB would otherwise read as integers."""
    import duckdb
    from splink import DuckDBAPI

    from sightline.people.linkage import prepare as prep
    from sightline.people.linkage.backends import Backend

    types = {
        **dict.fromkeys(prep.STRING_FEATURES, "VARCHAR"),
        **dict.fromkeys(prep.ARRAY_FEATURES, "VARCHAR[]"),
        **dict.fromkeys(prep.FLOAT_FEATURES, "DOUBLE"),
        **dict.fromkeys(prep.INT_FEATURES, "BIGINT"),
        **dict.fromkeys(prep.BOOL_FEATURES, "BOOLEAN"),
    }

    class TypedDuckDB(Backend):
        def __init__(self) -> None:
            self.con = duckdb.connect()

        def db_api(self) -> Any:
            return DuckDBAPI(connection=self.con)

        def table(self, features: pd.DataFrame) -> Any:
            self.con.register("features_raw", features)
            columns = ", ".join(f'CAST("{c}" AS {types[c]}) AS "{c}"' for c in features.columns)
            self.con.execute(f"CREATE OR REPLACE TABLE features AS SELECT {columns} FROM features_raw")
            return "features"

    return TypedDuckDB()


def explain_pairs(pairs: Iterable[tuple[str, str]]) -> dict[tuple[str, str], PairExplanation]:
    """Field-by-field match weights (a waterfall's bars) for pairs of record keys, keyed by the pair
    in sorted order. Empty when linkage has never run (there is no trained model to explain with)."""
    from splink.blocking_rule_library import CustomRule

    from sightline.people.linkage import model as mdl
    from sightline.people.linkage.engine import _display_values, _format_pairs, _level_labels

    wanted = {(min(a, b), max(a, b)) for a, b in pairs if a != b}
    model = mdl.load_model(linkage_dir() / "model.json") if wanted else None
    if model is None:
        return {}
    keys = sorted({k for pair in wanted for k in pair})
    features = _features(keys).set_index("unique_id", drop=False)
    wanted = {p for p in wanted if p[0] in features.index and p[1] in features.index}
    stored = _stored_pairs("list_contains(?, record_key_l) AND list_contains(?, record_key_r)", [keys, keys])
    rows: dict[tuple[str, str], tuple[Any, bool]] = {}
    for row in stored.itertuples(index=False):
        pair = (str(row.record_key_l), str(row.record_key_r))
        if pair in wanted:
            rows[pair] = (row._asdict(), True)
    missing = wanted - set(rows)
    if missing:
        subset = features.loc[sorted({k for pair in missing for k in pair})].reset_index(drop=True)
        # Fewer than TF_MIN_RECORDS records: name frequencies are neutral, as the model intends.
        raw = _typed_duckdb().score(subset, model, [CustomRule("1=1")], mdl.tf_tables(subset, model))
        for row in _format_pairs(raw).itertuples(index=False):
            pair = (str(row.record_key_l), str(row.record_key_r))
            if pair in missing:
                rows[pair] = (row._asdict(), False)
    labels = _level_labels()
    prior = mdl.prior_weight(model)
    out: dict[tuple[str, str], PairExplanation] = {}
    for (left, right), (row, by_run) in rows.items():
        shown_l = _display_values(features.loc[left])
        shown_r = _display_values(features.loc[right])
        fields = [FieldWeight("prior", "Chance two records are the same person", prior)]
        for name in mdl.COMPARISON_NAMES:
            gamma = int(row[f"gamma_{name}"])
            fields.append(
                FieldWeight(
                    name,
                    labels[name].get(gamma, str(gamma)),
                    float(row[f"mw_{name}"]),
                    shown_l[name],
                    shown_r[name],
                )
            )
        out[(left, right)] = PairExplanation(
            left, right, float(row["match_weight"]), float(row["match_probability"]), tuple(fields), by_run
        )
    return out


def joining_links(keys: Iterable[str]) -> tuple[list[PairExplanation], list[str]]:
    """The strongest links that join these records (a maximum spanning tree over the last run's
    scored pairs among them), explained; and the records no scored pair joins to the others (joined
    by a human decision or a merge, or never linked)."""
    keys = sorted(set(keys))
    if len(keys) < 2:
        return [], []
    stored = _stored_pairs("list_contains(?, record_key_l) AND list_contains(?, record_key_r)", [keys, keys])
    parent = {k: k for k in keys}

    def find(k: str) -> str:
        while parent[k] != k:
            parent[k] = parent[parent[k]]
            k = parent[k]
        return k

    tree: list[tuple[str, str]] = []
    if len(stored):
        ranked = stored.sort_values(
            ["match_weight", "record_key_l", "record_key_r"], ascending=[False, True, True]
        )
        for left, right in zip(ranked["record_key_l"], ranked["record_key_r"], strict=True):
            a, b = find(str(left)), find(str(right))
            if a != b:
                parent[a] = b
                tree.append((str(left), str(right)))
    explained = explain_pairs(tree)
    links = [explained[p] for p in tree if p in explained]
    joined = {k for p in tree for k in p}
    return links, [k for k in keys if k not in joined]


def link_decisions_for(keys: Iterable[str]) -> QuerySet[LinkDecision]:
    """Human rulings about any of these records, newest first."""
    keys = list(keys)
    return LinkDecision.objects.filter(Q(record_key_l__in=keys) | Q(record_key_r__in=keys)).order_by(
        "-decided_at"
    )
