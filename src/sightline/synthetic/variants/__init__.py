"""Variants: towns with other proportions of each phenomenon, from a TOML or YAML file or `--set` flags.

    variant = load_variant("taxi-town")                      # a file shipped here, by name
    variant = load_variant(Path("my-town.toml"))             # or any file
    variant = with_settings(variant, ["models.peer=0.2"])    # and flags on top

A file has a `name`, a `description` and the sections of `KEYS`; a key left out keeps the value of
`Variant` below (the default town's proportions, where it has the phenomenon at all). `[models]` and
`[hubs]` are tables of their own: a file that gives one replaces the whole table. See
docs/synthetic-town.md, "Variants".
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field, fields, replace
from pathlib import Path
from typing import Any

import yaml

HERE = Path(__file__).resolve().parent

MODELS = ("group", "boyfriend", "party_house", "taxi", "phone", "peer", "county_lines")
DECOYS = ("runaway", "same_age_partner", "friendship_group", "many_placements", "abused_at_home")
HUB_KINDS = (
    "coach",
    "shopkeeper",
    "youth_worker",
    "teacher",
    "school_driver",
    "foster_carer",
    "takeaway_owner",
)


@dataclass(frozen=True)
class Variant:
    """The proportions a town is made with. Shares are of the town's children unless a comment says not."""

    name: str = "custom"
    description: str = ""
    # [victims]
    victims: float = 0.015  # children exploited, all models together
    boys: float = 0.15  # of the sexually exploited
    criminal_boys: float = 0.85  # of the criminally exploited (county lines)
    placed_victims: float = 0.0  # of victims: looked-after children placed in the town by other councils
    flagged: float = 0.42  # of victims: social care names the exploitation (11A, or 24A for criminal)
    low_visibility: float = (
        0.10  # of victims: the quietest, whom police rarely meet (the rest high:medium 55:35)
    )
    # [models]: share of victims exploited in each way (normalised)
    models: dict[str, float] = field(default_factory=lambda: {"group": 1.0})
    # [offenders]: shares of offenders
    aliases: float = 0.0  # give each agency a different name
    shared_phones: float = 0.0  # use a number another man of the group uses too
    shared_vehicles: float = 0.0  # drive a car another man of the group drives
    described_only: float = 0.0  # no agency ever learns his name
    # [children]
    placed_children: float = 0.0  # looked-after children placed in the town by other councils
    runaways: float = 0.012  # children who run away from conflict at home, again and again
    same_age_partners: float = 0.0  # teenagers with a partner of their own age (both counted)
    friendship_groups: float = 0.0  # teenagers in a close group of friends seen together
    many_placements: float = 0.0  # children in care moved from placement to placement
    abused_at_home: float = 0.0  # children abused by a parent: child protection, not exploitation
    # [hubs]: benign hubs per 1,000 children, by kind
    hubs: dict[str, float] = field(
        default_factory=lambda: {
            "coach": 1.25,
            "shopkeeper": 1.25,
            "youth_worker": 1.0,
            "teacher": 1.0,
            "school_driver": 0.5,
        }
    )
    # [records]
    twins: float = 0.007  # twin pairs per child
    namesakes: float = 0.004  # pairs of children of one name in different areas, per child
    street_namesakes: float = 0.0  # pairs of people of one name on one street, per child
    fathers_and_sons: float = 0.0  # of households with a father and a son: the son has his father's name
    duplicates: float = 1.0  # times every agency's rate of second records for one person
    typos: float = 1.0  # times every agency's rate of typos, swapped names and swapped day and month
    parent_numbers: float = 0.0  # of a child's hospital attendances: a parent's mobile given as the contact

    def model_shares(self) -> dict[str, float]:
        total = sum(self.models.values())
        return {m: self.models[m] / total for m in MODELS if self.models.get(m, 0) > 0}

    def settings(self) -> dict[str, Any]:
        """Every setting by its file key (`victims.share`, `models.taxi`, ...), for summary.json."""
        out: dict[str, Any] = {}
        for key, name in KEYS.items():
            out[key] = getattr(self, name)
        for table in ("models", "hubs"):
            for k, value in sorted(getattr(self, table).items()):
                out[f"{table}.{k}"] = value
        return out


