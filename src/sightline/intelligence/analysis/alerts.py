"""Alerts, with reasons a practitioner can check against the records named in them."""

from __future__ import annotations

import dataclasses
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from sightline.core.labels import code_label, kinds_text

from . import weights as W
from .evidence import sentence
from .result import Alert, Tie, alert_key
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
    (
        "police_victim",
        ("police_incident", "intelligence", "arrest", "charge", "bail"),
        "named in {n} police record{s}",
    ),
    ("meetings", ("strategy_meeting", "return_interview"), "{n} strategy meeting{s} or return interview{s}"),
    ("school", ("school_absence", "exclusion"), "{n} school absence or exclusion record{s}"),
    ("outreach", ("outreach_contact",), "{n} outreach contact{s}"),
    ("taxi", ("taxi_complaint",), "{n} taxi complaint{s}"),
]
_SHOWN_KEYS = 4
_MAX_EVIDENCE = 200
_MAX_TIES = 100  # people or objects an alert keeps the ties of, strongest first
_WITH = {"place": "recorded here", "vehicle": "recorded with this vehicle", "phone": "linked to this phone"}


def keys_text(keys: Iterable[str]) -> str:
    unique = sorted(set(k for k in keys if k))
    if not unique:
        return ""
    shown = ", ".join(unique[:_SHOWN_KEYS])
    more = f" and {len(unique) - _SHOWN_KEYS} more" if len(unique) > _SHOWN_KEYS else ""
    return f" [{shown}{more}]"


def _no_keys(_keys: Iterable[str]) -> str:
    return ""


def _and(items: list[str]) -> str:
    return items[0] if len(items) == 1 else ", ".join(items[:-1]) + " and " + items[-1]


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


def group_rows(
    frame: pd.DataFrame, key: str | list[str], columns: list[str]
) -> dict[Any, list[tuple[Any, ...]]]:
    """Rows of a frame as plain tuples, grouped by key: alerts read them many times."""
    out: dict[Any, list[tuple[Any, ...]]] = defaultdict(list)
    keys = (
        frame[key].tolist()
        if isinstance(key, str)
        else list(zip(*(frame[k].tolist() for k in key), strict=True))
    )
    rows = zip(*(frame[c].tolist() for c in columns), strict=True) if columns else ()
    for k, row in zip(keys, rows, strict=True):
        out[k].append(row)
    return out


@dataclass(frozen=True)
class _Pair:
    event_key: str
    kind: str
    role: str  # the other person's role
    concerning: bool
    agency: str


