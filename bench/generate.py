"""Benchmark: generate all of London at scale 1.0 for five years, and print the figures.

Run with `.venv/bin/python bench/generate.py [--years N] [--workers N] [--keep DIR]`. Prints wall
time, peak memory (ru_maxrss of this process and of its worker processes), lines written and
lines per second, with the machine it ran on. Not a test: the figures go in docs/benchmarks.md.
"""

from __future__ import annotations

import argparse
import os
import platform
import resource
import shutil
import sys
import tempfile
import time
from datetime import UTC, datetime
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from lantern.intake.generator import generate  # noqa: E402


def cpu_model() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def memory_total() -> str:
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                return f"{int(line.split()[1]) / 1024 / 1024:.1f} GiB"
    except OSError:
        pass
    return "unknown"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--years", type=int, default=5)
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--workers", type=int, default=None)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--keep", type=Path, help="write here and keep the files (default: a temporary folder)")
    args = parser.parse_args()

    out = args.keep or Path(tempfile.mkdtemp(prefix="lantern-generate-"))
    load_before = os.getloadavg()[0]  # other work on the machine slows the run
    try:
        started = time.perf_counter()
        summary = generate(out, years=args.years, scale=args.scale, boroughs="all", seed=args.seed,
                           workers=args.workers)
        wall = time.perf_counter() - started
        size = sum(p.stat().st_size for p in out.rglob("*.jsonl"))
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    # ru_maxrss is in KiB on Linux: the largest single process, this one or a worker.
    peak = max(own.ru_maxrss, children.ru_maxrss) / 1024
    cpu = own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime
    lines = summary.lines
    print(f"lantern generate --years {args.years} --scale {args.scale} --boroughs all --seed {args.seed}")
    print(f"date           {datetime.now(UTC):%Y-%m-%d %H:%M} UTC")
    print(f"machine        {os.cpu_count()} CPUs ({cpu_model()}), {memory_total()} RAM, "
          f"Python {platform.python_version()}")
    print(f"load average   {load_before:.2f} before the run, {os.getloadavg()[0]:.2f} after")
    print(f"simulated      {summary.years[0]} to {summary.years[1]}" if summary.years else "")
    print(f"wall time      {wall:.1f} s")
    print(f"CPU time       {cpu:.1f} s (this process and its workers)")
    print(f"peak memory    {peak:.0f} MiB (ru_maxrss: self {own.ru_maxrss / 1024:.0f} MiB, "
          f"largest worker {children.ru_maxrss / 1024:.0f} MiB)")
    print(f"lines          {lines:,} ({size / 1e9:.2f} GB)")
    print(f"lines/second   {lines / wall:,.0f}")
    for name, count in summary.files.items():
        if not name.startswith("csc-"):
            print(f"  {name:22s} {count:>12,}")
    csc = sum(count for name, count in summary.files.items() if name.startswith("csc-"))
    print(f"  {'csc-*.jsonl (33)':22s} {csc:>12,}")


if __name__ == "__main__":
    main()
