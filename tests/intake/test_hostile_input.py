"""Hostile input: whatever arrives, the importer neither crashes nor loses a line, and says why."""

import codecs
import csv
import json
import tempfile
from pathlib import Path

import orjson
import pytest
from django.db import transaction
from django.test import override_settings
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from lantern.intake.importer import import_paths
from lantern.intake.models import HeldLine, HeldStatus
from lantern.intake.parsing import RawLine, parse_line
from lantern.people.models import SourceRecord
from tests.intake.feeds import AGENCIES, event, person

pytestmark = pytest.mark.django_db

text = st.text(min_size=0, max_size=40)
json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False, allow_infinity=False) | text,
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(text, inner, max_size=3),
    max_leaves=8,
)
field_values = st.one_of(
    text, st.none(), st.integers(), st.sampled_from(["2011-04-17", "2011-02-30", "1850-01", "9434765919",
                                                      "E5 8HP", "'; DROP TABLE x;--", "<img src=x>"])
)
person_lines = st.builds(
    lambda source_id, overrides: person(source_id, **overrides),
    st.sampled_from(["P1", "P2", "P3"]),
    st.dictionaries(st.sampled_from(["given_names", "family_name", "date_of_birth", "sex", "nhs_number",
                                     "aliases", "email", "shoe_size"]), field_values, max_size=3),
)
event_lines = st.builds(
    lambda source_id, who, role, overrides: event(source_id, (who, role), **overrides),
    st.sampled_from(["E1", "E2"]), st.sampled_from(["P1", "P2", "P9"]),
    st.sampled_from(["missing_person", "victim", "nobody"]),
    st.dictionaries(st.sampled_from(["occurred_at", "type", "attributes", "borough"]), json_values, max_size=2),
)
def dumps(value: object) -> bytes:
    return json.dumps(value).encode()


