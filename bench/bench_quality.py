"""Quality over a grid of synthetic towns: variants x seeds, each through generate, import, link and analyse.

Each grid point runs in its own process (bench/quality_run.py) in a fresh SIGHTLINE_HOME and writes its
figures to OUT/<children>/<variant>-s<seed>.json as soon as it ends; a point whose file exists is not run
again, so an interrupted grid resumes where it stopped (`--fresh` runs everything again). The report gives,
for Sightline and for the transparent reference (the truth as a perfect linkage, ranked by a weighted
count of concerning events), the mean and the worst case of each measure over the grid, the targets with
PASS or FAIL, and recall by victim kind and sex. Measures: bench/quality_measures.py; docs/performance.md.

    make bench-quality                                        # 7 variants x 3 seeds at 20,000 children
    .venv/bin/python bench/bench_quality.py --quick           # 2,000 children, seed 1: a few minutes
    .venv/bin/python bench/bench_quality.py --variants taxi-town,phone-led --seeds 1 --children 5000
    .venv/bin/python bench/bench_quality.py --report          # the report of what is there, running nothing
"""

from __future__ import annotations

import argparse
import json
import math
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT / "src"))

from sightline.synthetic.variants import names as variant_names  # noqa: E402

QUICK_ARGS = ["--quick"]

# (measure, better when, target): the targets for the worst case over the grid.
TARGETS = (
    ("hidden_ap", "high", 0.8),
    ("hidden_recall_2v", "high", 0.95),
    ("boys_recall_2v", "high", 0.9),
    ("offender_ap", "high", 0.7),
    ("offender_recall_2o", "high", 0.95),
    ("hubs_top_2o", "low", 0),
    ("decoys_top_2v", "low", 0.10),
    ("link_f1_resolvable", "high", 0.97),
)
MEASURES = (
    ("hidden_ap", "high", "hidden-victim average precision"),
    ("hidden_recall_v", "high", "hidden-victim recall@V"),
    ("hidden_recall_2v", "high", "hidden-victim recall@2V"),
    ("victim_ap", "high", "all-victim average precision"),
    ("victim_recall_2v", "high", "all-victim recall@2V"),
    ("boys_recall_2v", "high", "hidden boys' recall@2V"),
    ("findable_hidden_recall_2v", "high", "hidden victims with a trace of an offender: recall@2V"),
    ("decoys_top_2v", "low", "decoy children in the top 2V (share)"),
    ("offender_ap", "high", "offender average precision"),
    ("offender_recall_o", "high", "offender recall@O"),
    ("offender_recall_2o", "high", "offender recall@2O"),
    ("hubs_top_2o", "low", "benign hubs in the top 2O"),
    ("decoy_adults_top_2o", "low", "older friends and abusive parents in the top 2O"),
)
LINK = (
    ("link_f1_resolvable", "link F1, resolvable pairs"),
    ("link_f1_all", "link F1, all pairs"),
    ("link_precision_all", "link precision, all pairs"),
    ("link_recall_all", "link recall, all pairs"),
)


def flat(run: dict[str, Any], method: str) -> dict[str, float]:
    figures = {k: v for k, v in run["methods"][method].items() if isinstance(v, int | float)}
    if method == "sightline":
        figures["link_f1_resolvable"] = run["link"]["resolvable"]["f1"]
        figures["link_f1_all"] = run["link"]["all"]["f1"]
        figures["link_precision_all"] = run["link"]["all"]["precision"]
        figures["link_recall_all"] = run["link"]["all"]["recall"]
    return figures


def summarise(values: list[float], better: str) -> tuple[float, float]:
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return math.nan, math.nan
    return sum(values) / len(values), (min(values) if better == "high" else max(values))


COUNTS = {"hubs_top_2o", "decoy_adults_top_2o"}  # people, not shares


def fmt(x: float, count: bool = False) -> str:
    if math.isnan(x):
        return "n/a"
    return (f"{x:.0f}" if float(x).is_integer() else f"{x:.1f}") if count else f"{x:.3f}"


