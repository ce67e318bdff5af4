"""Compare two ways SQLite can store the search terms, through a bulk load and its index builds.

- "id and two indexes" (until stop 19): a rowid table (id, term, record_id), with the
  look-up index (term, record_id) and the record index (record_id) built at the end;
- "keyed by record" (now, migration people.0007): a WITHOUT ROWID table keyed by
  (record_id, term), with only the look-up index built at the end.

Usage:
    python bench/search_terms_keyed.py [--records 400000]

Synthetic terms, shaped like the importer's: 15 random 64-bit terms a record, records in
the order of their ids, 10,000 records a transaction, inserted through json_each as the
importer does, with the importer's pragmas. A London year is about 400,000 records.
"""

import argparse
import json
import random
import sqlite3
import tempfile
import time
from pathlib import Path

CHUNK_RECORDS = 10_000
TERMS_A_RECORD = 15
PRAGMAS = ("PRAGMA page_size=8192; PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
           "PRAGMA cache_size=-65536; PRAGMA wal_autocheckpoint=16384;")
LAYOUTS = {
    "id and two indexes": (
        "CREATE TABLE st (id integer PRIMARY KEY AUTOINCREMENT, term bigint NOT NULL, record_id bigint NOT NULL)",
        ["CREATE INDEX lookup ON st (term, record_id)", "CREATE INDEX record ON st (record_id)"],
    ),
    "keyed by record": (
        "CREATE TABLE st (record_id bigint NOT NULL, term bigint NOT NULL, PRIMARY KEY (record_id, term))"
        " WITHOUT ROWID",
        ["CREATE INDEX lookup ON st (term, record_id)"],
    ),
}


def payloads(records: int) -> list[str]:
    generator = random.Random(1)  # noqa: S311  (the same terms every run; nothing secret)
    return [json.dumps([[record, sorted({generator.getrandbits(63) for _ in range(TERMS_A_RECORD)})]
                        for record in range(first, first + CHUNK_RECORDS)])
            for first in range(1, records + 1, CHUNK_RECORDS)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--records", type=int, default=400_000)
    options = parser.parse_args()
    chunks = payloads(options.records)
    for layout, (create, indexes) in LAYOUTS.items():
        path = Path(tempfile.mkdtemp()) / "terms.sqlite3"
        connection = sqlite3.connect(path, isolation_level=None)
        connection.executescript(PRAGMAS)
        connection.execute(create)
        started = time.perf_counter()
        for chunk in chunks:
            connection.execute("BEGIN")
            connection.execute("INSERT INTO st (term, record_id) SELECT item.value, owner.value ->> 0"
                               " FROM json_each(?) AS owner, json_each(owner.value -> 1) AS item", (chunk,))
            connection.execute("COMMIT")
        inserted = time.perf_counter() - started
        started = time.perf_counter()
        connection.executescript("PRAGMA cache_size=-16384; PRAGMA threads=2;")  # as the importer builds
        for statement in indexes:
            connection.execute(statement)
        built = time.perf_counter() - started
        connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")
        print(f"{layout}: insert {inserted:.1f} s, index builds {built:.1f} s, "
              f"together {inserted + built:.1f} s; file {path.stat().st_size / 1e6:.0f} MB")
        connection.close()


if __name__ == "__main__":
    main()
