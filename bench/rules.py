"""Benchmark the safeguarding rules against the importer: do the rules keep pace with a London year?

In one run, on a fresh SQLite database: generate (or reuse) the synthetic feeds, import them
with the importer (the baseline: events written a second), then replay every rule over every
imported event, each judged as of its own time (events evaluated a second). "Keeps pace"
means the rules evaluate events faster than the importer writes them.

Usage:
    python bench/rules.py [--boroughs all] [--scale 1.0] [--years 1] [--seed 1] [--feeds DIR]
                          [--sample N]

--feeds reuses a generated folder (else one is generated under a temporary folder);
--sample replays only the first N events in time order (say so when quoting the figure).
Results go in docs/benchmarks.md by hand, with the machine and date.
"""

import argparse
import os
import platform
import resource
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def machine() -> str:
    cpu = next((line.split(":", 1)[1].strip() for line in Path("/proc/cpuinfo").read_text().splitlines()
                if line.startswith("model name")), platform.processor())
    memory = int(next(line.split()[1] for line in Path("/proc/meminfo").read_text().splitlines()
                      if line.startswith("MemTotal"))) // 1024 // 1024
    return f"{os.cpu_count()} cores, {cpu}, {memory} GiB RAM, Python {platform.python_version()}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--boroughs", default="all")
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--years", type=int, default=1)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--feeds", type=Path, default=None, help="a folder `lantern generate` wrote, to reuse")
    parser.add_argument("--sample", type=int, default=0, help="replay only the first N events (0: all)")
    args = parser.parse_args()

    work = Path(tempfile.mkdtemp(prefix="lantern-rules-bench-"))
    os.environ["LANTERN_DATA_DIR"] = str(work / "data")
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.config.settings.local")
    os.environ.pop("DATABASE_URL", None)
    import django

    django.setup()
    from django.core.management import call_command

    from lantern.events.models import Event
    from lantern.intake.generator import generate
    from lantern.intake.importer import import_paths
    from lantern.safeguarding.engine import rules_replay, rules_run_on_events
    from lantern.safeguarding.models import Notification, Task

    feeds = args.feeds
    if feeds is None:
        feeds = work / "feeds"
        started = time.perf_counter()
        generate(feeds, years=args.years, scale=args.scale, boroughs=args.boroughs, seed=args.seed, workers=2)
        print(f"generated {args.boroughs} x{args.scale} for {args.years} year(s) in "
              f"{time.perf_counter() - started:.1f}s", flush=True)
    call_command("migrate", verbosity=0)

    started = time.perf_counter()
    import_paths([feeds], workers=1)
    import_seconds = time.perf_counter() - started
    events = Event.objects.count()
    print(f"import: {events:,} events in {import_seconds:.1f}s = {events / import_seconds:,.0f} events/s "
          "(the baseline; the importer also writes the person records)", flush=True)

    done = [0]
    last = [time.perf_counter()]

    def progress(count: int) -> None:
        done[0] += count
        if time.perf_counter() - last[0] > 30:
            last[0] = time.perf_counter()
            print(f"  replayed {done[0]:,} events", flush=True)

    if args.sample:
        ids = list(Event.objects.order_by("occurred_at", "pk").values_list("pk", flat=True)[:args.sample])
        report = rules_run_on_events(ids, replay=True)
    else:
        report = rules_replay(progress=progress)
    rate = report.events / report.seconds
    print(f"rules: {report.events:,} events in {report.seconds:.1f}s = {rate:,.0f} events/s "
          f"({'a sample of ' + format(args.sample, ',') if args.sample else 'every event'})")
    print(f"  firings {sum(report.fired.values()):,}; tasks {Task.objects.count():,}; "
          f"notifications {Notification.objects.count():,}; contacts from rules {report.contacts:,}")
    for code, count in sorted(report.fired.items()):
        print(f"    {code:24} {count:,}")
    verdict = "keep pace" if rate > events / import_seconds else "DO NOT keep pace"
    print(f"the rules {verdict}: {rate / (events / import_seconds):.1f}x the importer's event rate")
    again = rules_replay() if not args.sample else None
    if again is not None:
        print(f"replay again (nothing new): {sum(again.fired.values())} firings in {again.seconds:.1f}s")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024
    print(f"peak memory {peak} MB; {machine()}; {date.today().isoformat()}")


if __name__ == "__main__":
    main()
