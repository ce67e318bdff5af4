"""Compare three ways of inserting the importer's narrow rows (people, involvements) into SQLite.

1. `executemany`, one statement run a row (what the importer did before stop 18);
2. many rows a statement (`INSERT … VALUES (…), (…), …`, up to SQLite's parameter limit),
   what `lantern.intake.bulk.insert_rows` now does for rows of up to four columns;
3. one JSON array a chunk, unpacked by `json_each` (what it does for rows of two columns).

It copies the rows of an imported database into a scratch database with the same tables,
indexes and checks, a chunk of 2,500 rows a transaction, and prints µs a row for each.

Usage:
    python bench/sqlite_row_batches.py PATH/TO/lantern.sqlite3 [--scratch /tmp/row-batches.sqlite3]

The database must hold an import (a London year: `lantern generate --years 1`, then
`lantern import` into an empty SQLite database).
"""

import argparse
import re
import sqlite3
import time
from itertools import chain
from pathlib import Path

import orjson

TABLES = ("people_person", "events_involvement")
CHUNK = 2500
PRAGMAS = ("page_size=8192", "journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536", "foreign_keys=OFF")


def scratch(path: Path, schema: list[str]) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:
        connection.execute(f"PRAGMA {pragma}")
    # Django registers REGEXP for its check constraints.
    connection.create_function("REGEXP", 2, lambda pattern, value: re.search(pattern, str(value)) is not None,
                               deterministic=True)
    for statement in schema:
        connection.execute(statement)
    return connection


def insert(connection: sqlite3.Connection, way: str, table: str, columns: list[str], rows: list[tuple]) -> None:
    one_row = f"({', '.join('?' for _ in columns)})"
    if way == "executemany":
        connection.executemany(f"INSERT INTO {table} VALUES {one_row}", rows)  # noqa: S608
    elif way == "many rows a statement":
        per_statement = connection.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)
        for first in range(0, len(rows), per_statement):
            batch = rows[first:first + per_statement]
            connection.execute(f"INSERT INTO {table} VALUES {', '.join([one_row] * len(batch))}",  # noqa: S608
                               list(chain.from_iterable(batch)))
    else:
        values = ", ".join(f"value ->> {i}" for i in range(len(columns)))
        connection.execute(f"INSERT INTO {table} SELECT {values} FROM json_each(?)", (orjson.dumps(rows).decode(),))  # noqa: S608


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", type=Path)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/row-batches.sqlite3"))  # noqa: S108
    options = parser.parse_args()
    with sqlite3.connect(options.database) as source:
        data = {table: ([row[1] for row in source.execute(f"PRAGMA table_info({table})")],
                        source.execute(f"SELECT * FROM {table} ORDER BY id").fetchall()) for table in TABLES}  # noqa: S608
        schema = [sql for (sql,) in source.execute(
            f"SELECT sql FROM sqlite_master WHERE tbl_name IN ({', '.join('?' for _ in TABLES)}) AND sql IS NOT NULL",  # noqa: S608
            TABLES)]
    for way in ("executemany", "many rows a statement", "one JSON array", "executemany", "many rows a statement",
                "one JSON array"):
        connection = scratch(options.scratch, schema)
        seconds = dict.fromkeys(TABLES, 0.0)
        for first in range(0, max(len(rows) for _, rows in data.values()), CHUNK):
            connection.execute("BEGIN")
            for table, (columns, rows) in data.items():
                if part := rows[first:first + CHUNK]:
                    start = time.perf_counter()
                    insert(connection, way, table, columns, part)
                    seconds[table] += time.perf_counter() - start
            connection.execute("COMMIT")
        connection.close()
        print(f"{way}: " + ", ".join(f"{table} {seconds[table] / len(data[table][1]) * 1e6:.1f} µs a row"
                                     for table in TABLES))


if __name__ == "__main__":
    main()
