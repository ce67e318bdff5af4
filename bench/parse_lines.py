"""Time the parsing of feed lines, as a parsing process does it: microseconds a person line
and an event line, on one core.

Usage:
    python bench/parse_lines.py DATA_DIR [--lines 50000] [--linking]

DATA_DIR from `lantern generate` (the Met's and Hackney's feeds are read). `--linking` parses
as when a trained model is active (with blocking keys and linkage features). Each kind is
parsed twice and the second time reported, so the caches of names and dates are warm, as
they are in a long import.
"""

import argparse
import os
import sys
import time
from itertools import islice
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("data", type=Path)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--linking", action="store_true")
    options = parser.parse_args()
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "lantern.config.settings.local")
    import django

    django.setup()
    from lantern.intake.reader import read_feed
    from lantern.intake.transfer import pack_lines, parse_packed

    lines = [line for feed in ("met.jsonl", "csc-e09000012.jsonl")
             for line in islice(read_feed(options.data / feed, 10**8), options.lines * 2)]
    for kind in ("person", "event"):
        sample = [line for line in lines if f'"kind":"{kind}"'.encode() in line.data][:options.lines]
        packed = pack_lines(sample)
        for _ in range(2):
            started = time.perf_counter()
            parse_packed(packed, options.linking)
            seconds = time.perf_counter() - started
        print(f"{kind}: {1e6 * seconds / len(sample):.1f} µs a line ({len(sample):,} lines"
              f"{', linking' if options.linking else ''})")


if __name__ == "__main__":
    main()
