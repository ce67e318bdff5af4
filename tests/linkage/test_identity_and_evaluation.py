"""Stable identity when clusters change, and the evaluation against ground truth."""

from lantern.linkage.evaluation import evaluate
from lantern.linkage.identity import assign_persons


def test_an_unchanged_cluster_keeps_its_person():
    result = assign_persons({1: 1, 2: 1, 3: 3}, {1: 10, 2: 10, 3: 30})

    assert result.person_for_cluster == {1: 10, 3: 30}
    assert result.moves == {} and result.merged == {}


def test_a_grown_cluster_keeps_its_person_and_the_emptied_one_is_merged_into_it():
    result = assign_persons({1: 1, 2: 1, 3: 1}, {1: 10, 2: 10, 3: 30})

    assert result.person_for_cluster == {1: 10}
    assert result.moves == {3: 1}
    assert result.merged == {30: 1}


def test_a_split_keeps_the_person_with_the_larger_part_and_makes_a_new_one():
    result = assign_persons({1: 1, 2: 1, 3: 3}, {1: 10, 2: 10, 3: 10})

    assert result.person_for_cluster == {1: 10, 3: None}
    assert result.moves == {3: 3}
    assert result.merged == {}


def test_a_tie_goes_to_the_older_person():
    result = assign_persons({1: 1, 2: 1}, {1: 20, 2: 10})

    assert result.person_for_cluster == {1: 10}
    assert result.merged == {20: 1}


def test_new_records_join_or_form_clusters():
    result = assign_persons({1: 1, 2: 1, 3: 3}, {1: 10, 2: None, 3: None})

    assert result.person_for_cluster == {1: 10, 3: None}
    assert result.moves == {2: 1, 3: 3}


def test_evaluation_counts_pairs_and_exact_clusters():
    truth = {"a": "P1", "b": "P1", "c": "P1", "d": "P2", "e": "P3"}
    predicted = {"a": 1, "b": 1, "c": 2, "d": 2, "e": 3}

    result = evaluate(predicted, truth)

    # Predicted pairs: a-b (right), c-d (wrong). True pairs: a-b, a-c, b-c.
    assert result.pairwise.precision == 0.5
    assert result.pairwise.recall == 1 / 3
    # Exact clusters: only {e}.
    assert result.cluster.precision == 1 / 3
    assert result.cluster.recall == 1 / 3
    assert result.records == 5 and result.true_persons == 3 and result.predicted_persons == 3


def test_a_perfect_clustering_scores_one():
    truth = {i: i // 3 for i in range(30)}

    result = evaluate({i: f"x{i // 3}" for i in range(30)}, truth)

    assert result.pairwise.f1 == result.cluster.f1 == 1.0
