"""Batch linkage benchmark: Lantern against three baselines, on synthetic London and FEBRL3/4, in one run.

Each method links each data set in a process of its own (spawned, so it starts without
the parent's memory), reads the records from a Parquet file the parent wrote, and reports
the wall time and peak resident memory of the linkage alone, and the memory it held before
linking (the interpreter, libraries and the records table). Scoring happens after the
peak is read. Loading the London folder is done once in the parent and reported apart.

Usage:
    .venv/bin/python bench/linkage/batch_bench.py --london /tmp/london3 --markdown /tmp/linkage.md
    .venv/bin/python bench/linkage/batch_bench.py --febrl-only
"""

import argparse
import gc
import logging
import os
import resource
import sys
import tempfile
import time
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path[:0] = [str(HERE.parents[1]), str(HERE)]

import baselines  # noqa: E402
import datasets  # noqa: E402
import pyarrow as pa  # noqa: E402

METHODS = ("lantern", "exact", "splink_tutorial", "recordlinkage_ecm")
LABELS = {
    "lantern": "Lantern (link_features)",
    "exact": "(a) exact name + DOB",
    "splink_tutorial": "(b) Splink tutorial",
    "recordlinkage_ecm": "(c) recordlinkage ECM",
}


def _rss_mb() -> float:
    with open("/proc/self/statm") as handle:
        return int(handle.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20


def _peak_mb() -> float:
    """Peak resident memory of this process since it started its program (VmHWM).

    Not getrusage's ru_maxrss: a spawned child is forked from the parent before it execs,
    and Linux carries the forked copy's size into ru_maxrss, so a small child would report
    the parent's size.
    """
    with open("/proc/self/status") as handle:
        for line in handle:
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) / 1024
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024


def lantern(table: pa.Table) -> tuple[dict[int, Any], dict[str, float]]:
    """Lantern's batch linkage as `link_all` runs it: features per record, then `link_features`."""
    from lantern.linkage.batch import link_features
    from lantern.linkage.features import record_features

    started = time.perf_counter()
    rows = []
    for batch in table.to_batches(max_chunksize=50_000):
        rows.extend(record_features(record) for record in batch.to_pylist())
    features_seconds = time.perf_counter() - started
    result = link_features(rows, seed=1)
    return result.clusters, {"features": features_seconds, **result.seconds, "pairs": float(result.pairs_scored)}


def _run(method: str, path: str) -> dict[str, Any]:
    """Run one method on one data set, in a fresh process; return timings, memory and scores."""
    logging.basicConfig(level=logging.ERROR)
    logging.getLogger("splink").setLevel(logging.ERROR)
    from lantern.linkage.evaluation import evaluate

    table = datasets.load(Path(path))
    records = table.drop_columns(["entity"])
    linker = lantern if method == "lantern" else getattr(baselines, method)
    gc.collect()
    before = _rss_mb()
    started = time.perf_counter()
    clusters, stages = linker(records)
    seconds = time.perf_counter() - started
    peak = _peak_mb()
    evaluation = evaluate(clusters, datasets.truth_of(table))
    return {"method": method, "records": table.num_rows, "seconds": seconds, "stages": stages,
            "rss_before_mb": before, "peak_mb": peak, "evaluation": evaluation}


def run_isolated(method: str, path: Path) -> dict[str, Any]:
    with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
        return pool.submit(_run, method, str(path)).result()


def code_version() -> str:
    """Return the commit and a digest of lantern/linkage's sources, which may differ from the commit."""
    import hashlib
    import subprocess

    root = HERE.parents[1]
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True,  # noqa: S607
                            text=True, check=False).stdout.strip()
    digest = hashlib.sha256()
    for path in sorted((root / "lantern" / "linkage").glob("*.py")):
        digest.update(path.name.encode() + path.read_bytes())
    return f"commit {commit or 'unknown'}, lantern/linkage/*.py sha256 {digest.hexdigest()[:12]}"


def _stages_text(stages: dict[str, float]) -> str:
    parts = []
    for name, value in stages.items():
        parts.append(f"{name} {value:,.0f}" if name == "pairs" else f"{name} {value:.1f}")
    return ", ".join(parts)


