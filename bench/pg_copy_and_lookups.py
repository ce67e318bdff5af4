"""Measure two PostgreSQL choices of the importer's bulk writes, each against what it replaced.

1. COPY of source records in text form (before stop 18) and in binary form (now,
   `lantern.intake.bulk._copy_into`): CPU time of this process and wall time, for the same
   200,000 rows into an unindexed scratch table.
2. A lookup of 5,000 address keys with the keys as a Python list, which psycopg writes into
   the statement as an array of constants (before), and as one JSON text the server unpacks
   (now, `lantern.intake.bulk._json_array`).

Usage:
    python bench/pg_copy_and_lookups.py [postgres://postgres@127.0.0.1:5432/lantern_yr]

The database must hold an import (`bench/year_cpu.sh pg DIR` leaves one in lantern_yr).
"""

import random
import sys
import time

import orjson
import psycopg

ROWS = 200_000
KEYS = 5000


def copy_formats(connection: psycopg.Connection) -> None:
    columns = [name for (name,) in connection.execute(
        "SELECT attname FROM pg_attribute WHERE attrelid = 'people_sourcerecord'::regclass AND attnum > 0"
        " AND NOT attisdropped ORDER BY attnum")]
    types = [oid for (oid,) in connection.execute(
        "SELECT atttypid::int FROM pg_attribute WHERE attrelid = 'people_sourcerecord'::regclass AND attnum > 0"
        " AND NOT attisdropped ORDER BY attnum")]
    aliases = columns.index("aliases")
    # The importer sends aliases as JSON text: the scratch table keeps them as text.
    rows = [tuple(orjson.dumps(value).decode() if i == aliases else value for i, value in enumerate(row))
            for row in connection.execute(f"SELECT * FROM people_sourcerecord ORDER BY id LIMIT {ROWS}")]  # noqa: S608
    types[aliases] = 25  # text
    for form in ("text", "binary", "text", "binary"):
        connection.execute("DROP TABLE IF EXISTS bench_copy")
        connection.execute("CREATE UNLOGGED TABLE bench_copy (LIKE people_sourcerecord)")
        connection.execute("ALTER TABLE bench_copy ALTER COLUMN aliases TYPE text")
        cpu, wall = time.process_time(), time.perf_counter()
        with connection.cursor() as cursor, cursor.copy(
                f"COPY bench_copy ({', '.join(columns)}) FROM STDIN{' (FORMAT BINARY)' if form == 'binary' else ''}"
        ) as copy:
            if form == "binary":
                copy.set_types(types)
            for row in rows:
                copy.write_row(row)
        print(f"COPY of {len(rows):,} source records, {form}: {time.process_time() - cpu:.2f} CPU-s here, "
              f"{time.perf_counter() - wall:.2f} s wall")
    connection.execute("DROP TABLE bench_copy")


def lookups(connection: psycopg.Connection) -> None:
    stored = [key for (key,) in connection.execute("SELECT match_key FROM people_address ORDER BY random() LIMIT %s",
                                                   [KEYS // 2])]
    keys = stored + [f"line:{n} nowhere road|E1 {n % 9}AB" for n in range(KEYS - len(stored))]
    random.Random(1).shuffle(keys)  # noqa: S311
    ways = {
        "a Python list": ("SELECT id FROM people_address WHERE match_key = ANY(%s)", keys),
        "one JSON text": ("SELECT id FROM people_address WHERE match_key = "
                          "ANY(ARRAY(SELECT json_array_elements_text(%s::json)))", orjson.dumps(keys).decode()),
    }
    for label, (sql, parameter) in [*ways.items(), *ways.items()]:
        start = time.perf_counter()
        found = connection.execute(sql, [parameter]).fetchall()
        print(f"lookup of {len(keys):,} address keys as {label}: {(time.perf_counter() - start) * 1000:.1f} ms, "
              f"{len(found):,} found")


def main() -> None:
    url = sys.argv[1] if len(sys.argv) > 1 else "postgres://postgres@127.0.0.1:5432/lantern_yr"
    with psycopg.connect(url, autocommit=True) as connection:
        copy_formats(connection)
        lookups(connection)


if __name__ == "__main__":
    main()
