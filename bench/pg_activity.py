"""Sample what PostgreSQL's server is doing for an import, from pg_stat_activity.

Run it beside an import into DATABASE (bench/year_cpu.sh pg uses lantern_yr): every 0.1 s
it reads each client backend's state, wait event and statement in that database, and at
the end prints the share of samples for each (numbers in statements folded to N).

Usage: python bench/pg_activity.py SECONDS [DATABASE] [--server postgresql://postgres@127.0.0.1:5432/postgres]
"""

import argparse
import collections
import re
import time

import psycopg


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("seconds", type=float)
    parser.add_argument("database", nargs="?", default="lantern_yr")
    parser.add_argument("--server", default="postgresql://postgres@127.0.0.1:5432/postgres")
    options = parser.parse_args()
    counts: collections.Counter[tuple[str, str]] = collections.Counter()
    total = 0
    end = time.monotonic() + options.seconds
    with psycopg.connect(options.server, autocommit=True) as connection:
        while time.monotonic() < end:
            rows = connection.execute(
                "SELECT state, wait_event_type, wait_event, left(query, 90) FROM pg_stat_activity "
                "WHERE datname = %s AND backend_type = 'client backend'", [options.database]).fetchall()
            for state, wait_type, wait_event, query in rows:
                if state == "active":
                    statement = re.sub(r"\d+", "N", query.split("(")[0][:60])
                    counts[(statement, f"{wait_type}:{wait_event}")] += 1
                else:
                    counts[(state or "", "")] += 1
                total += 1
            time.sleep(0.1)
    print(f"{total} samples")
    for (statement, wait), n in counts.most_common(25):
        print(f"{n:6d} {100 * n / max(total, 1):5.1f}%  {wait:28s} {statement}")


if __name__ == "__main__":
    main()
