"""Reading feed files line by line with bounded memory: JSON Lines, and CSV for person records."""

import codecs
import csv
import io
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import orjson

from .parsing import RAW_KEPT, RawLine, over_the_limit, windows_1252_hint

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


def count_lines(files: list[Path], encoding: str | None = None) -> int:
    """Count lines quickly (for a progress bar's total), reading a megabyte at a time."""
    total = 0
    for path in files:
        with open_feed(path, encoding) as handle:
            while block := handle.read(1 << 20):
                total += block.count(b"\n")
    return total


UTF16_BOMS = (codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)


def _not_in_encoding(error: UnicodeError) -> tuple[str, int]:
    """Bytes that are not text in a feed's declared encoding become a lone surrogate, which
    UTF-8 cannot hold: their line then fails the UTF-8 check as any line of stray bytes does."""
    assert isinstance(error, UnicodeDecodeError)
    return "\udcff", error.end


codecs.register_error("lantern.not-in-encoding", _not_in_encoding)


class RecodedAsUtf8(io.RawIOBase):
    """A file in another encoding read as UTF-8 bytes, so the line reading and the checks after
    it are the same for every feed. Bytes that are not text in that encoding come through as
    bytes that are not UTF-8, so the line that holds them is refused as any such line is, and
    the rest still go in."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self.raw = raw
        self.decoder = codecs.getincrementaldecoder(encoding)("lantern.not-in-encoding")
        self.pending = b""

    def readable(self) -> bool:
        return True

    def readinto(self, buffer) -> int:  # type: ignore[no-untyped-def]
        while not self.pending:
            block = self.raw.read(1 << 16)
            self.pending = self.decoder.decode(block, final=not block).encode("utf-8", "surrogatepass")
            if not block:
                break
        size = min(len(buffer), len(self.pending))
        buffer[:size] = self.pending[:size]
        self.pending = self.pending[size:]
        return size

    def close(self) -> None:
        self.raw.close()
        super().close()


def check_encoding(name: str) -> str:
    """The codec's own name for an encoding a person asked for, or ValueError saying it is unknown."""
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ValueError(f"{name!r} is not an encoding this importer knows (try utf-8 or windows-1252)") from None
    if not getattr(info, "_is_text_encoding", True):  # base64, zlib and the like turn bytes into bytes
        raise ValueError(f"{name!r} is not an encoding of text")
    return info.name


def holds_utf8_beyond_ascii(path: Path) -> bool:
    """Whether a file is UTF-8 throughout and holds characters beyond ASCII: such a file read
    in a one-byte encoding would go in garbled ("Zoë" as "ZoÃ«") without any line refused."""
    decoder = codecs.getincrementaldecoder("utf-8")()
    beyond_ascii = False
    with path.open("rb") as handle:
        try:
            while block := handle.read(1 << 20):
                beyond_ascii = beyond_ascii or not block.isascii()
                decoder.decode(block)
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            return False
    return beyond_ascii


# How much of a file's start must look like UTF-16 when it has no byte order mark.
SNIFFED_BYTES = 32


def sniffed_encoding(start: bytes) -> str | None:
    """UTF-16 told from a file's first bytes: by its byte order mark, or, without one, by a
    zero byte beside every character of its start. Every feed starts with ASCII (`{"kind"` or
    a CSV header's names), which UTF-16 writes so; a UTF-8 feed never has a zero byte in it."""
    if start[:2] in UTF16_BOMS:
        return "utf-16"  # which reads the mark to know the byte order
    head = start[:len(start) - len(start) % 2]
    if len(head) < 4:
        return None
    if not any(head[1::2]) and all(head[0::2]):
        return "utf-16-le"
    if not any(head[0::2]) and all(head[1::2]):
        return "utf-16-be"
    return None


