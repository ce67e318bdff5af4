"""Stable identity: which existing person each new cluster keeps, so references survive re-linking.

A cluster keeps the person that holds most of its records (ties go to the older person),
so a person whose cluster is unchanged or has grown keeps its reference. A person left
with no records is merged into the person that took most of them; its reference still
resolves through `merged_into`, and nothing that points at it is orphaned.
"""

from collections import Counter, defaultdict
from collections.abc import Mapping
from dataclasses import dataclass, field


@dataclass
class Assignment:
    person_for_cluster: dict[int, int | None]
    """Each cluster's person; None for a cluster that needs a new person."""
    moves: dict[int, int] = field(default_factory=dict)
    """Records whose cluster belongs to another person now: record -> cluster."""
    merged: dict[int, int] = field(default_factory=dict)
    """Persons left with no records -> the cluster that took most of their records."""


def assign_persons(clusters: Mapping[int, int], current: Mapping[int, int | None]) -> Assignment:
    """Give each cluster (record -> cluster) a person, keeping current persons (record -> person)."""
    overlap: Counter[tuple[int, int]] = Counter()
    for record, cluster in clusters.items():
        person = current.get(record)
        if person is not None:
            overlap[(cluster, person)] += 1
    person_for_cluster: dict[int, int | None] = {}
    taken: set[int] = set()
    for (cluster, person), _ in sorted(overlap.items(), key=lambda item: (-item[1], item[0][1], item[0][0])):
        if cluster not in person_for_cluster and person not in taken:
            person_for_cluster[cluster] = person
            taken.add(person)
    for cluster in set(clusters.values()):
        person_for_cluster.setdefault(cluster, None)
    moves = {record: cluster for record, cluster in clusters.items()
             if current.get(record) is None or person_for_cluster[cluster] != current[record]}
    went_to: dict[int, Counter[int]] = defaultdict(Counter)
    for record, cluster in moves.items():
        person = current.get(record)
        if person is not None and person not in taken:
            went_to[person][cluster] += 1
    merged = {person: min(counts.items(), key=lambda item: (-item[1], item[0]))[0]
              for person, counts in went_to.items()}
    return Assignment(person_for_cluster, moves, merged)