def line(run: dict[str, Any]) -> str:
    s, r = flat(run, "sightline"), flat(run, "reference")
    took = sum(run["timings"].values())
    return (
        f"{run['variant']:>15} s{run['seed']}: hidden AP {fmt(s['hidden_ap'])} (ref {fmt(r['hidden_ap'])}), "
        f"recall@2V {fmt(s['hidden_recall_2v'])}, boys {fmt(s['boys_recall_2v'])}, "
        f"decoys {fmt(s['decoys_top_2v'])}; "
        f"offender AP {fmt(s['offender_ap'])} (ref {fmt(r['offender_ap'])}), "
        f"recall@2O {fmt(s['offender_recall_2o'])}, hubs {fmt(s['hubs_top_2o'], True)}; "
        f"link F1 {fmt(s['link_f1_resolvable'])} resolvable, {fmt(s['link_f1_all'])} all; "
        f"{took:.0f} s (link {run['timings']['link']:.0f}, analyse {run['timings']['analyse']:.0f})"
    )


def report(runs: list[dict[str, Any]]) -> None:
    if not runs:
        print("no runs to report")
        return
    variants = sorted({r["variant"] for r in runs})
    seeds = sorted({r["seed"] for r in runs})
    print(
        f"\n# Quality grid: {len(runs)} runs, {len(variants)} variants ({', '.join(variants)}), seeds "
        f"{', '.join(map(str, seeds))}, {runs[0]['children']:,} children"
    )
    print(
        "\nV = true victims, O = offenders; hidden = not flagged by social care. Worst = the lowest (or, for "
        "decoys and hubs, the highest) over the grid.\n"
    )
    print(
        "| measure | Sightline mean | Sightline worst | reference mean | reference worst | target (worst) |"
    )
    print("|---|---:|---:|---:|---:|---|")
    targets = {name: (better, goal) for name, better, goal in TARGETS}
    for name, better, label in (*MEASURES, *((n, "high", lbl) for n, lbl in LINK)):
        s_mean, s_worst = summarise([flat(r, "sightline").get(name, math.nan) for r in runs], better)
        r_mean, r_worst = summarise([flat(r, "reference").get(name, math.nan) for r in runs], better)
        verdict = ""
        if name in targets:
            _, goal = targets[name]
            ok = not math.isnan(s_worst) and (s_worst >= goal if better == "high" else s_worst <= goal)
            verdict = f"{'≥' if better == 'high' else '≤'} {goal}: **{'PASS' if ok else 'FAIL'}**"
        c = name in COUNTS
        cells = " | ".join(fmt(x, c) for x in (s_mean, s_worst, r_mean, r_worst))
        print(f"| {label} | {cells} | {verdict} |")
    beats = sum(
        1
        for name, better, _ in MEASURES
        if (lambda s, r: s > r if better == "high" else s < r)(
            summarise([flat(x, "sightline").get(name, math.nan) for x in runs], better)[1],
            summarise([flat(x, "reference").get(name, math.nan) for x in runs], better)[1],
        )
    )
    print(f"\nSightline's worst case beats the reference's on {beats} of {len(MEASURES)} alert measures.")
    _by_kind(runs)
    _confidence(runs)
    _audit(runs)
    _review(runs)
    print(
        "\n| variant | seed | victims (hidden) | offenders | hubs | decoys | alerts: children, adults | "
        "link F1 resolvable / all | hopeless records | seconds (link, analyse) |"
    )
    print("|---|---:|---|---:|---:|---:|---|---|---:|---|")
    for r in sorted(runs, key=lambda r: (r["variant"], r["seed"])):
        c, lk, t = r["counts"], r["link"], r["timings"]
        print(
            f"| {r['variant']} | {r['seed']} | {c['victims']} ({c['hidden_victims']}) | {c['offenders']} | "
            f"{c['benign_hubs']} | {c['decoy_children']} | {c['alerts_children']}, {c['alerts_adults']} | "
            f"{lk['resolvable']['f1']:.3f} / {lk['all']['f1']:.3f} | {lk['hopeless_records']:,} | "
            f"{sum(t.values()):.0f} ({t['link']:.0f}, {t['analyse']:.0f}) |"
        )


