"""Analysts' pages: ranked alerts with their evidence and status, the network view, the link review
queue with a match-weight waterfall per pair, and a person's linkage.

Views parse input, check the role (``cap_required``) and need to know (``sightline.access.selectors``),
and call the intelligence and linkage services and selectors. Every page that shows people ledgers
it: a person opened in full through ``require_person_access``, people named in a list as one
``read_list`` entry naming them all.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django import forms
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.html import escape
from django.utils.http import urlencode
from django.utils.safestring import SafeString, mark_safe

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap, can
from sightline.access.services import actor_for
from sightline.intelligence import selectors as intel
from sightline.intelligence.models import Alert
from sightline.intelligence.services import STATUS_TRANSITIONS, AlertStatusError, do_set_alert_status
from sightline.ledger.services import Actor, StaleVersionError, record_action
from sightline.people import need_to_know as access
from sightline.people import selectors as people
from sightline.people.linkage.decisions import do_decide_link
from sightline.people.linkage.explain import PairExplanation, comparison_titles, explain_pairs, joining_links
from sightline.people.linkage.records import records_by_key
from sightline.people.linkage.reviews import get_link_review, link_decisions_for, review_queue
from sightline.people.models import LinkReview, Person, SourceRecord
from sightline.web.charts import nice_ticks
from sightline.web.forms import GovukDateField
from sightline.web.navigation import person_url

PERSON_KINDS = (Alert.Kind.CHILD_AT_RISK, Alert.Kind.ADULT_OF_CONCERN)
VIEW_PEOPLE = (Cap.VIEW_OWN_AGENCY_PEOPLE, Cap.VIEW_ALL_PEOPLE)
ALERTS_PER_PAGE = 50
REVIEWS_PER_PAGE = 25
# What an open alert list shows unless asked otherwise: dismissed alerts are done with.
OPEN_STATUSES = (Alert.Status.NEW, Alert.Status.UNDER_REVIEW, Alert.Status.ACTIONED)
STATUS_TAGS: dict[str, str] = {
    Alert.Status.NEW: "govuk-tag--red",
    Alert.Status.UNDER_REVIEW: "govuk-tag--yellow",
    Alert.Status.ACTIONED: "govuk-tag--green",
    Alert.Status.DISMISSED: "govuk-tag--grey",
}
MEMBER_TYPES = [("person", "People"), ("place", "Places"), ("vehicle", "Vehicles"), ("phone", "Phones")]
STALE = "Someone else changed this alert while you were looking at it. Check its status and try again."


def _actor(request: HttpRequest) -> Actor:
    return actor_for(request.user)  # type: ignore[arg-type]


def _ledger_list(request: HttpRequest, what: str, person_ids: Iterable[str | None]) -> None:
    """Ledger that a page naming these people was read (one entry naming them all)."""
    ids = sorted({p for p in person_ids if p})
    if ids:
        record_action(
            _actor(request), "read_list", access.PERSON_TYPE, what, data={"people": ids}, reason=what
        )


def _visible(request: HttpRequest, person_ids: Iterable[str | None]) -> set[str]:
    """Which of these people the user may open (need to know); reads nothing personal."""
    wanted = {p for p in person_ids if p}
    if not wanted:
        return set()
    return set(access.visible_people(request.user).filter(pk__in=wanted).values_list("pk", flat=True))


def _break_glass_url(request: HttpRequest, person_id: str) -> str:
    if not can(request.user.role, Cap.BREAK_GLASS):  # type: ignore[union-attr]
        return ""
    url = reverse("web:break_glass", kwargs={"person_id": person_id})
    return f"{url}?{urlencode({'next': person_url(person_id)})}"


def _reasons(text: str) -> list[str]:
    """An alert's reasons as the sentences the engine wrote (each ends with its evidence)."""
    out: list[str] = []
    for part in text.replace("]. ", "].\n").split("\n"):
        part = part.strip()
        if part:
            out.extend(s.strip() for s in _split_sentences(part) if s.strip())
    return out