def open_feed(path: Path, encoding: str | None = None) -> BinaryIO:
    """Open a feed file for reading as UTF-8 bytes, past any byte order mark.

    A file in another encoding (`encoding`, or UTF-16 as some Windows programs save "Unicode
    text", told from its first bytes) is turned into UTF-8 as it is read."""
    handle = path.open("rb")
    start = handle.peek(SNIFFED_BYTES)[:SNIFFED_BYTES]
    # Told from the start when not named; as named otherwise (UTF-8 needs no recoding).
    recode = sniffed_encoding(start) if encoding is None else None if encoding == "utf-8" else encoding
    if recode:
        return io.BufferedReader(RecodedAsUtf8(handle, recode), buffer_size=1 << 16)  # type: ignore[return-value]
    if start[:3] == codecs.BOM_UTF8:
        handle.read(3)
    return handle


def read_feed(path: Path, max_line_bytes: int, encoding: str | None = None) -> Iterator[RawLine]:
    if path.suffix == ".csv":
        yield from read_csv(path, max_line_bytes, encoding)
    else:
        yield from read_jsonl(path, max_line_bytes, encoding)


def read_jsonl(path: Path, max_line_bytes: int, encoding: str | None = None) -> Iterator[RawLine]:
    """Yield each non-blank line; a line over the limit is skipped, never held in memory whole."""
    source = str(path)
    with open_feed(path, encoding) as handle:
        number = 0
        while chunk := handle.readline(max_line_bytes + 1):
            number += 1
            if len(chunk) > max_line_bytes and not chunk.endswith(b"\n"):
                size, head = len(chunk), chunk[:RAW_KEPT]
                while (more := handle.readline(1 << 20)) and not more.endswith(b"\n"):
                    size += len(more)
                size += len(more)
                yield RawLine(source, number, head, truncated=True,
                              problem=over_the_limit(size, max_line_bytes))
                continue
            data = chunk.rstrip(b"\r\n")
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


# Where a CSV record stands at the end of a piece of it, as the csv module's default dialect
# reads it: a quote opens a quoted field only as a field's first character (after a comma,
# or a carriage return, which ends a record too); inside quotes `""` is a quote; after the
# closing quote the field goes on unquoted, where a quote is just a quote.
FIELD_START, IN_FIELD, IN_QUOTES, AFTER_QUOTE = range(4)
FIELD_OPENING_QUOTE = re.compile(rb'[,\r]"')


def csv_state_after(piece: bytes, state: int) -> int:
    """The state at the end of `piece`, given the state at its start."""
    position = 0
    if state in (FIELD_START, AFTER_QUOTE):
        # A quote first opens a field, or after a quote inside one it is the doubled quote.
        state = IN_QUOTES if piece[:1] == b'"' else IN_FIELD
        position = 1 if state == IN_QUOTES else 0
    while True:
        if state == IN_QUOTES:
            end = piece.find(b'"', position)
            while end != -1 and piece[end + 1:end + 2] == b'"':
                end = piece.find(b'"', end + 2)
            if end == -1:
                return IN_QUOTES
            if end + 1 == len(piece):
                return AFTER_QUOTE
            state, position = IN_FIELD, end + 1
        else:
            opening = FIELD_OPENING_QUOTE.search(piece, position)
            if opening is None:
                return FIELD_START if piece[-1:] in (b",", b"\r") else IN_FIELD
            state, position = IN_QUOTES, opening.end()


def csv_records(handle: BinaryIO, max_line_bytes: int) -> Iterator[tuple[int, bytes | None, int]]:
    """Split CSV bytes into records, as (first line number, the record, its size in bytes).

    A quoted field may run over several lines, so a record ends at the first line end
    outside quotes. A record over the limit comes as None: read to its end but never held
    whole, so the rows after it are still read."""
    number = 0
    while True:
        first = number + 1
        parts: list[bytes] | None = []
        size = 0
        state = FIELD_START
        # A line longer than the limit comes in pieces, each read from the state the last left.
        while piece := handle.readline(max_line_bytes + 1):
            size += len(piece)
            if parts is not None:
                parts.append(piece)
                if size > max_line_bytes:
                    parts = None
            state = csv_state_after(piece, state)
            if piece.endswith(b"\n"):
                number += 1
                if state != IN_QUOTES:
                    break
        if not size:
            return
        yield first, None if parts is None else b"".join(parts), size