# File key -> Variant field, for every setting that is a single number.
KEYS: dict[str, str] = {
    "victims.share": "victims",
    "victims.boys": "boys",
    "victims.criminal_boys": "criminal_boys",
    "victims.placed": "placed_victims",
    "victims.flagged": "flagged",
    "victims.low_visibility": "low_visibility",
    "offenders.aliases": "aliases",
    "offenders.shared_phones": "shared_phones",
    "offenders.shared_vehicles": "shared_vehicles",
    "offenders.described_only": "described_only",
    "children.placed": "placed_children",
    "children.runaways": "runaways",
    "children.same_age_partners": "same_age_partners",
    "children.friendship_groups": "friendship_groups",
    "children.many_placements": "many_placements",
    "children.abused_at_home": "abused_at_home",
    "records.twins": "twins",
    "records.namesakes": "namesakes",
    "records.street_namesakes": "street_namesakes",
    "records.fathers_and_sons": "fathers_and_sons",
    "records.duplicates": "duplicates",
    "records.typos": "typos",
    "records.parent_numbers": "parent_numbers",
}
TABLES = {"models": MODELS, "hubs": HUB_KINDS}
MULTIPLIERS = {"duplicates", "typos"}  # may exceed 1
LIMITS = {"victims": 0.1, "runaways": 0.1}  # a town is mostly ordinary children


def names() -> list[str]:
    """The variants shipped with Sightline."""
    return sorted(p.stem for p in HERE.glob("*.toml"))


def load_variant(which: str | Path) -> Variant:
    """A shipped variant by name, or a variant file (.toml, .yaml or .yml)."""
    path = Path(which)
    if path.suffix not in (".toml", ".yaml", ".yml"):
        if str(which) not in names():
            raise ValueError(f"no variant {str(which)!r}: choose one of {', '.join(names())}, or give a file")
        path = HERE / f"{which}.toml"
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ValueError(f"cannot read variant file {path}: {exc.strerror}") from exc
    try:
        data = tomllib.loads(text) if path.suffix == ".toml" else yaml.safe_load(text)
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise ValueError(f"{path}: not valid {path.suffix[1:].upper()}: {exc}") from exc
    if not isinstance(data, dict):
        raise ValueError(f"{path}: a variant file holds a table of settings")
    return from_mapping(data, default_name=path.stem, where=str(path))


def from_mapping(data: dict[str, Any], default_name: str = "custom", where: str = "variant") -> Variant:
    changes: dict[str, Any] = {"name": str(data.get("name", default_name))}
    if "description" in data:
        changes["description"] = " ".join(str(data["description"]).split())
    for section, body in data.items():
        if section in ("name", "description"):
            continue
        if not isinstance(body, dict):
            raise ValueError(f"{where}: [{section}] should be a table of settings")
        if section in TABLES:
            changes[section] = {}
        for key, value in body.items():
            _set(changes, f"{section}.{key}", value, where)
    return _checked(replace(Variant(), **changes), where)


def with_settings(variant: Variant, settings: list[str]) -> Variant:
    """The variant with `KEY=VALUE` settings (as `--set` gives them) on top; tables are merged."""
    changes: dict[str, Any] = {t: dict(getattr(variant, t)) for t in TABLES}
    for item in settings:
        key, sep, value = item.partition("=")
        if not sep:
            raise ValueError(f"--set {item!r}: write KEY=VALUE, e.g. models.taxi=0.4")
        try:
            number = float(value)
        except ValueError:
            raise ValueError(f"--set {item!r}: {value!r} is not a number") from None
        _set(changes, key.strip(), number, "--set")
    return _checked(replace(variant, **changes), "--set")


def _set(changes: dict[str, Any], key: str, value: Any, where: str) -> None:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise ValueError(f"{where}: {key} should be a number, not {value!r}")
    section, _, name = key.partition(".")
    if section in TABLES:
        if name not in TABLES[section]:
            raise ValueError(f"{where}: unknown {section} kind {name!r}; known: {', '.join(TABLES[section])}")
        changes[section][name] = float(value)
        return
    if key not in KEYS:
        raise ValueError(
            f"{where}: unknown setting {key!r}; known: {', '.join([*KEYS, 'models.*', 'hubs.*'])}"
        )
    changes[KEYS[key]] = float(value)


def _checked(variant: Variant, where: str) -> Variant:
    for f in fields(Variant):
        value = getattr(variant, f.name)
        if isinstance(value, float) and not 0 <= value <= (10 if f.name in MULTIPLIERS else 1):
            raise ValueError(f"{where}: {f.name} = {value} is out of range")
        if f.name in LIMITS and value > LIMITS[f.name]:
            raise ValueError(f"{where}: {f.name} = {value} is more than {LIMITS[f.name]}")
    if any(v < 0 for t in TABLES for v in getattr(variant, t).values()):
        raise ValueError(f"{where}: shares and rates cannot be negative")
    if variant.victims > 0 and sum(variant.models.values()) <= 0:
        raise ValueError(f"{where}: [models] gives no model a share of the victims")
    decoys = (
        variant.runaways,
        variant.same_age_partners,
        variant.friendship_groups,
        variant.many_placements,
        variant.abused_at_home,
    )
    if variant.victims + variant.placed_children + sum(decoys) > 0.5:
        raise ValueError(f"{where}: victims, placed children and decoys add up to more than half the town")
    return variant
