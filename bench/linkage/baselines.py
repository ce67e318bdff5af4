"""The baselines Lantern is measured against, each taking the benchmark's records table.

- exact: records with the same normalised name and full date of birth are one person,
  the rule separate case-management systems apply today;
- splink_tutorial: Splink configured as its tutorial (deduplicate_50k_synthetic) does,
  with the tutorial's name, date of birth and postcode comparisons and its blocking rules;
- recordlinkage_ecm: the `recordlinkage` package's unsupervised ECM classifier on binary
  comparisons, as its documentation shows it on FEBRL.

Each returns {record id: cluster id} and the seconds each stage took, so that
`lantern.linkage.evaluation.evaluate` scores all methods alike.
"""

import logging
import time
from typing import Any

import duckdb
import pyarrow as pa

Clusters = dict[int, Any]
Stages = dict[str, float]

# Light standardisation both model baselines get: lower case, letters only, first given name,
# ISO date of birth when all of it is known, upper-case postcode. Splink's tutorial data
# arrives like this; without it the baselines would lose on formatting, not on method.
PREPARED = """
SELECT id AS unique_id,
       nullif(regexp_replace(lower(strip_accents(split_part(trim(given_names), ' ', 1))), '[^a-z]', '', 'g'), '')
           AS first_name,
       nullif(regexp_replace(lower(strip_accents(family_name)), '[^a-z]', '', 'g'), '') AS surname,
       CASE WHEN dob_day IS NOT NULL THEN printf('%04d-%02d-%02d', dob_year, dob_month, dob_day) END AS dob,
       nullif(upper(trim(postcode)), '') AS postcode
FROM records
"""


def _connection(table: pa.Table) -> duckdb.DuckDBPyConnection:
    connection = duckdb.connect()
    connection.register("records", table)
    return connection


def exact(table: pa.Table) -> tuple[Clusters, Stages]:
    """Cluster records whose normalised full name and full date of birth are equal; others stay alone."""
    started = time.perf_counter()
    connection = _connection(table)
    result = connection.sql("""
        WITH keyed AS (
            SELECT id,
                   regexp_replace(lower(strip_accents(given_names)), '[^a-z]', '', 'g') AS given,
                   regexp_replace(lower(strip_accents(family_name)), '[^a-z]', '', 'g') AS family,
                   CASE WHEN dob_day IS NOT NULL THEN printf('%04d-%02d-%02d', dob_year, dob_month, dob_day) END AS dob
            FROM records)
        SELECT id, CASE WHEN given <> '' AND family <> '' AND dob IS NOT NULL
                        THEN min(id) OVER (PARTITION BY given, family, dob) ELSE id END AS cluster
        FROM keyed
    """).fetchnumpy()
    clusters = dict(zip(result["id"].tolist(), result["cluster"].tolist(), strict=True))
    return clusters, {"link": time.perf_counter() - started}


# The tutorial's blocking rules, less the one on birth_place, which these records lack.
TUTORIAL_BLOCKING = (
    ("substr(first_name,1,3)", "substr(surname,1,4)"),
    ("surname", "dob"),
    ("first_name", "dob"),
    ("postcode", "first_name"),
    ("postcode", "surname"),
    ("substr(postcode,1,3)", "dob"),
    ("substr(postcode,1,3)", "first_name"),
    ("substr(postcode,1,3)", "surname"),
    ("substr(first_name,1,2)", "substr(surname,1,2)", "substr(dob,1,4)"),
)


