"""CSV person files: rows found as the csv module finds them, and one unreadable row never
stops the rows after it."""

import csv
import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lantern.intake.importer import import_paths
from lantern.intake.models import HeldLine
from lantern.intake.reader import csv_records, read_csv, record_rows
from lantern.people.models import SourceRecord

from .feeds import AGENCIES, write_feed

# Every character that matters to CSV's quoting and line ends, and one that does not.
CSV_CHARACTERS = st.sampled_from(['"', ",", "\n", "\r", "\r\n", "a", " "])


def rows_as_read(data: bytes, max_line_bytes: int = 1 << 20) -> list[list[str]]:
    rows = []
    for _, record, size in csv_records(io.BytesIO(data), max_line_bytes):
        found, problem = record_rows(record, size, max_line_bytes)
        assert not problem
        rows.extend(found)
    return rows


@settings(max_examples=400, deadline=None)
@given(st.lists(CSV_CHARACTERS, max_size=40).map("".join))
def test_any_text_splits_into_the_rows_the_csv_module_reads(text):
    data = text.encode()
    whole = [row for row in csv.reader(io.StringIO(text, newline="")) if row]
    assert rows_as_read(data) == whole
    records = list(csv_records(io.BytesIO(data), 1 << 20))
    assert b"".join(record for _, record, _ in records) == data, "every byte belongs to one record"
    # A small limit splits long lines into pieces; the records must end in the same places.
    assert list(csv_records(io.BytesIO(data), 4)) == [
        (number, record if size <= 4 else None, size) for number, record, size in records]


@settings(max_examples=200, deadline=None)
@given(st.lists(st.lists(st.lists(CSV_CHARACTERS, max_size=8).map("".join), min_size=1, max_size=4), max_size=6),
       st.sampled_from([csv.QUOTE_MINIMAL, csv.QUOTE_ALL]))
def test_rows_a_csv_writer_wrote_come_back_one_record_each_numbered_by_their_first_line(rows, quoting):
    out = io.StringIO(newline="")
    writer = csv.writer(out, quoting=quoting)  # lines end "\r\n", so a lone "\r" is quoted too
    starts, line = [], 1
    for row in rows:
        starts.append(line)
        before = out.tell()
        writer.writerow(row)
        line += out.getvalue()[before:].count("\n")
    records = list(csv_records(io.BytesIO(out.getvalue().encode()), 1 << 20))
    kept = [(number, record_rows(record, size, 1 << 20)[0]) for number, record, size in records]
    expected = [(start, [row]) for start, row in zip(starts, rows, strict=True)]
    assert [(number, found) for number, found in kept if found] == expected


def test_a_row_over_the_limit_is_refused_and_the_rows_after_it_still_read(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text('agency,source_id,given_names\nmet,R1,Ann\nmet,R2,"' + "x\n" * 3_000
                    + '"\nmet,R3,"Cy, ""Junior"""\n', encoding="utf-8")
    lines = list(read_csv(path, max_line_bytes=1_000))
    assert [(line.number, line.problem) for line in lines] == [
        (2, ""), (3, "is 6,010 bytes long; a line may be at most 1,000 bytes"), (3_004, "")]
    assert lines[1].truncated and b'"Cy, \\"Junior\\""' in lines[2].data


def test_a_header_over_the_limit_stops_the_file_and_says_so(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"agency,source_id\rmet,R1\r" * 100)
    [line] = read_csv(path, max_line_bytes=1_000)
    assert line.number == 1 and "is the header row and is 2,400 bytes long" in line.problem
    assert "no row of the file was read" in line.problem and "carriage return alone" in line.problem


def test_lines_ending_in_a_carriage_return_alone_are_still_rows(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"agency,source_id,given_names\rmet,R1,Ann\rmet,R2,Bob\r")
    assert [line.data for line in read_csv(path, max_line_bytes=1_000)] == [
        b'{"kind":"person","agency":"met","source_id":"R1","given_names":"Ann"}',
        b'{"kind":"person","agency":"met","source_id":"R2","given_names":"Bob"}']


@pytest.mark.django_db
def test_an_import_holds_the_long_row_and_takes_the_rest(tmp_path, settings):
    settings.LANTERN_MAX_LINE_BYTES = 1_000
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    (tmp_path / "people.csv").write_text(
        "\ufeffagency,source_id,given_names\nmet,R1,Ann\nmet,R2,\"" + "x" * 5_000 + "\"\nmet,R3,Cy\n",
        encoding="utf-8")
    counts = import_paths([tmp_path]).counts
    assert (counts["created"], counts["quarantined"]) == (4, 1)  # the two agencies, R1 and R3
    assert set(SourceRecord.objects.values_list("source_id", flat=True)) == {"R1", "R3"}
    held = HeldLine.objects.get()
    assert (held.line_number, held.raw_truncated) == (3, True) and "is 5,010 bytes long" in held.reason


def test_a_record_the_csv_module_refuses_gives_its_reason():
    limit = csv.field_size_limit(10)
    try:
        assert record_rows(b"a," + b"x" * 20 + b"\n", 23, 1_000) == (
            [], "could not be read as CSV (field larger than field limit (10))")
    finally:
        csv.field_size_limit(limit)


def test_a_tab_separated_file_is_refused_once_with_what_to_do(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("agency\tsource_id\tgiven_names\nmet\tR1\tAnn\nmet\tR2\tBob\n", encoding="utf-8")
    [line] = read_csv(path, max_line_bytes=1_000)
    assert line.number == 1 and "has tabs between its names, not commas" in line.problem


def test_a_row_that_is_not_utf8_says_in_which_column(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"agency,source_id,given_names\nmet,R1,Zo\x81\nmet,R2,Ann\n")  # 0x81: not even Windows-1252
    lines = list(read_csv(path, max_line_bytes=1_000))
    assert [(line.number, line.problem) for line in lines] == [
        (2, "is not UTF-8 text (in the column 'given_names')"), (3, "")]
