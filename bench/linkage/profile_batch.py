"""Where Lantern's batch linkage spends time and memory: `link_features` taken apart, step by step.

Runs the same steps as `lantern.linkage.batch.link_features` (features, Arrow table, Splink
registration, each training step, prediction, clustering), timing each and sampling the
process's resident memory every 20 ms, so that each step's peak shows. Also counts the
pairs each EM blocking rule makes, which is what training's time grows with.

With --train-share, instead measures a change this suggests: train the same model on a
seeded random share of the records, then let `link_features` predict and cluster them all.

Usage:
    .venv/bin/python bench/linkage/profile_batch.py --london /tmp/london3
    .venv/bin/python bench/linkage/profile_batch.py --london /tmp/london3 --train-share 0.3
"""

import argparse
import gc
import logging
import os
import sys
import threading
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

import datasets  # noqa: E402
import duckdb  # noqa: E402


class Memory:
    """Samples resident memory in a thread; `step()` returns the peak since the previous call."""

    def __init__(self, interval: float = 0.02):
        self.page = os.sysconf("SC_PAGE_SIZE")
        self.peak = self.now()
        self.interval = interval
        threading.Thread(target=self._sample, daemon=True).start()

    def now(self) -> float:
        with open("/proc/self/statm") as handle:
            return int(handle.read().split()[1]) * self.page / 2**20

    def _sample(self) -> None:
        while True:
            self.peak = max(self.peak, self.now())
            time.sleep(self.interval)

    def step(self) -> tuple[float, float]:
        peak, self.peak = max(self.peak, self.now()), self.now()
        return peak, self.peak


def train_on_share(table, truth: dict, share: float) -> None:
    """Train on a share of the records (EM pairs fall with its square), then link all of them."""
    import random

    from splink import DuckDBAPI, Linker

    from lantern.linkage.batch import link_features
    from lantern.linkage.evaluation import evaluate
    from lantern.linkage.features import record_features
    from lantern.linkage.model import TrainedModel, features_table, splink_settings, term_frequencies, train

    memory = Memory()
    started = time.perf_counter()
    rows = []
    for batch in table.to_batches(max_chunksize=50_000):
        rows.extend(record_features(record) for record in batch.to_pylist())
    features_seconds = time.perf_counter() - started
    chosen = sorted(random.Random(1).sample(range(len(rows)), round(len(rows) * share)))  # noqa: S311
    linker = Linker(DuckDBAPI().register(features_table([rows[i] for i in chosen]), dataset_display_name="sample"),
                    splink_settings(), log_level=logging.ERROR)
    train(linker, seed=1, records=len(chosen))
    model = TrainedModel(linker.misc.save_model_to_json(), term_frequencies(rows), 1)
    del linker
    gc.collect()
    train_seconds = time.perf_counter() - started - features_seconds
    result = link_features(rows, model=model)
    seconds = time.perf_counter() - started
    peak, _ = memory.step()
    e = evaluate(result.clusters, truth)
    print(f"trained on {share:.0%} of {len(rows):,} records: features {features_seconds:.1f} s, train "
          f"{train_seconds:.1f} s, link_features {result.seconds}, total {seconds:.1f} s, peak {peak:,.0f} MB")
    print(f"pairwise P {e.pairwise.precision:.4f} R {e.pairwise.recall:.4f} F1 {e.pairwise.f1:.4f}; "
          f"cluster P {e.cluster.precision:.4f} R {e.cluster.recall:.4f} F1 {e.cluster.f1:.4f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--london", type=Path, required=True)
    parser.add_argument("--limit", type=int)
    parser.add_argument("--train-share", type=float, help="train on this share of the records, link all")
    args = parser.parse_args()
    if args.train_share:
        table, _counts = datasets.london(args.london, args.limit)
        truth = datasets.truth_of(table)
        train_on_share(table.drop_columns(["entity"]), truth, args.train_share)
        return

    from splink import DuckDBAPI, Linker, block_on

    from lantern.linkage.batch import _Clusters
    from lantern.linkage.features import record_features
    from lantern.linkage.model import features_table, refine_prior_and_u, splink_settings, term_frequencies

    table, _counts = datasets.london(args.london, args.limit)
    table = table.drop_columns(["entity"])
    gc.collect()
    memory = Memory()
    report = []
    clock = time.perf_counter()

    def step(name: str) -> None:
        nonlocal clock
        seconds, clock = time.perf_counter() - clock, time.perf_counter()
        peak, after = memory.step()
        report.append((name, seconds, peak, after))
        print(f"{name:<48} {seconds:7.1f} s   peak {peak:7,.0f} MB   after {after:7,.0f} MB", flush=True)

    step("records table in memory (start)")
    rows = []
    for batch in table.to_batches(max_chunksize=50_000):
        rows.extend(record_features(record) for record in batch.to_pylist())
    step(f"features: {len(rows):,} dicts (record_features)")
    arrow = features_table(rows)
    step(f"features_table: Arrow table ({arrow.nbytes / 2**20:,.0f} MB)")
    db_api = DuckDBAPI()
    registered = db_api.register(arrow, dataset_display_name="records")
    linker = Linker(registered, splink_settings(), log_level=logging.ERROR)
    step("register and Linker")
    connection = duckdb.connect()
    connection.register("features", arrow)
    for columns in ("dob", "given_name, postcode"):
        known = " AND ".join(f"{c} IS NOT NULL" for c in columns.split(", "))
        pairs = connection.sql(f"SELECT sum(n * (n - 1) // 2) FROM (SELECT count(*) AS n FROM features "  # noqa: S608
                               f"WHERE {known} GROUP BY {columns})").fetchall()[0][0]
        print(f"  EM blocked on {columns}: {pairs:,} pairs", flush=True)
    del connection
    step("(counting EM pairs, not part of linkage)")
    linker.training.estimate_probability_two_random_records_match(
        [block_on("nhs_number"), block_on("k_name_dob")], recall=0.8)
    step("train: prior (deterministic rules)")
    linker.training.estimate_u_using_random_sampling(max_pairs=5e6, seed=1)
    step("train: u by random sampling (5e6 pairs)")
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("dob"))
    step("train: EM blocked on dob")
    linker.training.estimate_parameters_using_expectation_maximisation(block_on("given_name", "postcode"))
    step("train: EM blocked on given_name + postcode")
    refine_prior_and_u(linker, records=arrow.num_rows, max_pairs=5e6)
    step("train: prior by EM over the blocked pairs, matches out of u")
    linker.misc.save_model_to_json()
    term_frequencies(rows)
    step("train: save model, term frequencies")
    predictions = linker.inference.predict(threshold_match_probability=0.5)
    edges = predictions.as_pyarrow_table().select(["unique_id_l", "unique_id_r", "match_probability"]).to_pydict()
    step(f"predict: {len(edges['unique_id_l']):,} pairs at probability >= 0.5")
    clusters = _Clusters([row["unique_id"] for row in rows])
    for left, right, probability in zip(edges["unique_id_l"], edges["unique_id_r"], edges["match_probability"],
                                        strict=True):
        if probability >= 0.99:
            clusters.join(left, right)
    {i: clusters.find(i) for i in clusters.parent}
    step("cluster (union-find in Python)")
    total = sum(seconds for name, seconds, _, _ in report if not name.startswith("("))
    print(f"{'total, counting excluded':<48} {total:7.1f} s   peak {max(p for _, _, p, _ in report):7,.0f} MB")


if __name__ == "__main__":
    main()