def _split_sentences(text: str) -> list[str]:
    # Split on ". " followed by a capital, but never inside [evidence lists] or (ids).
    out, depth, start = [], 0, 0
    for i, ch in enumerate(text):
        if ch in "[(":
            depth += 1
        elif ch in "])":
            depth = max(depth - 1, 0)
        elif ch == "." and depth == 0 and text[i + 1 : i + 2] == " " and text[i + 2 : i + 3].isupper():
            out.append(text[start : i + 1])
            start = i + 2
    out.append(text[start:])
    return out


# --- forms ---------------------------------------------------------------------------------------


class AlertFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label="Kind of alert", required=False, choices=[("", "All kinds"), *Alert.Kind.choices]
    )
    status = forms.ChoiceField(
        label="Status",
        required=False,
        choices=[("", "Not dismissed"), ("all", "Any status"), *Alert.Status.choices],
    )

    def statuses(self) -> tuple[str, ...]:
        chosen = self.cleaned_data.get("status", "") if self.is_valid() else ""
        if chosen == "all":
            return ()
        return (chosen,) if chosen else tuple(OPEN_STATUSES)

    def kind_value(self) -> str:
        return str(self.cleaned_data.get("kind", "")) if self.is_valid() else ""


class AlertStatusForm(forms.Form):
    status = forms.ChoiceField(
        label="Change the status to", widget=forms.RadioSelect, error_messages={"required": "Select a status"}
    )
    reason = forms.CharField(
        label="Reason",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="Needed to dismiss an alert. Say what you checked.",
        max_length=5000,
    )

    def __init__(self, *args: Any, current: str, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        allowed = STATUS_TRANSITIONS[Alert.Status(current)]
        self.fields["status"].choices = [  # type: ignore[attr-defined]
            (s.value, s.label) for s in Alert.Status if s in allowed
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("status") == Alert.Status.DISMISSED and not str(data.get("reason", "")).strip():
            self.add_error("reason", "Enter why you are dismissing the alert")
        return data


class NetworkFilterForm(forms.Form):
    group = forms.ChoiceField(label="Group", required=False)
    since = GovukDateField(label="From", required=False)
    until = GovukDateField(label="To", required=False)
    kinds = forms.MultipleChoiceField(
        label="Kinds of event", required=False, widget=forms.CheckboxSelectMultiple
    )
    types = forms.MultipleChoiceField(
        label="Show", required=False, widget=forms.CheckboxSelectMultiple, choices=MEMBER_TYPES
    )

    def __init__(self, *args: Any, groups: Sequence[tuple[str, str]], kinds: Sequence[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.fields["group"].choices = list(groups)  # type: ignore[attr-defined]
        self.fields["kinds"].choices = [  # type: ignore[attr-defined]
            (k, k.replace("_", " ").capitalize()) for k in kinds
        ]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The end date must be the same as or after the start date")
        return data


class LinkDecisionForm(forms.Form):
    same_person = forms.ChoiceField(
        label="Are these records about the same person?",
        widget=forms.RadioSelect,
        choices=[("yes", "Yes, the same person"), ("no", "No, not the same person")],
        error_messages={"required": "Select whether the records are about the same person"},
    )
    reason = forms.CharField(
        label="Reason (optional)",
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text="What settled it, for example a confirmed date of birth.",
        max_length=5000,
    )


# --- alerts --------------------------------------------------------------------------------------


@cap_required(Cap.VIEW_INTELLIGENCE)
def alerts(request: HttpRequest) -> HttpResponse:
    """Alerts raised by the latest analysis, highest score first, filtered by kind and status."""
    form = AlertFilterForm(request.GET or None)
    qs = intel.alert_list(kind=form.kind_value(), statuses=form.statuses())
    page = Paginator(qs, ALERTS_PER_PAGE).get_page(request.GET.get("page"))
    visible = _visible(request, [a.subject_id for a in page if a.kind in PERSON_KINDS])
    _ledger_list(request, "alerts", visible)
    rows = []
    for a in page:
        # Someone the user may not open is listed without their name or the reasons naming them.
        restricted = a.kind in PERSON_KINDS and a.subject_id not in visible
        summary = "" if restricted else (_reasons(a.reasons) or [""])[0]
        rows.append(
            {"alert": a, "summary": summary, "restricted": restricted, "tag": STATUS_TAGS.get(a.status, "")}
        )
    return render(
        request,
        "web/intelligence/alerts.html",
        {
            "form": form,
            "page": page,
            "rows": rows,
            "filtered": bool(request.GET.get("kind") or "status" in request.GET),
        },
    )


def _evidence_rows(request: HttpRequest, alert: Alert) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    records, events = intel.alert_evidence(alert)
    visible = _visible(request, [r.person_id for r in records] + [e.person_id for e in events])
    _ledger_list(request, f"alert {alert.id}", visible)
    rec_rows = [
        {
            "r": r,
            "name": r.name if r.person_id in visible else "",
            "href": person_url(r.person_id) if r.person_id in visible else "",
            "restricted": bool(r.person_id) and r.person_id not in visible,
        }
        for r in records
    ]
    ev_rows = [
        {
            "e": e,
            "href": person_url(e.person_id) if e.person_id in visible else "",
            "restricted": bool(e.person_id) and e.person_id not in visible,
        }
        for e in events
    ]
    return rec_rows, ev_rows


def _subject(request: HttpRequest, alert: Alert) -> dict[str, Any]:
    """Where the alert's subject can be opened: a person's record (if the user may), or a group."""
    if alert.kind in PERSON_KINDS:
        decision = access.person_access(request.user, alert.subject_id)
        if decision.allowed and Person.objects.filter(pk=alert.subject_id).exists():
            access.require_person_access(request.user, alert.subject_id, f"alert {alert.id}")
            return {"href": person_url(alert.subject_id), "label": alert.subject_label}
        return {"break_glass": _break_glass_url(request, alert.subject_id), "label": "", "restricted": True}
    if alert.kind == Alert.Kind.GROUP and intel.get_network(alert.subject_id) is not None:
        return {
            "href": reverse("web:network", kwargs={"network_id": alert.subject_id}),
            "label": alert.subject_label,
        }
    return {"label": alert.subject_label}


@cap_required(Cap.VIEW_INTELLIGENCE)
def alert_detail(request: HttpRequest, alert_id: str) -> HttpResponse:
    """One alert: why it was raised, the records and events behind it, its status and history.
    People who may manage alerts change the status here (dismissing needs a reason)."""
    alert = intel.get_alert(alert_id)
    if alert is None:
        raise Http404("No such alert")
    manage = can(request.user.role, Cap.MANAGE_ALERTS)  # type: ignore[union-attr]
    form = None
    if manage:
        form = AlertStatusForm(request.POST or None, current=alert.status)
    if request.method == "POST":
        if not manage or form is None:
            raise PermissionDenied("Your role cannot change the status of alerts")
        if form.is_valid():
            try:
                do_set_alert_status(
                    alert.id,
                    form.cleaned_data["status"],
                    actor=_actor(request),
                    reason=form.cleaned_data.get("reason", ""),
                )
            except AlertStatusError as exc:
                form.add_error("reason" if "reason" in str(exc) else "status", str(exc))
            except StaleVersionError:
                form.add_error(None, STALE)
            else:
                alert.refresh_from_db()
                messages.success(request, f"The alert is now {alert.get_status_display().lower()}.")
                return redirect("web:alert", alert_id=alert.id)
    records, events = _evidence_rows(request, alert)
    subject = _subject(request, alert)
    return render(
        request,
        "web/intelligence/alert.html",
        {
            "alert": alert,
            "subject": subject,
            "reasons": [] if subject.get("restricted") else _reasons(alert.reasons),
            "records": records,
            "events": events,
            "history": intel.alert_history(alert.id),
            "form": form,
            "tag": STATUS_TAGS.get(alert.status, ""),
        },
    )


# --- networks ------------------------------------------------------------------------------------


@cap_required(Cap.VIEW_INTELLIGENCE)
def networks(request: HttpRequest) -> HttpResponse:
    """Groups found by the latest analysis, highest score first."""
    return render(request, "web/intelligence/networks.html", {"networks": list(intel.active_networks())})


def _graph_elements(
    request: HttpRequest, graph: intel.NetworkGraph
) -> tuple[dict[str, list[dict[str, Any]]], list[dict[str, Any]], list[dict[str, Any]]]:
    """cytoscape.js elements, and the rows of the table alternative. People the user may not open
    are shown without their name, with the way to break-glass."""
    people_ids = [m.member_id for m in graph.members if m.member_type == "person"]
    visible = _visible(request, people_ids)
    _ledger_list(request, f"network {graph.network.id}", visible)
    label_of: dict[str, str] = {}
    nodes, members = [], []
    for m in graph.members:
        restricted = m.member_type == "person" and m.member_id not in visible
        label = "Restricted person" if restricted else (m.label or m.member_id)
        label_of[m.member_id] = label
        href = person_url(m.member_id) if m.member_type == "person" and not restricted else ""
        glass = _break_glass_url(request, m.member_id) if restricted else ""
        role = m.role or ""
        data = {
            "id": m.member_id,
            "label": label,
            "type": m.member_type,
            "role": role,
            "href": href,
            "restricted": restricted,
            "breakGlass": glass,
        }
        nodes.append({"data": data})
        members.append({**data, "type_label": _member_type_label(m.member_type, role)})
    edges, links = [], []
    for link in graph.links:
        data = {
            "id": f"{link['source']}|{link['target']}|{link['type']}",
            "source": link["source"],
            "target": link["target"],
            "type": link["type"],
            "weight": link.get("weight", 0),
            "concerning": bool(link.get("concerning")),
        }
        edges.append({"data": data})
        links.append(
            {
                **link,
                "source_label": label_of.get(link["source"], link["source"]),
                "target_label": label_of.get(link["target"], link["target"]),
                "n_events": len(link.get("events", [])),
            }
        )
    return {"nodes": nodes, "edges": edges}, members, links


def _member_type_label(member_type: str, role: str) -> str:
    if member_type == "person":
        return {"child": "Child", "adult": "Adult"}.get(role, "Person")
    return dict(MEMBER_TYPES).get(member_type, member_type).removesuffix("s")


@cap_required(Cap.VIEW_INTELLIGENCE)
def network(request: HttpRequest, network_id: str) -> HttpResponse:
    """A group as a graph (cytoscape.js, drawn by ``sightline/network.js`` from a JSON data block)
    and as tables, filtered by group, time and kind."""
    net = intel.get_network(network_id)
    if net is None or not net.active:
        raise Http404("No such group")
    groups = [(n.id, f"{n.label or n.id} ({n.size} members)") for n in intel.active_networks()]
    everything = intel.network_graph(net)
    form = NetworkFilterForm(
        request.GET or None, groups=groups, kinds=everything.event_kinds, initial={"group": net.id}
    )
    graph = everything
    if form.is_bound and form.is_valid():
        chosen = form.cleaned_data.get("group")
        if chosen and chosen != net.id:
            url = reverse("web:network", kwargs={"network_id": chosen})
            query = request.GET.copy()
            query.pop("group", None)
            return redirect(f"{url}?{query.urlencode()}" if query else url)
        graph = intel.network_graph(
            net,
            since=form.cleaned_data.get("since"),
            until=form.cleaned_data.get("until"),
            kinds=form.cleaned_data.get("kinds") or (),
            member_types=form.cleaned_data.get("types") or (),
        )
    elements, members, links = _graph_elements(request, graph)
    return render(
        request,
        "web/intelligence/network.html",
        {
            "network": net,
            "form": form,
            "elements": elements,
            "members": members,
            "links": links,
            "filtered": graph is not everything,
        },
    )


# --- the match-weight waterfall ------------------------------------------------------------------

WF_WIDTH = 680
WF_LABEL_W = 290
WF_RIGHT = 20
WF_TOP = 16
WF_ROW = 40
WF_BOTTOM = 56
POSITIVE = "#00703c"
NEGATIVE = "#d4351c"
NEUTRAL = "#505a5f"
TOTAL = "#1d70b8"
TEXT = "#0b0c0c"
GRID = "#b1b4b6"


@dataclass(frozen=True)
class WaterfallRow:
    title: str
    level: str
    value_l: str
    value_r: str
    weight: float
    running: float


@dataclass(frozen=True)
class Waterfall:
    chart_id: str
    title: str
    description: str
    svg: SafeString
    rows: tuple[WaterfallRow, ...]
    match_weight: float
    match_probability: float
    scored_by_run: bool


def _signed(v: float) -> str:
    return f"{v:+.1f}".replace("-", "\u2212")


def _t(
    x: float,
    y: float,
    text: str,
    *,
    anchor: str = "start",
    size: int = 13,
    bold: bool = False,
    halo: bool = False,
) -> str:
    weight = ' font-weight="bold"' if bold else ""
    if halo:  # a white outline keeps a value readable where it crosses a line
        weight += ' stroke="#ffffff" stroke-width="3" paint-order="stroke"'

    return (
        f'<text x="{x:.1f}" y="{y:.1f}" text-anchor="{anchor}" font-size="{size}" '
        f'font-family="arial, sans-serif" fill="{TEXT}"{weight}>{escape(text)}</text>'
    )


def waterfall(explanation: PairExplanation, chart_id: str) -> Waterfall:
    """A horizontal waterfall: from the prior, each field moves the match weight up or down, ending
    at the pair's match weight. Bars carry their signed value as text, so colour is not the only cue."""
    titles = comparison_titles()
    rows: list[WaterfallRow] = []
    running = 0.0
    for f in explanation.fields:
        running += f.match_weight
        rows.append(
            WaterfallRow(
                titles.get(f.field, f.field),
                f.level_label,
                f.value_l or "",
                f.value_r or "",
                f.match_weight,
                running,
            )
        )
    starts = [r.running - r.weight for r in rows]
    lo = min([0.0, *starts, *(r.running for r in rows)])
    hi = max([0.0, *starts, *(r.running for r in rows)])
    ticks = nice_ticks(math.floor(lo), math.ceil(hi), 6)
    lo, hi = min(lo, ticks[0]), max(hi, ticks[-1])
    plot_l, plot_r = WF_LABEL_W + 10, WF_WIDTH - WF_RIGHT
    n = len(rows) + 1
    height = WF_TOP + WF_ROW * n + WF_BOTTOM
    bottom = WF_TOP + WF_ROW * n

    def x(v: float) -> float:
        return plot_l + (plot_r - plot_l) * (v - lo) / ((hi - lo) or 1)

    parts: list[str] = []
    for t in ticks:
        parts.append(f'<line x1="{x(t):.1f}" y1="{WF_TOP}" x2="{x(t):.1f}" y2="{bottom}" stroke="{GRID}"/>')
        parts.append(_t(x(t), bottom + 18, _signed(t) if t else "0", anchor="middle", size=12))
    zero = x(0)
    axis = f'x1="{zero:.1f}" y1="{WF_TOP}" x2="{zero:.1f}" y2="{bottom}"'
    parts.append(f'<line {axis} stroke="{TEXT}" stroke-width="2"/>')
    parts.append(
        _t(
            (plot_l + plot_r) / 2,
            bottom + 42,
            "Match weight in bits (above 0: more likely the same person)",
            anchor="middle",
            size=13,
            bold=True,
        )
    )
    for i, (row, start) in enumerate(zip(rows, starts, strict=True)):
        top = WF_TOP + WF_ROW * i
        parts.append(_t(8, top + 17, row.title, bold=True))
        parts.append(_t(8, top + 33, row.level[:46] + ("…" if len(row.level) > 46 else ""), size=12))
        moved = abs(row.weight) >= 0.05
        colour = NEUTRAL if i == 0 or not moved else (POSITIVE if row.weight > 0 else NEGATIVE)
        x0, x1 = sorted((x(start), x(row.running)))
        if x1 - x0 < 2:
            x0, x1 = x0 - 1, x0 + 1  # a field that changed nothing still shows where it stands
        parts.append(
            f'<rect x="{x0:.1f}" y="{top + 8:.1f}" width="{x1 - x0:.1f}" height="24" fill="{colour}"/>'
        )
        label_x, anchor = (x1 + 5, "start") if x1 + 50 < plot_r else (x0 - 5, "end")
        shown = _signed(row.weight) if moved else "0"
        parts.append(_t(label_x, top + 25, shown, anchor=anchor, size=12, bold=True, halo=True))
    top = WF_TOP + WF_ROW * len(rows)
    parts.append(_t(8, top + 17, "Match weight", bold=True))
    parts.append(_t(8, top + 33, f"probability {explanation.match_probability:.1%}", size=12))
    x0, x1 = sorted((x(0), x(explanation.match_weight)))
    parts.append(
        f'<rect x="{x0:.1f}" y="{top + 8:.1f}" width="{max(x1 - x0, 2):.1f}" height="24" fill="{TOTAL}"/>'
    )
    label_x, anchor = (x1 + 5, "start") if x1 + 50 < plot_r else (x0 - 5, "end")
    parts.append(
        _t(label_x, top + 25, _signed(explanation.match_weight), anchor=anchor, size=12, bold=True, halo=True)
    )

    title = (
        f"How each field moved the match weight of {explanation.record_key_l} and {explanation.record_key_r}"
    )
    moves = "; ".join(f"{r.title} {_signed(r.weight)} ({r.level})" for r in rows[1:] if abs(r.weight) >= 0.05)
    description = (
        f"Starting from {_signed(rows[0].weight)} before comparing: {moves or 'no field moved it'}. "
        f"Match weight {_signed(explanation.match_weight)}, probability {explanation.match_probability:.1%}."
    )
    svg = mark_safe(  # noqa: S308  # every text node goes through escape() above
        f'<svg xmlns="http://www.w3.org/2000/svg" class="sightline-waterfall__svg" '
        f'viewBox="0 0 {WF_WIDTH} {height}" width="100%" preserveAspectRatio="xMinYMin meet" role="img" '
        f'aria-labelledby="{escape(chart_id)}-title {escape(chart_id)}-desc" focusable="false">'
        f'<title id="{escape(chart_id)}-title">{escape(title)}</title>'
        f'<desc id="{escape(chart_id)}-desc">{escape(description)}</desc>'
        f'<rect x="0" y="0" width="{WF_WIDTH}" height="{height}" fill="#ffffff"/>' + "".join(parts) + "</svg>"
    )
    return Waterfall(
        chart_id,
        title,
        description,
        svg,
        tuple(rows),
        explanation.match_weight,
        explanation.match_probability,
        explanation.scored_by_run,
    )


# --- link review ---------------------------------------------------------------------------------

RECORD_FIELDS = (
    ("given_name", "Given name"),
    ("family_name", "Family name"),
    ("other_names", "Other names"),
    ("date_of_birth", "Date of birth"),
    ("estimated_age", "Estimated age"),
    ("sex", "Sex"),
    ("address", "Address"),
    ("postcode", "Postcode"),
    ("phone", "Phone"),
    ("email", "Email"),
    ("nhs_number", "NHS number"),
    ("upn", "UPN"),
    ("pnc_id", "PNC id"),
)


def _open_records(request: HttpRequest, records: Iterable[SourceRecord], purpose: str) -> None:
    """Need to know and a ledgered read for each record shown in full: through its person, or (not
    yet linked) as the record itself. Raises NeedToKnowDenied (403 with break-glass)."""
    for r in records:
        if r.person_id:
            access.require_person_access(request.user, people.resolve_person_id(r.person_id), purpose)
        else:
            record_action(_actor(request), "read", SourceRecord.ledger_type(), r.pk, reason=purpose)


@cap_required(Cap.MERGE_PEOPLE)
def link_reviews(request: HttpRequest) -> HttpResponse:
    """Pairs of records linkage was unsure about, the most uncertain first."""
    status = request.GET.get("status", LinkReview.Status.OPEN)
    if status not in LinkReview.Status.values:
        status = LinkReview.Status.OPEN
    page = Paginator(review_queue(status), REVIEWS_PER_PAGE).get_page(request.GET.get("page"))
    records = records_by_key([k for r in page for k in (r.record_key_l, r.record_key_r)])
    _ledger_list(request, "link reviews", [r.person_id for r in records.values()])
    rows = [
        {"review": r, "left": records.get(r.record_key_l), "right": records.get(r.record_key_r)} for r in page
    ]
    counts = {s: review_queue(s).count() for s in LinkReview.Status.values}
    tabs = [
        {"value": s.value, "label": s.label, "count": counts[s.value], "current": s.value == status}
        for s in LinkReview.Status
    ]
    return render(
        request,
        "web/intelligence/link_reviews.html",
        {"page": page, "rows": rows, "tabs": tabs, "status": status},
    )


def _side_by_side(left: SourceRecord, right: SourceRecord) -> list[dict[str, Any]]:
    out = []
    for field, label in RECORD_FIELDS:
        a, b = str(left.data.get(field) or "").strip(), str(right.data.get(field) or "").strip()
        if a or b:
            out.append({"label": label, "left": a, "right": b, "same": a.casefold() == b.casefold()})
    return out


@cap_required(Cap.MERGE_PEOPLE)
def link_review(request: HttpRequest, review_id: str) -> HttpResponse:
    """Both records side by side, the match-weight waterfall, and the decision: the same person or
    not. The decision is ledgered and every later ``sightline link`` honours it."""
    review = get_link_review(review_id)
    if review is None:
        raise Http404("No such link review")
    records = records_by_key([review.record_key_l, review.record_key_r])
    left, right = records.get(review.record_key_l), records.get(review.record_key_r)
    if left is None or right is None:
        raise Http404("A record of this pair is no longer held")
    _open_records(request, [left, right], f"link review {review.id}")
    form = LinkDecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        same = form.cleaned_data["same_person"] == "yes"
        try:
            do_decide_link(
                _actor(request),
                key_a=left.key,
                key_b=right.key,
                same_person=same,
                reason=form.cleaned_data["reason"],
            )
        except ValueError as exc:
            form.add_error(None, str(exc))
        else:
            verdict = "the same person" if same else "not the same person"
            messages.success(
                request,
                f"Recorded: {left.key} and {right.key} are {verdict}. The next linkage run will follow this.",
            )
            return redirect("web:link_reviews")
    explanation = explain_pairs([(left.key, right.key)]).get((review.record_key_l, review.record_key_r))
    return render(
        request,
        "web/intelligence/link_review.html",
        {
            "review": review,
            "left": left,
            "right": right,
            "fields": _side_by_side(left, right),
            "chart": waterfall(explanation, "match-weights") if explanation else None,
            "form": form,
        },
    )


# --- a person's linkage --------------------------------------------------------------------------


@cap_required(*VIEW_PEOPLE)
def person_linkage(request: HttpRequest, person_id: str) -> HttpResponse:
    """Which agency records were joined into this person, and why: a waterfall for each link that
    joins them, the records no scored link joins, and the human decisions about them."""
    root = people.resolve_person_id(person_id)
    if root != person_id:
        return redirect("web:person_linkage", person_id=root)
    record = people.get_person(request.user, root, purpose="see how records were linked")
    keys = [r.key for r in record.records]
    links, unjoined = joining_links(keys)
    by_key = {r.key: r for r in record.records}
    charts = [
        {
            "left": by_key.get(link.record_key_l),
            "right": by_key.get(link.record_key_r),
            "chart": waterfall(link, f"link-{i}"),
        }
        for i, link in enumerate(links, start=1)
    ]
    return render(
        request,
        "web/intelligence/person_linkage.html",
        {
            "person": record.person,
            "records": record.records,
            "links": charts,
            "unjoined": [by_key[k] for k in unjoined if k in by_key],
            "decisions": list(link_decisions_for(keys)),
            "explained": bool(links) or not record.records or len(record.records) == 1,
            "can_review": can(request.user.role, Cap.MERGE_PEOPLE),  # type: ignore[union-attr]
        },
    )
