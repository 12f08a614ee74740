"""Pairwise precision / recall / F1 of a clustering against ground truth."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass


@dataclass(frozen=True)
class PairwiseScores:
    precision: float
    recall: float
    f1: float
    true_positives: int
    predicted_pairs: int
    true_pairs: int


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def pairwise_scores(clusters: dict[str, str], truth: dict[str, str]) -> PairwiseScores:
    """Both map record_key -> group; only records in both are counted."""
    keys = [k for k in clusters if k in truth]
    predicted = sum(_pairs(n) for n in Counter(clusters[k] for k in keys).values())
    actual = sum(_pairs(n) for n in Counter(truth[k] for k in keys).values())
    both = sum(_pairs(n) for n in Counter((clusters[k], truth[k]) for k in keys).values())
    precision = both / predicted if predicted else 1.0
    recall = both / actual if actual else 1.0
    f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return PairwiseScores(precision, recall, f1, both, predicted, actual)
