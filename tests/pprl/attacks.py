"""Two published kinds of attack on Bloom-filter encodings, run against our own encodings.

The attacker holds the encoded extracts and a population register with names and dates of birth,
and knows the scheme (docs/pprl.md) but not the secret.

- Frequency attack (Kuzu et al. 2011; Christen et al. 2017): identical encodings are grouped and the
  groups, most frequent first, are aligned one to one with the register's values, most frequent first.
- Pattern-mining attack (Christen, Ranbaduge, Vatsalan and Schnell 2018; Vidanage et al. 2019): the
  bit positions a frequent bigram sets are found as columns that are set together; those patterns
  are aligned with the register's bigrams by frequency and co-occurrence, and each filter is then
  re-identified as the one register name whose bigrams fit the patterns it holds.

Both return one guess (or None) per record; `score` measures how many guesses name the record.
"""

from __future__ import annotations

import base64
from collections import Counter
from dataclasses import dataclass

import numpy as np

from sightline.pprl import normalise as norm


@dataclass
class Target:
    """One encoded name field: per record its filters, whether they are salted, and its plain value
    (cleaned; 'given|family' for the full name)."""

    encodings: list[list[str]]
    salted: list[bool]
    truth: list[str]


# What the register's people encode to under the scheme, by salting class: (value, salt) -> count.
Units = dict[bool, Counter[tuple[str, str]]]


def grams(value: str) -> tuple[str, ...]:
    return norm.bigrams(value.replace("|", " ").strip())


def _majority(names: list[str]) -> str | None:
    return Counter(names).most_common(1)[0][0] if names else None


def frequency_attack(target: Target, register: Units) -> list[str | None]:
    """Align encodings with register values by frequency rank, within each salting class."""
    guesses: list[str | None] = [None] * len(target.truth)
    for salted in (False, True):
        idx = [i for i, s in enumerate(target.salted) if s == salted and target.encodings[i]]
        if not idx:
            continue
        counts = Counter(e for i in idx for e in target.encodings[i])
        units = register[salted]
        ranked_enc = sorted(counts, key=lambda e: (-counts[e], e))
        ranked_units = sorted(units, key=lambda u: (-units[u], u))
        assigned = {e: u[0] for e, u in zip(ranked_enc, ranked_units)}
        for i in idx:
            guesses[i] = _majority([assigned[e] for e in target.encodings[i] if e in assigned])
    return guesses


def _bits(filters: list[str]) -> np.ndarray:
    raw = np.frombuffer(b"".join(base64.b64decode(f) for f in filters), dtype=np.uint8)
    return np.unpackbits(raw).reshape(len(filters), -1).astype(bool)


def _drop_complements(x: np.ndarray) -> np.ndarray:
    """Balanced filters carry each bit and its complement: find the pairs and keep the sparser."""
    freq = x.sum(0)
    keep = np.ones(x.shape[1], dtype=bool)
    by_pattern: dict[bytes, int] = {}
    for c in range(x.shape[1]):
        by_pattern[np.packbits(x[:, c]).tobytes()] = c
    for c in range(x.shape[1]):
        other = by_pattern.get(np.packbits(~x[:, c]).tobytes())
        if other is not None and keep[c] and keep[other] and freq[c] >= freq[other]:
            keep[c] = False
    return x[:, keep]


