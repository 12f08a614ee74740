"""Case-work pages through Django's test client: permissions (403 with break-glass for an outsider),
forms that keep what was typed, ledgered reads, and each page doing its job through the services."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Callable
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sightline.access.services import actor_for
from sightline.cases import services
from sightline.cases.models import (
    Concern,
    InvestigationPerson,
    MissingEpisode,
    Placement,
    Plan,
    PlanAction,
    ReturnInterview,
    Screening,
    SelfReferral,
    SuspectStatus,
    TriageDecision,
)
from sightline.ledger.models import Entry
from sightline.ledger.services import SYSTEM, integrate
from sightline.people.models import Person
from sightline.people.services import do_break_glass
from sightline.web.charts import Series, Threshold, bar_chart, line_chart, nice_ticks
from sightline.web.forms import STALE
from tests.factories import known_child, person

pytestmark = pytest.mark.django_db


def signed_in(login: Callable[..., Any], user: Any) -> Client:
    client = Client()
    login(client, user)
    return client


def entries(**filters: Any) -> list[Entry]:
    integrate()
    return list(Entry.objects.filter(**filters).order_by("index"))


def html(response: Any) -> str:
    return response.content.decode()


def date_parts(name: str, day: dt.date) -> dict[str, str]:
    return {f"{name}_0": str(day.day), f"{name}_1": str(day.month), f"{name}_2": str(day.year)}


YESTERDAY = timezone.localdate() - dt.timedelta(days=1)
LAST_WEEK = timezone.localdate() - dt.timedelta(days=7)


@pytest.fixture
def people(make_user: Callable[..., Any]) -> dict[str, Any]:
    child = known_child("police")
    return {
        "child": child,
        "pc": make_user("practitioner", "police", username="pc"),
        "teacher": make_user("practitioner", "education", username="teacher"),
        "coord": make_user("cse_coordinator", "mash", username="coord"),
        "mgr_out": make_user("manager", "health", username="mgr-health"),
        "analyst": make_user("analyst", "police", username="analyst"),
        "board": make_user("board_member", "mash", username="board"),
        "admin": make_user("sysadmin", "sightline_ops", username="admin"),
    }


def concern_for(child: Person, actor: Any = None, **kw: Any) -> Concern:
    values = {
        "what_was_seen": "Seen getting into a car with two older men",
        "occurred_at": kw.get("now", timezone.now()) - dt.timedelta(days=1),
        "urgency": "urgent",
    }
    values.update(kw)
    return services.do_raise_concern(actor=actor_for(actor), person_id=child.id, **values)


# --- permissions ---------------------------------------------------------------------------------


def test_outsider_gets_403_with_break_glass_and_the_refusal_is_ledgered(
    people: dict[str, Any], login: Callable[..., Any]
) -> None:
    child, teacher = people["child"], people["teacher"]
    client = signed_in(login, teacher)
    response = client.get(f"/people/{child.id}")
    assert response.status_code == 403
    page = html(response)
    assert "Kayleigh" not in page  # nothing of the record leaks
    assert f"/people/{child.id}/break-glass?next=" in page
    denied = entries(action="read_denied", object_id=child.id, actor_user="teacher")
    assert len(denied) == 1

    # The same refusal on every page that shows or writes about the child.
    for url in [
        f"/people/{child.id}/chronology",
        f"/people/{child.id}/episodes/new",
        f"/people/{child.id}/plans/new",
        f"/people/{child.id}/placements/new",
    ]:
        assert client.get(url).status_code == 403, url
    # A concern can still be raised, blind: the form names no one.
    concern_form = client.get(f"/people/{child.id}/concerns/new")
    assert concern_form.status_code == 200 and "Kayleigh" not in html(concern_form)

    do_break_glass(
        teacher, person_id=child.id, reason="Child disclosed at school today and may be at risk tonight"
    )
    response = client.get(f"/people/{child.id}")
    assert response.status_code == 200
    reads = entries(action="read", object_id=child.id, actor_user="teacher")
    assert json.loads(bytes(reads[-1].canonical))["data"]["basis"] == "break_glass"


def test_outsider_pages_about_case_objects_are_refused(
    people: dict[str, Any], login: Callable[..., Any]
) -> None:
    child = people["child"]
    concern = concern_for(child, people["pc"])
    episode = services.do_record_missing_episode(
        actor=SYSTEM, person_id=child.id, category="M", started_at=timezone.now() - dt.timedelta(hours=5)
    )
    client = signed_in(login, people["teacher"])
    assert client.get(f"/concerns/{concern.id}").status_code == 403
    assert client.get(f"/episodes/{episode.id}").status_code == 403
    # A manager outside the child's agencies may screen and triage, but not this child without break-glass.
    manager = signed_in(login, people["mgr_out"])
    assert manager.get(f"/people/{child.id}/screenings/new").status_code == 403
    assert manager.get(f"/concerns/{concern.id}/triage").status_code == 403


def test_roles_without_the_capability_are_refused(people: dict[str, Any], login: Callable[..., Any]) -> None:
    child = people["child"]
    pc = signed_in(login, people["pc"])
    assert pc.get("/triage").status_code == 403  # practitioners do not triage
    assert pc.get(f"/people/{child.id}/screenings/new").status_code == 403
    assert pc.get("/investigations").status_code == 403
    board = signed_in(login, people["board"])
    for url in ["/people/search", f"/people/{child.id}", "/concerns/start", "/triage"]:
        assert board.get(url).status_code == 403, url
    admin = signed_in(login, people["admin"])
    assert admin.get(f"/people/{child.id}").status_code == 403
    anonymous = Client().get(f"/people/{child.id}")
    assert anonymous.status_code == 302 and anonymous["Location"].startswith("/sign-in")


def test_reading_the_record_writes_a_ledger_entry(people: dict[str, Any], login: Callable[..., Any]) -> None:
    child = people["child"]
    client = signed_in(login, people["pc"])
    before = len(entries(action="read", object_id=child.id))
    response = client.get(f"/people/{child.id}")
    assert response.status_code == 200
    reads = entries(action="read", object_id=child.id, actor_user="pc")
    assert len(reads) == before + 1
    data = json.loads(bytes(reads[-1].canonical))["data"]
    assert data["basis"] == "agency" and data["purpose"] == "child record"
    client.get(f"/people/{child.id}/chronology")
    assert entries(action="read", object_id=child.id, actor_user="pc")[-1].reason == "chronology"


# --- raise a concern -----------------------------------------------------------------------------


def test_concern_form_errors_keep_everything_typed(people: dict[str, Any], login: Callable[..., Any]) -> None:
    child = people["child"]
    client = signed_in(login, people["pc"])
    url = f"/people/{child.id}/concerns/new"
    assert client.get(url).status_code == 200
    response = client.post(
        url,
        {
            "what_was_seen": "Seen with <b>older</b> men at the bus station",
            "occurred_on_0": "31",
            "occurred_on_1": "2",
            "occurred_on_2": "2026",
            "occurred_time": "25:99",
            "place": "Bus station",
            "moderate": ["M03", "M10"],
            "other_1_person": "Daz Smith",
            "other_1_role": "",
        },
    )
    assert response.status_code == 200
    page = html(response)
    assert "<title>Error: " in page
    assert 'class="govuk-error-summary"' in page
    assert '<a href="#id_occurred_on_0">When did it happen? must be a real date</a>' in page
    assert '<a href="#id_urgency_0">Select how urgent it is</a>' in page
    assert '<a href="#id_other_1_role">Select how person 1 was involved</a>' in page
    assert "Enter time (optional) as a real time" in page
    # What was typed comes back, escaped, with the ticks still ticked.
    assert "Seen with &lt;b&gt;older&lt;/b&gt; men at the bus station" in page
    assert 'value="Bus station"' in page
    assert 'value="Daz Smith"' in page
    assert 'value="31"' in page and 'value="25:99"' in page
    assert re.search(r'value="M03" checked', page) and re.search(r'value="M10" checked', page)
    assert not re.search(r'value="M01" checked', page)
    assert Concern.objects.count() == 0


def test_raising_a_concern_queues_it_for_triage(people: dict[str, Any], login: Callable[..., Any]) -> None:
    child = people["child"]
    client = signed_in(login, people["pc"])
    response = client.post(
        f"/people/{child.id}/concerns/new",
        {
            "what_was_seen": "Picked up from school by an unknown adult in a taxi",
            **date_parts("occurred_on", YESTERDAY),
            "occurred_time": "15:30",
            "urgency": "urgent",
            "significant": ["S03"],
            "other_1_person": "Daz Smith",
            "other_1_role": "suspect",
        },
    )
    concern = Concern.objects.get()
    assert response.status_code == 302 and response["Location"] == f"/concerns/{concern.id}"
    assert concern.person_id == child.id and concern.indicators == ["S03"]
    assert timezone.localtime(concern.occurred_at).time() == dt.time(15, 30)
    other = concern.others.get()
    assert other.role == "suspect" and other.person.given_name == "Daz"
    assert entries(action="create", object_type="cases.concern", object_id=concern.id)
    page = html(client.get(response["Location"]))
    assert "Concern " + concern.id + " raised" in page  # the success banner
    assert "Picked up from school" in page


def test_concern_about_a_child_sightline_does_not_know(
    people: dict[str, Any], login: Callable[..., Any]
) -> None:
    client = signed_in(login, people["teacher"])
    response = client.post(
        "/concerns/new",
        {
            "child-given_name": "Chantelle",
            "child-family_name": "Hurst",
            "child-estimated_age": "14",
            "what_was_seen": "Told a friend she is paid to go to parties",
            **date_parts("occurred_on", YESTERDAY),
            "urgency": "standard",
        },
    )
    assert response.status_code == 302
    concern = Concern.objects.get()
    assert concern.person.given_name == "Chantelle" and concern.agency_id == "education"
    # Raising the concern made the school involved: the teacher can now open her record.
    assert client.get(f"/people/{concern.person_id}").status_code == 200

    missing = client.post("/concerns/new", {"what_was_seen": "x", "urgency": "urgent"})
    assert "Enter the child&#x27;s name, or their date of birth or age" in html(missing)


# --- triage --------------------------------------------------------------------------------------


def test_triage_queue_highlights_overdue_and_decisions_need_reasons(
    people: dict[str, Any], login: Callable[..., Any]
) -> None:
    child = people["child"]
    old = concern_for(child, people["pc"], now=timezone.now() - dt.timedelta(hours=30))
    fresh = concern_for(child, people["pc"], urgency="standard")
    client = signed_in(login, people["coord"])
    page = html(client.get("/triage"))
    assert "1 concern is overdue for triage" in page
    assert page.index(old.id) < page.index(fresh.id)  # overdue first
    assert page.count('<strong class="govuk-tag govuk-tag--red">Overdue</strong>') == 1

    url = f"/concerns/{old.id}/triage"
    response = client.post(url, {"decision": "no_further_action", "reason": "", "version": old.version})
    page = html(response)
    assert response.status_code == 200
    assert '<a href="#id_reason">Say why no further action is needed</a>' in page
    assert 'value="no_further_action" checked' in page
    assert TriageDecision.objects.count() == 0

    response = client.post(
        url, {"decision": "screening", "reason": "Needs a screening", "version": old.version}
    )
    assert response.status_code == 302
    assert response["Location"] == f"/people/{child.id}/screenings/new?concern={old.id}"
    old.refresh_from_db()
    assert old.status == "triaged" and old.decision == "screening"

    # A stale form (someone else decided meanwhile) is refused without losing the input.
    stale = client.post(url, {"decision": "advice", "reason": "Advice to school", "version": 1})
    assert STALE in html(stale) and "Advice to school" in html(stale)


# --- screening -----------------------------------------------------------------------------------


def test_screening_calculates_saves_and_override_needs_a_reason(
    people: dict[str, Any], login: Callable[..., Any]
) -> None:
    child = people["child"]
    client = signed_in(login, people["coord"])
    url = f"/people/{child.id}/screenings/new"
    ticks = {"V01_current": "on", "V02_earlier": "on", "M03_current": "on", "S01_current": "on"}
    page = html(client.post(url, {**ticks, "action": "calculate"}))
    assert "Score 8" in page and "Mild risk" in page  # 1 + 1 + 1 + 5
    assert 'id="id_S01_current" name="S01_current" type="checkbox" value="on" checked' in page
    assert Screening.objects.count() == 0

    response = client.post(url, {**ticks, "override_band": "significant", "action": "save"})
    page = html(response)
    assert response.status_code == 200
    assert '<a href="#id_override_reason">Say why your judgement differs from the score</a>' in page
    assert 'value="significant" checked' in page and "checked" in page

    response = client.post(
        url,
        {
            **ticks,
            "override_band": "significant",
            "override_reason": "Found in an adult's flat",
            "action": "save",
        },
    )
    assert response.status_code == 302 and response["Location"] == f"/people/{child.id}#screenings"
    screening = Screening.objects.get()
    assert (screening.score, screening.computed_band, screening.band) == (8, "mild", "significant")

    record = html(client.get(f"/people/{child.id}"))
    assert 'role="img"' in record and "Screening scores over time" in record
    assert 'id="screening-scores-table"' in record  # the chart's table alternative
    assert "Overridden from mild risk: Found in an adult&#x27;s flat" in record


# --- missing episodes, return interviews, re-screen ----------------------------------------------


def test_episode_and_return_interview_then_rescreen_is_due(
    people: dict[str, Any], login: Callable[..., Any]
) -> None:
    child = people["child"]

    services.do_complete_screening(
        actor=actor_for(people["coord"]),
        person_id=child.id,
        answers={"V01": {"current": True}},
        now=timezone.now() - dt.timedelta(days=10),
    )
    client = signed_in(login, people["coord"])
    url = f"/people/{child.id}/episodes/new"
    bad = client.post(url, {"category": "M", "started_time": "22:15", "notes": "Ran from placement"})
    page = html(bad)
    assert '<a href="#id_started_on_0">Enter the date they went missing or absent</a>' in page
    assert 'value="M" checked' in page and 'value="22:15"' in page and "Ran from placement" in page

    response = client.post(
        url,
        {"category": "M", **date_parts("started_on", LAST_WEEK), "started_time": "22:15", "notes": "Ran"},
    )
    episode = MissingEpisode.objects.get()
    assert response["Location"] == f"/episodes/{episode.id}"
    ended = client.post(
        f"/episodes/{episode.id}/return",
        {**date_parts("ended_on", LAST_WEEK + dt.timedelta(days=1)), "ended_time": "09:00", "version": "1"},
    )
    assert ended.status_code == 302
    early = client.post(
        f"/episodes/{episode.id}/interviews/new",
        {**date_parts("offered_on", LAST_WEEK), "offered_time": "08:00"},
    )
    assert "The offer must be after the return" in html(early)  # the service's rule, on the field
    assert 'id="id_offered_on_0"' in html(early)
    response = client.post(
        f"/episodes/{episode.id}/interviews/new",
        {
            **date_parts("offered_on", LAST_WEEK + dt.timedelta(days=2)),
            "offered_time": "10:00",
            "response": "accepted",
            **date_parts("held_on", LAST_WEEK + dt.timedelta(days=3)),
            "held_time": "16:00",
            "outcome": "Said she stayed with an older friend",
        },
    )
    assert response.status_code == 302
    interview = ReturnInterview.objects.get()
    assert interview.response == "accepted" and interview.outcome.startswith("Said she")
    page = html(client.get(f"/episodes/{episode.id}"))
    assert "Offered within 72 hours" in page
    stale = client.post(f"/interviews/{interview.id}", {"response": "declined", "version": "1"})
    assert STALE in html(stale)
    updated = client.post(
        f"/interviews/{interview.id}",
        {"response": "accepted", "outcome": "Named the older friend", "version": str(interview.version)},
    )
    assert updated["Location"] == f"/episodes/{episode.id}"
    interview.refresh_from_db()
    assert interview.outcome == "Named the older friend"

    record = html(client.get(f"/people/{child.id}"))
    assert "A new screening is due." in record
    assert "Missing episode on" in record
    dashboard = html(client.get("/"))
    assert "Re-screens due" in dashboard and "Screen again: missing episode on" in dashboard


# --- chronology and ledger entries ---------------------------------------------------------------


def test_chronology_filters_and_links_each_line_to_its_ledger_entry(
    people: dict[str, Any], login: Callable[..., Any]
) -> None:
    child, other = people["child"], known_child("police", given="Other", family="Child")
    concern_for(child, people["pc"])
    services.do_record_missing_episode(
        actor=SYSTEM, person_id=child.id, category="A", started_at=timezone.now() - dt.timedelta(days=2)
    )
    concern_for(other, people["pc"])
    client = signed_in(login, people["coord"])
    page = html(client.get(f"/people/{child.id}/chronology"))
    assert page.index("Concern raised (urgent)") < page.index("Absent without authorisation")  # newest first
    links = re.findall(rf'href="/people/{child.id}/ledger/(\d+)"', page)
    assert len(links) >= 2
    assert 'media="print"' in page and "sightline-no-print" in page

    filtered = html(client.get(f"/people/{child.id}/chronology?kind=absent"))
    assert "Absent without authorisation" in filtered and "Concern raised (urgent)" not in filtered
    by_agency = html(client.get(f"/people/{child.id}/chronology?agency=police"))
    assert "Concern raised (urgent)" in by_agency and "Absent without authorisation" not in by_agency

    entry_page = client.get(f"/people/{child.id}/ledger/{links[0]}")
    assert entry_page.status_code == 200
    assert "Ledger entry #" in html(entry_page) and "Leaf hash" in html(entry_page)
    # An entry about someone else is not shown through this child's record.
    other_entry = entries(object_type="cases.concern", object_id=Concern.objects.get(person=other).id)[0]
    assert client.get(f"/people/{child.id}/ledger/{other_entry.index}").status_code == 404


# --- search --------------------------------------------------------------------------------------


def test_search_finds_misspelt_names_and_hides_people_outside_access(
    people: dict[str, Any], login: Callable[..., Any]
) -> None:
    child = people["child"]
    coord = signed_in(login, people["coord"])
    page = html(coord.get("/people/search", {"name": "Caleigh Brooks"}))
    assert f'href="/people/{child.id}"' in page and "Kayleigh" in page
    assert entries(action="search", actor_user="coord")

    teacher = signed_in(login, people["teacher"])
    page = html(teacher.get("/people/search", {"name": "Kayleigh Brookes"}))
    assert "Kayleigh" not in page.split('id="results"')[1]  # restricted: id only
    assert f"/people/{child.id}/break-glass" in page

    empty = teacher.get("/people/search", {"name": "", "postcode": ""})
    assert "Enter a name, date of birth, postcode or identifier" in html(empty)

    concern_search = html(coord.get("/people/search", {"name": "Kayleigh", "for": "concern"}))
    assert f"/people/{child.id}/concerns/new" in concern_search


# --- plans, placements, investigations -----------------------------------------------------------


def test_plan_actions_show_overdue_and_placements_are_recorded(
    people: dict[str, Any], login: Callable[..., Any]
) -> None:
    child = people["child"]
    client = signed_in(login, people["pc"])
    response = client.post(
        f"/people/{child.id}/plans/new",
        {"title": "Safety plan", **date_parts("review_due_on", timezone.localdate() + dt.timedelta(days=28))},
    )
    plan_url = response["Location"]
    plan_id = plan_url.rsplit("/", 1)[1]
    bad = client.post(
        f"/plans/{plan_id}/actions/new", {"description": "Visit weekly", "owner_agency": "police"}
    )
    assert '<a href="#id_due_on_0">Enter the due date</a>' in html(bad) and "Visit weekly" in html(bad)
    client.post(
        f"/plans/{plan_id}/actions/new",
        {"description": "Visit weekly", "owner_agency": "police", **date_parts("due_on", LAST_WEEK)},
    )
    action = PlanAction.objects.get()
    page = html(client.get(plan_url))
    assert "Visit weekly" in page and "(1 overdue)" in page
    cancel = client.post(f"/actions/{action.id}", {"status": "cancelled", "version": action.version})
    assert "Say why the action is cancelled" in html(cancel)
    done = client.post(f"/actions/{action.id}", {"status": "done", "version": action.version})
    assert done["Location"] == plan_url
    action.refresh_from_db()
    assert (action.status, action.version) == ("done", 2)
    early = client.post(
        f"/plans/{plan_id}/review",
        {
            "summary": "Going well",
            **date_parts("next_review_on", timezone.localdate() - dt.timedelta(days=3)),
        },
    )
    assert "The next review must be after this one" in html(early) and "Going well" in html(early)
    next_review = timezone.localdate() + dt.timedelta(days=60)
    reviewed = client.post(
        f"/plans/{plan_id}/review", {"summary": "Going well", **date_parts("next_review_on", next_review)}
    )
    assert reviewed["Location"] == plan_url
    assert Plan.objects.get().review_due_on == next_review

    response = client.post(
        f"/people/{child.id}/placements/new",
        {
            "placement_type": "childrens_home",
            **date_parts("started_on", LAST_WEEK),
            "in_area": "yes",
            "placing_authority": "Another Council",
        },
    )
    assert response.status_code == 302
    assert Placement.objects.get().placing_authority == "Another Council"
    assert "Placed by another council" in html(client.get(f"/people/{child.id}"))


def test_investigation_links_people_and_records_suspect_status(
    people: dict[str, Any], login: Callable[..., Any]
) -> None:
    child = people["child"]
    suspect = person("adult", given_name="Darren", family_name="Smith")
    client = signed_in(login, people["analyst"])
    response = client.post(
        "/investigations/new", {"operation_name": "Operation Lantern", **date_parts("opened_on", LAST_WEEK)}
    )
    inv_url = response["Location"]
    inv_id = inv_url.rsplit("/", 1)[1]
    client.post(f"/investigations/{inv_id}/people", {"person": child.id, "role": "victim"})
    client.post(f"/investigations/{inv_id}/people", {"person": suspect.id.lower(), "role": "suspect"})
    assert InvestigationPerson.objects.filter(investigation_id=inv_id).count() == 2
    bad = client.post(
        f"/investigations/{inv_id}/suspect-status",
        {"person": suspect.id, "status": "bail", **date_parts("effective_on", YESTERDAY)},
    )
    page = html(bad)
    assert '<a href="#id_bail_conditions">Enter the bail conditions</a>' in page
    assert f'value="{suspect.id}" selected' in page
    client.post(
        f"/investigations/{inv_id}/suspect-status",
        {
            "person": suspect.id,
            "status": "bail",
            **date_parts("effective_on", YESTERDAY),
            "bail_conditions": "No contact with the victim",
            **date_parts("bail_end_on", timezone.localdate() + dt.timedelta(days=30)),
        },
    )
    assert SuspectStatus.objects.get().status == "bail"
    page = html(client.get(inv_url))
    assert "Operation Lantern" in page and "Darren Smith" in page and "No contact with the victim" in page
    # A practitioner cannot see investigations at all; an outsider manager is refused the named people.
    assert signed_in(login, people["pc"]).get(inv_url).status_code == 403
    assert signed_in(login, people["mgr_out"]).get(inv_url).status_code == 403


# --- dashboard -----------------------------------------------------------------------------------


def test_dashboard_panels_for_case_roles_only(people: dict[str, Any], login: Callable[..., Any]) -> None:
    concern_for(people["child"], people["pc"], now=timezone.now() - dt.timedelta(hours=30))
    coord = html(signed_in(login, people["coord"]).get("/"))
    for heading in ("Your tasks", "Overdue case work", "New concerns", "Re-screens due"):
        assert f">{heading}</h2>" in coord
    assert "Triage urgent concern" in coord and "govuk-tag--red" in coord
    admin = html(signed_in(login, people["admin"]).get("/"))
    assert "Your tasks" not in admin and "Kayleigh" not in admin


# --- charts --------------------------------------------------------------------------------------


def test_line_chart_is_accessible_svg_with_a_table_alternative() -> None:
    chart = line_chart(
        chart_id="c1",
        title="Scores <over> time",
        x_label="Date",
        y_label="Score",
        series=[Series("Score", [(dt.date(2026, 1, 5), 7), (dt.date(2026, 3, 1), 17)])],
        thresholds=[Threshold(6, "Mild"), Threshold(16, "Significant")],
    )
    out = str(chart)
    assert out.startswith('<figure class="sightline-chart" id="c1">')
    assert 'role="img" aria-labelledby="c1-title c1-desc"' in out
    assert '<title id="c1-title">Scores &lt;over&gt; time</title>' in out
    assert "first 7, latest 17, highest 17" in chart.description
    assert "Mild at 6" in chart.description
    assert chart.headers == ("Date", "Score")
    assert chart.rows == (("5 Jan 2026", "7"), ("1 Mar 2026", "17"))
    assert "style=" not in out  # the CSP forbids inline style
    assert out.count("<polyline") == 1 and out.count("stroke-dasharray") == 2


def test_bar_chart_and_ticks() -> None:
    chart = bar_chart(
        chart_id="b",
        title="Referrals per week",
        x_label="Week",
        y_label="Referrals",
        series=[Series("Self", [("W1", 3), ("W2", 0)]), Series("Agency", [("W1", 5), ("W2", 2)])],
    )
    out = str(chart)
    assert out.count("<rect") >= 4 + 2  # background, bars, legend keys
    assert chart.rows == (("W1", "3", "5"), ("W2", "0", "2"))
    assert nice_ticks(0, 17) == [0, 5, 10, 15, 20]
    assert nice_ticks(0, 1) == [0, 0.2, 0.4, 0.6, 0.8, 1.0]


# --- corrections by hand -------------------------------------------------------------------------


def test_edit_merge_and_unmerge_by_hand(people: dict[str, Any], login: Callable[..., Any]) -> None:
    child = people["child"]
    duplicate = known_child("health", given="Kayley", family="Brooks")
    coord = signed_in(login, people["coord"])

    bad = coord.post(
        f"/people/{child.id}/edit",
        {
            "kind": "child",
            "given_name": "Kayleigh",
            "postcode": "not a postcode",
            "reason": "",
            "version": "1",
        },
    )
    page = html(bad)
    assert '<a href="#id_reason">Enter why you are changing these details</a>' in page
    assert 'value="not a postcode"' in page
    bad = coord.post(
        f"/people/{child.id}/edit",
        {"kind": "child", "given_name": "Kayleigh", "postcode": "nope", "reason": "Moved", "version": "1"},
    )
    assert "is not a UK postcode" in html(bad)
    ok = coord.post(
        f"/people/{child.id}/edit",
        {
            "kind": "child",
            "given_name": "Kayleigh",
            "family_name": "Brookes",
            "other_names": "Kay",
            "date_of_birth": "2010-05-04",
            "postcode": "s65 2ab",
            "reason": "Moved to her aunt's",
            "version": "1",
        },
    )
    assert ok.status_code == 302
    child.refresh_from_db()
    assert child.postcode == "S65 2AB" and child.other_names == "Kay"
    assert entries(action="update", object_id=child.id)[-1].reason == "Moved to her aunt's"

    merged = coord.post(
        f"/people/{duplicate.id}/merge", {"target": child.id.lower(), "reason": "Same child, same school"}
    )
    assert merged.status_code == 302 and merged["Location"] == f"/people/{child.id}"
    page = html(coord.get(f"/people/{child.id}"))
    assert f"/people/{duplicate.id}/unmerge" in page and "Health" in page  # the merged-in record shows
    assert coord.get(f"/people/{duplicate.id}").status_code == 302  # the merged id leads to the survivor
    undone = coord.post(f"/people/{duplicate.id}/unmerge", {"reason": "Different children after all"})
    assert undone.status_code == 302
    duplicate.refresh_from_db()
    assert duplicate.status == "active" and duplicate.merged_into == ""
    # Practitioners may correct details of their agency's children, but never merge.
    pc = signed_in(login, people["pc"])
    assert pc.get(f"/people/{child.id}/edit").status_code == 200
    assert pc.get(f"/people/{child.id}/merge").status_code == 403


def test_linking_someone_outside_access_to_an_investigation_is_refused(
    make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    stranger = known_child("health", given="Una", family="Known")
    manager = make_user("manager", "police", username="mgr-police")
    client = signed_in(login, manager)
    inv = client.post(
        "/investigations/new", {"operation_name": "Operation Birch", **date_parts("opened_on", LAST_WEEK)}
    )["Location"]
    response = client.post(f"{inv}/people", {"person": stranger.id, "role": "victim"})
    assert response.status_code == 403
    assert f"/people/{stranger.id}/break-glass" in html(response)
    assert not InvestigationPerson.objects.exists()
    unknown = client.post(f"{inv}/people", {"person": "P-000000000000", "role": "victim"})
    assert "There is no person P-000000000000" in html(unknown)


def test_withdraw_close_end_and_self_referrals(
    people: dict[str, Any], make_user: Callable[..., Any], login: Callable[..., Any]
) -> None:
    child = people["child"]
    concern = concern_for(child, people["pc"])
    pc = signed_in(login, people["pc"])
    page = html(pc.post(f"/concerns/{concern.id}/withdraw", {"reason": ""}))
    assert '<a href="#id_reason">Enter a reason</a>' in page
    assert pc.post(f"/concerns/{concern.id}/withdraw", {"reason": "Wrong child"}).status_code == 302
    concern.refresh_from_db()
    assert concern.status == "withdrawn"
    # Another agency's practitioner may not withdraw it (the service's rule, shown on the form).
    other_pc = make_user("practitioner", "police", username="pc2")
    second = concern_for(child, people["coord"])
    refused = html(signed_in(login, other_pc).post(f"/concerns/{second.id}/withdraw", {"reason": "No"}))
    assert "Only the raising agency or a triage role may withdraw a concern" in refused

    me = actor_for(people["pc"])
    plan = services.do_create_plan(actor=me, person_id=child.id, title="Plan", review_due_on=YESTERDAY)
    assert pc.post(f"/plans/{plan.id}/close", {"reason": "Risk reduced"}).status_code == 302
    assert Plan.objects.get().status == "closed"
    placement = services.do_start_placement(
        actor=me,
        person_id=child.id,
        placement_type="foster",
        started_on=LAST_WEEK,
        in_area=True,
        placing_authority="Sightline Borough Council",
    )
    early = pc.post(
        f"/placements/{placement.id}/end",
        {**date_parts("ended_on", LAST_WEEK - dt.timedelta(days=3)), "end_reason": "Moved", "version": "1"},
    )
    assert "The end must be on or after the start" in html(early)
    done = pc.post(
        f"/placements/{placement.id}/end",
        {**date_parts("ended_on", YESTERDAY), "end_reason": "Moved to family", "version": "1"},
    )
    assert done.status_code == 302
    assert Placement.objects.get().ended_on == YESTERDAY

    analyst = signed_in(login, people["analyst"])
    inv = analyst.post(
        "/investigations/new", {"operation_name": "Operation Elm", **date_parts("opened_on", LAST_WEEK)}
    )["Location"]
    analyst.post(f"{inv}/came-forward", {**date_parts("received_on", YESTERDAY), "channel": "phone"})
    analyst.post(f"{inv}/came-forward", {**date_parts("received_on", YESTERDAY), "person": child.id})
    assert SelfReferral.objects.count() == 2
    assert '<dd class="govuk-summary-list__value">2</dd>' in html(analyst.get(inv))
    listing = html(analyst.get("/investigations"))
    assert 'id="self-referrals"' in listing and "Victims coming forward per week" in listing


def test_pages_about_objects_that_do_not_exist_are_404(
    people: dict[str, Any], login: Callable[..., Any]
) -> None:
    client = signed_in(login, people["coord"])
    for url in [
        "/concerns/CN-NONE",
        "/plans/PL-NONE",
        "/actions/PA-NONE",
        "/episodes/ME-NONE/return",
        "/interviews/RI-NONE",
        "/placements/PC-NONE/end",
    ]:
        assert client.get(url).status_code == 404, url
