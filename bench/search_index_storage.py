"""Compare ways SQLite could store the search terms: rows with two indexes (today) or FTS5.

An experiment for whoever next takes on the importer's speed (docs/benchmarks.md,
"stop 16"), not a benchmark of shipped code. It reads the search terms of an imported
database and writes them into a scratch database twice:

- as today: one row a term, inserted through json_each, then the two indexes built;
- as one FTS5 document a record (contentless, no positions), its terms the tokens.

Usage:
    python bench/search_index_storage.py PATH/TO/lantern.sqlite3 [--scratch /tmp/search-index.sqlite3]

The database must hold an import (a London year: `lantern generate --years 1`, then
`lantern import` into an empty SQLite database).
"""

import argparse
import sqlite3
import time
from pathlib import Path

import orjson

BATCH = 2500  # records a transaction, about what one importer chunk of 5,000 lines holds
PRAGMAS = ("page_size=8192", "journal_mode=WAL", "synchronous=NORMAL", "cache_size=-65536",
           "wal_autocheckpoint=16384")


def scratch_database(path: Path) -> sqlite3.Connection:
    for suffix in ("", "-wal", "-shm"):
        Path(f"{path}{suffix}").unlink(missing_ok=True)
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in PRAGMAS:  # the importer's own settings (lantern.config.settings.base)
        connection.execute(f"PRAGMA {pragma}")
    return connection


def as_rows(connection: sqlite3.Connection, documents: dict[int, list[int]]) -> float:
    connection.execute("CREATE TABLE st (id integer PRIMARY KEY AUTOINCREMENT, term bigint NOT NULL, "
                       "record_id bigint NOT NULL)")
    ids = sorted(documents)
    start = time.perf_counter()
    for offset in range(0, len(ids), BATCH):
        payload = b"[" + b",".join(b"[%d,%s]" % (r, orjson.dumps(documents[r])) for r in ids[offset:offset + BATCH])
        connection.execute("BEGIN")
        connection.execute("INSERT INTO st (term, record_id) SELECT item.value, owner.value ->> 0 "
                           "FROM json_each(?) AS owner, json_each(owner.value -> 1) AS item",
                           (payload.decode() + "]",))
        connection.execute("COMMIT")
    # As lantern.core.db builds deferred indexes: a small cache and a helper thread.
    connection.execute("PRAGMA cache_size=-16384")
    connection.execute("PRAGMA threads=2")
    connection.execute("CREATE INDEX st_lookup ON st (term, record_id)")
    connection.execute("CREATE INDEX st_record ON st (record_id)")
    return time.perf_counter() - start


def token(term: int) -> str:
    return f"m{-term}" if term < 0 else f"p{term}"


def as_fts5(connection: sqlite3.Connection, documents: dict[int, list[int]]) -> float:
    connection.execute("CREATE VIRTUAL TABLE fts USING fts5(terms, content='', columnsize=0, detail=none)")
    ids = sorted(documents)
    start = time.perf_counter()
    for offset in range(0, len(ids), BATCH):
        connection.execute("BEGIN")
        connection.executemany("INSERT INTO fts (rowid, terms) VALUES (?, ?)",
                               [(r, " ".join(map(token, documents[r]))) for r in ids[offset:offset + BATCH]])
        connection.execute("COMMIT")
    return time.perf_counter() - start


def sizes(connection: sqlite3.Connection) -> dict[str, float]:
    rows = connection.execute("SELECT name, sum(pgsize) FROM dbstat GROUP BY name").fetchall()
    return {name: size / 2**20 for name, size in rows}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("database", type=Path)
    parser.add_argument("--scratch", type=Path, default=Path("/tmp/search-index.sqlite3"))
    options = parser.parse_args()
    documents: dict[int, list[int]] = {}
    with sqlite3.connect(options.database) as source:
        for term, record_id in source.execute("SELECT term, record_id FROM people_searchterm"):
            documents.setdefault(record_id, []).append(term)
    print(f"{len(documents):,} records, {sum(map(len, documents.values())):,} search terms, "
          f"SQLite {sqlite3.sqlite_version}")
    connection = scratch_database(options.scratch)
    rows_seconds = as_rows(connection, documents)
    fts_seconds = as_fts5(connection, documents)
    connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    found = sizes(connection)
    rows_mb = found.get("st", 0) + found.get("st_lookup", 0) + found.get("st_record", 0)
    fts_mb = sum(size for name, size in found.items() if name.startswith("fts"))
    print(f"rows and two indexes: {rows_seconds:.1f} s, {rows_mb:.0f} MB")
    print(f"FTS5, one document a record: {fts_seconds:.1f} s, {fts_mb:.0f} MB")


if __name__ == "__main__":
    main()
