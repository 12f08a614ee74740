"""The data steps of ``sightline demo``: generate a town dated to end this week, import it, link,
analyse, load the sample plan part way through, and write the months of case work behind today."""

from __future__ import annotations

import argparse
import datetime as dt
import json
import random
import sys
from collections.abc import Callable
from pathlib import Path

from django.conf import settings
from django.utils import timezone

from sightline.accountability.models import Recommendation
from sightline.accountability.services import do_import_plan
from sightline.accountability.services.plan_import import sample_plan_path
from sightline.cases.models import Concern
from sightline.core.progress import Bar
from sightline.demo.alert_months import analyse_month
from sightline.demo.casework import history_start, write_casework
from sightline.demo.dates import demo_dates, redated_plan
from sightline.demo.delivery import deliver_plan
from sightline.demo.monthly import monthly_extracts
from sightline.demo.outreach import step_outreach
from sightline.demo.police import write_police_work
from sightline.demo.sharing import step_sharing
from sightline.demo.staff import demo_staff, town_children
from sightline.extracts import services
from sightline.intelligence.services import do_analyse
from sightline.ledger.services import SYSTEM
from sightline.people.linkage.run import do_link
from sightline.synthetic import generate_town

SAMPLE_PLAN = "rotherham-2014"


def town_dir(children: int, seed: int) -> Path:
    return Path(settings.HOME) / f"town-{children}-{seed}"


def step_generate(args: argparse.Namespace) -> None:

    out = town_dir(args.children, args.seed)
    if (out / "truth" / "summary.json").exists():
        period = json.loads((out / "truth" / "summary.json").read_text(encoding="utf-8"))["parameters"]
        print(f"      using the town already in {out} ({period['period_start']} to {period['period_end']})")
        return
    ends_on = demo_dates(timezone.localdate()).town_ends_on
    bars = Bar.stages("town", True)
    try:
        summary = generate_town(out, args.children, args.seed, bars, ends_on=ends_on)
    finally:
        bars.close()
    print(
        f"      {summary.children} children, {summary.adults} adults, "
        f"{len(summary.extracts)} agency extracts in {out}, their story ending {ends_on:%-d %B %Y}"
    )


def step_import(args: argparse.Namespace) -> None:

    now = timezone.now()
    slices = sorted(
        monthly_extracts(town_dir(args.children, args.seed), history_start(now.date()), now),
        key=lambda piece: piece.received_at,
    )
    year_ago = now - dt.timedelta(days=365)
    rng = random.Random(args.seed)
    bar = Bar("extracts", enabled=True)
    bar.begin("extracts", len(slices))
    imported = unchanged = analyses = reviewed = 0
    for i, piece in enumerate(slices):
        result = services.do_import_extract(piece.folder, now=piece.received_at)
        for problem in result.problems:
            print(f"{piece.folder.name}: {problem}", file=sys.stderr)
        imported += result.status != "unchanged"
        unchanged += result.status == "unchanged"
        bar.update(1)
        # At the end of each of the last twelve months the hub linked and analysed what had arrived.
        later = slices[i + 1].received_at if i + 1 < len(slices) else now
        month = (piece.received_at.year, piece.received_at.month)
        when = piece.received_at + dt.timedelta(hours=2)
        if year_ago <= piece.received_at and month != (later.year, later.month) and when < now:
            reviewed += analyse_month(when, now, rng)
            analyses += 1
    bar.close()
    print(
        f"      {imported} extracts imported as the agencies sent them: everything up to "
        f"{history_start(now.date()):%B %Y} first, then one a month ({unchanged} already imported); "
        f"linked and analysed at {analyses} month ends, {reviewed} alerts reviewed then"
    )


def step_link(args: argparse.Namespace) -> None:

    bar = Bar.fractions("link", True)
    try:
        summary, _ = do_link(progress=bar)
    finally:
        bar.close()
    print(f"      {summary.summary()}")


def step_analyse(args: argparse.Namespace) -> None:

    bar = Bar.fractions("analyse", True)
    try:
        summary, _ = do_analyse(progress=bar)
    finally:
        bar.close()
    print(f"      {summary.summary()}")


def step_plan(args: argparse.Namespace) -> None:

    if Recommendation.objects.exists():
        print("      a response plan is already loaded")
        return
    today = timezone.localdate()
    path = sample_plan_path(SAMPLE_PLAN)
    content = redated_plan(path.read_bytes(), demo_dates(today))
    summary = do_import_plan(SYSTEM, content=content, name=path.name)
    print(
        f"      {summary.plan}: {summary.recommendations_created} recommendations, "
        f"{summary.actions_created} actions, every date moved so that today is its 19 January 2015"
    )
    delivery = deliver_plan(summary.plan, demo_staff(), today)
    print(f"      progress so far: {delivery.summary()}")


def step_casework(args: argparse.Namespace) -> None:

    if Concern.objects.exists():
        print("      case work is already recorded")
        return
    now = timezone.now()
    staff = demo_staff()
    at_risk, others = town_children(now.date())
    casework = write_casework(staff, at_risk, others, now, args.seed)
    print(f"      {casework.summary()}")
    police = write_police_work(staff, at_risk, now, args.seed, history_start(now.date()))
    print(f"      {police.summary()}")


STEPS: list[tuple[str, Callable[[argparse.Namespace], None]]] = [
    ("Generating a synthetic town", step_generate),
    ("Importing its agency extracts, month by month", step_import),
    ("Linking records into people", step_link),
    ("Analysing the network and raising alerts", step_analyse),
    ("Loading the sample 2014 response plan, part way through", step_plan),
    ("Starting outreach to the children at risk", step_outreach),
    ("Writing the months of case work behind today", step_casework),
    ("Recording sharing decisions and a section 47 enquiry", step_sharing),
]