raw_lines = st.one_of(
    person_lines.map(dumps), event_lines.map(dumps), json_values.map(dumps), st.binary(min_size=1, max_size=60),
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(lines=st.lists(raw_lines, min_size=1, max_size=12))
def test_every_line_is_accounted_for_and_a_second_import_changes_nothing(lines):
    lines = [line.replace(b"\n", b" ").replace(b"\r", b" ") for line in lines]
    # Each example starts from an empty database: roll back what the last one imported.
    with tempfile.TemporaryDirectory() as folder, transaction.atomic():
        (Path(folder) / "agencies.jsonl").write_bytes(b"\n".join(orjson.dumps(a) for a in AGENCIES) + b"\n")
        (Path(folder) / "feed.jsonl").write_bytes(b"\n".join(lines) + b"\n")
        expected = len(AGENCIES) + sum(1 for line in lines if line.strip())

        first = import_paths([Path(folder)]).counts
        accounted = sum(first[k] for k in ("created", "updated", "unchanged", "quarantined", "waiting"))
        assert first["read"] == expected
        assert accounted == expected
        assert all(h.reason and h.field for h in HeldLine.objects.exclude(status=HeldStatus.RESOLVED))

        second = import_paths([Path(folder)]).counts
        assert (second["created"], second["updated"]) == (0, 0)
        transaction.set_rollback(True)


csv_values = st.one_of(text, st.sampled_from(['Leah "Lea" Morgan', "two\nlines", "a,b", "x" * 400, "2011-04-17",
                                              "E5 8HP", "'; DROP TABLE x;--", "<img src=x>"]))
csv_rows = st.fixed_dictionaries(
    {"agency": st.sampled_from(["met", "nobody", ""]), "source_id": st.sampled_from(["C1", "C2", "C3", ""])},
    optional={field: csv_values for field in ("given_names", "family_name", "date_of_birth", "address.postcode",
                                              "aliases", "shoe_size")},
)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(rows=st.lists(csv_rows, min_size=1, max_size=8))
def test_every_csv_row_is_accounted_for_and_a_second_import_changes_nothing(rows):
    # Rows over 300 bytes (one value of 400 does it) are refused, and the rows after them read.
    with (tempfile.TemporaryDirectory() as folder, transaction.atomic(),
          override_settings(LANTERN_MAX_LINE_BYTES=300)):
        (Path(folder) / "agencies.jsonl").write_bytes(b"\n".join(orjson.dumps(a) for a in AGENCIES) + b"\n")
        with (Path(folder) / "people.csv").open("w", encoding="utf-8", newline="") as handle:
            writer = csv.DictWriter(handle, ["agency", "source_id", "given_names", "family_name", "date_of_birth",
                                             "address.postcode", "aliases", "shoe_size"])
            writer.writeheader()
            writer.writerows(rows)
        expected = len(AGENCIES) + len(rows)

        first = import_paths([Path(folder)]).counts
        accounted = sum(first[k] for k in ("created", "updated", "unchanged", "quarantined", "waiting"))
        assert (first["read"], accounted) == (expected, expected)
        assert all(h.reason and h.field for h in HeldLine.objects.exclude(status=HeldStatus.RESOLVED))

        second = import_paths([Path(folder)]).counts
        assert (second["created"], second["updated"]) == (0, 0)
        transaction.set_rollback(True)


@given(data=st.binary(max_size=200))
def test_parsing_never_raises(data):
    from datetime import UTC, datetime

    result = parse_line(RawLine("fuzz", 1, data), datetime.now(UTC))
    assert result is not None


def test_a_wrong_encoding_file_is_held_line_by_line(tmp_path):
    (tmp_path / "agencies.jsonl").write_bytes(b"\n".join(orjson.dumps(a) for a in AGENCIES) + b"\n")
    latin1 = orjson.dumps(person("P1", given_names="Zoë")).decode().encode("latin-1")
    (tmp_path / "feed.jsonl").write_bytes(latin1 + b"\n" + orjson.dumps(person("P2")) + b"\n")
    counts = import_paths([tmp_path]).counts
    assert (counts["created"], counts["quarantined"]) == (3, 1)
    assert "is not UTF-8" in HeldLine.objects.get().reason


def test_a_utf8_byte_order_mark_is_tolerated(tmp_path):
    (tmp_path / "agencies.jsonl").write_bytes(b"\xef\xbb\xbf" + b"\n".join(orjson.dumps(a) for a in AGENCIES))
    assert import_paths([tmp_path]).counts["created"] == 2


@pytest.mark.parametrize("encoding", ["utf-16", "utf-16-le", "utf-16-be"])
def test_a_utf16_file_with_its_byte_order_mark_is_read_as_utf8(tmp_path, encoding):
    (tmp_path / "agencies.jsonl").write_bytes(b"\n".join(orjson.dumps(a) for a in AGENCIES) + b"\n")
    text = "\n".join(orjson.dumps(person(f"P{n}", given_names="Zoë Łucja")).decode() for n in range(3)) + "\n"
    bom = "\ufeff" if encoding != "utf-16" else ""  # Python's "utf-16" writes its own
    (tmp_path / "feed.jsonl").write_bytes((bom + text).encode(encoding))
    (tmp_path / "people.csv").write_bytes((bom + "agency,source_id,given_names\nmet,C1,Siân\n").encode(encoding))
    counts = import_paths([tmp_path]).counts
    assert (counts["created"], counts["quarantined"]) == (6, 0)
    assert SourceRecord.objects.get(source_id="P2").given_names == "Zoë Łucja"
    assert SourceRecord.objects.get(source_id="C1").given_names == "Siân"


def test_bytes_that_are_not_utf16_in_a_utf16_file_hold_only_their_line(tmp_path):
    (tmp_path / "agencies.jsonl").write_bytes(b"\n".join(orjson.dumps(a) for a in AGENCIES) + b"\n")
    line = (orjson.dumps(person("P1")) + b"\n").decode()
    lone_surrogate = b"\x00\xd8"  # half of a UTF-16 pair, alone
    data = (codecs.BOM_UTF16_LE + line.encode("utf-16-le") + b'{\x00' + lone_surrogate + b"\n\x00"
            + line.replace("P1", "P2").encode("utf-16-le") + b"\x00")  # and an odd byte at the end
    (tmp_path / "feed.jsonl").write_bytes(data)
    counts = import_paths([tmp_path]).counts
    assert (counts["created"], counts["quarantined"]) == (4, 2)
    assert set(SourceRecord.objects.values_list("source_id", flat=True)) == {"P1", "P2"}
    assert [held.line_number for held in HeldLine.objects.order_by("line_number")] == [2, 4]
    assert all(held.reason.startswith("holds a byte that is not a character in the encoding the file was read in")
               for held in HeldLine.objects.all())
