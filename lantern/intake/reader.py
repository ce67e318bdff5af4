"""Reading feed files line by line with bounded memory: JSON Lines, and CSV for person records."""

import codecs
import csv
import io
from collections.abc import Iterator
from pathlib import Path

import orjson

from .parsing import RAW_KEPT, RawLine

FEED_SUFFIXES = {".jsonl", ".ndjson", ".csv"}
# Ground truth from the generator sits beside the feeds but is not a feed.
NOT_FEEDS = {"truth.jsonl"}
ADDRESS_COLUMNS = {"line1", "line2", "town", "postcode", "uprn"}
RESTRICTED_WORDS = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False,
                    "0": False}


def feed_files(paths: list[Path]) -> list[Path]:
    """Expand directories into their feed files, agency registrations first."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(sorted(p for p in path.iterdir()
                                if p.suffix in FEED_SUFFIXES and p.name not in NOT_FEEDS))
        else:
            found.append(path)
    return sorted(found, key=lambda p: (p.name != "agencies.jsonl", str(p)))


def count_lines(files: list[Path]) -> int:
    """Count lines quickly (for a progress bar's total), reading a megabyte at a time."""
    total = 0
    for path in files:
        with path.open("rb") as handle:
            while block := handle.read(1 << 20):
                total += block.count(b"\n")
    return total


def read_feed(path: Path, max_line_bytes: int) -> Iterator[RawLine]:
    if path.suffix == ".csv":
        yield from read_csv(path, max_line_bytes)
    else:
        yield from read_jsonl(path, max_line_bytes)


def read_jsonl(path: Path, max_line_bytes: int) -> Iterator[RawLine]:
    """Yield each non-blank line; a line over the limit is skipped, never held in memory whole."""
    source = str(path)
    with path.open("rb") as handle:
        number = 0
        while chunk := handle.readline(max_line_bytes + 1):
            number += 1
            if len(chunk) > max_line_bytes and not chunk.endswith(b"\n"):
                size, head = len(chunk), chunk[:RAW_KEPT]
                while (more := handle.readline(1 << 20)) and not more.endswith(b"\n"):
                    size += len(more)
                size += len(more)
                yield RawLine(source, number, head, truncated=True,
                              problem=f"is {size:,} bytes long; a line may be at most {max_line_bytes:,} bytes")
                continue
            data = chunk.rstrip(b"\r\n")
            if number == 1 and data.startswith(codecs.BOM_UTF8):
                data = data[len(codecs.BOM_UTF8):]
            if data.strip():
                yield RawLine(source, number, data)


def _csv_row_to_person(row: dict[str, str]) -> dict[str, object]:
    person: dict[str, object] = {"kind": "person"}
    address: dict[str, str] = {}
    for column, value in row.items():
        if column is None or value is None or value == "":
            continue
        name = column.strip().removeprefix("address.").removeprefix("address_")
        if name in ADDRESS_COLUMNS:
            address[name] = value
        elif name == "aliases":
            person["aliases"] = [alias.strip() for alias in value.split(";") if alias.strip()]
        elif name == "restricted":
            # Anything but a clear yes or no stays a string, which the schema then refuses.
            person["restricted"] = RESTRICTED_WORDS.get(value.strip().lower(), value)
        else:
            person[column.strip()] = value
    if address:
        person["address"] = address
    return person


def read_csv(path: Path, max_line_bytes: int) -> Iterator[RawLine]:
    """Yield each CSV row as a person line in the interchange format (the header names the fields)."""
    source = str(path)
    with path.open("rb") as raw:
        text = io.TextIOWrapper(raw, encoding="utf-8-sig", errors="surrogateescape", newline="")
        csv.field_size_limit(max_line_bytes)
        reader = csv.DictReader(text)
        rows = iter(reader)
        while True:
            try:
                row = next(rows)
            except StopIteration:
                return
            except csv.Error as error:
                # The csv module cannot resume after this: say so, rather than skip the rest quietly.
                yield RawLine(source, reader.line_num, b"", truncated=True,
                              problem=f"could not be read as CSV ({error}); the rest of the file was not read")
                return
            number = reader.line_num
            if None in row:
                yield RawLine(source, number, b"", problem="has more values than the header has columns")
                continue
            person = _csv_row_to_person(row)
            try:
                data = orjson.dumps(person)
            except (TypeError, orjson.JSONEncodeError):
                yield RawLine(source, number, repr(row).encode("utf-8", "replace")[:RAW_KEPT],
                              problem="is not UTF-8 text")
                continue
            if len(data) > max_line_bytes:
                yield RawLine(source, number, data[:RAW_KEPT], truncated=True,
                              problem=f"is {len(data):,} bytes long; a line may be at most {max_line_bytes:,} bytes")
                continue
            yield RawLine(source, number, data)
