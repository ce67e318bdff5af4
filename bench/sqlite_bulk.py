"""Benchmark the SQLite settings the importer relies on, each against the alternative.

1. A check constraint on a column with a fixed set of values, written as an IN list (what
   Django writes for `Q(field__in=...)`) and as equalities joined by OR
   (`lantern.core.constraints.one_of`), against no check at all.
2. Building an index over millions of (term, record) rows, as the end of a bulk load
   does, with the 64 MB page cache and with the 16 MB cache and a helper thread
   (`lantern.core.db.INDEX_BUILD_CACHE_KIB`, `INDEX_BUILD_THREADS`).
3. Inserting rows with three indexes into databases made with 4 KB and 8 KB pages.

Usage:
    python bench/sqlite_bulk.py [--rows 700000] [--terms 6000000]

Synthetic rows, shaped like the importer's (involvements: a role and two ids; search
terms: a 64-bit hash and a record id). Prints one line a measurement.
"""

import argparse
import random
import sqlite3
import tempfile
import time
from pathlib import Path

ROLES = ["victim", "suspect", "missing_person", "detainee", "child_present", "subject", "reporting_person",
         "parent_carer", "associate", "offender"]
RANDOM = random.Random(1)  # noqa: S311  (the same rows every run; nothing secret)
PRAGMAS = "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; PRAGMA cache_size=-65536;"


def fresh(folder: Path, name: str, page_size: int = 4096) -> sqlite3.Connection:
    connection = sqlite3.connect(folder / f"{name}.sqlite3", isolation_level=None)
    connection.executescript(f"PRAGMA page_size={page_size}; {PRAGMAS}")
    return connection


def insert_in_chunks(connection: sqlite3.Connection, sql: str, rows: list[tuple], chunk: int = 5000) -> float:
    start = time.perf_counter()
    for first in range(0, len(rows), chunk):
        connection.execute("BEGIN")
        connection.executemany(sql, rows[first:first + chunk])
        connection.execute("COMMIT")
    return time.perf_counter() - start


def checks(folder: Path, count: int) -> None:
    rows = [(RANDOM.choice(ROLES), n // 2, RANDOM.randrange(count)) for n in range(count)]
    in_list = ", ".join(f"'{role}'" for role in ROLES)
    equalities = " OR ".join(f"role = '{role}'" for role in ROLES)
    for label, check in (("no check", ""), ("IN list", f", CHECK (role IN ({in_list}))"),
                         ("equalities joined by OR", f", CHECK ({equalities})")):
        connection = fresh(folder, f"checks-{len(label)}")
        connection.execute(f"CREATE TABLE involvement (id integer PRIMARY KEY AUTOINCREMENT, role varchar(20), "
                           f"event_id bigint, source_record_id bigint{check})")
        seconds = insert_in_chunks(
            connection, "INSERT INTO involvement (role, event_id, source_record_id) VALUES (?, ?, ?)", rows)
        print(f"check constraint, {label}: {seconds / count * 1e6:.2f} µs a row ({count:,} rows)", flush=True)


def index_builds(folder: Path, count: int) -> None:
    connection = fresh(folder, "terms")
    connection.execute("CREATE TABLE term (id integer PRIMARY KEY, term bigint, record_id bigint)")
    rows = [(RANDOM.getrandbits(63), n // 15) for n in range(count)]
    insert_in_chunks(connection, "INSERT INTO term (term, record_id) VALUES (?, ?)", rows, chunk=100_000)
    for label, settings in (("64 MB cache", "PRAGMA cache_size=-65536; PRAGMA threads=0;"),
                            ("16 MB cache and a helper thread", "PRAGMA cache_size=-16384; PRAGMA threads=2;")):
        connection.executescript(f"DROP INDEX IF EXISTS lookup; PRAGMA wal_checkpoint(TRUNCATE); {settings}")
        start = time.perf_counter()
        connection.execute("CREATE INDEX lookup ON term (term, record_id)")
        print(f"index build over {count:,} rows, {label}: {time.perf_counter() - start:.2f} s", flush=True)


def page_sizes(folder: Path, count: int) -> None:
    rows = [(n, f"A{RANDOM.randrange(10**9):09d}", RANDOM.randrange(count),
             f"line:{RANDOM.getrandbits(40):x}-{n}|E8 1DY") for n in range(count)]
    for page_size in (4096, 8192):
        connection = fresh(folder, f"pages-{page_size}", page_size)
        connection.executescript(
            "CREATE TABLE record (id integer PRIMARY KEY, source_id text, person_id bigint, match_key text);"
            "CREATE INDEX by_source ON record (source_id); CREATE INDEX by_person ON record (person_id);"
            "CREATE UNIQUE INDEX by_key ON record (match_key);")
        seconds = insert_in_chunks(connection, "INSERT INTO record VALUES (?, ?, ?, ?)", rows)
        print(f"rows with three indexes, {page_size // 1024} KB pages: {seconds / count * 1e6:.2f} µs a row "
              f"({count:,} rows)", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=700_000, help="rows for the checks and page sizes")
    parser.add_argument("--terms", type=int, default=6_000_000, help="rows for the index build")
    options = parser.parse_args()
    print(f"SQLite {sqlite3.sqlite_version}")
    with tempfile.TemporaryDirectory(prefix="lantern-sqlite-bench-") as folder:
        checks(Path(folder), options.rows)
        index_builds(Path(folder), options.terms)
        page_sizes(Path(folder), options.rows)


if __name__ == "__main__":
    main()
