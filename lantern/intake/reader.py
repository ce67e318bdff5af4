"""Reading feed files line by line with bounded memory: JSON Lines, and CSV for person records."""

import codecs
import csv
import hashlib
import io
import logging
import re
from collections.abc import Iterator
from pathlib import Path
from typing import BinaryIO

import orjson

from .parsing import NOT_IN_ENCODING, RAW_KEPT, RawLine, over_the_limit, too_long, windows_1252_hint

log = logging.getLogger(__name__)

FEED_SUFFIXES = {".jsonl", ".ndjson", ".csv"}
# Ground truth from the generator sits beside the feeds but is not a feed.
NOT_FEEDS = {"truth.jsonl"}
ADDRESS_COLUMNS = {"line1", "line2", "town", "postcode", "uprn"}
RESTRICTED_WORDS = {"yes": True, "y": True, "true": True, "1": True, "no": False, "n": False, "false": False,
                    "0": False}


def feed_files(paths: list[Path]) -> list[Path]:
    """Expand directories into their feed files, agency registrations first, each file once
    (named twice, or named and in a folder named too).

    In a folder, a file is a feed by its ending in any case (`PEOPLE.CSV`); what only looks
    like one (a folder, a link to nothing or round in a loop) is passed over with a warning."""
    found: dict[Path, Path] = {}
    folders: set[Path] = set()
    for path in paths:
        if not path.is_dir():
            found.setdefault(path.resolve(), path)
            continue
        if path.resolve() in folders:
            continue
        folders.add(path.resolve())
        for entry in sorted(path.iterdir()):
            if entry.suffix.lower() not in FEED_SUFFIXES or entry.name in NOT_FEEDS:
                continue
            if entry.is_file():
                found.setdefault(entry.resolve(), entry)
            else:
                log.warning("Passed over %s: it is named like a feed but is not a file that can be read", entry)
    return sorted(found.values(), key=lambda p: (p.name != "agencies.jsonl", str(p)))


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
    return NOT_IN_ENCODING, error.end


NOT_IN_ENCODING_ERRORS = "lantern.not-in-encoding"
codecs.register_error(NOT_IN_ENCODING_ERRORS, _not_in_encoding)


def as_utf8(data: bytes, encoding: str) -> bytes:
    """Bytes in another encoding as UTF-8, as a file in it is read (RecodedAsUtf8, whose
    decoder takes a block at a time): bytes not in the encoding fail only their line."""
    return data.decode(encoding, NOT_IN_ENCODING_ERRORS).encode("utf-8", "surrogatepass")


class RecodedAsUtf8(io.RawIOBase):
    """A file in another encoding read as UTF-8 bytes, so the line reading and the checks after
    it are the same for every feed. Bytes that are not text in that encoding come through as
    bytes that are not UTF-8, so the line that holds them is refused as any such line is, and
    the rest still go in."""

    def __init__(self, raw: BinaryIO, encoding: str) -> None:
        self.raw = raw
        self.decoder = codecs.getincrementaldecoder(encoding)(NOT_IN_ENCODING_ERRORS)
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


def named_encoding_problem(path: Path, encoding: str) -> str:
    """Why a file cannot be read in the encoding named, or "" when it can: UTF-8 named for a
    file that is plainly UTF-16 (which it would read as junk), or UTF-16 or UTF-32 named without
    a byte order (which reads the order from a mark at the start) for a file with no mark; a
    UTF-16 file without one is read in the order told from its zero bytes."""
    with path.open("rb") as handle:
        start = handle.read(SNIFFED_BYTES)
    if encoding == "utf-8" and sniffed_encoding(start):
        return "is in UTF-16, not UTF-8: import it without --encoding, which tells UTF-16 by itself"
    if encoding not in ("utf-16", "utf-32"):
        return ""
    marks = UTF16_BOMS if encoding == "utf-16" else (codecs.BOM_UTF32_LE, codecs.BOM_UTF32_BE)
    if not start or start.startswith(marks) or (encoding == "utf-16" and sniffed_encoding(start)):
        return ""
    return (f"does not start with a byte order mark, which {encoding} needs: name the order "
            f"({encoding}-le or {encoding}-be), or import it without --encoding if it is UTF-8")


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
    if not any(head[1::2]) and _ascii_text(head[0::2]):
        return "utf-16-le"
    if not any(head[0::2]) and _ascii_text(head[1::2]):
        return "utf-16-be"
    return None


