"""Progress of long command-line steps on stderr (tqdm), in the three shapes our engines report.

- ``Bar``: one bar per stage, advanced by row counts (import, export).
- ``Bar.stages()``: the generator's ``progress(stage, done, total)``.
- ``Bar.fractions()``: an engine's ``progress(stage, fraction)`` in per cent (link, analyse).

Everything goes to stderr so that stdout stays parseable.
"""

from __future__ import annotations

import sys
from typing import Any

from tqdm import tqdm


def wanted(flag: bool | None) -> bool:
    """Show progress when asked, or by default when stderr is a terminal."""
    return sys.stderr.isatty() if flag is None else flag


class Bar:
    """One tqdm bar per stage; each ``begin`` closes the last."""

    def __init__(self, prefix: str = "", *, enabled: bool = True, unit: str = "rows") -> None:
        self.prefix = prefix
        self.enabled = enabled
        self.unit = unit
        self._bar: Any = None

    def _desc(self, stage: str) -> str:
        return f"{self.prefix}: {stage}" if self.prefix else stage

    def begin(self, stage: str, total: int) -> None:
        self.close()
        if not self.enabled:
            return
        self._bar = tqdm(
            total=total, desc=self._desc(stage), unit=self.unit, unit_scale=True, file=sys.stderr,
            dynamic_ncols=True, mininterval=0.5,
        )  # fmt: skip

    def rename(self, stage: str) -> None:
        if self._bar is not None:
            self._bar.set_description_str(self._desc(stage))

    def update(self, n: int) -> None:
        if self._bar is not None and n:
            self._bar.update(n)

    def close(self) -> None:
        if self._bar is not None:
            self._bar.close()
            self._bar = None

    @classmethod
    def stages(cls, prefix: str, enabled: bool) -> StageBars:
        return StageBars(cls(prefix, enabled=enabled, unit="items"))

    @classmethod
    def fractions(cls, prefix: str, enabled: bool) -> FractionBar:
        return FractionBar(cls(prefix, enabled=enabled, unit="%"))


class StageBars:
    """Adapts ``progress(stage, done, total)`` to one bar per stage."""

    def __init__(self, bar: Bar) -> None:
        self.bar = bar
        self.stage = ""
        self.done = 0

    def __call__(self, stage: str, done: int, total: int) -> None:
        if stage != self.stage:
            self.bar.begin(stage, total)
            self.stage, self.done = stage, 0
        self.bar.update(done - self.done)
        self.done = done

    def close(self) -> None:
        self.bar.close()


class FractionBar:
    """Adapts ``progress(stage, fraction)`` to one bar in per cent, renamed as stages pass."""

    def __init__(self, bar: Bar) -> None:
        self.bar = bar
        self.bar.begin("starting", 100)
        self.done = 0

    def __call__(self, stage: str, fraction: float) -> None:
        self.bar.rename(stage)
        now = round(fraction * 100)
        self.bar.update(now - self.done)
        self.done = max(self.done, now)

    def close(self) -> None:
        self.bar.close()
