"""Fuzz the importer: feed it mutated copies of real feed lines and check nothing crashes or is lost.

Each line of a generated feed is mutated at random — bytes flipped, inserted or deleted,
the line cut short, a value swapped for a hostile one (huge numbers, NUL, SQL, HTML,
wrong types, far dates) — then every mutated line is parsed, and the whole mutated file
is imported into a fresh SQLite database. The run passes when no exception escapes and
every line read is accounted for (created, updated, unchanged, quarantined or waiting).

With --csv, the person lines become rows of a CSV file instead, mutated as CSV text (quotes,
commas, line breaks and carriage returns put in, bytes flipped or cut); the count of rows
read is then checked against the rows Python's csv module finds in the same file, a row
ended by a carriage return alone counted with the row after it (the importer refuses the
two as one row: the carriage return is inside a value, not at the end of a line).

Usage: python bench/fuzz_intake.py FEED_FOLDER [--lines 50000] [--seed 1] [--csv]
"""

import argparse
import csv
import io
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

HOSTILE = [b'"\\u0000"', b"1e999", b"-1", b"99999999999999999999999", b"[]", b"{}", b"null", b"true",
           b'"\'; DROP TABLE people_sourcerecord;--"', b'"<script>alert(1)</script>"', b'"9999-12-31"',
           b'"0001-01-01T00:00:00Z"', b'"\xff\xfe"', b'"' + b"x" * 5000 + b'"']


def mutate_bytes(data: bytearray, choice: int, rng: random.Random, insert: Callable[[], bytes]) -> bytearray:
    """What any text may suffer: a byte flipped (0), something put in (1), a byte deleted (2),
    or the text cut short (3); any other choice leaves it as it is."""
    if choice == 0 and data:
        data[rng.randrange(len(data))] = rng.randrange(256)
    elif choice == 1:
        at = rng.randrange(len(data) + 1)
        data[at:at] = insert()
    elif choice == 2 and data:
        del data[rng.randrange(len(data))]
    elif choice == 3:
        data = data[: rng.randrange(len(data) + 1)]
    return data


def mutate(line: bytes, rng: random.Random) -> bytes:
    data = bytearray(line)
    choice = rng.randrange(7)
    if choice < 4:
        data = mutate_bytes(data, choice, rng, insert=lambda: bytes([rng.randrange(256)]))
    elif choice == 4:
        # Replace one JSON value (after a colon) with a hostile one.
        colons = [i for i, b in enumerate(data) if b == ord(":")]
        if colons:
            at = rng.choice(colons) + 1
            end = at
            while end < len(data) and data[end] not in b",}":
                end += 1
            data[at:end] = rng.choice(HOSTILE)
    elif choice == 5:
        data = data + data  # two objects on one line
    return bytes(data).replace(b"\n", b" ")


CSV_COLUMNS = ["agency", "source_id", "given_names", "family_name", "aliases", "date_of_birth", "sex",
               "nhs_number", "phone", "email", "school_urn", "line1", "line2", "town", "postcode", "uprn"]
CSV_HOSTILE = [b'"', b",", b"\n", b"\r", b'""', b'",', b'\n"', b"x" * 5000, b"\x00", b"\xff"]


def csv_row(line: bytes) -> bytes:
    """A person line as a CSV row under CSV_COLUMNS."""
    import orjson

    person = orjson.loads(line)
    person.update(person.pop("address", None) or {})
    person["aliases"] = ";".join(person.get("aliases") or [])
    out = io.StringIO(newline="")
    csv.writer(out).writerow(["" if person.get(column) is None else person[column] for column in CSV_COLUMNS])
    return out.getvalue().encode()


def mutate_csv(row: bytes, rng: random.Random) -> bytes:
    return bytes(mutate_bytes(bytearray(row), rng.randrange(5), rng, insert=lambda: rng.choice(CSV_HOSTILE)))


