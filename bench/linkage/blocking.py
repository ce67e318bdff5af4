"""Blocking recall: how many true matching pairs Lantern's blocking keys let the model see, and at what cost.

A pair the blocking never puts together can never be linked, so the share of true pairs
that share at least one key bounds the pairwise recall of batch linkage. For each key in
`lantern.linkage.features.BLOCKING_KEYS`, in order, this prints the share of true pairs that
share it, the share that share it or an earlier key (cumulative), the candidate pairs it
makes alone, and the new ones it adds to the earlier keys' (what Splink scores). The
Splink tutorial's blocking rules are measured the same way, for comparison.

Usage:
    .venv/bin/python bench/linkage/blocking.py --london /tmp/london3 [--febrl] [--markdown PATH]
"""

# ruff: noqa: S608 -- the SQL is built from this module's own column names and the tutorial's rules, not from input.

import argparse
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

import baselines  # noqa: E402
import datasets  # noqa: E402
import duckdb  # noqa: E402
import pyarrow as pa  # noqa: E402

from lantern.linkage.features import BLOCKING_KEYS, record_features  # noqa: E402


def lantern_keys(table: pa.Table) -> pa.Table:
    """Return id, entity and Lantern's key columns, building features a batch at a time to stay small."""
    columns: dict[str, list] = {name: [] for name in ("id", "entity", *BLOCKING_KEYS)}
    for batch in table.to_batches(max_chunksize=50_000):
        for record in batch.to_pylist():
            features = record_features(record)
            columns["id"].append(record["id"])
            columns["entity"].append(record["entity"])
            for key in BLOCKING_KEYS:
                columns[key].append(features[key])
    return pa.table(columns)


def tutorial_keys(table: pa.Table) -> tuple[pa.Table, dict[str, str]]:
    """Return id, entity and one key column per Splink tutorial blocking rule (a hash of its expressions)."""
    connection = duckdb.connect()
    connection.register("records", table)
    connection.execute("CREATE TABLE prepared AS " + baselines.PREPARED.replace(
        "FROM records", ", entity FROM records"))
    names, selects = {}, []
    for number, rule in enumerate(baselines.TUTORIAL_BLOCKING, start=1):
        name = f"r{number}"
        known = " AND ".join(f"({part}) IS NOT NULL" for part in rule)
        selects.append(f"CASE WHEN {known} THEN hash({', '.join(rule)}) END AS {name}")
        names[name] = " + ".join(rule)
    keyed = connection.sql(f"SELECT unique_id AS id, entity, {', '.join(selects)} FROM prepared").to_arrow_table()
    return keyed, names


def _shares(key: str) -> str:
    return f"coalesce(a.{key} = b.{key}, false)"


def measure(keyed: pa.Table, keys: list[str]) -> list[dict]:
    """Return, per key in order: true pairs sharing it, cumulative, candidate pairs alone and new."""
    connection = duckdb.connect()
    connection.register("keyed_arrow", keyed)
    connection.execute("CREATE TABLE keyed AS SELECT * FROM keyed_arrow")
    connection.execute(
        "CREATE TABLE true_pairs AS SELECT " + ", ".join(f"{_shares(k)} AS {k}" for k in keys)
        + " FROM keyed a JOIN keyed b ON a.entity = b.entity AND a.id < b.id")
    true_pairs = connection.sql("SELECT count(*) FROM true_pairs").fetchall()[0][0]
    results = []
    for index, key in enumerate(keys):
        earlier = keys[:index]
        alone, cumulative = connection.sql(
            f"SELECT count(*) FILTER ({key}), count(*) FILTER ({' OR '.join(keys[:index + 1])}) FROM true_pairs"
        ).fetchall()[0]
        candidates = connection.sql(
            f"SELECT coalesce(sum(n * (n - 1) // 2), 0) FROM (SELECT count(*) AS n FROM keyed "
            f"WHERE {key} IS NOT NULL GROUP BY {key})").fetchall()[0][0]
        excluded = f"WHERE NOT ({' OR '.join(_shares(k) for k in earlier)})" if earlier else ""
        new = connection.sql(
            f"SELECT count(*) FROM keyed a JOIN keyed b ON a.{key} = b.{key} AND a.id < b.id {excluded}"
        ).fetchall()[0][0]
        results.append({"key": key, "true_pairs": true_pairs, "recall": alone / true_pairs if true_pairs else 1.0,
                        "cumulative": cumulative / true_pairs if true_pairs else 1.0,
                        "candidates": int(candidates), "new_candidates": int(new)})
    return results


def markdown(title: str, results: list[dict], labels: dict[str, str] | None = None) -> str:
    lines = [f"{title}: {results[0]['true_pairs']:,} true matching pairs.", "",
             "| key | true pairs sharing it | cumulative | candidate pairs alone | new candidate pairs | "
             "cumulative candidates |", "|---|---:|---:|---:|---:|---:|"]
    total = 0
    for row in results:
        total += row["new_candidates"]
        label = (labels or {}).get(row["key"], row["key"])
        lines.append(f"| `{label}` | {row['recall']:.2%} | {row['cumulative']:.2%} | {row['candidates']:,} | "
                     f"{row['new_candidates']:,} | {total:,} |")
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--london", type=Path, help="a folder made by `lantern generate`")
    parser.add_argument("--limit", type=int)
    parser.add_argument("--febrl", action="store_true", help="also measure FEBRL3 and FEBRL4")
    parser.add_argument("--markdown", type=Path)
    args = parser.parse_args()
    sets = []
    if args.london:
        table, counts = datasets.london(args.london, args.limit)
        sets.append((f"London ({counts['records']:,} records)", table))
    if args.febrl:
        sets += [("FEBRL3", datasets.febrl3()), ("FEBRL4 (A ∪ B)", datasets.febrl4())]
    parts = []
    for name, table in sets:
        started = time.perf_counter()
        lantern = markdown(f"{name}, Lantern's keys", measure(lantern_keys(table), list(BLOCKING_KEYS)))
        keyed, names = tutorial_keys(table)
        tutorial = markdown(f"{name}, Splink tutorial's rules", measure(keyed, list(names)), names)
        print(lantern, tutorial, f"({time.perf_counter() - started:.0f} s)", sep="\n", flush=True)
        parts += [lantern, tutorial]
    if args.markdown:
        args.markdown.write_text("\n".join(parts))


if __name__ == "__main__":
    main()