def _ascii_text(characters: bytes) -> bool:
    """Whether these are the ASCII a feed starts with: printable or line breaks, and something
    to see (a file of NULs and line feeds is not a feed in UTF-16)."""
    return all(32 <= c < 127 or c in b"\t\r\n" for c in characters) and any(32 < c < 127 for c in characters)


def open_feed(path: Path, encoding: str | None = None) -> BinaryIO:
    """Open a feed file for reading as UTF-8 bytes, past any byte order mark.

    A file in another encoding (`encoding`, or UTF-16 as some Windows programs save "Unicode
    text", told from its first bytes) is turned into UTF-8 as it is read."""
    handle = path.open("rb")
    start = handle.peek(SNIFFED_BYTES)[:SNIFFED_BYTES]
    # Told from the start when not named; as named otherwise (UTF-8 needs no recoding).
    recode = sniffed_encoding(start) if encoding is None else None if encoding == "utf-8" else encoding
    if recode == "utf-16" and not start.startswith(UTF16_BOMS):
        recode = sniffed_encoding(start)  # named without its order, and no mark to give it
    if recode:
        handle = io.BufferedReader(RecodedAsUtf8(handle, recode), buffer_size=1 << 16)  # type: ignore[assignment]
    # The mark, in UTF-8 now, when an encoding named with its order (utf-16-le) left it in the text.
    if handle.peek(3)[:3] == codecs.BOM_UTF8:
        handle.read(3)
    return handle


def read_feed(path: Path, max_line_bytes: int, encoding: str | None = None) -> Iterator[RawLine]:
    if path.suffix.lower() == ".csv":
        yield from read_csv(path, max_line_bytes, encoding)
    else:
        yield from read_jsonl(path, max_line_bytes, encoding)


def read_jsonl(path: Path, max_line_bytes: int, encoding: str | None = None) -> Iterator[RawLine]:
    """Yield each non-blank line; a line over the limit is skipped, never held in memory whole.

    The limit is on the line without its ending (LF or CR LF)."""
    source = str(path)
    with open_feed(path, encoding) as handle:
        number = 0
        while chunk := handle.readline(max_line_bytes + 2):  # room for CR LF after a line at the limit
            number += 1
            data = chunk.rstrip(b"\r\n")
            if len(data) <= max_line_bytes:
                if data.strip():
                    yield RawLine(source, number, data)
                continue
            yield _over_the_limit(source, number, chunk, handle, max_line_bytes)


def _over_the_limit(source: str, number: int, start: bytes, handle: BinaryIO, max_line_bytes: int) -> RawLine:
    """A line over the limit, read to its end a piece at a time: refused, its start kept and
    the whole line hashed (two long lines that start alike are two held lines)."""
    whole = hashlib.sha256()
    size = 0
    piece, carried = start, b""  # a CR at a piece's end may begin the line's CR LF: held until known
    while True:
        data = carried + piece
        if data.endswith(b"\n") or not piece:
            data = data.removesuffix(b"\n").removesuffix(b"\r")
            whole.update(data)
            size += len(data)
            break
        data, carried = (data[:-1], b"\r") if data.endswith(b"\r") else (data, b"")
        whole.update(data)
        size += len(data)
        piece = handle.readline(1 << 20)
    return too_long(source, number, start, size, whole.hexdigest(), max_line_bytes)


# The address part each address field of a CSV row fills.
ADDRESS_PART_FIELDS = {f"address.{part}": part for part in ADDRESS_COLUMNS}


def _csv_fields(header: list[str]) -> list[str]:
    """The person line's field each column names, an address part as `address.postcode`."""
    fields = []
    for column in header:
        name = column.strip()
        part = name.removeprefix("address.") if name.startswith("address.") else name.removeprefix("address_")
        fields.append(f"address.{part}" if part in ADDRESS_COLUMNS else name)
    return fields


def _fields_named_twice(header: list[str], fields: list[str]) -> str:
    """What a header names more than once (a row's values for it would overwrite one
    another), or "" when it names each field once."""
    columns: dict[str, list[int]] = {}
    for number, field in enumerate(fields, 1):
        if field:  # blank names, as spreadsheets leave after the last column, name no field
            columns.setdefault(field, []).append(number)
    said = []
    for field, numbers in columns.items():
        if len(numbers) > 1:
            where = ", ".join(map(str, numbers[:-1])) + f" and {numbers[-1]}"
            names = [_shown(header[number - 1].strip()) for number in numbers]
            if len(set(names)) > 1:
                where += ": " + ", ".join(names[:-1]) + f" and {names[-1]}"
            times = "twice" if len(numbers) == 2 else f"{len(numbers)} times"
            said.append(f"the field {_shown(field)} {times} (columns {where})")
    return "names " + " and ".join(said) if said else ""