def _confidence(runs: list[dict[str, Any]]) -> None:
    """Calibration: the share of child alerts of each confidence that are about true victims."""
    levels: dict[str, list[tuple[int, int]]] = {}
    for r in runs:
        for level, cell in r.get("confidence", {}).items():
            levels.setdefault(level, []).append((cell["alerts"], cell["victims"]))
    if not levels:
        return
    print("\nChild alerts by confidence: the share about true victims, pooled and in the worst run:\n")
    print("| confidence | alerts (mean a run) | true victims, pooled | worst run |")
    print("|---|---:|---:|---:|")
    for level in ("strong", "moderate", "limited", "none"):
        cells = levels.get(level)
        if not cells:
            continue
        alerts, victims = sum(c[0] for c in cells), sum(c[1] for c in cells)
        worst = min(v / a for a, v in cells if a)
        print(f"| {level} | {alerts / len(cells):.0f} | {fmt(victims / alerts)} | {fmt(worst)} |")


def _review(runs: list[dict[str, Any]]) -> None:
    """The first decisions of the review queue, answered from the truth (bench/review_bench.py)."""
    done = [r for r in runs if r.get("review")]
    if not done:
        return
    n = done[0]["review"]["decisions"]
    shares = [r["review"]["fixed_share"] for r in done]
    worst = summarise(shares, "high")[1]
    verdict = "PASS" if not math.isnan(worst) and worst >= 0.5 else "FAIL"
    print(
        f"\n## The review queue's first {n} decisions, answered from the truth\n\n"
        "Errors are record pairs linked wrongly that touch a child the analysis alerted about. "
        f"Target: the first 100 fix at least half, worst case. Worst {fmt(worst)}: **{verdict}**.\n"
    )
    print("| variant | seed | decisions (groups) | pairs decided | errors before | fixed | new | share |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|")
    for r in sorted(done, key=lambda r: (r["variant"], r["seed"])):
        v = r["review"]
        cells = (
            f"{v['decisions']} ({v['group_decisions']})",
            v["pairs_decided"],
            v["errors_before"],
            v["errors_fixed"],
            v["errors_new"],
            fmt(v["fixed_share"]),
        )
        print(f"| {r['variant']} | {r['seed']} | " + " | ".join(map(str, cells)) + " |")


def _audit(runs: list[dict[str, Any]]) -> None:
    """Linkage audit by group (docs/linkage.md): each group's worst pairwise recall and precision over
    the grid, and in how many runs it was flagged as under-linked."""
    audits = [r["link"]["audit"] for r in runs if "audit" in r["link"]]
    if not audits:
        return
    print("\nLinkage audit by group, worst over the grid (ethnicity is audited, never an input):\n")
    print("| dimension | group | worst recall | worst precision | true pairs (mean) | flagged in runs |")
    print("|---|---|---:|---:|---:|---:|")
    for dim in audits[0]:
        groups = sorted({g for a in audits for g in a.get(dim, {})})
        for group in groups:
            cells = [a[dim][group] for a in audits if group in a.get(dim, {})]
            recall = min(c["recall"] for c in cells)
            precision = min(c["precision"] for c in cells)
            pairs = sum(c["true_pairs"] for c in cells) / len(cells)
            flagged = sum(int(c["flagged"]) for c in cells)
            runs_text = f"{flagged} of {len(cells)}"
            print(f"| {dim} | {group} | {recall:.3f} | {precision:.3f} | {pairs:,.0f} | {runs_text} |")


