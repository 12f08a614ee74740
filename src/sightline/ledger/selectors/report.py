"""What a verification found."""

from __future__ import annotations

from dataclasses import dataclass, field

# Past this many problems of one kind the report gives a count instead (a shifted ledger would
# otherwise name every later entry).
MAX_PER_KIND = 50


@dataclass
class Report:
    size: int = 0
    root: bytes = b""
    problems: list[str] = field(default_factory=list)
    checkpoints_checked: int = 0
    entries_checked: int = 0
    rows_checked: int = 0
    # Where the check ended, for the next incremental run: the compact range at ``size``, the last
    # leaf hash, and the id of the last stored checkpoint checked.
    frontier: bytes = b""
    last_leaf: bytes = b""
    checkpoint_id: int = 0
    # How many problems of each kind, kept by close() (``problems`` holds at most MAX_PER_KIND each).
    counts: dict[str, int] = field(default_factory=dict)
    _kinds: dict[str, int] = field(default_factory=dict, repr=False)
    _kept: list[tuple[str, str]] = field(default_factory=list, repr=False)

    @property
    def ok(self) -> bool:
        return not self.problems

    def add(self, kind: str, message: str) -> None:
        n = self._kinds.get(kind, 0) + 1
        self._kinds[kind] = n
        if n <= MAX_PER_KIND:
            self.problems.append(message)
            self._kept.append((kind, message))

    def merge(self, other: Report) -> None:
        """Add what another (partial) report found, keeping each kind's limit and count."""
        for kind, message in other._kept:
            self.add(kind, message)
        for kind, n in other._kinds.items():
            kept = sum(1 for k, _m in other._kept if k == kind)
            self._kinds[kind] = self._kinds.get(kind, 0) + n - kept
        self.entries_checked += other.entries_checked

    @property
    def problem_count(self) -> int:
        return sum(self.counts.values()) if self.counts else len(self.problems)

    def close(self) -> None:
        self.counts = dict(self._kinds)
        for kind, n in self._kinds.items():
            if n > MAX_PER_KIND:
                self.problems.append(f"... and {n - MAX_PER_KIND} more problems of this kind: {kind}")
        self._kinds.clear()
