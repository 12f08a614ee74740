"""A synthetic town to try Sightline on: agency extracts plus the ground truth to measure against.

    generate_town(Path("var/town"), children=5000, seed=1)

writes `OUT/extracts/<agency>-<extracted_on>/` (docs/extract-format.md) and `OUT/truth/`. The same seed gives
byte-identical output. Pure Python: no Django, nothing printed; progress goes through the callback as
`progress(stage, done, total)`. See docs/synthetic-town.md.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

from .cast import VariantBuilder
from .population import build_town
from .story import tell
from .variants import Variant, load_variant, with_settings
from .writer import TownSummary, write_town

__all__ = ["MIN_CHILDREN", "TownSummary", "Variant", "generate_town", "load_variant", "with_settings"]

MIN_CHILDREN = 50


def generate_town(
    out: Path,
    children: int,
    seed: int,
    progress: Callable[[str, int, int], None] | None = None,
    variant: Variant | None = None,
) -> TownSummary:
    """Generate a town of `children` children into `out` (created if need be) and return what was written.

    Without a variant this is the default town, byte for byte; a variant (see `variants`) sets the
    proportion of each phenomenon and adds `truth/kinds.csv`.
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
    return write_town(out, town, books, seed, progress)