def _mine(x: np.ndarray, k: int, max_atoms: int, min_support: int) -> list[np.ndarray]:
    """Groups of columns set together (the positions of one frequent bigram), most frequent first."""
    free = np.ones(x.shape[1], dtype=bool)
    freq = x.sum(0)
    found: list[np.ndarray] = []
    tries = 0
    while len(found) < max_atoms and free.any() and tries < 4 * max_atoms:
        tries += 1
        seed = int(np.argmax(np.where(free, freq, -1)))
        if freq[seed] < min_support:
            break
        rows = x[:, seed].copy()
        cols = [seed]
        while len(cols) < k:
            together = x[rows].sum(0)
            together[cols] = -1
            best = int(np.argmax(together))
            if together[best] < 0.6 * rows.sum():
                break
            cols.append(best)
            rows &= x[:, best]
        free[seed] = False
        if len(cols) >= max(2, k // 2) and rows.sum() >= min_support:
            free[cols] = False
            found.append(rows)
    return found


def pattern_mining_attack(target: Target, register: Units, k: int, max_atoms: int = 40) -> list[str | None]:
    """Mine bigram patterns from the bits, align them with register bigrams, re-identify names."""
    guesses: list[str | None] = [None] * len(target.truth)
    for salted in (False, True):
        idx = [i for i, s in enumerate(target.salted) if s == salted and target.encodings[i]]
        if len(idx) < 50:
            continue
        owners = [i for i in idx for _ in target.encodings[i]]
        x = _drop_complements(_bits([e for i in idx for e in target.encodings[i]]))
        atoms_rows = _mine(x, k, max_atoms, min_support=max(5, len(owners) // 200))
        if not atoms_rows:
            continue
        units = register[salted]
        unit_list = list(units)
        weight = np.array([units[u] for u in unit_list], dtype=float)
        atoms: Counter[tuple[str, str]] = Counter()
        for u, c in units.items():
            for g in grams(u[0]):
                atoms[(g, u[1])] += c
        candidates = [g for g, _ in atoms.most_common(3 * len(atoms_rows))]
        if len(candidates) < len(atoms_rows):
            continue
        has = np.array([[(g[0] in grams(u[0]) and g[1] == u[1]) for g in candidates] for u in unit_list])
        f_units = (has * weight[:, None]).T @ has / weight.sum()  # bigram co-occurrence in the register
        present = np.stack(atoms_rows, axis=1).astype(float)
        f_rows = present.T @ present / len(owners)  # pattern co-occurrence in the encodings
        chosen: list[int] = []
        for a in range(len(atoms_rows)):
            cost = np.abs(np.diag(f_units) - f_rows[a, a])
            for b, g_unit in enumerate(chosen):
                cost = cost + np.abs(f_units[:, g_unit] - f_rows[a, b])
            cost[chosen] = np.inf
            chosen.append(int(np.argmin(cost)))
        unit_sig: dict[bytes, set[str]] = {}
        for j, u in enumerate(unit_list):
            unit_sig.setdefault(has[j, chosen].tobytes(), set()).add(u[0])
        per_record: dict[int, list[str]] = {}
        for row, owner in enumerate(owners):
            found = unit_sig.get(present[row].astype(bool).tobytes())
            if found and len(found) == 1:
                per_record.setdefault(owner, []).append(next(iter(found)))
        for owner, named in per_record.items():
            guesses[owner] = _majority(named)
    return guesses


@dataclass
class Score:
    records: int
    reidentified: int
    chance: float  # the rate the same guesses would reach if they were made blind
    top_names: int
    top_names_reidentified: int

    @property
    def rate(self) -> float:
        return self.reidentified / self.records if self.records else 0.0

    @property
    def beyond_chance(self) -> float:
        """What the encodings gave away: right guesses beyond those a blind guesser makes."""
        return max(0.0, self.rate - self.chance)

    @property
    def top_rate(self) -> float:
        return self.top_names_reidentified / self.top_names if self.top_names else 0.0


def score(target: Target, guesses: list[str | None], part: int | None = None, top: int = 20) -> Score:
    """Records whose name (or `part` of 'given|family') the attack got right; the chance rate of
    guesses drawn as often but independently of the records (a blind guess of 'Smith' is right
    for every Smith); and of the `top` most frequent names, how many the attack names for most of
    their records."""

    def pick(value: str | None) -> str | None:
        return value.split("|")[part] if value is not None and part is not None else value

    rows = [i for i, e in enumerate(target.encodings) if e and pick(target.truth[i])]
    truth = {i: pick(target.truth[i]) for i in rows}
    guess = {i: pick(guesses[i]) for i in rows}
    right = [i for i in rows if guess[i] is not None and guess[i] == truth[i]]
    made, held = Counter(g for g in guess.values() if g is not None), Counter(truth.values())
    n = len(rows)
    chance = sum(c * held[g] for g, c in made.items()) / n / n if n else 0.0
    frequent = [name for name, _ in held.most_common(top)]
    named = 0
    for name in frequent:
        mine = [i for i in rows if truth[i] == name]
        if sum(guess[i] == name for i in mine) * 2 > len(mine):
            named += 1
    return Score(n, len(right), chance, len(frequent), named)
