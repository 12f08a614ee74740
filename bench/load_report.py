"""The load run's reading of pages and its figures: nothing here imports locust (whose gevent patches
the whole process), so tests can check it against real pages."""

from __future__ import annotations

import re
from collections import defaultdict
from typing import Any

TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
PERSON = re.compile(r'href="/people/(P-[0-9A-F]+)"')
# A search result says what kind of person it is: concerns are raised about children only.
CHILD = re.compile(r">Child, (P-[0-9A-F]+)<")
_ITEM = re.compile(r"<li[^>]*>(.*?)</li>", re.S)
_TAG = re.compile(r"<[^>]+>")


def csrf_token(html: str) -> str:
    found = TOKEN.search(html)
    if not found:
        raise RuntimeError("no CSRF token on the page")
    return found.group(1)


def page_errors(html: str) -> list[str]:
    """The messages in a page's GOV.UK error summary."""
    summary = html.partition("govuk-error-summary__list")[2].partition("</ul>")[0]
    return [_TAG.sub("", item).strip() for item in _ITEM.findall(summary)]


def percentile(values: list[float], q: float) -> float:
    """The q-th percentile (0-100) of ``values`` by the nearest-rank method."""
    if not values:
        return float("nan")
    ordered = sorted(values)
    rank = max(1, -(-len(ordered) * q // 100))  # ceil(n * q / 100), at least 1
    return ordered[int(rank) - 1]


def summarise(samples: list[tuple[str, float, bool]], seconds: float) -> list[dict[str, Any]]:
    """One row per action and one for all of them: requests, failures, req/s, p50, p95, p99 (ms)."""
    groups: dict[str, list[tuple[float, bool]]] = defaultdict(list)
    for name, ms, failed in samples:
        groups[name].append((ms, failed))
        groups["all actions"].append((ms, failed))
    rows = []
    for name in sorted(groups, key=lambda n: (n == "all actions", n)):
        times = [ms for ms, _ in groups[name]]
        rows.append(
            {
                "action": name,
                "requests": len(times),
                "failures": sum(1 for _, f in groups[name] if f),
                "per_second": round(len(times) / seconds, 1),
                "p50": round(percentile(times, 50)),
                "p95": round(percentile(times, 95)),
                "p99": round(percentile(times, 99)),
            }
        )
    return rows


def table(results: dict[str, list[dict[str, Any]]]) -> str:
    lines = [
        "| mode | action | requests | failures | req/s | p50 ms | p95 ms | p99 ms |",
        "|---|---|---:|---:|---:|---:|---:|---:|",
    ]
    for mode, rows in results.items():
        for r in rows:
            bold = "**" if r["action"] == "all actions" else ""
            lines.append(
                f"| {mode} | {bold}{r['action']}{bold} | {r['requests']:,} | {r['failures']:,} | "
                f"{bold}{r['per_second']}{bold} | {r['p50']} | {bold}{r['p95']}{bold} | {r['p99']} |"
            )
    return "\n".join(lines)