def _shown(text: str) -> str:
    """A value from a file, quoted for a reason: short, and storable though not UTF-8."""
    text = text if len(text) <= 60 else text[:60] + "…"
    return repr(text.encode("utf-8", "replace").decode())


def _csv_row_to_person(fields: list[str], values: list[str]) -> dict[str, object] | str:
    """A CSV row as the person line it stands for, or why it cannot be one."""
    person: dict[str, object] = {"kind": "person"}
    address: dict[str, str] = {}
    for field, value in zip(fields, values, strict=False):  # a short row leaves its last fields unsent
        if not value:
            continue
        part = ADDRESS_PART_FIELDS.get(field)
        if part:
            address[part] = value
        elif field == "aliases":
            person["aliases"] = [alias.strip() for alias in value.split(";") if alias.strip()]
        elif field == "restricted":
            # A typo must not quietly open a record that should have been restricted.
            word = value.strip().lower()
            if word:  # a cell of spaces is blank: not sent
                if word not in RESTRICTED_WORDS:
                    return f"restricted must be yes or no, not {_shown(value)}"
                person["restricted"] = RESTRICTED_WORDS[word]
        elif field == "kind":
            if value != "person":
                return (f"has kind {_shown(value)}, but CSV files carry person records only: send agencies and "
                        "events as JSON Lines")
        else:
            person[field] = value
    if address:
        # A column called `address` keeps its value, for the schema to refuse, not lose it silently.
        person.setdefault("address", address)
    return person


# Where a CSV record stands at the end of a piece of it, as the csv module's default dialect
# reads it: a quote opens a quoted field only as a field's first character (after a comma,
# or a line break, which ends a row too); inside quotes `""` is a quote; after the closing
# quote the field goes on unquoted, where a quote is just a quote.
FIELD_START, IN_FIELD, IN_QUOTES, AFTER_QUOTE = range(4)
FIELD_OPENING_QUOTE = re.compile(rb'[,\r\n]"')


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
                return FIELD_START if piece[-1:] in (b",", b"\r", b"\n") else IN_FIELD
            state, position = IN_QUOTES, opening.end()


class _CarriageReturnLines:
    """readline for a file whose lines end in a carriage return alone, as old Macs saved
    them: a line longer than the size asked for comes in pieces, as from readline. A CR LF
    ends a line too, whole (a byte past the size asked for), so a header saved with CR LF
    above rows saved with CR is numbered line by line."""

    def __init__(self, handle: BinaryIO) -> None:
        self.handle = handle
        self.text = b""
        self.start = 0

    def readline(self, size: int) -> bytes:
        start = self.start
        while True:
            end = self.text.find(b"\r", start, start + size)
            # A CR last in what has been read may begin a CR LF: read on to know.
            if end + 1 < len(self.text) if end != -1 else len(self.text) - start >= size:
                break
            block = self.handle.read(1 << 16)
            if not block:
                break
            self.text, start = self.text[start:] + block, 0
        if end == -1:
            self.start = min(start + size, len(self.text))
        else:
            self.start = end + 2 if self.text[end + 1:end + 2] == b"\n" else end + 1
        return self.text[start:self.start]


def _opens_quotes(piece: bytes, state: int) -> bool:
    """Whether a piece that ends inside quotes (or just after a quote, which a second may
    double) opened them itself, given the state at its start, rather than going on inside
    quotes opened before it."""
    if state in (FIELD_START, IN_FIELD):
        return True
    position = 0
    if state == AFTER_QUOTE:
        if piece[:1] != b'"':
            return True  # the quote before closed its field, so this piece opened another
        position = 1  # the quote before and this one are a doubled quote
    end = piece.find(b'"', position)
    while end != -1 and piece[end + 1:end + 2] == b'"':
        end = piece.find(b'"', end + 2)
    return end != -1 and end + 1 < len(piece)  # closed, so the quotes it ends in opened after


def _never_closed(opened: int, last: int) -> str:
    if opened == last:
        return f"has a quote opened on line {opened} that is never closed: close the quote and send the row again"
    return (f"has a quote opened on line {opened} that is never closed, so lines {opened}–{last} were read as one "
            "value: close the quote and send the rows again")