def splink_tutorial(table: pa.Table, *, seed: int = 1, threshold: float = 0.95) -> tuple[Clusters, Stages]:
    """Splink 5 as its deduplication tutorial sets it up: out-of-the-box comparisons, EM, cluster at 0.95.

    Predictions below the clustering threshold are not kept (the clusters are the same; the
    tutorial keeps them only to chart them).
    """
    import splink.comparison_library as cl
    from splink import DuckDBAPI, Linker, SettingsCreator, block_on

    stages: Stages = {}
    started = time.perf_counter()
    db_api = DuckDBAPI()
    prepared = _connection(table).sql(PREPARED).to_arrow_table()
    settings = SettingsCreator(
        link_type="dedupe_only",
        blocking_rules_to_generate_predictions=[block_on(*rule) for rule in TUTORIAL_BLOCKING],
        comparisons=[
            cl.NameComparison("first_name"),
            cl.NameComparison("surname"),
            cl.DateOfBirthComparison("dob", input_is_string=True),
            cl.PostcodeComparison("postcode"),
        ],
        retain_intermediate_calculation_columns=False,
        retain_matching_columns=False,
    )
    linker = Linker(db_api.register(prepared, dataset_display_name="records"), settings,
                    log_level=logging.ERROR)
    stages["load"] = time.perf_counter() - started
    linker.training.estimate_probability_two_random_records_match(
        [block_on("first_name", "surname", "dob"),
         block_on("substr(first_name,1,2)", "surname", "substr(postcode,1,2)"),
         block_on("dob", "postcode")],
        recall=0.6,
    )
    linker.training.estimate_u_using_random_sampling(max_pairs=1e7, seed=seed)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("first_name", "surname"), estimate_without_term_frequencies=True)
    linker.training.estimate_parameters_using_expectation_maximisation(
        block_on("dob"), estimate_without_term_frequencies=True)
    stages["train"] = time.perf_counter() - started - sum(stages.values())
    predictions = linker.inference.predict(threshold_match_probability=threshold)
    stages["predict"] = time.perf_counter() - started - sum(stages.values())
    clustered = linker.clustering.cluster_pairwise_predictions_at_threshold(
        predictions, threshold_match_probability=threshold).as_pyarrow_table().to_pydict()
    clusters = dict(zip(clustered["unique_id"], clustered["cluster_id"], strict=True))
    stages["cluster"] = time.perf_counter() - started - sum(stages.values())
    return clusters, stages


def _components(ids: list[int], left: Any, right: Any) -> Clusters:
    """Connected components of the match graph, each named by its smallest record id."""
    import numpy as np
    from scipy.sparse import coo_matrix
    from scipy.sparse.csgraph import connected_components

    index = {record: position for position, record in enumerate(ids)}
    rows = np.fromiter((index[i] for i in left), dtype=np.int64, count=len(left))
    cols = np.fromiter((index[i] for i in right), dtype=np.int64, count=len(right))
    graph = coo_matrix((np.ones(len(rows), dtype=np.int8), (rows, cols)), shape=(len(ids), len(ids)))
    _count, labels = connected_components(graph, directed=False)
    smallest: dict[int, int] = {}
    for record, label in zip(ids, labels.tolist(), strict=True):
        smallest.setdefault(label, record)  # ids are sorted, so the first seen is the smallest
    return {record: smallest[label] for record, label in zip(ids, labels.tolist(), strict=True)}


def recordlinkage_ecm(table: pa.Table) -> tuple[Clusters, Stages]:
    """recordlinkage's ECM (unsupervised Fellegi-Sunter) on binary comparisons, then connected components.

    Candidate pairs: the union of blocks on surname and on date of birth, the package's
    own documented indexing. Comparisons: given name and date of birth and postcode exact,
    surname Jaro-Winkler at least 0.85 (ECM takes only binary features).
    """
    import recordlinkage as rl

    stages: Stages = {}
    started = time.perf_counter()
    frame = _connection(table).sql(PREPARED + " ORDER BY unique_id").df().set_index("unique_id")
    indexer = rl.Index()
    indexer.block("surname")
    indexer.block("dob")
    pairs = indexer.index(frame)
    stages["index"] = time.perf_counter() - started
    compare = rl.Compare(n_jobs=1)
    compare.exact("first_name", "first_name", label="first_name")
    compare.string("surname", "surname", method="jarowinkler", threshold=0.85, label="surname")
    compare.exact("dob", "dob", label="dob")
    compare.exact("postcode", "postcode", label="postcode")
    features = compare.compute(pairs, frame)
    stages["compare"] = time.perf_counter() - started - sum(stages.values())
    matches = rl.ECMClassifier().fit_predict(features)
    stages["classify"] = time.perf_counter() - started - sum(stages.values())
    clusters = _components(frame.index.tolist(), matches.get_level_values(0), matches.get_level_values(1))
    stages["cluster"] = time.perf_counter() - started - sum(stages.values())
    stages["pairs"] = float(len(pairs))
    return clusters, stages
