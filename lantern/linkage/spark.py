"""Batch linkage on Apache Spark (`lantern link --backend spark`), the optional `spark` extra.

Spark runs in local mode (`local[*]`): all of one machine's cores, the same Splink model as
on DuckDB. A SparkSession already running in the process (the tests start one) is used as it
is: `getOrCreate` returns it, and the settings here that only apply when the JVM starts
(driver memory, jars) are then left as they were.

The model is kept in DuckDB's SQL, whichever backend trained it, so that a model trained on
one backend scores on the other: `spark_settings` renders the same comparisons in Spark's
SQL, and `duckdb_settings` turns a model trained on Spark back into DuckDB's SQL.
"""

import atexit
import logging
import os
import shutil
import tempfile
from collections.abc import Mapping
from copy import deepcopy
from functools import cache
from typing import Any

from splink import SettingsCreator

from .exceptions import LinkageError
from .model import splink_settings

DRIVER_MEMORY_ENV = "LANTERN_SPARK_DRIVER_MEMORY"
# A few partitions suit one machine: Spark's default of 200 makes hundreds of tiny tasks and
# files. Splink repartitions the tables it keeps into REPARTITION parts, or a quarter to a
# tenth of that for some (the sample of records that estimates u is cross-joined, so it
# needs a part for each core or training runs on one).
CORES = os.cpu_count() or 1
PARTITIONS = max(2, 2 * CORES)
REPARTITION = 8 * CORES


def _require_pyspark() -> None:
    try:
        import pyspark  # noqa: F401
    except ImportError as error:
        raise LinkageError("the Spark backend needs the spark extra: pip install 'lantern[spark]'") from error


@cache
def _checkpoint_dir() -> str:
    path = tempfile.mkdtemp(prefix="lantern-spark-")
    atexit.register(shutil.rmtree, path, ignore_errors=True)
    return path


def spark_session(extra_conf: Mapping[str, str] | None = None) -> Any:
    """Return the running SparkSession, or start a local one (Splink's similarity jar on its class path).

    `extra_conf` adds to or overrides the settings below when this call starts the session.
    """
    _require_pyspark()
    from pyspark.errors import PySparkRuntimeError
    from pyspark.sql import SparkSession
    from splink.backends.spark import similarity_jar_location

    # Local mode talks to itself: do not depend on the host name resolving (and say so to Spark
    # before it starts, or it warns that it resolved to a loopback address).
    os.environ.setdefault("SPARK_LOCAL_IP", "127.0.0.1")
    builder = (
        SparkSession.builder.master("local[*]")
        .appName("lantern-linkage")
        .config("spark.driver.memory", os.environ.get(DRIVER_MEMORY_ENV, "4g"))
        # jaro_winkler and Splink's other similarity functions are Scala UDFs in this jar;
        # SparkAPI registers them when it starts.
        .config("spark.jars", similarity_jar_location())
        .config("spark.sql.shuffle.partitions", str(PARTITIONS))
        .config("spark.default.parallelism", str(PARTITIONS))
        .config("spark.ui.enabled", "false")
        .config("spark.ui.showConsoleProgress", "false")
        .config("spark.sql.session.timeZone", "UTC")
        .config("spark.driver.host", "127.0.0.1")
        .config("spark.driver.bindAddress", "127.0.0.1")
    )
    for key, value in (extra_conf or {}).items():
        builder = builder.config(key, value)
    try:
        session = builder.getOrCreate()
    except PySparkRuntimeError as error:  # most often: no Java, or not Java 17 or later
        raise LinkageError(f"could not start Spark (it needs Java 17 or later on the PATH or in JAVA_HOME): "
                           f"{error}") from error
    session.sparkContext.setLogLevel("ERROR")
    # py4j logs every socket it closes at INFO, which is noise in `lantern link`.
    logging.getLogger("py4j").setLevel(logging.WARNING)
    if session.sparkContext.getCheckpointDir() is None:
        session.sparkContext.setCheckpointDir(_checkpoint_dir())
    return session


def spark_db_api() -> Any:
    """Return Splink's SparkAPI on the local SparkSession."""
    session = spark_session()
    from splink.backends.spark import SparkAPI

    return SparkAPI(
        spark_session=session,
        # Splink writes each table it keeps (term frequencies, blocked pairs, predictions) as
        # Parquet under the checkpoint directory, which cuts Spark's lineage and keeps memory
        # bounded (its default outside Databricks, named here so that it cannot change under us).
        break_lineage_method="parquet",
        num_partitions_on_repartition=REPARTITION,
    )


def _levels(settings: dict[str, Any]) -> list[dict[str, Any]]:
    return [level for comparison in settings["comparisons"] for level in comparison["comparison_levels"]]


def _in_dialect(settings: dict[str, Any], source: str, target: str) -> dict[str, Any]:
    """Return `settings` (a model in `source`'s SQL) with the SQL of `target`, every parameter kept.

    The SQL is not translated from the saved text (sqlglot knows neither DuckDB's
    list_intersect nor Splink's jaro_winkler UDF): Splink renders this code's comparisons and
    blocking rules for each dialect, and the saved model must be those comparisons.
    """
    ours, theirs = splink_settings().create_settings_dict(source), splink_settings().create_settings_dict(target)
    saved = _levels(settings)
    if [level["sql_condition"] for level in saved] != [level["sql_condition"] for level in _levels(ours)]:
        raise LinkageError("the saved linkage model's comparisons do not match this code: "
                           "run `lantern link --retrain`")
    converted = deepcopy(settings)
    for level, rendered in zip(_levels(converted), _levels(theirs), strict=True):
        level["sql_condition"] = rendered["sql_condition"]
    converted["blocking_rules_to_generate_predictions"] = theirs["blocking_rules_to_generate_predictions"]
    converted["sql_dialect"] = target
    return converted


def spark_settings(settings: dict[str, Any] | SettingsCreator) -> dict[str, Any] | SettingsCreator:
    """Return a model (DuckDB's SQL) for Spark; an untrained SettingsCreator Splink renders itself."""
    return settings if isinstance(settings, SettingsCreator) else _in_dialect(settings, "duckdb", "spark")


def duckdb_settings(settings: dict[str, Any]) -> dict[str, Any]:
    """Return a model trained on Spark in DuckDB's SQL, the form every saved model takes."""
    return _in_dialect(settings, "spark", "duckdb")
