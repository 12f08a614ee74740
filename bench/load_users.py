"""Who the load run's simulated people are and what they do (locust user classes; bench/load_run.py
runs them).

Each signs in once as a demo account (password, then the demo-mode code 000000) and then works:
searches for a child by name, opens a child's record from the results, reads the chronology, looks
at the alerts (multi-agency roles only), and raises a concern about a child (the form, then the post).
A task is one or two requests, each recorded under the action's name.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import Any
from urllib.parse import urlencode

from load_report import CHILD, PERSON, csrf_token, page_errors
from locust import between, task
from locust.contrib.fasthttp import FastHttpUser

DEMO_PASSWORD = "sightline-demo-only-2026"  # noqa: S105 - printed by `sightline demo` for all to use
DEMO_CODE = "000000"
FORM = {"Content-Type": "application/x-www-form-urlencoded"}
SIGN_IN = "sign in"

# People signed in so far (the runner starts its clock once everyone has).
signed_in = [0]
# Names to search for; bench/load_run.py fills this from the town's own records.
NAMES: list[str] = ["Smith", "Jones", "Khan", "Brown", "Taylor", "Akhtar", "Walker", "Young"]


class Practitioner(FastHttpUser):
    """A front-line worker of one agency: sees their agency's children (need to know)."""

    abstract = False
    weight = 3
    accounts = ("demo-practitioner", "demo-police", "demo-school-dsl")
    wait_time = between(1, 5)
    _next = 0

    def on_start(self) -> None:
        cls = type(self)
        username = cls.accounts[cls._next % len(cls.accounts)]
        cls._next += 1
        self.people: list[str] = []
        self.children: list[str] = []
        page = self.client.get("/sign-in", name=SIGN_IN)
        form = {"csrfmiddlewaretoken": csrf_token(page.text), "username": username, "password": DEMO_PASSWORD}
        code_page = self.client.post("/sign-in", data=urlencode(form), headers=FORM, name=SIGN_IN)
        if "/sign-in/security-code" in str(code_page.url) or 'name="code"' in code_page.text:
            form = {"csrfmiddlewaretoken": csrf_token(code_page.text), "code": DEMO_CODE}
            home = self.client.post(
                "/sign-in/security-code", data=urlencode(form), headers=FORM, name=SIGN_IN
            )
            if 'name="code"' in home.text:
                raise RuntimeError(f"{username}: the demo code was refused (is SIGHTLINE_DEMO=1 set?)")
        signed_in[0] += 1

    def _person(self) -> str | None:
        if not self.people:
            self.search()
        return random.choice(self.people) if self.people else None

    @task(4)
    def search(self) -> None:
        name = random.choice(NAMES)
        page = self.client.get(f"/people/search?{urlencode({'name': name})}", name="search")
        found = PERSON.findall(page.text or "")
        if found:
            self.people = sorted(set(found))[:20]
            self.children = sorted(set(CHILD.findall(page.text or "")))[:20] or self.children

    @task(3)
    def child_record(self) -> None:
        person = self._person()
        if person:
            self.client.get(f"/people/{person}", name="child record")

    @task(2)
    def chronology(self) -> None:
        person = self._person()
        if person:
            self.client.get(f"/people/{person}/chronology", name="chronology")

    @task(1)
    def raise_concern(self) -> None:
        if not self.children:
            self.search()
        if not self.children:
            return
        person = random.choice(self.children)
        url = f"/people/{person}/concerns/new"
        page = self.client.get(url, name="raise a concern (form)")
        day = dt.date.today() - dt.timedelta(days=1)
        form: dict[str, Any] = {
            "csrfmiddlewaretoken": csrf_token(page.text),
            "what_was_seen": "Seen getting into a car with two older men outside school (load test).",
            "occurred_on_0": day.day,
            "occurred_on_1": day.month,
            "occurred_on_2": day.year,
            "urgency": "standard",
        }
        with self.client.post(
            url,
            data=urlencode(form),
            headers=FORM,
            name="raise a concern (post)",
            allow_redirects=False,
            catch_response=True,
        ) as response:
            if response.status_code != 302:
                errors = page_errors(response.text or "")
                response.failure(
                    f"the concern was not accepted ({response.status_code}: {'; '.join(errors)})"
                )


class MultiAgencyWorker(Practitioner):
    """A hub coordinator or analyst: sees everyone, and the alerts."""

    weight = 2
    accounts = ("demo-coordinator", "demo-analyst")
    _next = 0

    @task(1)
    def alerts(self) -> None:
        self.client.get("/intelligence/alerts", name="alerts")