def csv_rows_found(data: bytes) -> int:
    """Rows after the header, as the csv module reads the file: what the import must account for.

    The csv module ends a row at a carriage return alone too. The file's lines end in line
    feeds, so such a row and the ones after it up to a line's end are one record, which the
    importer reads as one row, or refuses as one, or passes over if all are blank."""
    csv.field_size_limit(1 << 30)
    last = [""]

    def lines() -> Iterator[str]:
        for line in io.StringIO(data.decode("utf-8", "surrogateescape"), newline=""):
            last[0] = line
            yield line

    records = 0
    blank = True
    for row in csv.reader(lines()):  # which reads no line past the end of a row
        blank = blank and not row
        if last[0].endswith("\n"):
            records += not blank
            blank = True
    return records + (not blank) - 1


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("feeds", type=Path)
    parser.add_argument("--lines", type=int, default=50_000)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--csv", action="store_true", help="fuzz a CSV file of person rows instead")
    options = parser.parse_args()
    work = Path(tempfile.mkdtemp(prefix="lantern-fuzz-"))
    os.environ.update(LANTERN_DATA_DIR=str(work), DJANGO_SETTINGS_MODULE="lantern.config.settings.local")
    import django

    django.setup()
    from datetime import UTC, datetime

    from django.core.management import call_command

    from lantern.intake.importer import import_paths
    from lantern.intake.parsing import RawLine, parse_line

    rng = random.Random(options.seed)
    source = [line.rstrip(b"\n") for name in ("met.jsonl", "schools.jsonl", "health.jsonl")
              for line in (options.feeds / name).open("rb")]
    call_command("migrate", verbosity=0)
    import_paths([options.feeds / "agencies.jsonl"])
    if options.csv:
        fuzz_csv([line for line in source if line.startswith(b'{"kind":"person"')], rng, options, work)
        return
    mutated = [mutate(rng.choice(source), rng) for _ in range(options.lines)]

    started = time.perf_counter()
    now = datetime.now(UTC)
    kinds: dict[str, int] = {}
    for number, data in enumerate(mutated, 1):
        kind = type(parse_line(RawLine("fuzz", number, data), now)).__name__
        kinds[kind] = kinds.get(kind, 0) + 1
    parsed_in = time.perf_counter() - started

    feed = work / "fuzz.jsonl"
    feed.write_bytes(b"\n".join(mutated) + b"\n")
    counts = import_paths([feed], workers=2).counts
    accounted = sum(counts[k] for k in ("created", "updated", "unchanged", "quarantined", "waiting"))
    blank = sum(1 for data in mutated if not data.strip())
    print(f"{options.lines:,} mutated lines (seed {options.seed}) parsed in {parsed_in:.1f} s without an exception: {kinds}")
    print(f"imported: {counts}")
    print(f"every line accounted for: {accounted == counts['read'] == options.lines - blank}")
    if accounted != counts["read"]:
        raise SystemExit(1)


def fuzz_csv(person_lines: list[bytes], rng: random.Random, options: argparse.Namespace, work: Path) -> None:
    from lantern.intake.importer import import_paths

    rows = [mutate_csv(csv_row(rng.choice(person_lines)), rng) for _ in range(options.lines)]
    feed = work / "fuzz.csv"
    feed.write_bytes(",".join(CSV_COLUMNS).encode() + b"\r\n" + b"".join(rows))
    expected = csv_rows_found(feed.read_bytes())
    counts = import_paths([feed], workers=2).counts
    accounted = sum(counts[k] for k in ("created", "updated", "unchanged", "quarantined", "waiting"))
    print(f"{options.lines:,} mutated CSV rows (seed {options.seed}); the csv module finds {expected:,} rows")
    print(f"imported: {counts}")
    print(f"every row accounted for: {accounted == counts['read'] == expected}")
    if not accounted == counts["read"] == expected:
        raise SystemExit(1)


if __name__ == "__main__":
    main()
