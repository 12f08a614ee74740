"""A county or a nation end to end on PostgreSQL: generate, import, link and analyse a synthetic town
through the ``sightline`` commands, with the wall time, CPU time and peak memory of each stage.

Each stage is its own process. Peak memory is given two ways: the largest resident set of any one
process of the stage (the kernel's ``ru_maxrss`` from ``wait4``, exact), and the largest sum over the
stage's process tree, sampled every 0.2 s with psutil (catches Spark's JVM and ``verify`` workers;
may miss a peak shorter than that). PostgreSQL's own memory is not counted.

Beside the stages, in the same run, their limits: ``COPY`` of the same CSV rows into plain tables
(import), and vanilla Splink on the same records (link; bench/vanilla_splink.py). ``--spark`` then
links the town again on Splink's Spark backend in local mode (``sightline link --full --backend
spark``), which needs pyspark and Java 17.

    .venv/bin/python bench/bench_scale.py --children 2000              # what `make bench` runs
    .venv/bin/python bench/bench_scale.py --children 50000             # link + analyse target
    .venv/bin/python bench/bench_scale.py --records 1000000 --spark    # a million person records

``--records R`` picks the number of children that gives about R person records (the generator makes
1.98 per child); the table gives the exact count. A fresh database ``sightline_bench_scale`` is made
on the server of BENCH_DATABASE_URL (default postgres://postgres@127.0.0.1:5432) and dropped after,
unless ``--keep``; the town and home go in a temporary folder (``--home`` to choose it and keep it).
"""

from __future__ import annotations

import argparse
import contextlib
import json
import os
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import limits
import psycopg

HERE = Path(__file__).resolve().parent
QUICK_ARGS = ["--children", "2000"]
PG_SERVER = os.environ.get("BENCH_DATABASE_URL", "postgres://postgres@127.0.0.1:5432")
PG_DB = "sightline_bench_scale"
RECORDS_PER_CHILD = 1.98  # measured: 98,939 person records for 50,000 children (seed 1)
TARGET_SECONDS = 15 * 60  # a million person records end to end, on this 2-core machine


@dataclass
class Stage:
    name: str
    seconds: float
    cpu: float
    peak_process_mb: float
    peak_tree_mb: float
    extra: dict[str, Any] = field(default_factory=dict)


def _tree_rss(pid: int) -> int:
    """Resident bytes of ``pid`` and all its descendants (0 once it has gone)."""
    try:
        import psutil  # noqa: PLC0415 - optional: sampling is skipped without it
    except ImportError:
        return 0
    try:
        proc = psutil.Process(pid)
        procs = [proc, *proc.children(recursive=True)]
    except psutil.Error:
        return 0
    total = 0
    for p in procs:
        with contextlib.suppress(psutil.Error):
            total += p.memory_info().rss
    return total


