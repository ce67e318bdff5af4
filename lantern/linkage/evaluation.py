"""How good a clustering is, against ground truth: pairwise and cluster-level precision and recall.

Pairwise: of the pairs of records put together, how many truly belong together
(precision), and of the pairs that truly belong together, how many were put together
(recall). Cluster-level: of the persons made, how many hold exactly one true person's
records and all of them (precision), and of the true persons, how many were made exactly
(recall). Records missing from either side are left out of both.
"""

from collections import Counter
from collections.abc import Hashable, Mapping
from dataclasses import dataclass
from typing import TypeVar

Key = TypeVar("Key", bound=Hashable)


@dataclass(frozen=True)
class Scores:
    precision: float
    recall: float

    @property
    def f1(self) -> float:
        total = self.precision + self.recall
        return 2 * self.precision * self.recall / total if total else 0.0


@dataclass(frozen=True)
class Evaluation:
    records: int
    true_persons: int
    predicted_persons: int
    pairwise: Scores
    cluster: Scores


def _pairs(n: int) -> int:
    return n * (n - 1) // 2


def _ratio(part: int, whole: int) -> float:
    return part / whole if whole else 1.0


def evaluate(predicted: Mapping[Key, Hashable], truth: Mapping[Key, Hashable]) -> Evaluation:
    """Compare predicted cluster ids with true person ids, both keyed by record."""
    records = [key for key in predicted if key in truth]
    together = Counter((predicted[key], truth[key]) for key in records)
    predicted_sizes = Counter(predicted[key] for key in records)
    true_sizes = Counter(truth[key] for key in records)
    true_positive = sum(_pairs(n) for n in together.values())
    pairwise = Scores(_ratio(true_positive, sum(_pairs(n) for n in predicted_sizes.values())),
                      _ratio(true_positive, sum(_pairs(n) for n in true_sizes.values())))
    # A cluster is exact when all its records share one true person and it holds all of theirs.
    exact = sum(1 for (p, t), n in together.items() if n == predicted_sizes[p] == true_sizes[t])
    cluster = Scores(_ratio(exact, len(predicted_sizes)), _ratio(exact, len(true_sizes)))
    return Evaluation(len(records), len(true_sizes), len(predicted_sizes), pairwise, cluster)