def csv_records(handle: BinaryIO, max_line_bytes: int,
                line_end: bytes = b"\n") -> Iterator[tuple[int, bytes | None, int, str, str]]:
    """Split CSV bytes into records, as (first line number, the record, its size in bytes,
    why it cannot be read or "", and for a record over the limit the SHA-256 of the whole).

    Lines end in a line feed, or, with `line_end` b"\\r", in a carriage return (and in CR LF
    in either). A quoted field may run over several lines, so a record ends at the first line
    end outside quotes; its size leaves that line end out, as for a line of JSON Lines. A
    record over the limit comes as None: read to its end but never held whole, so the rows
    after it are still read (and hashed, so two long rows are two held lines). A quote still
    open at the end of the file made the rest of the file one value: that record comes with
    the reason it is refused."""
    read = handle.readline if line_end == b"\n" else _CarriageReturnLines(handle).readline
    ends = (b"\n",) if line_end == b"\n" else (b"\r", b"\r\n")
    number = 0
    while True:
        first = number + 1
        parts: list[bytes] | None = []
        whole = None  # hashes a record over the limit as it is read
        size = 0
        state = FIELD_START
        opened = 0  # the line on which the quotes the record is inside opened
        piece = previous = b""
        # A line longer than the limit comes in pieces, each read from the state the last left;
        # a line at the limit comes whole with its CR LF.
        while piece := read(max_line_bytes + 2):
            size += len(piece)
            if parts is not None:
                parts.append(piece)
                if size > max_line_bytes + 2:
                    whole, parts = hashlib.sha256(b"".join(parts)), None
            elif whole is not None:
                whole.update(piece)
            before, state = state, csv_state_after(piece, state)
            if state in (IN_QUOTES, AFTER_QUOTE) and _opens_quotes(piece, before):
                opened = number + 1
            if piece.endswith(ends):
                number += 1
                if state != IN_QUOTES:
                    # The line end does not count toward the limit, nor a CR before its LF.
                    size -= 2 if piece.endswith(b"\r\n") or (piece == b"\n" and previous.endswith(b"\r")) else 1
                    break
            previous = piece
        if not piece and not previous:
            return  # the end of the file, with nothing after the last record
        unclosed = ""
        if not piece and state == IN_QUOTES:  # the file ended inside quotes
            unclosed = _never_closed(opened, number if previous.endswith(ends) else number + 1)
        if parts is not None and size > max_line_bytes:  # over by its last piece's CR LF
            whole, parts = hashlib.sha256(b"".join(parts)), None
        yield first, None if parts is None else b"".join(parts), size, unclosed, whole.hexdigest() if whole else ""


def record_rows(record: bytes | None, size: int, max_line_bytes: int,
                header: list[str] | None = None) -> tuple[list[list[str]], str]:
    """A CSV record's row (one, or none for a blank line), or the reason it cannot be read.

    A carriage return alone inside a line of a file whose lines end in line feeds (or a line
    feed alone in one whose lines end in carriage returns) ends a row too, as the csv module
    reads it. Read so, a record holding one between values would go in as two rows, the
    first cut short: it is refused whole, naming the column of `header` it is in."""
    if record is None:
        return [], over_the_limit(size, max_line_bytes)
    text = record.decode("utf-8", "surrogateescape")
    try:
        # As one string the csv module reads one row quickest, and refuses a line break alone
        # before the end; split into lines, it reads that too.
        rows = list(csv.reader((text,)))
    except csv.Error:
        try:
            rows = list(csv.reader(io.StringIO(text, newline="")))
        except csv.Error as error:
            return [], f"could not be read as CSV ({error})"
    rows = [row for row in rows if row]
    if len(rows) > 1:
        return [], _line_break_in_value(len(rows[0]), header)
    return rows, ""


def _line_break_in_value(column: int, header: list[str] | None) -> str:
    """Why a record the csv module reads as more than one row is refused; `column` is the
    number of the value the first row ends in, where the line break is."""
    name = header[column - 1].strip() if header and column <= len(header) else ""
    where = f"in the column {_shown(name)}" if name else f"in column {column}"
    return (f"has a line break inside a value that is not in quotes ({where}), which would split the row: put "
            "the value in quotes, or take the line break out")


