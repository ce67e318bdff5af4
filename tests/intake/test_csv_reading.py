"""CSV person files: rows found as the csv module finds them, and one unreadable row never
stops the rows after it."""

import csv
import hashlib
import io

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from lantern.intake.importer import import_paths
from lantern.intake.models import HeldLine
from lantern.intake.parsing import raw_hash
from lantern.intake.reader import csv_records, read_csv, record_rows
from lantern.organisations.models import Agency
from lantern.people.models import SourceRecord

from .feeds import AGENCIES, write_feed

# Every character that matters to CSV's quoting and line ends, and one that does not.
CSV_CHARACTERS = st.sampled_from(['"', ",", "\n", "\r", "\r\n", "a", " "])


LINE_BREAK_IN_VALUE = "has a line break inside a value that is not in quotes"


def rows_by_record(text: str, line_end: bytes) -> list[list[list[str]]]:
    """The csv module's rows, grouped into the records of a file whose lines end in `line_end`
    (or in CR LF): a row that ends in a line break of the other kind alone leaves its record open."""
    ends = ("\n",) if line_end == b"\n" else ("\r", "\r\n")
    last = [""]

    def lines():
        for line in io.StringIO(text, newline=""):
            last[0] = line
            yield line

    records, record = [], []
    for row in csv.reader(lines()):  # which reads no line past the end of a row
        record.append(row)
        if last[0].endswith(ends):
            records.append(record)
            record = []
    return records + [record] if record else records


def splits_as_the_csv_module_reads(text: str, line_end: bytes) -> None:
    data = text.encode()
    records = [found[:4] for found in csv_records(io.BytesIO(data), 1 << 20, line_end)]
    assert b"".join(record for _, record, _, _ in records) == data, "every byte belongs to one record"
    assert all(not unclosed for _, _, _, unclosed in records[:-1]), "only the file's end leaves a quote open"
    starts = [0]
    for _, record, _, _ in records:
        starts.append(starts[-1] + len(record))
    assert [number for number, _, _, _ in records] == [1 + data[:start].count(line_end) for start in starts[:-1]]
    # Each record is one of the csv module's rows, or none (a blank line), or more, split by a line
    # break that does not end the file's lines: refused whole. A quote left open the csv module
    # reads as a value running to the end of the file: that record is refused as never closed.
    expected = rows_by_record(text, line_end)
    assert len(records) == len(expected)
    for (_, record, size, unclosed), rows in zip(records, expected, strict=True):
        found, problem = record_rows(record, size, 1 << 20)
        rows = [row for row in rows if row]
        if unclosed:
            continue
        if len(rows) > 1:
            assert (found, problem[:len(LINE_BREAK_IN_VALUE)]) == ([], LINE_BREAK_IN_VALUE)
        else:
            assert (found, problem) == (rows, "")
    # A small limit splits long lines into pieces; the records must end in the same places.
    assert [found[:4] for found in csv_records(io.BytesIO(data), 4, line_end)] == [
        (number, record if size <= 4 else None, size, unclosed) for number, record, size, unclosed in records]


@settings(max_examples=400, deadline=None)
@given(st.lists(CSV_CHARACTERS, max_size=40).map("".join))
def test_any_text_splits_into_the_rows_the_csv_module_reads(text):
    splits_as_the_csv_module_reads(text, b"\n")


@settings(max_examples=400, deadline=None)
@given(st.lists(CSV_CHARACTERS, max_size=40).map("".join))
def test_text_whose_lines_end_in_carriage_returns_splits_into_the_rows_the_csv_module_reads(text):
    splits_as_the_csv_module_reads(text, b"\r")


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
    kept = [(number, record_rows(record, size, 1 << 20)[0]) for number, record, size, _, _ in records]
    expected = [(start, [row]) for start, row in zip(starts, rows, strict=True)]
    assert [(number, found) for number, found in kept if found] == expected


