"""Progress of long command-line steps on stderr: rows per second and time left (tqdm)."""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


class TqdmProgress:
    """One bar per stage; each ``begin`` closes the last. Writes to stderr so stdout stays parseable."""

    def __init__(self, prefix: str = "", *, enabled: bool = True, unit: str = "rows") -> None:
        self.prefix = prefix
        self.enabled = enabled
        self.unit = unit
        self._bar: Any = None

    def begin(self, stage: str, total: int) -> None:
        self.close()
        if not self.enabled:
            return
        desc = f"{self.prefix}: {stage}" if self.prefix else stage
        self._bar = tqdm(
            total=total, desc=desc, unit=self.unit, unit_scale=True, file=sys.stderr, dynamic_ncols=True,
            mininterval=0.5,
        )  # fmt: skip

    def update(self, n: int) -> None:
        if self._bar is not None and n:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None


def wanted(flag: bool | None) -> bool:
    """Show progress when asked, or by default when stderr is a terminal."""
    return sys.stderr.isatty() if flag is None else flag