def _by_kind(runs: list[dict[str, Any]]) -> None:
    print("\nRecall@2V of each kind of victim, pooled over the grid (hidden victims in brackets):\n")
    print("| victims | n (hidden) | Sightline | reference | Sightline worst run (hidden) |")
    print("|---|---:|---:|---:|---:|")
    names = sorted({k for r in runs for k in r["methods"]["sightline"]["victims_by_kind"]})
    for name in names:
        cells = []
        for method in ("sightline", "reference"):
            groups = [r["methods"][method]["victims_by_kind"].get(name) for r in runs]
            groups = [g for g in groups if g]
            n = sum(g["n"] for g in groups)
            found = sum(g["recall_2v"] * g["n"] for g in groups)
            hidden = sum(g["hidden"] for g in groups)
            found_h = sum(g["hidden_recall_2v"] * g["hidden"] for g in groups if g["hidden"])
            cells.append((n, hidden, found / n if n else math.nan, found_h / hidden if hidden else math.nan))
        worst = summarise(
            [
                g["hidden_recall_2v"]
                for r in runs
                if (g := r["methods"]["sightline"]["victims_by_kind"].get(name)) and g["hidden"]
            ],
            "high",
        )[1]
        (n, hidden, s_all, s_hidden), (_, _, r_all, r_hidden) = cells
        print(
            f"| {name} | {n} ({hidden}) | {fmt(s_all)} ({fmt(s_hidden)}) | {fmt(r_all)} ({fmt(r_hidden)}) | "
            f"{fmt(worst)} |"
        )
    decoys: dict[str, int] = {}
    hubs: dict[str, int] = {}
    for r in runs:
        for k, v in r["methods"]["sightline"]["decoys_top_2v_by_kind"].items():
            decoys[k] = decoys.get(k, 0) + v
        for k, v in r["methods"]["sightline"]["hubs_top_2o_by_kind"].items():
            hubs[k] = hubs.get(k, 0) + v
    print(f"\nDecoy children in Sightline's top 2V, over the grid: {decoys or 'none'}")
    print(f"Benign hubs in Sightline's top 2O, over the grid: {hubs or 'none'}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--children", type=int, default=20000)
    parser.add_argument("--seeds", default="1,2,3", help="comma-separated (default 1,2,3)")
    parser.add_argument(
        "--variants",
        default=",".join(variant_names()),
        help="comma-separated; `default` is the standard town (default: every shipped variant)",
    )
    parser.add_argument(
        "--quick", action="store_true", help="2,000 children, seed 1, run afresh: for development"
    )
    parser.add_argument("--out", type=Path, default=ROOT / "var" / "bench" / "quality")
    parser.add_argument("--fresh", action="store_true", help="run every point again")
    parser.add_argument("--report", action="store_true", help="report what has been run; run nothing")
    args = parser.parse_args(argv)
    if args.quick:  # small and always run afresh: it checks the code as it is now
        args.children, args.seeds, args.fresh = 2000, "1", True
    variants = [v.strip() for v in args.variants.split(",") if v.strip()]
    seeds = [int(s) for s in args.seeds.split(",") if s.strip()]
    folder = args.out / str(args.children)
    runs: list[dict[str, Any]] = []
    points = [(v, s) for v in variants for s in seeds]
    for i, (variant, seed) in enumerate(points, start=1):
        path = folder / f"{variant}-s{seed}.json"
        if not args.report and (args.fresh or not path.exists()):
            print(f"[{i}/{len(points)}] {variant} seed {seed}, {args.children:,} children ...", flush=True)
            started = time.monotonic()
            cmd = [
                sys.executable,
                str(HERE / "quality_run.py"),
                "--variant",
                variant,
                "--seed",
                str(seed),
                "--children",
                str(args.children),
                "--out",
                str(path),
            ]
            if subprocess.run(cmd, check=False).returncode != 0:
                print(f"[{i}/{len(points)}] {variant} seed {seed}: FAILED", flush=True)
                continue
            print(f"[{i}/{len(points)}] done in {time.monotonic() - started:.0f} s", flush=True)
        if path.exists():
            run = json.loads(path.read_text(encoding="utf-8"))
            runs.append(run)
            print(line(run), flush=True)
    report(runs)
    return 0 if len(runs) == len(points) else 1


if __name__ == "__main__":
    sys.exit(main())
