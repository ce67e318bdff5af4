"""Training: the prior and u are re-estimated from the scored pairs (model.refine_prior_and_u)."""

import math
from collections import Counter

import pytest
from splink import Linker

from lantern.linkage.batch import db_api_for, link_features
from lantern.linkage.features import record_features
from lantern.linkage.model import features_table
from lantern.linkage.realtime import record_row
from lantern.people.models import SourceRecord

pytestmark = pytest.mark.django_db


@pytest.fixture
def trained(imported):
    rows = [record_features(row) for row in numbered_rows()]
    return rows, link_features(rows, seed=1).model.settings


def numbered_rows() -> list[dict]:
    """The records' rows numbered 1, 2, 3… in id order. Splink's sample of random pairs depends
    on the ids themselves, and on PostgreSQL they depend on which tests ran before (a rolled-back
    test does not give back its sequence numbers): u measured from that sample moved by a fifth."""
    return [{**record_row(record), "id": number}
            for number, record in enumerate(SourceRecord.objects.order_by("pk"), start=1)]


def _level(settings, comparison, label):
    levels = next(c for c in settings["comparisons"] if c["output_column_name"] == comparison)["comparison_levels"]
    return next(level for level in levels if level.get("label_for_charts") == label)


def _pairs_sharing(rows, column):
    counts = Counter(row[column] for row in rows if row[column] is not None)
    return sum(n * (n - 1) // 2 for n in counts.values())


def test_the_prior_is_the_share_of_pairs_the_model_expects_to_match_not_the_rules_guess(imported):
    # Every other record's given name mistyped: the rules' key (names and date of birth)
    # then finds far fewer of the matches than the 80% they are assumed to find.
    rows = []
    for row in numbered_rows():
        if row["id"] % 2:
            row["given_names"] = f"{row['given_names']}x"
        rows.append(record_features(row))
    settings = link_features(rows, seed=1).model.settings
    prior = settings["probability_two_random_records_match"]
    pairs = len(rows) * (len(rows) - 1) / 2
    table = db_api_for("duckdb").register(features_table(rows))
    weights = Linker(table, settings, log_level=None).inference.predict().as_pyarrow_table()["match_weight"]
    expected_matches = sum(1 / (1 + 2 ** -weight) for weight in weights.to_pylist())
    rules_guess = (_pairs_sharing(rows, "k_name_dob") + _pairs_sharing(rows, "k_nhs")) / 0.8 / pairs

    # EM's fixed point: the mean match probability over all pairs (those outside the blocks
    # count as 0). One round of re-estimation gets within a percent of it.
    assert prior == pytest.approx(expected_matches / pairs, rel=0.01)
    assert prior > 1.3 * rules_guess


def test_u_leaves_out_the_matches_among_random_pairs(trained):
    """A small set of one borough has many records of each person, so matches are a visible part of random pairs."""
    rows, settings = trained
    prior = settings["probability_two_random_records_match"]
    same_date = _level(settings, "date_of_birth", "dates of birth the same")
    dates = Counter(row["dob"] for row in rows if row["dob"] is not None)
    compared = sum(1 for row in rows if row["dob_year"] is not None)  # the level's share is of these pairs
    measured = sum(n * (n - 1) / 2 for n in dates.values()) / (compared * (compared - 1) / 2)

    # What random pairs show is prior * m + (1 - prior) * u; u is what is left for non-matches.
    assert same_date["u_probability"] < 0.8 * measured
    assert same_date["u_probability"] == pytest.approx(
        (measured - prior * same_date["m_probability"]) / (1 - prior), rel=0.15)
    assert math.log2(same_date["m_probability"] / same_date["u_probability"]) > math.log2(
        same_date["m_probability"] / measured) + 0.5
