"""The load run (`make load`): simulated people against a served demo on PostgreSQL, with p50, p95 and
p99 response times and throughput.

It makes the demo if the database has none (``sightline demo --no-serve --children N``), starts
``sightline serve`` in demo mode on a free port (with ``--workers`` only when asked and when ``serve``
offers it), waits until ``/healthz`` answers, and drives it with locust (bench/load_users.py): 50
people by default, each signing in once and then searching, opening records and chronologies, looking
at alerts and raising concerns. Two modes, one after the other against the same server:

- ``paced``: each person pauses 1 to 5 s between actions, as people do (the p95 target);
- ``nopause``: no pause at all (the server's throughput).

Sign-ins are left out of the figures, and so is the time until every person has signed in. The server
is stopped at the end, whatever happens. Locust runs in this process, on the same machine: its own CPU
is taken from the server's, which the figures include.

    .venv/bin/python bench/load_run.py                         # 50 people, 60 s per mode
    .venv/bin/python bench/load_run.py --users 10 --seconds 20 --modes nopause
    .venv/bin/python bench/load_run.py --workers 2             # when `serve --workers` exists

DATABASE_URL chooses the database (default postgres://postgres@127.0.0.1:5432/sightline_load,
created if missing) and SIGHTLINE_HOME the home (default var/load).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path
from typing import Any

import gevent
import load_users
import psycopg
from load_report import summarise, table
from locust import between, constant
from locust.env import Environment

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_DB = "postgres://postgres@127.0.0.1:5432/sightline_load"
MODES = {"paced": None, "nopause": constant(0)}


# --- the server ------------------------------------------------------------------------------------


def _cli(env: dict[str, str], *args: str, **kw: Any) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "sightline.cli", *args], env=env, text=True, check=False, **kw
    )


def ensure_demo(env: dict[str, str], children: int, accounts_only: bool = False) -> None:
    """Create the database if missing, and the demo in it if it has no demo accounts.

    ``accounts_only``: the database already holds a town (``bench_scale.py --keep``): add only the
    demo accounts to it.
    """
    url = env["DATABASE_URL"]
    base, _, name = url.rpartition("/")
    with psycopg.connect(f"{base}/postgres", autocommit=True) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            conn.execute(f'CREATE DATABASE "{name}"')
    users = _cli(env, "user", "list", capture_output=True)
    if "demo-coordinator" in users.stdout:
        return
    if accounts_only:
        print(f"adding the demo accounts to {url} ...", flush=True)
        made = _cli(env, "demo", "--accounts-only", stdout=subprocess.DEVNULL)
        if made.returncode != 0:
            raise SystemExit("sightline demo --accounts-only failed")
        return
    print(f"building the demo ({children:,} children) in {url} ...", flush=True)
    made = _cli(env, "demo", "--no-serve", "--children", str(children), stdout=subprocess.DEVNULL)
    if made.returncode != 0:
        raise SystemExit("sightline demo failed")


def search_names(home: Path, limit: int = 400) -> list[str]:
    """Children's names from the demo town's education extract: what people would search for."""
    names: set[str] = set()
    # The demo's town-SEED folder, or bench_scale.py's town folder.
    found = [
        *home.glob("town-*/extracts/education-*/people.csv"),
        *home.glob("town/extracts/education-*/people.csv"),
    ]
    for people in sorted(found):
        import csv  # noqa: PLC0415 - only when a town is there

        with people.open(encoding="utf-8", newline="") as fh:
            for row in csv.DictReader(fh):
                if row["given_name"] and row["family_name"]:
                    names.add(f"{row['given_name']} {row['family_name'].title()}")
    rng = random.Random(1)
    return rng.sample(sorted(names), min(limit, len(names))) if names else []


def start_server(env: dict[str, str], port: int, workers: int | None, log: Path) -> subprocess.Popen[bytes]:
    cmd = [sys.executable, "-m", "sightline.cli", "serve", "--port", str(port)]
    if workers:
        if "--workers" in _cli(env, "serve", "--help", capture_output=True).stdout:
            cmd += ["--workers", str(workers)]
        else:
            print("this `sightline serve` has no --workers: serving with its default", flush=True)
    print(f"starting: {' '.join(cmd[2:])} (log in {log})", flush=True)
    out = log.open("ab")
    return subprocess.Popen(
        cmd, env=dict(env, SIGHTLINE_DEMO="1"), stdout=out, stderr=out, start_new_session=True
    )


def free_port() -> int:
    """A port in 18000-18999 that nothing listens on now (another server there would be measured)."""
    for port in random.sample(range(18000, 19000), 1000):
        with socket.socket() as sock:
            try:
                sock.bind(("127.0.0.1", port))
            except OSError:
                continue
            return port
    raise SystemExit("no free port in 18000-18999")


def wait_ready(url: str, server: subprocess.Popen[bytes], timeout: float = 180) -> float:
    started = time.monotonic()
    while time.monotonic() - started < timeout:
        if server.poll() is not None:
            raise SystemExit(f"the server stopped (exit {server.returncode}) before it was ready")
        try:
            with urllib.request.urlopen(f"{url}/healthz", timeout=2) as response:  # noqa: S310 - our own server
                if response.status == 200:
                    return time.monotonic() - started
        except OSError:
            pass
        time.sleep(0.5)
    raise SystemExit(f"the server did not answer {url}/healthz within {timeout:.0f} s")


def stop_server(server: subprocess.Popen[bytes]) -> None:
    if server.poll() is not None:
        return
    os.killpg(server.pid, signal.SIGTERM)
    try:
        server.wait(timeout=20)
    except subprocess.TimeoutExpired:
        os.killpg(server.pid, signal.SIGKILL)
        server.wait()


# --- one mode --------------------------------------------------------------------------------------


def drive(
    url: str, users: int, seconds: float, mode: str, pause: tuple[float, float]
) -> list[dict[str, Any]]:
    wait = MODES[mode] or between(*pause)
    classes = [load_users.Practitioner, load_users.MultiAgencyWorker]
    for cls in classes:
        cls.wait_time = wait
        cls.host = url
    samples: list[tuple[str, float, bool]] = []
    load_users.signed_in[0] = 0
    recording = [False]
    env = Environment(user_classes=classes)

    def on_request(name: str, response_time: float, exception: Any = None, **_: Any) -> None:
        if name == load_users.SIGN_IN:
            return
        if recording[0]:
            samples.append((name, response_time, exception is not None))

    env.events.request.add_listener(on_request)
    runner = env.create_local_runner()
    runner.start(users, spawn_rate=min(users, 10))
    # Everyone signed in (on_start ran for each) and a few seconds more before the clock starts.
    deadline = time.monotonic() + 300
    while load_users.signed_in[0] < users:
        if time.monotonic() > deadline:
            raise SystemExit("the simulated people did not all sign in within 300 s")
        gevent.sleep(0.5)
    gevent.sleep(3)
    recording[0] = True
    started = time.monotonic()
    gevent.sleep(seconds)
    recording[0] = False
    measured = time.monotonic() - started
    runner.quit()
    errors = [f"{e.name}: {e.error} ({e.occurrences}x)" for e in env.stats.errors.values()]
    if errors:
        print(f"{mode}: errors reported by locust:\n  " + "\n  ".join(errors[:10]), flush=True)
    return summarise(samples, measured)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--users", type=int, default=50)
    parser.add_argument("--seconds", type=float, default=60, help="measured seconds per mode")
    parser.add_argument("--modes", default="paced,nopause", help="comma-separated: paced, nopause")
    parser.add_argument("--pause", default="1,5", help="paced: least and most seconds between actions")
    parser.add_argument("--workers", type=int, help="serve --workers N (if serve has it)")
    parser.add_argument("--port", type=int, default=0, help="default: a free port in 18000-18999")
    parser.add_argument("--children", type=int, default=2000, help="size of the demo made if none is there")
    parser.add_argument(
        "--accounts-only",
        action="store_true",
        help="the database already holds a town (bench_scale.py --keep): only add the demo accounts",
    )
    parser.add_argument("--json", type=Path, help="also write the figures here")
    args = parser.parse_args(argv)
    modes = [m.strip() for m in args.modes.split(",") if m.strip()]
    if unknown := [m for m in modes if m not in MODES]:
        parser.error(f"unknown mode(s): {', '.join(unknown)}")
    lo, hi = (float(x) for x in args.pause.split(","))
    env = dict(os.environ)
    env.setdefault("DATABASE_URL", DEFAULT_DB)
    env.setdefault("SIGHTLINE_HOME", str(ROOT / "var" / "load"))
    env.setdefault("SIGHTLINE_LOG_LEVEL", "WARNING")
    if not env["DATABASE_URL"].startswith("postgres"):
        parser.error("the load run is for PostgreSQL: set DATABASE_URL=postgres://...")
    home = Path(env["SIGHTLINE_HOME"])
    home.mkdir(parents=True, exist_ok=True)
    ensure_demo(env, args.children, args.accounts_only)
    load_users.NAMES[:] = search_names(home) or load_users.NAMES
    port = args.port or free_port()
    url = f"http://127.0.0.1:{port}"
    server = start_server(env, port, args.workers, home / "load-serve.log")
    results: dict[str, list[dict[str, Any]]] = {}
    try:
        print(f"ready after {wait_ready(url, server):.1f} s", flush=True)
        for mode in modes:
            print(f"{mode}: {args.users} people, {args.seconds:.0f} s measured ...", flush=True)
            results[mode] = drive(url, args.users, args.seconds, mode, (lo, hi))
            if server.poll() is not None:
                raise SystemExit(f"the server stopped (exit {server.returncode}) during the run")
    finally:
        stop_server(server)
    load = os.getloadavg()[0]
    print(
        f"\nLoad run: {args.users} people against {url} ({env['DATABASE_URL'].rpartition('/')[2]}), "
        f"{os.cpu_count()} cores, load average {load:.1f} at the end"
    )
    print(table(results))
    if args.json:
        args.json.write_text(json.dumps(results, indent=1) + "\n", encoding="utf-8")
    failures = sum(r["failures"] for rows in results.values() for r in rows if r["action"] == "all actions")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
