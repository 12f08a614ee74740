"""The data steps of ``sightline demo``: generate a town, import it, link, analyse (in that order)."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from django.conf import settings


def town_dir(children: int, seed: int) -> Path:
    return Path(settings.HOME) / f"town-{children}-{seed}"


def step_generate(args: argparse.Namespace) -> None:
    from sightline.synthetic import generate_town
    from sightline.synthetic.commands import StageBars

    out = town_dir(args.children, args.seed)
    if (out / "truth" / "summary.json").exists():
        print(f"      using the town already in {out}")
        return
    bars = StageBars(True)
    try:
        summary = generate_town(out, args.children, args.seed, bars)
    finally:
        bars.close()
    print(
        f"      {summary.children} children, {summary.adults} adults, "
        f"{len(summary.extracts)} agency extracts in {out}"
    )


def step_import(args: argparse.Namespace) -> None:
    from sightline.extracts import services
    from sightline.extracts.progress import TqdmProgress

    folders = sorted(p for p in (town_dir(args.children, args.seed) / "extracts").iterdir() if p.is_dir())
    for folder in folders:
        progress = TqdmProgress(folder.name, enabled=True)
        result = services.do_import_extract(folder, progress=progress)
        progress.close()
        for problem in result.problems:
            print(problem, file=sys.stderr)
        print(f"      {result.summary()}")


def step_link(args: argparse.Namespace) -> None:
    from sightline.people.commands import FractionBar
    from sightline.people.linkage_service import do_link

    bar = FractionBar("link", True)
    try:
        summary, _ = do_link(progress=bar)
    finally:
        bar.close()
    print(f"      {summary.summary()}")


def step_analyse(args: argparse.Namespace) -> None:
    from sightline.intelligence.services import do_analyse
    from sightline.people.commands import FractionBar

    bar = FractionBar("analyse", True)
    try:
        summary, _ = do_analyse(progress=bar)
    finally:
        bar.close()
    print(f"      {summary.summary()}")


def step_plan(args: argparse.Namespace) -> None:
    from sightline.accountability.models import Recommendation
    from sightline.accountability.services import do_import_sample_plan
    from sightline.ledger.services import SYSTEM

    if Recommendation.objects.exists():
        print("      a response plan is already loaded")
        return
    summary = do_import_sample_plan("rotherham-2014", actor=SYSTEM)
    print(
        f"      {summary.plan}: {summary.recommendations_created} recommendations, "
        f"{summary.actions_created} actions"
    )


def add_demo_steps() -> None:
    """Append this project's data steps to ``sightline demo`` (once, however often parsers are built)."""
    try:
        from sightline.web.commands import DEMO_STEPS, DemoStep
    except ImportError:  # the web app is not installed: no demo to add to
        return
    wanted: list[tuple[str, Any, int]] = [
        ("Generating a synthetic town", step_generate, 10),
        ("Importing its agency extracts", step_import, 20),
        ("Linking records into people", step_link, 30),
        ("Analysing the network and raising alerts", step_analyse, 40),
        ("Loading the sample 2014 response plan", step_plan, 50),
    ]
    have = {s.name for s in DEMO_STEPS}
    for name, run, order in wanted:
        if name not in have:
            DEMO_STEPS.append(DemoStep(name, run, order=order))
