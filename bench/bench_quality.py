"""End-to-end quality and speed on a synthetic town, through the real commands' services.

generate -> import -> link -> analyse on SQLite (Splink on DuckDB), into a fresh SIGHTLINE_HOME,
then compares with the town's ground truth:

- linkage pairwise precision, recall and F1 (records of one true person in one person_id);
- hidden-victim recall in the top K child alerts (K = 2 x true victims), offender recall in the
  top K adult alerts (K = 2 x offenders), benign hubs in that top K;
- the same for two baselines over the same linked data: "flagged by social care" and
  "two or more missing episodes";
- the time of each step.

    make bench-quality                              # 5,000 children
    .venv/bin/python bench/bench_quality.py 50000   # 50,000 children
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from sightline.cli import setup_django


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("children", nargs="?", type=int, default=5000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--home", type=Path, help="SIGHTLINE_HOME to use (default: a new temporary folder)")
    args = parser.parse_args(argv)

    home = args.home or Path(tempfile.mkdtemp(prefix=f"sightline-quality-{args.children}-"))
    os.environ["SIGHTLINE_HOME"] = str(home)
    os.environ.pop("DATABASE_URL", None)  # this bench is SQLite + DuckDB by design
    setup_django()
    import quality_run  # noqa: PLC0415 - Django starts only now, in the SIGHTLINE_HOME made for this run

    return quality_run.run(args.children, args.seed, home)


if __name__ == "__main__":
    sys.exit(main())
