"""The importer's benchmark script still runs: nothing else runs it, and the figures in
docs/benchmarks.md come from it (its baseline once broke unseen when parsed lines changed)."""

import subprocess
import sys
from pathlib import Path

from lantern.intake.generator import generate

ROOT = Path(__file__).resolve().parents[2]


def test_the_import_benchmark_runs_end_to_end_on_a_small_set(tmp_path):
    feeds = tmp_path / "feeds"
    generate(feeds, years=1, scale=0.05, boroughs="E09000012", seed=5, workers=1)
    result = subprocess.run(
        [sys.executable, str(ROOT / "bench" / "import_bench.py"), "--data", str(feeds), "--skip-postgres"],
        capture_output=True, text=True, timeout=600, check=False,
    )
    assert result.returncode == 0, result.stdout[-2000:] + result.stderr[-3000:]
    figures = next(line for line in result.stdout.splitlines() if line.startswith("| SQLite |"))
    baseline, importer = (float(cell.replace(",", "")) for cell in figures.split("|")[2:4])
    assert baseline > 0 and importer > 0
