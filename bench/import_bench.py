"""Benchmark the importer: lines a second into SQLite and PostgreSQL, against a baseline.

The baseline, in the same run, is the single-record write path (the services that forms
and the API use for one record: source_record_receive and event_receive), over the first
BASELINE_LINES lines of the same feed. The importer then takes the whole set.

Usage:
    python bench/import_bench.py [--years 5] [--scale 1.0] [--boroughs all] [--data DIR]
                                 [--postgres postgres://postgres@127.0.0.1:5432/postgres]

It generates the synthetic London set (unless --data names one), and prints one line of
figures for each database. Results go in docs/benchmarks.md by hand, with the machine.
"""

import argparse
import os
import platform
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BASELINE_LINES = 20_000
ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


# The peak memory (MB) of each measured run, with its own children (the parsing processes).
PEAKS: dict[str, int] = {}


def run_measured(label: str, command: list[str], env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """Run a command to its end and note its peak memory under label: reaped by wait4, which
    gives the usage of that child and its children alone."""
    with tempfile.TemporaryFile("w+") as out, tempfile.TemporaryFile("w+") as err:
        child = subprocess.Popen(command, env=env, stdout=out, stderr=err, text=True)
        _, status, usage = os.wait4(child.pid, 0)
        child.returncode = os.waitstatus_to_exitcode(status)
        PEAKS[label] = usage.ru_maxrss // 1024
        out.seek(0)
        err.seek(0)
        return subprocess.CompletedProcess(command, child.returncode, out.read(), err.read())


def lantern(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run([sys.executable, "-m", "lantern", *args], env=env, capture_output=True, text=True,
                          check=False)


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) // 1024 // 1024
    return f"{os.cpu_count()} cores, {cpu}, {memory} GiB RAM, Python {platform.python_version()}"


def count_lines(folder: Path) -> int:
    """Count the feed lines the importer reads (ground truth files are not feeds)."""
    # The reader's parsing imports the event models, so Django must be set up first.
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.config.settings.local")
    import django

    django.setup()
    from lantern.intake.reader import count_lines as count, feed_files

    return count(feed_files([folder]))


BASELINE = r'''
import os, sys, time
import orjson
from itertools import islice
from pathlib import Path
import django
django.setup()
from datetime import UTC, datetime
from lantern.intake.bulk import aware_utc
from lantern.intake.importer import import_paths
from lantern.intake.parsing import EventLine, PersonLine, RawLine, parse_line
from lantern.intake.reader import feed_files, read_feed
from lantern.events.services import event_receive
from lantern.organisations.models import Agency, Borough
from lantern.people.content import PERSON_FIELDS
from lantern.people.models import SourceRecord
from lantern.people.services import source_record_receive

folder, limit = Path(sys.argv[1]), int(sys.argv[2])
files = feed_files([folder])
import_paths([f for f in files if f.name == "agencies.jsonl"])
agencies = {a.code: a for a in Agency.objects.all()}
boroughs = {b.ons_code: b for b in Borough.objects.all()}
feed = next(f for f in files if f.name == "met.jsonl")
now = datetime.now(UTC)
start = time.perf_counter()
done = 0
for raw in islice(read_feed(feed, 10**6), limit):
    parsed = parse_line(raw, now)
    if isinstance(parsed, PersonLine):
        # The service cleans the fields itself, as it does for a form or the API.
        sent = orjson.loads(raw.data)
        data = {k: sent[k] for k in PERSON_FIELDS if k in sent}
        source_record_receive(agency=agencies[parsed.agency], source_id=parsed.source_id, data=data,
                              borough=boroughs.get(parsed.borough or ""))
    elif isinstance(parsed, EventLine):
        records = {r.source_id: r for r in SourceRecord.objects.filter(
            agency=agencies[parsed.agency], source_id__in=[p for p, _ in parsed.involvements])}
        if len(records) < len({p for p, _ in parsed.involvements}):
            continue
        event_receive(agency=agencies[parsed.agency], source_id=parsed.source_id, event_type=parsed.type,
                      occurred_at=aware_utc(parsed.occurred_at), reported_at=aware_utc(parsed.reported_at),
                      borough=boroughs.get(parsed.borough or ""), attributes=orjson.loads(parsed.attributes),
                      narrative=parsed.narrative, involvements=[(records[p], r) for p, r in parsed.involvements])
    done += 1
elapsed = time.perf_counter() - start
print(f"{done} {elapsed:.3f}")
'''


def run_database(name: str, folder: Path, env: dict[str, str], lines: int) -> dict[str, float]:
    figures: dict[str, float] = {}
    # Baseline: one record at a time through the services, on a fresh database.
    reset(env)
    result = run_measured(f"{name} baseline", [sys.executable, "-c", BASELINE, str(folder), str(BASELINE_LINES)],
                          env)
    if result.returncode:
        raise SystemExit(f"{name} baseline failed:\n{result.stderr[-3000:]}")
    done, seconds = result.stdout.split()
    figures["baseline_lines_per_s"] = int(done) / float(seconds)
    # The importer on the whole set, on a fresh database; then again (everything unchanged).
    reset(env)
    for label in ("import", "reimport"):
        start = time.perf_counter()
        outcome = run_measured(f"{name} {label}", [sys.executable, "-m", "lantern", "import", str(folder)], env)
        elapsed = time.perf_counter() - start
        if outcome.returncode not in (0, 3, 4):
            raise SystemExit(f"{name} {label} failed:\n{outcome.stderr[-3000:]}")
        figures[f"{label}_seconds"] = elapsed
        figures[f"{label}_lines_per_s"] = lines / elapsed
        print(f"  {name} {label}: {outcome.stdout.strip()}", flush=True)
    return figures


def reset(env: dict[str, str]) -> None:
    if "DATABASE_URL" in env:
        url = env["DATABASE_URL"]
        admin = url.rsplit("/", 1)[0] + "/postgres"
        dbname = url.rsplit("/", 1)[1]
        for sql in (f"DROP DATABASE IF EXISTS {dbname}", f"CREATE DATABASE {dbname}"):
            subprocess.run(["psql", admin, "-qc", sql], check=True, capture_output=True)
    else:
        for suffix in ("", "-wal", "-shm"):
            Path(env["LANTERN_DATA_DIR"], f"lantern.sqlite3{suffix}").unlink(missing_ok=True)
    lantern("migrate", "-v0", env=env)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", default="5")
    parser.add_argument("--scale", default="1.0")
    parser.add_argument("--boroughs", default="all")
    parser.add_argument("--data", type=Path, help="An already generated folder")
    parser.add_argument("--postgres", default="postgres://postgres@127.0.0.1:5432/lantern_bench")
    parser.add_argument("--skip-postgres", action="store_true")
    options = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lantern-bench-"))
    env = {**os.environ, "LANTERN_DATA_DIR": str(work), "PYTHONPATH": str(ROOT),
           "DJANGO_SETTINGS_MODULE": "lantern.config.settings.local"}
    env.pop("DATABASE_URL", None)
    folder = options.data or work / "london"
    if options.data is None:
        start = time.perf_counter()
        generated = lantern("generate", "--years", options.years, "--scale", options.scale, "--boroughs",
                            options.boroughs, "--seed", "1", "--out", str(folder), env=env)
        if generated.returncode:
            raise SystemExit(generated.stderr)
        print(f"generated in {time.perf_counter() - start:.1f} s", flush=True)
    lines = count_lines(folder)
    print(f"machine: {machine()}")
    print(f"data: {lines:,} lines in {folder}")
    results = {"SQLite": run_database("SQLite", folder, env, lines)}
    if not options.skip_postgres:
        results["PostgreSQL"] = run_database("PostgreSQL", folder, {**env, "DATABASE_URL": options.postgres}, lines)
    print("| database | baseline: one record at a time (lines/s) | importer (lines/s) | import time (s) "
          "| re-import, all unchanged (lines/s) |")
    print("|---|---|---|---|---|")
    for name, f in results.items():
        print(f"| {name} | {f['baseline_lines_per_s']:,.0f} | {f['import_lines_per_s']:,.0f} | "
              f"{f['import_seconds']:,.1f} | {f['reimport_lines_per_s']:,.0f} |")
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss // 1024
    print(f"peak memory of any child process: {peak} MB; each run's, with its parsing processes: "
          + ", ".join(f"{label} {megabytes} MB" for label, megabytes in PEAKS.items()))


if __name__ == "__main__":
    main()
