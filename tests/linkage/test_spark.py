"""The Spark backend (the `spark` extra) links as DuckDB does, with the same model.

Spark runs in local mode, one session for the whole test run. CI must test this path: with
the environment variable CI set, a missing pyspark fails these tests instead of skipping them.
"""

import io
import os
import sys
from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command

from lantern.linkage.batch import link_features
from lantern.linkage.exceptions import LinkageError
from lantern.linkage.features import record_features
from lantern.linkage.models import LinkRun
from lantern.linkage.realtime import record_row
from lantern.linkage.selectors import clustering
from lantern.linkage.services import link_all
from lantern.people.models import SourceRecord


@pytest.fixture(scope="session")
def spark() -> Iterator[Any]:
    """Start Spark once for the test run (the backend then finds it running)."""
    if os.environ.get("CI"):
        try:
            import pyspark  # noqa: F401
        except ImportError:
            pytest.fail("CI must test the Spark backend, but pyspark is missing: bash scripts/setup.sh --test")
    else:
        pytest.importorskip("pyspark", reason="the spark extra is not installed: pip install -e '.[spark]'")
    from lantern.linkage.spark import spark_session

    # Only the JIT's quick tier: these runs are short, and on two cores the optimising
    # compiler's threads cost more than they save (a session and first link in half the time).
    session = spark_session({"spark.driver.extraJavaOptions": "-XX:TieredStopAtLevel=1"})
    yield session
    session.stop()


@pytest.mark.django_db
def test_spark_scores_and_clusters_as_duckdb_does(imported, spark):
    rows = [record_features(record_row(r)) for r in SourceRecord.objects.all()]
    on_duckdb = link_features(rows, seed=1)

    on_spark = link_features(rows, model=on_duckdb.model, backend="spark")

    assert on_spark.pairs_scored == on_duckdb.pairs_scored > 500
    assert on_spark.clusters == on_duckdb.clusters
    # The same pairs go to review, with the same weights but for the last digits (Spark and
    # DuckDB do not add up a pair's weight in the same order).
    review_band = {(low, high): (weight, probability) for low, high, weight, probability in on_duckdb.uncertain}
    assert review_band
    assert {(low, high): (weight, probability) for low, high, weight, probability in on_spark.uncertain} == {
        pair: (pytest.approx(weight, abs=1e-6), pytest.approx(probability, abs=1e-9))
        for pair, (weight, probability) in review_band.items()
    }


@pytest.mark.django_db
def test_lantern_link_on_spark_keeps_the_persons_duckdb_found(imported, spark):
    link_all()  # on DuckDB, which trains and saves the model
    before = {(agency, source_id): reference for agency, source_id, reference in clustering()}
    out = io.StringIO()

    call_command("link", "--backend", "spark", stdout=out)

    run = LinkRun.objects.first()
    assert run is not None and run.backend == "spark"
    assert run.counts["records_moved"] == run.counts["persons_created"] == 0
    assert {(agency, source_id): reference for agency, source_id, reference in clustering()} == before
    assert f"Linked {run.records:,} records into {run.persons:,} persons" in out.getvalue()


def test_the_spark_backend_without_pyspark_says_what_to_install(monkeypatch):
    from lantern.linkage.spark import spark_db_api

    monkeypatch.setitem(sys.modules, "pyspark", None)  # import pyspark now raises ImportError

    with pytest.raises(LinkageError, match=r"pip install 'lantern\[spark\]'"):
        spark_db_api()
