"""Checking and preparing the three input tables.

Ethnicity is refused here, at the door: a column that is not passed in cannot leak into
a score, and refusing (rather than silently dropping) makes a caller that tries find out
at once. See docs/decisions/0011-network-analysis.md.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from . import weights as W


class AnalysisInputError(ValueError):
    """Input the analysis cannot use; the message names the table, row and field."""


RECORD_COLUMNS = ("record_key", "person_id")
EVENT_COLUMNS = ("event_key", "record_key", "kind", "occurred_on")
EVENT_PEOPLE_COLUMNS = ("event_key", "record_key", "role")

_FORBIDDEN_FRAGMENTS = ("ethnic",)


def _require(frame: pd.DataFrame, name: str, columns: tuple[str, ...]) -> None:
    if not isinstance(frame, pd.DataFrame):
        raise AnalysisInputError(f"{name}: expected a pandas DataFrame, got {type(frame).__name__}")
    missing = [c for c in columns if c not in frame.columns]
    if missing:
        raise AnalysisInputError(f"{name}: missing column(s) {', '.join(missing)}")
    for column in frame.columns:
        if any(fragment in str(column).lower() for fragment in _FORBIDDEN_FRAGMENTS):
            raise AnalysisInputError(
                f"{name}: column {column!r} is refused: ethnicity, or anything derived from it, "
                "is never an input to a risk score or alert"
            )
    for column in columns:
        blank = frame[column].isna().to_numpy() | (frame[column].to_numpy() == "")
        if blank.any():
            row = int(np.flatnonzero(blank.to_numpy())[0])
            raise AnalysisInputError(f"{name}:{row + 1}:{column}: required value is blank")


def _text(frame: pd.DataFrame, column: str, strip: bool = False) -> pd.Series:
    if column not in frame.columns:
        return pd.Series([""] * len(frame), index=frame.index, dtype=object)
    text = frame[column].fillna("").astype(str)
    return text.str.strip() if strip else text


def check_inputs(records: pd.DataFrame, events: pd.DataFrame, event_people: pd.DataFrame) -> None:
    _require(records, "records", RECORD_COLUMNS)
    _require(events, "events", EVENT_COLUMNS)
    _require(event_people, "event_people", EVENT_PEOPLE_COLUMNS)
    dup = records["record_key"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise AnalysisInputError(
            f"records:{row + 1}:record_key: duplicate {records['record_key'].iloc[row]!r}"
        )
    dup = events["event_key"].duplicated()
    if dup.any():
        row = int(np.flatnonzero(dup.to_numpy())[0])
        raise AnalysisInputError(f"events:{row + 1}:event_key: duplicate {events['event_key'].iloc[row]!r}")
    roles = event_people["role"].astype(str).str.strip().str.lower()
    bad = ~roles.isin(W.ROLES)
    if bad.any():
        row = int(np.flatnonzero(bad.to_numpy())[0])
        raise AnalysisInputError(
            f"event_people:{row + 1}:role: {event_people['role'].iloc[row]!r} is not one of "
            f"{', '.join(sorted(W.ROLES))}"
        )
    known = event_people["event_key"].isin(events["event_key"])
    if not known.all():
        row = int(np.flatnonzero(~known.to_numpy())[0])
        raise AnalysisInputError(
            f"event_people:{row + 1}:event_key: {event_people['event_key'].iloc[row]!r} is not in events"
        )


def parse_events(events: pd.DataFrame, as_of: date) -> pd.DataFrame:
    """Events with parsed dates, a night flag, recency and the concern of their context."""
    out = pd.DataFrame(
        {
            "event_key": events["event_key"].astype(str).to_numpy(),
            "record_key": events["record_key"].astype(str).to_numpy(),
            "kind": _text(events, "kind", strip=True).str.lower().to_numpy(),
        }
    )
    for column in ("agency", "vehicle", "phone", "factors"):
        out[column] = _text(events, column).to_numpy()
    # Free text: the normalisers deal with spaces.
    for column in ("place", "postcode"):
        out[column] = _text(events, column, strip=False).to_numpy()
    blank_agency = (out["agency"] == "").to_numpy()
    if blank_agency.any():
        # The agency is the part of the key before the colon.
        out.loc[blank_agency, "agency"] = out.loc[blank_agency, "event_key"].str.split(":", n=1).str[0]
    raw = _text(events, "occurred_on").to_numpy()
    when = pd.to_datetime(pd.Series(raw), format="ISO8601", errors="coerce", utc=True)
    bad = when.isna().to_numpy()
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise AnalysisInputError(f"events:{row + 1}:occurred_on: {raw[row]!r} is not an ISO 8601 date")
    when = when.dt.tz_localize(None)
    has_time = pd.Series(raw).str.len().to_numpy() > 10
    hour = when.dt.hour.to_numpy()
    out["occurred"] = when.dt.normalize().to_numpy()
    out["night"] = has_time & ((hour >= W.NIGHT_START_HOUR) | (hour < W.NIGHT_END_HOUR))
    years = (pd.Timestamp(as_of) - out["occurred"]).dt.days.to_numpy() / 365.25
    years = np.clip(years, 0.0, None)
    out["recency"] = np.maximum(W.RECENCY_FLOOR, 0.5 ** (years / W.HALF_LIFE_YEARS))
    out["has_vehicle"] = out["vehicle"] != ""
    out["school_contract"] = _school_contract(events, out["agency"])
    factor_sets = out["factors"].str.upper().str.replace(" ", "", regex=False).str.split(";")
    out["factor_list"] = [[f for f in fs if f] if isinstance(fs, list) else [] for fs in factor_sets]
    out["cse_factor"] = [any(f in W.CSE_FACTORS for f in fs) for fs in out["factor_list"]]
    base = out["kind"].map(W.KIND_CONCERN).fillna(W.DEFAULT_KIND_CONCERN).to_numpy(dtype=float)
    out["concern"] = (
        base
        + W.NIGHT_BONUS * out["night"].to_numpy()
        + W.VEHICLE_BONUS * out["has_vehicle"].to_numpy()
        + W.FACTOR_BONUS * out["cse_factor"].to_numpy()
    )
    return out


def _school_contract(events: pd.DataFrame, agency: pd.Series) -> np.ndarray:
    """Events saying their subject holds a school-contract licence: the `licence` column, or a
    licensing record's summary where its system keeps it only in notes (a school's note of a pupil's
    transport says nothing of the pupil)."""
    licence = _text(events, "licence").str.lower().str.replace(" ", "_", regex=False)
    coded = licence.str.contains(r"\bschool_(?:contract|transport)\b", regex=True)
    licensing = agency.str.contains("licens", case=False, regex=False).to_numpy()
    said = licensing & _text(events, "summary").str.contains(W.SCHOOL_CONTRACT_WORDS, case=False, regex=True)
    return np.asarray((coded | said).to_numpy(), dtype=bool)


def _ages_from_dob(dob: pd.Series, as_of: date) -> tuple[np.ndarray, np.ndarray]:
    """Age in years at ``as_of`` and the precision rank (0 full, 1 month, 2 year, 9 none)."""
    text = dob.fillna("").astype(str).str.strip()
    length = text.str.len()
    filled = np.where(
        length == 10, text, np.where(length == 7, text + "-15", np.where(length == 4, text + "-07-01", ""))
    )
    parsed = pd.to_datetime(pd.Series(filled), format="%Y-%m-%d", errors="coerce")
    ages = (pd.Timestamp(as_of) - parsed).dt.days.to_numpy() / 365.25
    rank = np.where(length == 10, 0, np.where(length == 7, 1, np.where(length == 4, 2, 9)))
    rank = np.where(np.isnan(ages), 9, rank)
    return ages, rank


def prepare_people(
    records: pd.DataFrame, mentions: pd.DataFrame, as_of: date
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Records with their person_id and age, and one row per person.

    A person's age comes from their most precise date of birth (full, then month, then
    year); failing that from an estimated age, aged on from the latest event that
    mentions the record (the estimate was made then), or from ``as_of``.
    ``mentions`` has one row (record_key, occurred) per event a record takes part in.
    """
    rec = pd.DataFrame(
        {
            "record_key": records["record_key"].astype(str).to_numpy(),
            "person_id": records["person_id"].astype(str).to_numpy(),
        }
    )
    rec["agency"] = _text(records, "agency").to_numpy()
    blank_agency = (rec["agency"] == "").to_numpy()
    if blank_agency.any():
        rec.loc[blank_agency, "agency"] = rec.loc[blank_agency, "record_key"].str.split(":", n=1).str[0]
    rec["phone"] = _text(records, "phone").to_numpy()
    ages, rank = _ages_from_dob(_text(records, "date_of_birth", strip=True), as_of)
    est = pd.to_numeric(_text(records, "estimated_age"), errors="coerce").to_numpy(dtype=float)
    last_seen = mentions.groupby("record_key")["occurred"].max()
    ref = rec["record_key"].map(last_seen)
    ref = ref.fillna(pd.Timestamp(as_of))
    est_age = est + np.clip((pd.Timestamp(as_of) - ref).dt.days.to_numpy() / 365.25, 0, None)
    use_est = (rank == 9) & ~np.isnan(est)
    rec["age"] = np.where(rank < 9, ages, np.where(use_est, est_age, np.nan))
    rec["age_rank"] = np.where(rank < 9, rank, np.where(use_est, 3, 9))

    best = rec.groupby("person_id")["age_rank"].transform("min")
    precise = rec[(rec["age_rank"] == best) & (rec["age_rank"] < 9)]
    person_age = precise.groupby("person_id")["age"].median()
    people = rec.groupby("person_id").size().rename("n_records").reset_index()
    people["age"] = people["person_id"].map(person_age).to_numpy(dtype=float)
    people["age_known"] = ~np.isnan(people["age"].to_numpy())
    # 0 a full date of birth, 1 a month, 2 a year, 3 an estimated age, 9 none.
    people["age_rank"] = people["person_id"].map(rec.groupby("person_id")["age_rank"].min()).to_numpy()
    people["is_child"] = people["age_known"] & (people["age"] < W.CHILD_AGE)
    return rec, people
