"""The data steps of ``sightline demo``: generate a town, import it, link, analyse, load the plan."""

from __future__ import annotations

import argparse
import sys
from collections.abc import Callable
from pathlib import Path

from django.conf import settings

from sightline.accountability.models import Recommendation
from sightline.accountability.services import do_import_sample_plan
from sightline.core.progress import Bar
from sightline.demo.outreach import step_outreach
from sightline.extracts import services
from sightline.intelligence.services import do_analyse
from sightline.ledger.services import SYSTEM
from sightline.people.linkage.run import do_link
from sightline.synthetic import generate_town


def town_dir(children: int, seed: int) -> Path:
    return Path(settings.HOME) / f"town-{children}-{seed}"


def step_generate(args: argparse.Namespace) -> None:

    out = town_dir(args.children, args.seed)
    if (out / "truth" / "summary.json").exists():
        print(f"      using the town already in {out}")
        return
    bars = Bar.stages("town", True)
    try:
        summary = generate_town(out, args.children, args.seed, bars)
    finally:
        bars.close()
    print(
        f"      {summary.children} children, {summary.adults} adults, "
        f"{len(summary.extracts)} agency extracts in {out}"
    )


def step_import(args: argparse.Namespace) -> None:

    folders = sorted(p for p in (town_dir(args.children, args.seed) / "extracts").iterdir() if p.is_dir())
    for folder in folders:
        progress = Bar(folder.name, enabled=True)
        result = services.do_import_extract(folder, progress=progress)
        progress.close()
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"      {result.summary()}")


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
    summary = do_import_sample_plan(SYSTEM, key="rotherham-2014")
    print(
        f"      {summary.plan}: {summary.recommendations_created} recommendations, "
        f"{summary.actions_created} actions"
    )


STEPS: list[tuple[str, Callable[[argparse.Namespace], None]]] = [
    ("Generating a synthetic town", step_generate),
    ("Importing its agency extracts", step_import),
    ("Linking records into people", step_link),
    ("Analysing the network and raising alerts", step_analyse),
    ("Loading the sample 2014 response plan", step_plan),
    ("Starting outreach to the children at risk", step_outreach),
]