def measure(name: str, cmd: list[str], env: dict[str, str]) -> tuple[Stage, str]:
    """Run ``cmd`` to the end; its stage figures and standard output. Fails loudly on a non-zero exit."""
    started = time.perf_counter()
    proc = subprocess.Popen(cmd, env=env, stdout=subprocess.PIPE, text=True)
    peak = [0]
    done = threading.Event()

    def sample() -> None:
        while not done.wait(0.2):
            peak[0] = max(peak[0], _tree_rss(proc.pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    assert proc.stdout is not None
    out = proc.stdout.read()
    _pid, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    done.set()
    sampler.join()
    seconds = time.perf_counter() - started
    if proc.returncode != 0:
        sys.stdout.write(out)
        raise SystemExit(f"{name}: {' '.join(cmd)} exited with {proc.returncode}")
    stage = Stage(
        name,
        round(seconds, 1),
        round(usage.ru_utime + usage.ru_stime, 1),
        round(usage.ru_maxrss / 1024),  # kilobytes on Linux
        round(peak[0] / 2**20),
    )
    return stage, out


def _database(keep: bool) -> str:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        conn.execute(f"CREATE DATABASE {PG_DB}")
    if keep:
        print(f"database kept afterwards: {PG_SERVER}/{PG_DB}", file=sys.stderr)
    return f"{PG_SERVER}/{PG_DB}"


def _drop() -> None:
    with psycopg.connect(f"{PG_SERVER}/postgres", autocommit=True) as conn:
        conn.execute(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")


def _counts(url: str) -> dict[str, int]:
    with psycopg.connect(url) as conn:
        return {
            "person records": conn.execute("SELECT count(*) FROM people_sourcerecord").fetchone()[0],
            "people": conn.execute("SELECT count(*) FROM people_person").fetchone()[0],
            "ledger entries": conn.execute("SELECT size FROM ledger_treehead").fetchone()[0],
        }


def run(args: argparse.Namespace, home: Path) -> list[Stage]:
    url = _database(args.keep)
    env = dict(os.environ, SIGHTLINE_HOME=str(home), DATABASE_URL=url, SIGHTLINE_LOG_LEVEL="ERROR")
    cli = [sys.executable, "-m", "sightline.cli"]
    town = home / "town"
    stages: list[Stage] = []
    measure("init", [*cli, "init"], env)
    steps = [
        (
            "generate",
            [
                *cli,
                "generate-town",
                str(town),
                "--children",
                str(args.children),
                "--seed",
                str(args.seed),
                "--no-progress",
            ],
        )
    ]
    for name, cmd in steps:
        stage, _ = measure(name, cmd, env)
        stages.append(stage)
    folders = sorted(p for p in (town / "extracts").iterdir() if p.is_dir())
    for name, cmd in [
        ("import", [*cli, "import", *map(str, folders), "--no-progress"]),
        ("link", [*cli, "link", "--no-progress"]),
        ("analyse", [*cli, "analyse", "--no-progress"]),
    ]:
        stage, out = measure(name, cmd, env)
        stage.extra["summary"] = out.strip().splitlines()[-1] if out.strip() else ""
        stages.append(stage)
        print(f"  {name}: {stage.seconds} s", file=sys.stderr, flush=True)
    counts = _counts(url)
    stages[0].extra.update(counts)
    # The limits, on the same server and records, in the same run.
    with psycopg.connect(url) as conn:
        copied = limits.copy_rows(conn, folders)
    stages.append(Stage("limit: COPY of the same rows", copied["seconds"], 0, 0, 0, copied))
    if args.vanilla:
        stage, out = measure(
            "limit: vanilla Splink", [sys.executable, str(HERE / "vanilla_splink.py"), str(town)], env
        )
        stage.extra = json.loads([line for line in out.splitlines() if line.startswith("{")][-1])
        stages.append(stage)
        print(f"  vanilla Splink: {stage.seconds} s", file=sys.stderr, flush=True)
    if args.spark:
        spark_env = dict(env, SIGHTLINE_LINKAGE_BACKEND="spark")
        stage, out = measure(
            "link on Spark (local)",
            [*cli, "link", "--full", "--backend", "spark", "--no-progress"],
            spark_env,
        )
        stage.extra["summary"] = out.strip().splitlines()[-1] if out.strip() else ""
        stages.append(stage)
    return stages


def report(stages: list[Stage], args: argparse.Namespace) -> str:
    by = {s.name: s for s in stages}
    counts = stages[0].extra
    lines = [
        f"# End to end on PostgreSQL: {args.children:,} children, seed {args.seed}: "
        + ", ".join(f"{v:,} {k}" for k, v in counts.items() if isinstance(v, int)),
        f"load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores at the end",
        "",
        "| stage | wall s | CPU s | peak RSS, largest process (MB) | peak RSS, process tree (MB) |",
        "|---|---:|---:|---:|---:|",
    ]
    for s in stages:
        if not s.name.startswith("limit: COPY"):
            lines.append(
                f"| {s.name} | {s.seconds} | {s.cpu} | {s.peak_process_mb:,.0f} | {s.peak_tree_mb:,.0f} |"
            )
    pipeline = [by[n] for n in ("generate", "import", "link", "analyse")]
    total = sum(s.seconds for s in pipeline)
    largest = max(s.peak_process_mb for s in pipeline)
    tree = max(max(s.peak_tree_mb, s.peak_process_mb) for s in pipeline)
    lines.append(
        f"| **generate + import + link + analyse** | **{total:.1f}** | "
        f"| **{largest:,.0f}** | **{tree:,.0f}** |"
    )
    records = counts.get("person records", 0)
    lines += [
        "",
        f"{records / total:,.0f} person records/s end to end; the target for a million records is "
        f"{TARGET_SECONDS // 60} minutes ({1_000_000 / TARGET_SECONDS:,.0f} records/s).",
    ]
    lines += [
        "",
        "| figure | seconds | its limit | seconds | speed as a share of the limit's |",
        "|---|---:|---|---:|---:|",
    ]
    imp = by["import"]
    copy = by["limit: COPY of the same rows"]
    rows = copy.extra["rows"]
    lines.append(
        f"| import, {rows:,} rows ({rows / imp.seconds:,.0f}/s) | {imp.seconds} | COPY of the same rows "
        f"({copy.extra['per_second']:,}/s) | {copy.seconds} | {limits.share(copy.seconds, imp.seconds)} |"
    )
    if "limit: vanilla Splink" in by:
        v = by["limit: vanilla Splink"]
        both = by["link"].seconds + by["analyse"].seconds
        lines.append(
            f"| link + analyse | {both:.1f} | vanilla Splink, link only (F1 {v.extra['f1']}) | {v.seconds} "
            f"| {limits.share(v.seconds, both)} |"
        )
    for s in stages:
        if s.extra.get("summary"):
            lines.append(f"\n{s.name}: {s.extra['summary']}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--children", type=int, default=50_000)
    size.add_argument("--records", type=int, help="about this many person records instead")
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--spark", action="store_true", help="also link on Spark in local mode")
    parser.add_argument("--no-vanilla", dest="vanilla", action="store_false", help="skip vanilla Splink")
    parser.add_argument("--keep", action="store_true", help="keep the database afterwards")
    parser.add_argument("--home", type=Path, help="SIGHTLINE_HOME and town folder (kept)")
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    if args.records:
        args.children = max(50, round(args.records / RECORDS_PER_CHILD))
    home = args.home or Path(tempfile.mkdtemp(prefix="sightline-bench-scale-"))
    home.mkdir(parents=True, exist_ok=True)
    try:
        stages = run(args, home)
    finally:
        if not args.keep:
            _drop()
        if not args.home:
            shutil.rmtree(home, ignore_errors=True)
    print(report(stages, args))
    if args.json:
        args.json.write_text(json.dumps([s.__dict__ for s in stages], indent=1) + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
