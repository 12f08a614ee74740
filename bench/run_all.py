"""Run every ``bench/bench_*.py`` and print what each one prints.

By default each benchmark runs small, so the whole set finishes in minutes: a benchmark file may
define a literal module-level ``QUICK_ARGS = [...]`` (its command-line arguments for a quick run),
and every benchmark is started with ``SIGHTLINE_BENCH_QUICK=1`` in its environment. ``--full``
runs each one with its own defaults instead, which are the sizes behind docs/performance.md.

    .venv/bin/python bench/run_all.py                 # quick
    .venv/bin/python bench/run_all.py --full
    .venv/bin/python bench/run_all.py ledger merkle   # only bench_ledger.py and bench_merkle.py
"""

from __future__ import annotations

import argparse
import ast
import os
import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def quick_args(path: Path) -> list[str] | None:
    """The file's literal ``QUICK_ARGS`` list, read without importing it (imports may be heavy)."""
    tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
    for node in tree.body:
        if isinstance(node, ast.Assign) and any(
            isinstance(t, ast.Name) and t.id == "QUICK_ARGS" for t in node.targets
        ):
            value = ast.literal_eval(node.value)
            if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
                raise SystemExit(f"{path.name}: QUICK_ARGS must be a list of strings")
            return value
    return None


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("only", nargs="*", help="names to run (bench_NAME.py); default: all")
    parser.add_argument("--full", action="store_true", help="each benchmark's own (full-size) defaults")
    parser.add_argument("--timeout", type=float, default=3600, help="seconds allowed per benchmark")
    args = parser.parse_args(argv)

    benches = sorted(HERE.glob("bench_*.py"))
    if args.only:
        wanted = {n.removeprefix("bench_").removesuffix(".py") for n in args.only}
        benches = [b for b in benches if b.stem.removeprefix("bench_") in wanted]
        missing = wanted - {b.stem.removeprefix("bench_") for b in benches}
        if missing:
            parser.error(f"no bench file for: {', '.join(sorted(missing))}")
    env = dict(os.environ)
    if not args.full:
        env["SIGHTLINE_BENCH_QUICK"] = "1"
    failed: list[str] = []
    for bench in benches:
        extra = [] if args.full else (quick_args(bench) or [])
        cmd = [sys.executable, str(bench), *extra]
        print(f"\n=== {bench.name} {' '.join(extra)}".rstrip(), flush=True)
        started = time.monotonic()
        try:
            result = subprocess.run(cmd, env=env, timeout=args.timeout, check=False)
            code = result.returncode
        except subprocess.TimeoutExpired:
            code = -1
            print(f"--- {bench.name}: stopped after {args.timeout:.0f} s", flush=True)
        took = time.monotonic() - started
        status = "ok" if code == 0 else f"FAILED (exit {code})"
        print(f"--- {bench.name}: {status} in {took:.0f} s", flush=True)
        if code != 0:
            failed.append(bench.name)
    print(f"\n{len(benches) - len(failed)} of {len(benches)} benchmarks ran cleanly.")
    if failed:
        print("Failed: " + ", ".join(failed))
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