HEADER = ("data set", "method", "records", "seconds", "peak MB", "held before MB", "pairwise P", "pairwise R",
          "pairwise F1", "cluster P", "cluster R", "cluster F1", "stages (s)")


def row_cells(data_set: str, result: dict[str, Any]) -> list[str]:
    e = result["evaluation"]
    return [data_set, LABELS[result["method"]], f"{result['records']:,}", f"{result['seconds']:.1f}",
            f"{result['peak_mb']:,.0f}", f"{result['rss_before_mb']:,.0f}",
            *(f"{v:.4f}" for v in (e.pairwise.precision, e.pairwise.recall, e.pairwise.f1,
                                   e.cluster.precision, e.cluster.recall, e.cluster.f1)),
            _stages_text(result["stages"])]


def markdown(rows: list[list[str]]) -> str:
    numeric = {"records", "seconds", "peak MB", "held before MB"} | {h for h in HEADER if h[-1] in "PRF1"}
    lines = ["| " + " | ".join(HEADER) + " |",
             "|" + "|".join("---:" if h in numeric else "---" for h in HEADER) + "|"]
    lines += ["| " + " | ".join(cells) + " |" for cells in rows]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--london", type=Path, help="a folder made by `lantern generate` (at least 1,000,000 records)")
    parser.add_argument("--limit", type=int, help="read at most this many London person records")
    parser.add_argument("--sample", type=float, default=0.1,
                        help="share of London persons (all their records) for the row every method runs on")
    parser.add_argument("--ecm-max-records", type=int, default=200_000,
                        help="run recordlinkage ECM only on sets at most this large (its blocks grow quadratically)")
    parser.add_argument("--skip-baselines", action="store_true")
    parser.add_argument("--febrl-only", action="store_true")
    parser.add_argument("--markdown", type=Path, help="also write the table as Markdown here")
    args = parser.parse_args()

    with tempfile.TemporaryDirectory(prefix="linkage-bench-") as work:
        rows, notes = run_all(args, Path(work))
    table_text = markdown(rows)
    print()
    print(table_text)
    if args.markdown:
        args.markdown.write_text("\n".join([*notes, "", table_text]))


def run_all(args: argparse.Namespace, work: Path) -> tuple[list[list[str]], list[str]]:
    """Write each data set to Parquet under `work`, then run every method on each; return rows and notes."""
    methods = ("lantern",) if args.skip_baselines else METHODS
    sets: list[tuple[str, Path]] = [("FEBRL3", datasets.save(datasets.febrl3(), work / "febrl3.parquet")),
                                    ("FEBRL4 (A ∪ B)", datasets.save(datasets.febrl4(), work / "febrl4.parquet"))]
    notes = [f"Code: {code_version()}."]
    print(notes[0], flush=True)
    if args.london and not args.febrl_only:
        started = time.perf_counter()
        table, counts = datasets.london(args.london, args.limit)
        load_seconds, load_peak = time.perf_counter() - started, _peak_mb()
        note = (f"Loading {args.london}: {counts['records']:,} person records ({counts['bad_dates']} with a date of "
                f"birth the importer refuses, kept as unknown) in {load_seconds:.1f} s, parent peak "
                f"{load_peak:,.0f} MB; not included in any row.")
        print(note, flush=True)
        notes.append(note)
        sample = datasets.persons_sample(table, args.sample)
        sample_name = f"London, {args.sample:.0%} of persons"
        sets.insert(0, (f"London ({table.num_rows:,} records)", datasets.save(table, work / "london.parquet")))
        sets.insert(1, (sample_name, datasets.save(sample, work / "london-sample.parquet")))
        del table, sample

    rows = []
    for name, path in sets:
        size = datasets.load(path).num_rows
        for method in methods:
            if method == "recordlinkage_ecm" and size > args.ecm_max_records:
                print(f"{name}: {LABELS[method]} skipped ({size:,} records > --ecm-max-records); "
                      "see the sample row", flush=True)
                continue
            result = run_isolated(method, path)
            cells = row_cells(name, result)
            rows.append(cells)
            print(" | ".join(cells), flush=True)
    return rows, notes


if __name__ == "__main__":
    main()
