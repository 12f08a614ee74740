"""A synthetic town to try Sightline on: agency extracts plus the ground truth to measure against.

    generate_town(Path("var/town"), children=5000, seed=1)

writes `OUT/extracts/<agency>-<extracted_on>/` (docs/extract-format.md) and `OUT/truth/`. The same seed (and
`ends_on`) gives byte-identical output. Pure Python: no Django, nothing printed; progress goes through the
callback as `progress(stage, done, total)`. See docs/synthetic-town.md.
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from pathlib import Path

from .cast import VariantBuilder
from .population import PERIOD_END, build_town
from .story import tell
from .variants import Variant, load_variant, with_settings
from .writer import TownSummary, write_town

__all__ = [
    "MIN_CHILDREN",
    "PERIOD_END",
    "TownSummary",
    "Variant",
    "generate_town",
    "load_variant",
    "shift_to_end_on",
    "with_settings",
]

MIN_CHILDREN = 50


def shift_to_end_on(ends_on: date | None) -> int:
    """Days to move the town so that its period ends on ``ends_on`` or up to six days before: whole
    weeks, so each event keeps its day of the week. ``None`` keeps the town's own dates (2011 to 2014)."""
    if ends_on is None:
        return 0
    return (ends_on - PERIOD_END).days // 7 * 7


def generate_town(
    out: Path,
    children: int,
    seed: int,
    progress: Callable[[str, int, int], None] | None = None,
    variant: Variant | None = None,
    ends_on: date | None = None,
) -> TownSummary:
    """Generate a town of `children` children into `out` (created if need be) and return what was written.

    Without a variant this is the default town, byte for byte; a variant (see `variants`) sets the
    proportion of each phenomenon and adds `truth/kinds.csv`. `ends_on` moves every date so that the
    period ends then (see `shift_to_end_on`): the same people and events, only later.
    """
    if children < MIN_CHILDREN:
        raise ValueError(f"--children must be at least {MIN_CHILDREN} (got {children})")
    out = Path(out)
    if (out / "extracts").exists() and any((out / "extracts").iterdir()):
        raise FileExistsError(f"{out / 'extracts'} already holds extracts; choose an empty folder")
    if variant is None:
        town = build_town(children, seed, progress)
    else:
        town = VariantBuilder(children, seed, progress, variant).build()
    books = tell(town, seed, progress)
    return write_town(out, town, books, seed, progress, shift_to_end_on(ends_on))