def test_a_row_over_the_limit_is_refused_and_the_rows_after_it_still_read(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text('agency,source_id,given_names\nmet,R1,Ann\nmet,R2,"' + "x\n" * 3_000
                    + '"\nmet,R3,"Cy, ""Junior"""\n', encoding="utf-8")
    lines = list(read_csv(path, max_line_bytes=1_000))
    assert [(line.number, line.problem) for line in lines] == [
        (2, ""), (3, "is 6,009 bytes long; a line may be at most 1,000 bytes"), (3_004, "")]
    assert lines[1].truncated and b'"Cy, \\"Junior\\""' in lines[2].data


def test_a_header_over_the_limit_stops_the_file_and_says_so(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"agency,source_id," + b"x" * 1_000 + b"\r\nmet,R1\r\n")
    [line] = read_csv(path, max_line_bytes=1_000)
    assert (line.number, line.problem) == (1, "is the header row and is 1,017 bytes long; a line may be at most "
                                              "1,000 bytes; no row of the file was read")


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
    assert (held.line_number, held.raw_truncated) == (3, True) and "is 5,009 bytes long" in held.reason


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
    assert lines[0].data == b"met,R1,Zo\x81", "the row as sent, not the values as Python shows them"


@pytest.mark.django_db
def test_a_row_that_is_not_utf8_is_held_as_the_row_sent_with_its_reason_as_before(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    (tmp_path / "people.csv").write_bytes(b"agency,source_id,given_names\r\nmet,R1,Zo\xeb\r\nmet,R2,Ann\r\n")
    counts = import_paths([tmp_path]).counts
    assert (counts["created"], counts["quarantined"]) == (3, 1)
    held = HeldLine.objects.get()
    assert (held.line_number, held.field, held.raw, held.raw_truncated) == (2, "(line)", "met,R1,Zo\ufffd", False)
    assert held.reason == (
        "is not UTF-8 text (in the column 'given_names'); read as Windows-1252 (as Excel saves CSV) its characters "
        "beyond ASCII are 'ë': if the file is in Windows-1252, import it with --encoding windows-1252, or save it "
        "as UTF-8 and send it again")


@pytest.mark.parametrize(("header", "problem"), [
    ("given_names,given_names,postcode,address.postcode",
     "names the field 'given_names' twice (columns 1 and 2) and the field 'address.postcode' twice (columns 3 "
     "and 4: 'postcode' and 'address.postcode')"),
    ("agency,source_id,address_postcode,town,postcode",
     "names the field 'address.postcode' twice (columns 3 and 5: 'address_postcode' and 'postcode')"),
    ("agency, source_id,source_id,address.town,source_id",
     "names the field 'source_id' 3 times (columns 2, 3 and 5)"),
])
def test_a_header_that_names_a_field_twice_stops_the_file_and_says_which_columns(tmp_path, header, problem):
    path = tmp_path / "people.csv"
    path.write_text(header + "\nmet,R1,E5 8HP,London,E1 6AN\n", encoding="utf-8")
    [line] = read_csv(path, max_line_bytes=1_000)
    assert (line.number, line.problem) == (1, f"is the header row and {problem}; no row of the file was read")


def test_blank_names_after_the_last_column_name_no_field(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("agency,source_id,given_names,,\nmet,R1,Ann,,\n", encoding="utf-8")  # as spreadsheets save
    assert [line.data for line in read_csv(path, max_line_bytes=1_000)] == [
        b'{"kind":"person","agency":"met","source_id":"R1","given_names":"Ann"}']


@pytest.mark.django_db
def test_an_address_column_beside_address_parts_is_refused_not_dropped(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    (tmp_path / "people.csv").write_text("agency,source_id,address,postcode\nmet,R1,14 Clapton Square,E5 8HP\n"
                                         "met,R2,,E5 8HP\n", encoding="utf-8")
    import_paths([tmp_path])
    assert list(SourceRecord.objects.values_list("source_id", "postcode")) == [("R2", "E5 8HP")]
    held = HeldLine.objects.get()
    assert (held.line_number, held.field, held.reason) == (2, "address", "address must be object")


@pytest.mark.django_db
def test_a_csv_row_of_another_kind_is_refused_and_other_kinds_fields_are_unknown(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    (tmp_path / "people.csv").write_text(
        "kind,agency,source_id,code,name,agency_kind\n"
        "agency,,,pa,Pa Agency,police\n"
        ",met,R1,pa,,\n"
        ",met,R2,,,police\n"
        "person,met,R3,,,\n", encoding="utf-8")
    (tmp_path / "agencies.csv").write_text("kind,code,name,agency_kind\nagency,pb,Pb Agency,police\n")
    counts = import_paths([tmp_path]).counts
    assert (counts["read"], counts["created"], counts["quarantined"]) == (7, 3, 4)  # the two agencies and R3
    assert set(Agency.objects.values_list("code", flat=True)) == {"met", "csc-e09000012"}
    assert list(SourceRecord.objects.values_list("source_id", flat=True)) == ["R3"]
    refused = "has kind 'agency', but CSV files carry person records only: send agencies and events as JSON Lines"
    assert sorted((h.source.rsplit("/", 1)[-1], h.line_number, h.field, h.reason) for h in HeldLine.objects.all()) == [
        ("agencies.csv", 2, "(line)", refused),
        ("people.csv", 2, "(line)", refused),
        ("people.csv", 3, "(line)", "must not contain {'code'} properties"),
        ("people.csv", 4, "(line)", "must not contain {'agency_kind'} properties")]


@pytest.mark.django_db
def test_a_quote_never_closed_refuses_its_row_and_says_which_lines_it_ran_over(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    (tmp_path / "people.csv").write_text(
        'agency,source_id,family_name\nmet,UQ-0,Ann\nmet,UQ-1,"unterminated,\nmet,UQ-2,Bob\nmet,UQ-3,Cy\n',
        encoding="utf-8")
    counts = import_paths([tmp_path]).counts
    assert (counts["created"], counts["quarantined"]) == (3, 1)  # the two agencies and UQ-0
    assert list(SourceRecord.objects.values_list("source_id", flat=True)) == ["UQ-0"]
    held = HeldLine.objects.get()
    assert (held.line_number, held.field, held.raw) == (
        3, "(line)", 'met,UQ-1,"unterminated,\nmet,UQ-2,Bob\nmet,UQ-3,Cy')
    assert held.reason == ("has a quote opened on line 3 that is never closed, so lines 3–5 were read as one "
                           "value: close the quote and send the rows again")


@pytest.mark.parametrize(("text", "number", "problem"), [
    # The record starts on line 2; its first quoted value closes, the next never does.
    ('met,R1,"two\nlines","never closed\nmet,R2,Bob', 2,
     "has a quote opened on line 3 that is never closed, so lines 3–4 were read as one value: close the quote "
     "and send the rows again"),
    ('met,R1,"Ann', 2, "has a quote opened on line 2 that is never closed: close the quote and send the row again"),
    # Over the limit too, but the quote is what to put right.
    ('met,R1,"Ann\n' + "met,R2,Bob\n" * 100, 2,
     "has a quote opened on line 2 that is never closed, so lines 2–102 were read as one value: close the quote "
     "and send the rows again"),
])
def test_a_quote_never_closed_says_where_it_opened(tmp_path, text, number, problem):
    path = tmp_path / "people.csv"
    path.write_text("agency,source_id,given_names\n" + text, encoding="utf-8")
    [line] = read_csv(path, max_line_bytes=1_000)
    assert (line.number, line.problem) == (number, problem)


@pytest.mark.parametrize("ending", [b"\n", b"\r\n", b"\r"])
def test_the_line_ending_does_not_count_towards_the_limit(tmp_path, ending):
    row = b"met,R1," + b"x" * 93
    path = tmp_path / "people.csv"
    path.write_bytes(ending.join([b"agency,source_id,given_names", row, row.replace(b"R1", b"R2") + b"y", b""]))
    lines = list(read_csv(path, max_line_bytes=100))
    assert [(line.number, line.problem) for line in lines] == [
        (2, ""), (3, "is 101 bytes long; a line may be at most 100 bytes")]


def test_a_file_whose_lines_end_in_a_carriage_return_alone_is_numbered_line_by_line(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"agency,source_id,given_names\r" + b"met,R1,Ann\r" * 20
                     + b'met,R2,Bob,Morgan\rmet,R3,"two\rlines"\rmet,R4,Zo\x81\rmet,R5,' + b"x" * 200 + b"\r")
    lines = list(read_csv(path, max_line_bytes=100))  # the file is longer than the limit; no line is
    assert [(line.number, line.problem) for line in lines if line.problem] == [
        (22, "has more values than the header has columns"),
        (25, "is not UTF-8 text (in the column 'given_names')"),
        (26, "is 207 bytes long; a line may be at most 100 bytes")]
    assert len(lines) == 24 and lines[21].number == 23
    assert lines[21].data == b'{"kind":"person","agency":"met","source_id":"R3","given_names":"two\\rlines"}'


def test_restricted_takes_yes_or_no_as_a_spreadsheet_cell_may_say_it(tmp_path):
    path = tmp_path / "people.csv"
    path.write_text("agency,source_id,restricted\nmet,R1,Yes\nmet,R2,n\nmet,R3,TRUE\nmet,R4,0\nmet,R5, \n"
                    "met,R6,yse\nmet,R7,\n", encoding="utf-8")
    lines = list(read_csv(path, max_line_bytes=1_000))
    assert [(line.number, line.problem, line.data) for line in lines if line.problem] == [
        (7, "restricted must be yes or no, not 'yse'", b"met,R6,yse")]
    assert [orjson.loads(line.data).get("restricted") for line in lines if not line.problem] == [
        True, False, True, False, None, None]


@pytest.mark.parametrize(("header", "kept", "problem"), [
    (b"given_names,given_names", b"given_names,given_names", "names the field 'given_names' twice"),
    (b"agency\tsource_id", b"agency\tsource_id", "has tabs between its names, not commas"),
    (b'agency,"source_id', b'agency,"source_id\nmet,R1', "has a quote opened on line 1 that is never closed"),
    (b"agency,source\rid", b"agency,source\rid", LINE_BREAK_IN_VALUE + " (in column 2)"),
    (b"agency," + b"x" * 1_000, b"", "is 1,007 bytes long"),
], ids=["named-twice", "tabs", "quote-never-closed", "line-break", "over-the-limit"])
def test_a_header_that_cannot_be_read_is_kept_as_sent_and_hashed_as_its_own_files(tmp_path, header, kept, problem):
    first, second = tmp_path / "a.csv", tmp_path / "b.csv"
    for path in (first, second):
        path.write_bytes(header + b"\nmet,R1\n")
    [line] = read_csv(first, max_line_bytes=1_000)
    assert (line.number, line.data, line.truncated) == (1, kept, not kept)
    assert line.problem.startswith(f"is the header row and {problem}")
    assert line.problem.endswith("; no row of the file was read")
    [other] = read_csv(second, max_line_bytes=1_000)
    [again] = read_csv(first, max_line_bytes=1_000)
    assert raw_hash(line) == raw_hash(again) != raw_hash(other), "the same file's header, not another's"
    assert raw_hash(line) != hashlib.sha256(line.data).hexdigest()


@pytest.mark.django_db
def test_each_files_unreadable_header_is_its_own_held_line_and_held_once(tmp_path, settings):
    settings.LANTERN_MAX_LINE_BYTES = 1_000
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    (tmp_path / "a_twice.csv").write_text("agency,source_id,postcode,address_postcode\nmet,R1,E5 8HP,E5 8HP\n")
    (tmp_path / "b_tabs.csv").write_text("agency\tsource_id\nmet\tR2\n")
    (tmp_path / "c_long.csv").write_text("agency,source_id," + "x" * 1_000 + "\nmet,R3\n")
    (tmp_path / "d_long.csv").write_text("agency,source_id," + "y" * 1_000 + "\nmet,R4\n")
    assert import_paths([tmp_path]).counts["quarantined"] == 4
    assert import_paths([tmp_path]).counts["quarantined"] == 4
    held = sorted(HeldLine.objects.values_list("source", "line_number", "raw", "reason"))
    assert [(source.rsplit("/", 1)[-1], number, raw) for source, number, raw, _ in held] == [
        ("a_twice.csv", 1, "agency,source_id,postcode,address_postcode"), ("b_tabs.csv", 1, "agency\tsource_id"),
        ("c_long.csv", 1, ""), ("d_long.csv", 1, "")]
    assert "names the field 'address.postcode' twice" in held[0][3] and "has tabs" in held[1][3]


@pytest.mark.parametrize(("ending", "stray"), [(b"\n", b"\r"), (b"\r\n", b"\r"), (b"\r", b"\n")])
def test_a_line_break_alone_inside_a_value_not_in_quotes_refuses_its_row_whole(tmp_path, ending, stray):
    path = tmp_path / "people.csv"
    split = b"met,R2,Anne" + stray + b"Marie,Smith"
    path.write_bytes(ending.join([b"agency,source_id,given_names,family_name", b"met,R1,Ann,Lee", split,
                                  b'met,R3,"Jo' + stray + b'Ann",Lee', b""]))
    lines = list(read_csv(path, max_line_bytes=1_000))
    assert [(line.number, line.problem) for line in lines] == [
        (2, ""),
        (3, "has a line break inside a value that is not in quotes (in the column 'given_names'), which would "
            "split the row: put the value in quotes, or take the line break out"),
        (4, "")]
    assert lines[1].data == split, "the row as sent, not its first part"
    assert orjson.loads(lines[2].data)["given_names"] == "Jo" + stray.decode() + "Ann", "in quotes it is a value's"


def test_a_header_with_a_line_break_alone_in_a_name_stops_the_file(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"agency,source_id,given\r_names\nmet,R1,Ann\n")
    [line] = read_csv(path, max_line_bytes=1_000)
    assert (line.number, line.data, line.problem) == (1, b"agency,source_id,given\r_names", (
        "is the header row and has a line break inside a value that is not in quotes (in column 3), which would "
        "split the row: put the value in quotes, or take the line break out; no row of the file was read"))


def test_carriage_returns_before_a_line_feed_split_no_row(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"agency,source_id,given_names\r\r\n\rmet,R1,Ann\r\r\nmet,R2,Bob\n")
    assert [(line.number, line.problem) for line in read_csv(path, max_line_bytes=1_000)] == [(2, ""), (3, "")]


@pytest.mark.django_db
def test_a_row_split_by_a_carriage_return_is_held_not_stored_in_part(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    (tmp_path / "people.csv").write_bytes(b"agency,source_id,given_names,family_name,date_of_birth\n"
                                          b"met,R1,Anne\rMarie,Smith,2012-01-01\n")
    counts = import_paths([tmp_path]).counts
    assert (counts["created"], counts["quarantined"]) == (2, 1)  # the two agencies
    assert not SourceRecord.objects.exists()
    held = HeldLine.objects.get()
    assert (held.line_number, held.raw) == (2, "met,R1,Anne\rMarie,Smith,2012-01-01")


def test_a_file_whose_lines_end_in_carriage_returns_may_hold_a_line_feed_in_quotes(tmp_path):
    path = tmp_path / "people.csv"
    path.write_bytes(b"agency,source_id,given_names,family_name\rmet,R1,Ann,Lee\rmet,R2,Bob,\"Multi\nline\"\r"
                     b"met,R3,Cy,Lee\rmet,R4,Di,Lee,extra\rmet,R5,Ed,Lee\r")
    lines = list(read_csv(path, max_line_bytes=1_000))
    assert [(line.number, line.problem) for line in lines] == [
        (2, ""), (3, ""), (4, ""), (5, "has more values than the header has columns"), (6, "")]
    assert orjson.loads(lines[1].data)["family_name"] == "Multi\nline"


def test_line_feeds_in_quotes_outnumbering_the_carriage_returns_that_end_rows_still_end_no_row(tmp_path):
    path = tmp_path / "people.csv"  # as Excel for Mac saved: rows end in CR, line breaks in a cell in LF
    path.write_bytes(b"agency,source_id,line1\r" + b"".join(
        b'met,R%d,"Flat %d\nClapton House\n14 Clapton Square"\r' % (number, number) for number in range(1, 6)))
    lines = list(read_csv(path, max_line_bytes=1_000))
    assert [line.number for line in lines] == [2, 3, 4, 5, 6] and not any(line.problem for line in lines)
    assert orjson.loads(lines[4].data)["address"] == {"line1": "Flat 5\nClapton House\n14 Clapton Square"}


def test_a_header_ending_in_cr_lf_above_rows_ending_in_cr_is_numbered_line_by_line(tmp_path):
    path = tmp_path / "people.csv"
    rows = [b"met,R%d,Ann" % number for number in range(1, 8)]
    rows[4] += b",extra"
    path.write_bytes(b"agency,source_id,given_names\r\n" + b"\r".join(rows) + b"\r")
    lines = list(read_csv(path, max_line_bytes=40))  # the file is longer than the limit; no line is
    assert [(line.number, line.problem) for line in lines] == [
        (2, ""), (3, ""), (4, ""), (5, ""), (6, "has more values than the header has columns"), (7, ""), (8, "")]
    assert orjson.loads(lines[0].data)["source_id"] == "R1"


@pytest.mark.parametrize(("ending", "name", "encoding"), [
    # Gurmukhi letters are U+0A00 to U+0A7F, each a byte 0x0A in UTF-16 beside the CRs; Malayalam's
    # are U+0D00 to U+0D7F, each a byte 0x0D beside the line feeds.
    ("\r", "ਹਰਪ੍ਰੀਤ", None),
    ("\n", "അനുപമ", "utf-16-le"),
])
def test_a_utf16_files_line_ends_are_told_from_its_text_not_its_bytes(tmp_path, ending, name, encoding):
    path = tmp_path / "people.csv"
    text = ending.join(["agency,source_id,given_names"] + [f"met,R{n},{name}" for n in range(1, 4)] + [""])
    path.write_bytes(text.encode(encoding or "utf-16"))  # utf-16 writes a byte order mark
    lines = list(read_csv(path, max_line_bytes=1_000, encoding=encoding))
    assert [(line.number, line.problem) for line in lines] == [(2, ""), (3, ""), (4, "")]
    assert orjson.loads(lines[2].data) == {"kind": "person", "agency": "met", "source_id": "R3", "given_names": name}
