"""Alerts, with reasons a practitioner can check against the records named in them."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import weights as W
from .result import Alert, alert_key
from .scoring import CHILD_ROLES, Scores

FACTOR_NAMES = {
    "11A": "child sexual exploitation",
    "12A": "trafficking",
    "24A": "child criminal exploitation",
    "13A": "gangs",
    "10A": "going missing",
}
_INDICATOR_TEXT: list[tuple[str, tuple[str, ...], str]] = [
    ("missing", ("missing", "absent"), "missing or absent {n} time{s}"),
    ("sexual_health", ("sexual_health",), "{n} sexual health attendance{s}"),
    ("self_referral", ("self_referral",), "came forward {n} time{s} (self-referral)"),
    ("police_victim", ("police_incident", "intelligence", "arrest", "charge", "bail"), "named in {n} police record{s}"),
    ("meetings", ("strategy_meeting", "return_interview"), "{n} strategy meeting{s} or return interview{s}"),
    ("school", ("school_absence", "exclusion"), "{n} school absence or exclusion record{s}"),
    ("outreach", ("outreach_contact",), "{n} outreach contact{s}"),
    ("taxi", ("taxi_complaint",), "{n} taxi complaint{s}"),
]
_SHOWN_KEYS = 4
_MAX_EVIDENCE = 200


def keys_text(keys: Iterable[str]) -> str:
    unique = sorted(set(k for k in keys if k))
    if not unique:
        return ""
    shown = ", ".join(unique[:_SHOWN_KEYS])
    more = f" and {len(unique) - _SHOWN_KEYS} more" if len(unique) > _SHOWN_KEYS else ""
    return f" [{shown}{more}]"


def _plural(n: int) -> str:
    return "" if n == 1 else "s"


@dataclass
class Context:
    scores: Scores
    participants: pd.DataFrame
    pairs: pd.DataFrame
    links: pd.DataFrame
    records_of: dict[str, list[str]]
    labels: dict[str, str]
    object_labels: dict[str, str]
    flagged: frozenset[str]


class AlertBuilder:
    """Builds reasons only for the subjects that are alerted, from indexed slices."""

    def __init__(self, ctx: Context, persons: set[str], objects: set[str]) -> None:
        self.ctx = ctx
        s = ctx.scores
        self.people = s.people.set_index("person_id")
        self.objects = s.objects.set_index("obj_id")
        part = ctx.participants[ctx.participants["person_id"].isin(persons)]
        self.part = part
        self.part_idx = part.groupby("person_id").indices
        pairs = ctx.pairs[ctx.pairs["a"].isin(persons)]
        self.pairs = pairs
        self.pairs_idx = pairs.groupby("a").indices
        touched_objects = set(s.person_object.loc[s.person_object["person_id"].isin(persons), "obj_id"]) | objects
        links = ctx.links[ctx.links["obj_id"].isin(touched_objects)]
        self.links = links
        self.links_idx = links.groupby(["person_id", "obj_id"]).indices
        ca = s.child_adult
        self.ca_by_child = ca.groupby("c").indices
        self.ca_by_adult = ca.groupby("a").indices
        self.ca = ca
        po = s.person_object
        self.po = po
        self.po_by_person = po.groupby("person_id").indices
        self.po_by_obj = po.groupby("obj_id").indices

    # -- helpers ---------------------------------------------------------------
    def label(self, person_id: str) -> str:
        name = self.ctx.labels.get(person_id, "")
        return f"{name} ({person_id})" if name else person_id

    def age_text(self, person_id: str) -> str:
        age = self.people.at[person_id, "age"] if person_id in self.people.index else np.nan
        return "" if pd.isna(age) else f"aged {int(age)}"

    def link_events(self, person_id: str, obj_id: str) -> list[str]:
        idx = self.links_idx.get((person_id, obj_id))
        if idx is None:
            return []
        return [k for k in self.links["event_key"].to_numpy()[idx] if k]

    def pair_rows(self, a: str, b: str) -> pd.DataFrame:
        idx = self.pairs_idx.get(a)
        if idx is None:
            return self.pairs.iloc[0:0]
        rows = self.pairs.iloc[idx]
        return rows[rows["b"] == b]

    def contact_text(self, rows: pd.DataFrame) -> str:
        """How two people were recorded together, in practitioners' words."""
        conc = rows[rows["concerning"]]
        use = conc if len(conc) else rows
        phrases: list[str] = []
        found = use[use["kind"].isin(("missing", "absent", "return_interview"))]
        if len(found):
            phrases.append(f"found with when missing{keys_text(found['event_key'])}")
        suspect = use[(use["role_b"] == "suspect") & ~use["event_key"].isin(found["event_key"])]
        if len(suspect):
            phrases.append(f"suspect{keys_text(suspect['event_key'])}")
        rest = use[~use["event_key"].isin(found["event_key"]) & ~use["event_key"].isin(suspect["event_key"])]
        if len(rest):
            kinds = ", ".join(sorted(set(rest["kind"])))
            phrases.append(f"together in {len(rest)} record{_plural(len(rest))} ({kinds}){keys_text(rest['event_key'])}")
        return "; ".join(phrases)

    def via_objects(self, a: str, b: str) -> list[tuple[str, list[str]]]:
        """Vehicles and phones that both people are linked to."""
        ia, ib = self.po_by_person.get(a), self.po_by_person.get(b)
        if ia is None or ib is None:
            return []
        oa = set(self.po["obj_id"].to_numpy()[ia])
        ob = set(self.po["obj_id"].to_numpy()[ib])
        shared = sorted(o for o in oa & ob if not o.startswith("place:"))
        return [(o, self.link_events(a, o) + self.link_events(b, o)) for o in shared]

    def records(self, person_ids: Sequence[str]) -> list[str]:
        out: list[str] = []
        for p in person_ids:
            out.extend(self.ctx.records_of.get(p, [p]))
        return out

    # -- alerts ------------------------------------------------------------------
    def child(self, c: str) -> Alert:
        score = float(self.people.at[c, "score"])
        reasons: list[str] = []
        events: list[str] = []
        idx = self.part_idx.get(c)
        own = self.part.iloc[idx] if idx is not None else self.part.iloc[0:0]
        own = own[own["role"].isin(CHILD_ROLES)]
        factors = self.ctx.scores.factors
        factors = factors[factors["person_id"] == c]
        cse_recorded = bool(factors["factor"].isin(W.CSE_FACTORS).any())
        age = self.age_text(c)
        if c in self.ctx.flagged:
            reasons.append(f"Child {age}, already flagged for sexual exploitation by social care.".replace("  ", " "))
        elif cse_recorded:
            reasons.append(f"Child {age}, with an exploitation factor code recorded.".replace("  ", " "))
        else:
            reasons.append(f"Child {age}; no agency has flagged this child for sexual exploitation.".replace(" ;", ";"))
        for _name, kinds, text in _INDICATOR_TEXT:
            rows = own[own["kind"].isin(kinds)]
            if _name == "police_victim":
                rows = rows[rows["role"].isin(("subject", "victim"))]
            if len(rows):
                n = len(rows)
                dates = rows["occurred"].dropna()
                span = ""
                if n > 1 and len(dates):
                    span = f", {dates.min().date()} to {dates.max().date()}"
                reasons.append(f"{text.format(n=n, s=_plural(n)).capitalize()}{span}{keys_text(rows['event_key'])}.")
                events.extend(rows["event_key"])
        night = own[own["night"]]
        if len(night):
            reasons.append(f"{len(night)} event{_plural(len(night))} at night{keys_text(night['event_key'])}.")
            events.extend(night["event_key"])
        if len(factors):
            codes = sorted(set(factors["factor"]))
            named = ", ".join(f"{f} ({FACTOR_NAMES.get(f, f)})" for f in codes)
            reasons.append(f"Assessment factor{_plural(len(codes))} {named}{keys_text(factors['event_key'])}.")
            events.extend(factors["event_key"])
        adults: list[str] = []
        ca_idx = self.ca_by_child.get(c)
        if ca_idx is not None:
            rows = self.ca.iloc[ca_idx].sort_values("expo", ascending=False)
            rows = rows[rows["expo"] > 0.05]
            for row in rows.head(3).itertuples(index=False):
                a = str(row.a)
                adults.append(a)
                a_score = float(self.people.at[a, "score"]) if a in self.people.index else 0.0
                n_children = int(self.people.at[a, "n_children"]) if a in self.people.index else 0
                how = self.contact_text(self.pair_rows(c, a))
                via = self.via_objects(c, a)
                via_text = "; ".join(f"shares {self.ctx.object_labels.get(o, o)}{keys_text(k)}" for o, k in via)
                detail = "; ".join(t for t in (how, via_text) if t)
                concern = "adult of concern" if a_score >= W.MIN_ADULT_SCORE else "adult"
                reasons.append(
                    f"With {concern} {self.label(a)}, linked to {n_children} child{'ren' if n_children != 1 else ''}"
                    f" (score {a_score:.1f}): {detail}."
                )
                events.extend(self.pair_rows(c, a)["event_key"])
                for _o, keys in via:
                    events.extend(keys)
            if len(rows) > 3:
                reasons.append(f"Also linked to {len(rows) - 3} other adult{_plural(len(rows) - 3)}.")
        reasons.extend(self._object_reasons(c, events))
        return Alert(
            alert_key=alert_key("child_at_risk", c),
            kind="child_at_risk",
            subject_id=c,
            score=score,
            reasons=" ".join(reasons),
            record_keys=tuple(self.records([c, *adults])),
            event_keys=tuple(sorted(set(events) - {""}))[:_MAX_EVIDENCE],
            label=self.label(c),
        )

    def _object_reasons(self, person: str, events: list[str]) -> list[str]:
        idx = self.po_by_person.get(person)
        if idx is None:
            return []
        rows = self.po.iloc[idx]
        rows = rows[rows["expo"] > 0.05].sort_values("expo", ascending=False)
        out: list[str] = []
        for row in rows.head(3).itertuples(index=False):
            o = str(row.obj_id)
            kind = o.split(":", 1)[0]
            o_score = float(self.objects.at[o, "score"])
            n = int(self.objects.at[o, "n_children"])
            keys = self.link_events(person, o)
            events.extend(keys)
            what = {"place": "at place", "vehicle": "linked to vehicle", "phone": "linked to phone"}[kind]
            out.append(
                f"{what.capitalize()} {self.ctx.object_labels.get(o, o)!r}, where {n} child{'ren' if n != 1 else ''}"
                f" have been recorded (score {o_score:.1f}){keys_text(keys)}."
            )
        return out

    def adult(self, a: str) -> Alert:
        person = self.people.loc[a]
        score = float(person["score"])
        reasons: list[str] = []
        events: list[str] = []
        ca_idx = self.ca_by_adult.get(a)
        rows = self.ca.iloc[ca_idx] if ca_idx is not None else self.ca.iloc[0:0]
        concerning = rows[rows["wc"] > 0].sort_values("term", ascending=False)
        ordinary = rows[rows["wc"] <= 0]
        age = self.age_text(a)
        agencies = self._agencies_of_concern(a, list(concerning["c"]))
        lead = f"Adult{' ' + age if age else ''} linked to {len(concerning)} child{'ren' if len(concerning) != 1 else ''}"
        lead += " in a context of concern (missing, night, vehicle, suspect or police record)"
        if agencies:
            lead += f", recorded by {len(agencies)} agenc{'ies' if len(agencies) != 1 else 'y'} ({', '.join(agencies)})"
        reasons.append(lead + ".")
        children: list[str] = []
        for row in concerning.head(4).itertuples(index=False):
            c = str(row.c)
            children.append(c)
            c_score = float(self.people.at[c, "score"])
            how = self.contact_text(self.pair_rows(a, c).rename(columns={"role_a": "role_b", "role_b": "role_a"}))
            via = self.via_objects(a, c)
            via_text = "; ".join(f"shares {self.ctx.object_labels.get(o, o)}{keys_text(k)}" for o, k in via)
            detail = "; ".join(t for t in (how, via_text) if t)
            age_c = self.age_text(c)
            reasons.append(f"Child {self.label(c)}{', ' + age_c if age_c else ''} (risk {c_score:.1f}): {detail}.")
            events.extend(self.pair_rows(a, c)["event_key"])
            for _o, keys in via:
                events.extend(keys)
        if len(concerning) > 4:
            reasons.append(f"And {len(concerning) - 4} other child{'ren' if len(concerning) - 4 != 1 else ''}.")
        if len(ordinary):
            reasons.append(
                f"Ordinary, public contact with {len(ordinary)} other child{'ren' if len(ordinary) != 1 else ''}"
                " counts for little."
            )
        if bool(person.get("professional", False)):
            reasons.append("Recorded as a professional in most events, so the score is discounted.")
        reasons.extend(self._object_reasons(a, events))
        return Alert(
            alert_key=alert_key("adult_of_concern", a),
            kind="adult_of_concern",
            subject_id=a,
            score=score,
            reasons=" ".join(reasons),
            record_keys=tuple(self.records([a, *children])),
            event_keys=tuple(sorted(set(events) - {""}))[:_MAX_EVIDENCE],
            label=self.label(a),
        )

    def _agencies_of_concern(self, a: str, children: list[str]) -> list[str]:
        idx = self.pairs_idx.get(a)
        if idx is None:
            return []
        rows = self.pairs.iloc[idx]
        rows = rows[rows["concerning"] & rows["b"].isin(set(children))]
        return sorted(set(rows["agency"]) - {""})

    def obj(self, o: str) -> Alert:
        info = self.objects.loc[o]
        kind = "place_of_concern" if info["obj_type"] == "place" else "vehicle_of_concern"
        idx = self.po_by_obj.get(o)
        rows = self.po.iloc[idx] if idx is not None else self.po.iloc[0:0]
        kids = rows[rows["is_child"] & (rows["strength"] > 0)].sort_values("term", ascending=False)
        grown = rows[~rows["is_child"]]
        grown = grown.assign(
            adult_score=self.people["score"].reindex(grown["person_id"]).fillna(0).to_numpy()
        ).sort_values("adult_score", ascending=False)
        reasons = [
            f"{'Place' if kind == 'place_of_concern' else 'Vehicle'} {info['label']!r}: {len(kids)} "
            f"child{'ren' if len(kids) != 1 else ''} recorded here in a context of concern."
        ]
        events: list[str] = []
        persons: list[str] = []
        for row in kids.head(4).itertuples(index=False):
            p = str(row.person_id)
            keys = self.link_events(p, o)
            events.extend(keys)
            persons.append(p)
            reasons.append(f"Child {self.label(p)} (risk {float(self.people.at[p, 'score']):.1f}){keys_text(keys)}.")
        for row in grown[grown["adult_score"] >= W.MIN_ADULT_SCORE].head(3).itertuples(index=False):
            p = str(row.person_id)
            keys = self.link_events(p, o)
            events.extend(keys)
            persons.append(p)
            reasons.append(f"Adult of concern {self.label(p)} (score {row.adult_score:.1f}){keys_text(keys)}.")
        candidates = list(info.get("candidates", []) or [])
        if candidates:
            labels = " or ".join(self.ctx.object_labels.get(c, c) for c in candidates)
            reasons.append(f"Partial registration: may be {labels}.")
        if bool(info.get("institution", False)):
            reasons.append("An institution (school, health or police), so the score is discounted.")
        return Alert(
            alert_key=alert_key(kind, o),
            kind=kind,
            subject_id=o,
            score=float(info["score"]),
            reasons=" ".join(reasons),
            record_keys=tuple(self.records(persons)),
            event_keys=tuple(sorted(set(events) - {""}))[:_MAX_EVIDENCE],
            label=str(info["label"]),
        )


