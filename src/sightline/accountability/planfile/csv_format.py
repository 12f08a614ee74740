"""A plan from CSV: one row per action, with the columns in :data:`CSV_COLUMNS` (header is row 1)."""

from __future__ import annotations

import csv
import datetime as dt
import io

from sightline.accountability.planfile.fields import (
    Problems,
    check_action,
    check_ref,
    duplicates,
    read_bool,
    read_date,
)
from sightline.accountability.planfile.specs import SLUG, ActionSpec, PlanSpec, RecommendationSpec

CSV_COLUMNS = (
    "plan_key",
    "plan_title",
    "inquiry",
    "recommendation_ref",
    "recommendation_title",
    "recommendation_text",
    "recommendation_target_date",
    "indicators",
    "illustrative",
    "action_ref",
    "action_description",
    "owner_agency",
    "owner_person",
    "owner_user",
    "action_target_date",
    "action_status",
)
ROW_REQUIRED = (
    "recommendation_ref",
    "action_ref",
    "action_description",
    "owner_agency",
    "action_target_date",
)
CSV_REQUIRED = (
    "plan_key",
    "plan_title",
    "recommendation_ref",
    "recommendation_target_date",
    "action_ref",
    "action_description",
    "owner_agency",
    "action_target_date",
)


def parse_csv(content: bytes, name: str) -> PlanSpec:
    p = Problems(name)
    try:
        text = content.decode("utf-8-sig")
    except UnicodeDecodeError:
        p.add(1, "file", "the file is not UTF-8 text")
        p.raise_if_any()
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    missing = [c for c in CSV_REQUIRED if c not in header]
    if missing:
        p.add(1, missing[0], f"the header is missing the column(s) {', '.join(missing)}")
        p.raise_if_any()
    unknown = [h for h in header if h not in CSV_COLUMNS]
    if unknown:
        p.add(1, unknown[0], f"unknown column(s) {', '.join(unknown)}; columns are {', '.join(CSV_COLUMNS)}")
    spec: PlanSpec | None = None
    recs: dict[str, RecommendationSpec] = {}
    for n, raw_row in enumerate(reader, start=2):
        row = {(k or "").strip(): (v or "").strip() for k, v in raw_row.items() if k}
        if not any(row.values()):
            continue
        for col in ROW_REQUIRED:
            if not row.get(col):
                p.add(n, col, "this is required")
        if spec is None:
            for col in ("plan_key", "plan_title"):
                if not row.get(col):
                    p.add(n, col, "this is required on the first row")
            spec = PlanSpec(
                key=row.get("plan_key", ""), title=row.get("plan_title", ""), inquiry=row.get("inquiry", "")
            )
            if not SLUG.match(spec.key):
                p.add(n, "plan_key", f"{spec.key!r} must be lower-case letters, digits and dashes")
        else:
            for col, have in (("plan_key", spec.key), ("plan_title", spec.title)):
                if row.get(col) and row[col] != have:
                    p.add(n, col, f"{row[col]!r} differs from {have!r} on row 2: one plan per file")
        ref = row.get("recommendation_ref", "")
        if ref:
            check_ref(ref, p, n, "recommendation_ref")
        rec = recs.get(ref)
        target = read_date(
            row.get("recommendation_target_date"), p, n, "recommendation_target_date", required=rec is None
        )
        if rec is None:
            rec = RecommendationSpec(
                ref=ref,
                title=row.get("recommendation_title", ""),
                text=row.get("recommendation_text", ""),
                target_date=target or dt.date.min,
                indicators=[k.strip() for k in row.get("indicators", "").split(";") if k.strip()],
                illustrative=read_bool(row.get("illustrative"), p, n, "illustrative"),
                actions=[],
                where=str(n),
            )
            if not rec.title:
                p.add(n, "recommendation_title", "this is required on a recommendation's first row")
            recs[ref] = rec
        else:
            for col, have in (
                ("recommendation_title", rec.title),
                ("recommendation_text", rec.text),
            ):
                if row.get(col) and row[col] != have:
                    p.add(n, col, f"differs from row {rec.where} for recommendation {ref}")
            if target is not None and target != rec.target_date:
                p.add(
                    n, "recommendation_target_date", f"differs from row {rec.where} for recommendation {ref}"
                )
        if row.get("action_ref"):
            check_ref(row["action_ref"], p, n, "action_ref")
        action = ActionSpec(
            ref=row.get("action_ref", ""),
            description=row.get("action_description", ""),
            owner_agency=row.get("owner_agency", ""),
            owner_name=row.get("owner_person", ""),
            owner_user=row.get("owner_user", ""),
            target_date=read_date(row.get("action_target_date"), p, n, "action_target_date") or dt.date.min,
            status=row.get("action_status") or "not_started",
            where=str(n),
        )
        check_action(action, p, n, "action_")
        rec.actions.append(action)
    if spec is None:
        p.add(2, "file", "the file has a header but no rows")
        p.raise_if_any()
    assert spec is not None
    spec.recommendations = list(recs.values())
    duplicates(spec.recommendations, p, "recommendation_ref", "action_ref")
    p.raise_if_any()
    return spec