class AlertBuilder:
    """Builds reasons only for the subjects that are alerted, from rows grouped once."""

    def __init__(self, ctx: Context, persons: set[str], objects: set[str]) -> None:
        self.ctx = ctx
        s = ctx.scores
        ppl = s.people
        self.score: dict[str, float] = dict(zip(ppl["person_id"], ppl["score"].astype(float), strict=True))
        self.age: dict[str, float] = dict(zip(ppl["person_id"], ppl["age"].astype(float), strict=True))
        self.n_children: dict[str, int] = dict(
            zip(ppl["person_id"], ppl["n_children"].astype(int), strict=True)
        )
        self.professional = set(ppl.loc[ppl["professional"].astype(bool), "person_id"])
        self.child_then = (
            set(ppl.loc[ppl["child_then"].astype(bool), "person_id"]) if "child_then" in ppl else set()
        )
        self.young_exploiter = (
            set(ppl.loc[ppl["young_exploiter"].astype(bool), "person_id"])
            if "young_exploiter" in ppl
            else set()
        )
        obj = s.objects.set_index("obj_id")
        self.obj_info = obj[
            ["obj_type", "label", "score", "n_children", "institution", "candidates"]
        ].to_dict("index")

        part = ctx.participants[ctx.participants["person_id"].isin(persons)]
        self.part = group_rows(part, "person_id", ["event_key", "kind", "role", "occurred", "night"])
        pairs = ctx.pairs[ctx.pairs["a"].isin(persons) | ctx.pairs["b"].isin(persons)]
        self.pairs = {
            k: [_Pair(*r) for r in rows]
            for k, rows in group_rows(
                pairs, ["a", "b"], ["event_key", "kind", "role_b", "concerning", "agency"]
            ).items()
        }
        po = s.person_object
        mine = po[po["person_id"].isin(persons) | po["obj_id"].isin(objects)]
        self.po_person = group_rows(mine, "person_id", ["obj_id", "expo", "term", "strength", "is_child"])
        self.po_obj = group_rows(
            po[po["obj_id"].isin(objects)], "obj_id", ["person_id", "is_child", "term", "strength"]
        )
        self.objects_of = group_rows(po[~po["obj_id"].str.startswith("place:")], "person_id", ["obj_id"])
        touched = set(mine["obj_id"]) | objects
        links = ctx.links[ctx.links["obj_id"].isin(touched)]
        self.link_keys = group_rows(links[links["event_key"] != ""], ["person_id", "obj_id"], ["event_key"])
        ca = s.child_adult
        self.ca_child = group_rows(ca[ca["c"].isin(persons)], "c", ["a", "expo", "wc"])
        self.ca_adult = group_rows(ca[ca["a"].isin(persons)], "a", ["c", "term", "wc"])
        self.factors = group_rows(
            s.factors[s.factors["person_id"].isin(persons)], "person_id", ["factor", "event_key"]
        )

    # -- helpers ---------------------------------------------------------------
    def label(self, person_id: str) -> str:
        name = self.ctx.labels.get(person_id, "")
        return f"{name} ({person_id})" if name else person_id

    def obj_label(self, obj_id: str) -> str:
        return self.ctx.object_labels.get(obj_id, obj_id)

    def age_text(self, person_id: str) -> str:
        age = self.age.get(person_id, float("nan"))
        return "" if np.isnan(age) else f"aged {int(age)}"

    def link_events(self, person_id: str, obj_id: str) -> list[str]:
        return [r[0] for r in self.link_keys.get((person_id, obj_id), [])]

    def contact_text(self, rows: list[_Pair], keys: bool = True) -> str:
        """How two people were recorded together, in practitioners' words (naming the events'
        keys unless ``keys`` is false)."""
        shown = keys_text if keys else _no_keys
        use = [r for r in rows if r.concerning] or rows
        found = [r.event_key for r in use if r.kind in ("missing", "absent", "return_interview")]
        suspect = [r.event_key for r in use if r.role == "suspect" and r.event_key not in found]
        done = set(found) | set(suspect)
        rest = [r for r in use if r.event_key not in done]
        phrases: list[str] = []
        if found:
            phrases.append(f"found with when missing{shown(found)}")
        if suspect:
            phrases.append(f"named as suspect{shown(suspect)}")
        if rest:
            kinds = kinds_text({r.kind for r in rest})
            n = len({r.event_key for r in rest})
            phrases.append(f"together in {n} record{_plural(n)} ({kinds}){shown(r.event_key for r in rest)}")
        return "; ".join(phrases)

    def via_objects(self, a: str, b: str) -> list[tuple[str, list[str]]]:
        """Vehicles and phones that both people are linked to."""
        shared = {r[0] for r in self.objects_of.get(a, [])} & {r[0] for r in self.objects_of.get(b, [])}
        return [(o, self.link_events(a, o) + self.link_events(b, o)) for o in sorted(shared)]

    def records(self, person_ids: Sequence[str]) -> list[str]:
        out: list[str] = []
        for p in person_ids:
            out.extend(self.ctx.records_of.get(p, [p]))
        return out

    def _contact(self, a: str, b: str, events: list[str], keys: bool = True) -> str:
        rows = self.pairs.get((a, b), [])
        events.extend(r.event_key for r in rows)
        via = self.via_objects(a, b)
        for _o, ks in via:
            events.extend(ks)
        if keys:
            via_text = "; ".join(f"both linked to {self.obj_label(o)}{keys_text(k)}" for o, k in via)
        else:
            via_text = self.via_text([o for o, _k in via])
        return "; ".join(t for t in (self.contact_text(rows, keys), via_text) if t)

    def via_text(self, objects: list[str]) -> str:
        """``both linked to phones 0770... and 0780... and vehicle YX09 ABC``, without event keys."""
        by_type: dict[str, list[str]] = defaultdict(list)
        for o in objects:
            by_type[str(self.obj_info[o]["obj_type"])].append(self.obj_label(o))
        parts = [
            f"{kind}{_plural(len(names))} {_and(names)}"
            for kind in ("vehicle", "phone", "place")
            if (names := by_type.get(kind))
        ]
        return f"both linked to {_and(parts)}" if parts else ""

    def person_tie(self, subject: str, other: str) -> Tie:
        """How ``other`` is tied to ``subject``, with the events that do it."""
        events: list[str] = []
        how = self._contact(subject, other, events, keys=False)
        return Tie(
            node=other,
            kind="person",
            label=self.ctx.labels.get(other, ""),
            score=round(self.score.get(other, 0.0), 4),
            how=how,
            events=tuple(sorted(set(events) - {""})),
        )

    def object_ties(self, person: str) -> list[Tie]:
        """The places, vehicles and phones tied to a person, strongest first."""
        rows = sorted((r for r in self.po_person.get(person, []) if r[1] > 0.05), key=lambda r: (-r[1], r[0]))
        out: list[Tie] = []
        for o, *_rest in rows[:_MAX_TIES]:
            info = self.obj_info[o]
            n = int(info["n_children"])
            out.append(
                Tie(
                    node=o,
                    kind=str(info["obj_type"]),
                    label=self.obj_label(o),
                    score=round(float(info["score"]), 4),
                    how=f"{n} child{'ren' if n != 1 else ''} {_WITH[str(info['obj_type'])]}",
                    events=tuple(sorted(set(self.link_events(person, o)) - {""})),
                )
            )
        return out

    # -- alerts ------------------------------------------------------------------
    def child(self, c: str, confidence: str = "", evidence: Sequence[tuple[Any, ...]] = ()) -> Alert:
        """``evidence``: (adult, event, agency, how) of the records that point at exploitation."""
        reasons: list[str] = []
        events: list[str] = []
        own = [r for r in self.part.get(c, []) if r[2] in CHILD_ROLES]
        factors = self.factors.get(c, [])
        age = self.age_text(c)
        # No age on any record: a child because a record says so (victim, youth work, children's
        # services), which the reader should know.
        who = f"Child {age}" if age else "Young person, age not recorded"
        if c in self.child_then:
            who = f"Young adult {age} (a child when recorded as a victim or by children's services)"
        if c in self.ctx.flagged:
            reasons.append(f"{who}, already flagged for sexual exploitation by social care.")
        elif any(f in W.CSE_FACTORS for f, _ in factors):
            reasons.append(f"{who}, with an exploitation factor code recorded.")
        else:
            reasons.append(f"{who}; no agency has flagged this child for sexual exploitation.")
        if evidence:
            keys = sorted({str(r[1]) for r in evidence})
            names = {str(r[0]): self.label(str(r[0])) for r in evidence}
            reasons.append(f"{sentence(confidence, evidence, names)}{keys_text(keys)}.")
            events.extend(keys)
        for name, kinds, text in _INDICATOR_TEXT:
            rows = [
                r for r in own if r[1] in kinds and (name != "police_victim" or r[2] in ("subject", "victim"))
            ]
            if not rows:
                continue
            keys = sorted({r[0] for r in rows})
            dates = sorted(r[3] for r in rows if not pd.isna(r[3]))
            span = f", {dates[0].date()} to {dates[-1].date()}" if len(keys) > 1 and dates else ""
            reasons.append(
                f"{text.format(n=len(keys), s=_plural(len(keys))).capitalize()}{span}{keys_text(keys)}."
            )
            events.extend(keys)
        night = sorted({r[0] for r in own if r[4]})
        if night:
            reasons.append(f"{len(night)} event{_plural(len(night))} at night{keys_text(night)}.")
            events.extend(night)
        if factors:
            codes = sorted({f for f, _ in factors})
            named = ", ".join(f"{f} ({FACTOR_NAMES.get(f, f)})" for f in codes)
            keys = [k for _, k in factors]
            reasons.append(f"Assessment factor{_plural(len(codes))} {named}{keys_text(keys)}.")
            events.extend(keys)
        adults: list[str] = []
        contacts = sorted((r for r in self.ca_child.get(c, []) if r[1] > 0.05), key=lambda r: (-r[1], r[0]))
        for a, _expo, _wc in contacts[:3]:
            adults.append(a)
            a_score = self.score.get(a, 0.0)
            n = self.n_children.get(a, 0)
            concern = "adult of concern" if a_score >= W.MIN_ADULT_SCORE else "adult"
            detail = self._contact(c, a, events)
            reasons.append(
                f"With {concern} {self.label(a)}, linked to {n} child{'ren' if n != 1 else ''}"
                f" (score {a_score:.1f}): {detail}."
            )
        if len(contacts) > 3:
            reasons.append(f"Also linked to {len(contacts) - 3} other adult{_plural(len(contacts) - 3)}.")
        alert = self._person_alert("child_at_risk", c, reasons, events, adults, [a for a, *_r in contacts])
        return dataclasses.replace(alert, confidence=confidence)

    def _person_alert(
        self,
        kind: str,
        subject: str,
        reasons: list[str],
        events: list[str],
        named: list[str],
        tied: list[str],
    ) -> Alert:
        """An alert about a person (``named`` are the others its reasons name, ``tied`` everyone it ties
        them to, strongest first); their places, vehicles and phones add to the reasons and the ties."""
        reasons.extend(self._object_reasons(subject, events))
        ties = [self.person_tie(subject, other) for other in tied[:_MAX_TIES]] + self.object_ties(subject)
        return Alert(
            alert_key=alert_key(kind, subject),
            kind=kind,
            subject_id=subject,
            score=self.score[subject],
            reasons=" ".join(reasons),
            record_keys=tuple(self.records([subject, *named])),
            event_keys=tuple(sorted(set(events) - {""}))[:_MAX_EVIDENCE],
            label=self.label(subject),
            ties=tuple(ties),
        )

    def _object_reasons(self, person: str, events: list[str]) -> list[str]:
        rows = sorted((r for r in self.po_person.get(person, []) if r[1] > 0.05), key=lambda r: (-r[1], r[0]))
        out: list[str] = []
        for o, *_rest in rows[:3]:
            info = self.obj_info[o]
            n = int(info["n_children"])
            keys = self.link_events(person, o)
            events.extend(keys)
            what = {"place": "At place", "vehicle": "Linked to vehicle", "phone": "Linked to phone"}[
                info["obj_type"]
            ]
            out.append(
                f"{what} {self.obj_label(o)!r}, where {n} child{'ren' if n != 1 else ''}"
                f" have been recorded (score {float(info['score']):.1f}){keys_text(keys)}."
            )
        return out

    def adult(self, a: str) -> Alert:
        reasons: list[str] = []
        events: list[str] = []
        rows = self.ca_adult.get(a, [])
        concerning = sorted((r for r in rows if r[2] > 0), key=lambda r: (-r[1], r[0]))
        n_ordinary = sum(1 for r in rows if r[2] <= 0)
        age = self.age_text(a)
        agencies = sorted(
            {p.agency for c, _t, _w in concerning for p in self.pairs.get((a, c), []) if p.concerning} - {""}
        )
        n = len(concerning)
        who = "Young person" if a in self.young_exploiter else "Adult"
        lead = f"{who}{' ' + age if age else ''} linked to {n} child{'ren' if n != 1 else ''}"
        lead += " in a context of concern (missing, night, vehicle, suspect or police record)"
        if agencies:
            many = "agencies" if len(agencies) != 1 else "agency"
            lead += f", recorded by {len(agencies)} {many} ({', '.join(code_label(a) for a in agencies)})"
        reasons.append(lead + ".")
        children: list[str] = []
        for c, _term, _wc in concerning[:4]:
            children.append(c)
            age_c = self.age_text(c)
            detail = self._contact(a, c, events)
            reasons.append(
                f"Child {self.label(c)}{', ' + age_c if age_c else ''}"
                f" (risk {self.score.get(c, 0.0):.1f}): {detail}."
            )
        if n > 4:
            reasons.append(f"And {n - 4} other child{'ren' if n - 4 != 1 else ''}.")
        if n_ordinary:
            reasons.append(
                f"Ordinary, public contact with {n_ordinary} other child{'ren' if n_ordinary != 1 else ''}"
                " counts for little."
            )
        if a in self.professional:
            reasons.append("Recorded as a professional in most events, so the score is discounted.")
        if a in self.young_exploiter:
            reasons.append(
                "Under 18 by the records, and recorded as a suspect or the subject of police action"
                " against a victim: ranked with the adults the records describe exploiting children."
                " A child too, with safeguarding needs of their own."
            )
        return self._person_alert(
            "adult_of_concern", a, reasons, events, children, [c for c, *_r in concerning]
        )

    def obj(self, o: str) -> Alert:
        info = self.obj_info[o]
        kind = "place_of_concern" if info["obj_type"] == "place" else "vehicle_of_concern"
        rows = self.po_obj.get(o, [])
        kids = sorted((r for r in rows if r[1] and r[3] > 0), key=lambda r: (-r[2], r[0]))
        grown = sorted(
            ((r[0], self.score.get(r[0], 0.0)) for r in rows if not r[1]), key=lambda r: (-r[1], r[0])
        )
        what = "Place" if kind == "place_of_concern" else "Vehicle"
        reasons = [
            f"{what} {info['label']!r}: {len(kids)} child{'ren' if len(kids) != 1 else ''}"
            " recorded here in a context of concern."
        ]
        events: list[str] = []
        persons: list[str] = []
        for p, *_rest in kids[:4]:
            keys = self.link_events(p, o)
            events.extend(keys)
            persons.append(p)
            reasons.append(f"Child {self.label(p)} (risk {self.score.get(p, 0.0):.1f}){keys_text(keys)}.")
        for p, score in [g for g in grown if g[1] >= W.MIN_ADULT_SCORE][:3]:
            keys = self.link_events(p, o)
            events.extend(keys)
            persons.append(p)
            reasons.append(f"Adult of concern {self.label(p)} (score {score:.1f}){keys_text(keys)}.")
        candidates = list(info.get("candidates") or [])
        if candidates:
            reasons.append(
                f"Partial registration: may be {' or '.join(self.obj_label(c) for c in candidates)}."
            )
        if bool(info.get("institution", False)):
            reasons.append("An institution (school, health or police), so the score is discounted.")
        how = "recorded here" if kind == "place_of_concern" else "recorded with this vehicle"
        tied = [p for p, *_r in kids] + [p for p, sc in grown if sc >= W.MIN_ADULT_SCORE]
        ties = [
            Tie(
                node=p,
                kind="person",
                label=self.ctx.labels.get(p, ""),
                score=round(self.score.get(p, 0.0), 4),
                how=how,
                events=tuple(sorted(set(self.link_events(p, o)) - {""})),
            )
            for p in tied[:_MAX_TIES]
        ]
        return Alert(
            alert_key=alert_key(kind, o),
            kind=kind,
            subject_id=o,
            score=float(info["score"]),
            reasons=" ".join(reasons),
            record_keys=tuple(self.records(persons)),
            event_keys=tuple(sorted(set(events) - {""}))[:_MAX_EVIDENCE],
            label=str(info["label"]),
            ties=tuple(ties),
        )