def record_rows(record: bytes | None, size: int, max_line_bytes: int) -> tuple[list[list[str]], str]:
    """A CSV record's rows (one, or none for a blank line), or the reason they cannot be read.

    Lines are split at line feeds; a file whose lines end in a carriage return alone comes
    as one record, which the csv module still splits into its rows."""
    if record is None:
        return [], over_the_limit(size, max_line_bytes)
    text = record.decode("utf-8", "surrogateescape")
    try:
        # As one string the csv module reads one row quickest, and refuses a carriage return
        # alone before the end; split into lines, it reads that too.
        rows = list(csv.reader((text,)))
    except csv.Error:
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as error:
            return [], f"could not be read as CSV ({error})"
    return [row for row in rows if row], ""


def read_csv(path: Path, max_line_bytes: int, encoding: str | None = None) -> Iterator[RawLine]:
    """Yield each CSV row as a person line in the interchange format (the header names the fields).

    A row that cannot be read is refused and the rows after it are still read; only a
    header that cannot be read stops the file."""
    source = str(path)
    csv.field_size_limit(max_line_bytes)
    header: list[str] | None = None
    with open_feed(path, encoding) as handle:
        for number, record, size in csv_records(handle, max_line_bytes):
            rows, problem = record_rows(record, size, max_line_bytes)
            if problem and header is None:
                if record is None and _lone_carriage_returns(path):
                    problem += "; its lines seem to end in a carriage return alone: save it with line feeds"
                yield RawLine(source, number, b"", truncated=record is None,
                              problem=f"is the header row and {problem}; no row of the file was read")
                return
            kept = record or b""
            if problem:
                yield RawLine(source, number, kept[:RAW_KEPT], truncated=record is None or len(kept) > RAW_KEPT,
                              problem=problem)
            for values in rows:
                if header is None and len(values) == 1 and "\t" in values[0]:
                    yield RawLine(source, number, b"", problem=(
                        "is the header row and has tabs between its names, not commas: save the file as "
                        "CSV (comma-separated values); no row of the file was read"))
                    return
                if header is None:
                    header = values
                elif len(values) > len(header):
                    yield RawLine(source, number, kept[:RAW_KEPT], truncated=len(kept) > RAW_KEPT,
                                  problem="has more values than the header has columns")
                else:
                    yield _csv_row_line(source, number, dict(zip(header, values, strict=False)), max_line_bytes)


def _lone_carriage_returns(path: Path) -> bool:
    with path.open("rb") as handle:
        start = handle.read(1 << 16)
    return b"\r" in start and b"\n" not in start


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _csv_row_line(source: str, number: int, row: dict[str, str], max_line_bytes: int) -> RawLine:
    """A CSV row as the person line it stands for."""
    try:
        data = orjson.dumps(_csv_row_to_person(row))
    except (TypeError, orjson.JSONEncodeError):
        # Bytes that are not UTF-8 were read as lone surrogates, which JSON cannot hold.
        column, value = next((name, value) for name, value in row.items()
                             if not (_is_utf8(name) and _is_utf8(value)))
        data = (value if _is_utf8(column) else column).encode("utf-8", "surrogateescape")
        try:
            data.decode("utf-8")
            hint = ""
        except UnicodeDecodeError as error:
            hint = windows_1252_hint(data, error.start)
        return RawLine(source, number, repr(row).encode("utf-8", "replace")[:RAW_KEPT],
                       problem=f"is not UTF-8 text (in the column {column.encode('utf-8', 'replace').decode()!r})"
                       + hint)
    if len(data) > max_line_bytes:
        return RawLine(source, number, data[:RAW_KEPT], truncated=True,
                       problem=over_the_limit(len(data), max_line_bytes))
    return RawLine(source, number, data)
