"""The screening page: calculate the score from the indicator set, then save it, with the screener's
judgement where it differs."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from sightline.access.decorators import cap_required
from sightline.access.permissions import Cap
from sightline.cases import screening as tool
from sightline.cases import selectors as cases
from sightline.cases import services
from sightline.people import selectors as people
from sightline.web.forms import STALE, submit_service
from sightline.web.forms_cases import ScreeningForm
from sightline.web.views.cases.common import actor, person_url


@cap_required(Cap.SCREEN)
def screening_new(request: HttpRequest, person_id: str) -> HttpResponse:
    """The screening form, starting from the indicators ticked on the concerns behind it. "Calculate
    the score" shows the score and band from the indicator set; "Save" records it. The band can be
    overridden with a reason: the score supports judgement."""
    history = cases.screening_history(request.user, person_id)  # need to know, ledgered
    root = people.resolve_person_id(person_id)
    child = people.person_record(root).person
    concern_id = request.GET.get("concern", "")
    prefill = cases.screening_prefill(request.user, root, concern_id=concern_id)
    initial: dict[str, object] = {"concern": concern_id}
    for code, ticks in prefill.answers.items():
        initial |= {f"{code}_{when}": True for when, ticked in ticks.items() if ticked}
    form = ScreeningForm(request.POST or None, initial=initial)
    result = None
    if request.method == "POST" and form.is_valid():
        indicator_set = form.indicator_set
        result = tool.score_answers(indicator_set, tool.parse_answers(indicator_set, form.answers()))
        if request.POST.get("action") == "save":
            cd = form.cleaned_data
            ok, screening = submit_service(
                form,
                lambda: services.do_complete_screening(
                    actor(request),
                    person_id=root,
                    answers=form.answers(),
                    override_band=cd.get("override_band", ""),
                    override_reason=cd.get("override_reason", ""),
                    notes=cd.get("notes", ""),
                    concern_id=cd.get("concern") or None,
                ),
                stale_message=STALE,
            )
            if ok:
                labels = {b.key: b.label for b in indicator_set.bands}
                messages.success(
                    request,
                    f"Screening saved: score {screening.score}, "
                    f"{labels.get(screening.band, screening.band).lower()}. "
                    f"Screen again by {screening.next_due_on:%-d %B %Y}.",
                )
                return redirect(person_url(root, "screenings"))
    return render(
        request,
        "web/cases/screening_new.html",
        {
            "form": form,
            "child": child,
            "result": result,
            "last": history[0] if history else None,
            "prefill": prefill,
            "indicator_set": form.indicator_set,
        },
    )