def group_alert(
    network_id: str,
    members: pd.DataFrame,
    builder: AlertBuilder,
    object_scores: pd.Series,
    events_inside: list[str],
    name: str = "",
) -> Alert | None:
    """A group alert when a detected group holds adults of concern and children at risk."""
    persons = members.loc[members["member_type"] == "person", ["member_id", "role"]].to_numpy().tolist()
    score = builder.score
    adults = sorted(
        (
            (p, score.get(p, 0.0))
            for p, role in persons
            if role != "child" and score.get(p, 0.0) >= W.MIN_GROUP_ADULT_SCORE
        ),
        key=lambda r: (-r[1], r[0]),
    )
    kids = sorted(
        (
            (p, score.get(p, 0.0))
            for p, role in persons
            if role == "child" and score.get(p, 0.0) >= W.MIN_CHILD_SCORE
        ),
        key=lambda r: (-r[1], r[0]),
    )
    if not adults or not kids:
        return None
    total = sum(s for _, s in adults[:5]) + sum(s for _, s in kids[:10])
    if total < W.MIN_GROUP_SCORE:
        return None
    others = members[members["member_type"] != "person"]
    objs = others.assign(score=object_scores.reindex(others["member_id"]).fillna(0).to_numpy())
    objs = objs.sort_values(["score", "member_id"], ascending=[False, True])
    n_adults = sum(1 for _, role in persons if role == "adult")
    n_kids = sum(1 for _, role in persons if role == "child")
    reasons = [
        f"Group of {len(persons)} people ({n_adults} adult{_plural(n_adults)}, "
        f"{n_kids} child{'ren' if n_kids != 1 else ''}) and {len(others)} place{_plural(len(others))}, "
        f"vehicle{_plural(len(others))} or phone{_plural(len(others))} more tightly linked to each other "
        "than to anyone else.",
        "Adults of concern: " + ", ".join(f"{builder.label(p)} ({s:.1f})" for p, s in adults[:5]) + ".",
        "Children at risk: " + ", ".join(f"{builder.label(p)} ({s:.1f})" for p, s in kids[:10]) + ".",
    ]
    if len(objs):
        reasons.append(
            "Linked through: " + ", ".join(builder.obj_label(o) for o in objs["member_id"].head(5)) + "."
        )
    events = sorted(set(events_inside) - {""})
    reasons.append(f"{len(events)} record{_plural(len(events))} of concern join them{keys_text(events)}.")
    return Alert(
        alert_key=alert_key("group", network_id),
        kind="group",
        subject_id=network_id,
        score=total,
        reasons=" ".join(reasons),
        record_keys=tuple(builder.records([p for p, _ in adults] + [p for p, _ in kids])),
        event_keys=tuple(events[:_MAX_EVIDENCE]),
        label=name or network_id,
    )