def read_csv(path: Path, max_line_bytes: int, encoding: str | None = None) -> Iterator[RawLine]:
    """Yield each CSV row as a person line in the interchange format (the header names the fields).

    A row that cannot be read is refused and the rows after it are still read; only a
    header that cannot be read stops the file."""
    source = str(path)
    csv.field_size_limit(max_line_bytes)
    # Lines end in carriage returns, as old Macs saved, when most of the file's start says so.
    line_end = b"\r" if _lone_carriage_returns(path, encoding) else b"\n"
    header: list[str] | None = None
    fields: list[str] = []
    with open_feed(path, encoding) as handle:
        for number, record, size, unclosed, digest in csv_records(handle, max_line_bytes, line_end):
            rows, problem = ([], unclosed) if unclosed else record_rows(record, size, max_line_bytes, header)
            if header is None:
                if rows and not problem:
                    fields = _csv_fields(rows[0])
                    problem = _header_problem(rows[0], fields)
                if problem:
                    yield _header_refused(path, number, record, problem, digest)
                    return
                if rows:
                    header = rows[0]
            elif problem:
                yield _csv_refused(source, number, record, problem, digest)
            elif rows:
                values = rows[0]
                if len(values) > len(header):
                    yield _csv_refused(source, number, record, "has more values than the header has columns")
                else:
                    yield _csv_row_line(source, number, header, fields, values, record)


def _header_problem(header: list[str], fields: list[str]) -> str:
    """Why a header row cannot name the fields of the rows under it, or "" when it can."""
    if len(header) == 1 and "\t" in header[0]:
        return "has tabs between its names, not commas: save the file as CSV (comma-separated values)"
    return _fields_named_twice(header, fields)


def _header_refused(path: Path, number: int, record: bytes | None, problem: str, digest: str) -> RawLine:
    """A header that cannot be read, which stops its file: kept as sent, as a refused row is.

    Its hash takes in the file's path, so one file's header is not held as another's that is
    byte for byte the same (or as every header over the limit, kept as nothing), and the
    same file sent again is held once."""
    line = _csv_refused(str(path), number, record, f"is the header row and {problem}; no row of the file was read")
    whole = digest or hashlib.sha256(record or b"").hexdigest()
    return line._replace(digest=hashlib.sha256(f"{path.resolve()}\n{whole}".encode()).hexdigest())


def _csv_refused(source: str, number: int, record: bytes | None, problem: str, digest: str = "") -> RawLine:
    """A row the reader refuses, kept as sent (less its line end) for people to read; `digest`
    stands for the whole of a row over the limit, which is not kept."""
    kept = (record or b"").rstrip(b"\r\n")
    return RawLine(source, number, kept[:RAW_KEPT], truncated=record is None or len(kept) > RAW_KEPT,
                   problem=problem, digest=digest)


LINES_WITH_ANY_END = re.compile(rb"[^\r\n]*(?:\r\n|\r|\n)")


def _lone_carriage_returns(path: Path, encoding: str | None = None) -> bool:
    """Whether a file's lines end in a carriage return alone, as old Macs saved them: in its
    first 64 KiB, read as text (UTF-16 holds bytes 0x0A and 0x0D in other characters), more
    rows end in a CR alone than in a line feed (or CR LF).

    Counted, not looked for: a header may end in CR LF above rows ending in CR. And counted
    outside quotes: Excel for Mac ended rows in CR but line breaks inside a value in LF."""
    with open_feed(path, encoding) as handle:
        start = handle.read(1 << 16)
        if start.endswith(b"\r"):
            start += handle.read(1)  # a CR LF cut in two is not a CR alone
    lone = line_feeds = 0
    state = FIELD_START
    for line in LINES_WITH_ANY_END.finditer(start):
        state = csv_state_after(line.group(), state)
        if state != IN_QUOTES:
            if line.group().endswith(b"\r"):
                lone += 1
            else:
                line_feeds += 1
    return lone > line_feeds


def _is_utf8(text: str) -> bool:
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def _csv_row_line(source: str, number: int, header: list[str], fields: list[str], values: list[str],
                  record: bytes | None) -> RawLine:
    """A CSV row as the person line it stands for, or refused as the row it was.

    The limit was on the row as sent: the person line made from it is not measured again
    (its field names make it longer than the row, which the person sending it cannot see)."""
    person = _csv_row_to_person(fields, values)
    if isinstance(person, str):
        return _csv_refused(source, number, record, person)
    try:
        return RawLine(source, number, orjson.dumps(person))
    except (TypeError, orjson.JSONEncodeError):
        # Bytes that are not UTF-8 were read as lone surrogates, which JSON cannot hold.
        column, value = next(((name, value) for name, value in zip(header, values, strict=False)
                              if value and not (_is_utf8(name) and _is_utf8(value))), ("", ""))
        text = value if _is_utf8(column) else column
        hint = "" if _is_utf8(text) else windows_1252_hint(text.encode("utf-8", "surrogateescape"))
        return _csv_refused(source, number, record, f"is not UTF-8 text (in the column "
                            f"{column.encode('utf-8', 'replace').decode()!r})" + hint)