def group_alert(
    network_id: str,
    members: pd.DataFrame,
    people: pd.DataFrame,
    object_scores: pd.Series,
    object_labels: dict[str, str],
    labels: dict[str, str],
    records_of: dict[str, list[str]],
    edge_events: pd.DataFrame,
) -> Alert | None:
    """A group alert when a detected group holds adults of concern and children at risk."""
    persons = members[members["member_type"] == "person"]
    scored = people.reindex(persons["member_id"])
    adults = scored[~scored["is_child"].fillna(False).astype(bool) & (scored["score"] >= W.MIN_ADULT_SCORE)]
    kids = scored[scored["is_child"].fillna(False).astype(bool) & (scored["score"] >= W.MIN_CHILD_SCORE)]
    if adults.empty or kids.empty:
        return None
    score = float(adults["score"].nlargest(5).sum() + kids["score"].nlargest(10).sum())
    if score < W.MIN_GROUP_SCORE:
        return None

    def name(p: str) -> str:
        return f"{labels[p]} ({p})" if labels.get(p) else p

    others = members[members["member_type"] != "person"]
    objs = others.assign(score=object_scores.reindex(others["member_id"]).fillna(0).to_numpy())
    objs = objs.sort_values("score", ascending=False)
    n_adults = int((persons["role"] == "adult").sum())
    n_kids = int((persons["role"] == "child").sum())
    reasons = [
        f"Group of {len(persons)} people ({n_adults} adult{_plural(n_adults)}, {n_kids} child{'ren' if n_kids != 1 else ''})"
        f" and {len(others)} place{_plural(len(others))}, vehicle{_plural(len(others))} or phone{_plural(len(others))}"
        " more tightly linked to each other than to anyone else."
    ]
    reasons.append(
        "Adults of concern: "
        + ", ".join(f"{name(p)} ({s:.1f})" for p, s in adults["score"].nlargest(5).items())
        + "."
    )
    reasons.append(
        "Children at risk: " + ", ".join(f"{name(p)} ({s:.1f})" for p, s in kids["score"].nlargest(10).items()) + "."
    )
    if len(objs):
        reasons.append(
            "Linked through: " + ", ".join(object_labels.get(o, o) for o in objs["member_id"].head(5)) + "."
        )
    member_ids = set(members["member_id"])
    inside = edge_events[
        edge_events["source"].isin(member_ids) & edge_events["target"].isin(member_ids) & edge_events["concerning"]
    ]
    events = sorted(set(inside["event_key"]) - {""})
    reasons.append(f"{len(events)} record{_plural(len(events))} of concern join them{keys_text(events)}.")
    record_keys: list[str] = []
    for p in [*adults.index, *kids.index]:
        record_keys.extend(records_of.get(str(p), [str(p)]))
    return Alert(
        alert_key=alert_key("group", network_id),
        kind="group",
        subject_id=network_id,
        score=score,
        reasons=" ".join(reasons),
        record_keys=tuple(record_keys),
        event_keys=tuple(events[:_MAX_EVIDENCE]),
        label=network_id,
    )
