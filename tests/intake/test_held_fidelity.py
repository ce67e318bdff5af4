"""Held lines stay what they were: an API line offered again is still held to its feed's
agency, a line not kept as sent is never offered again, a line held again says why this time,
and every line is told apart from every other by the whole of it."""

from datetime import UTC, datetime

import orjson
import pytest
from django.test import override_settings

from lantern.intake import parsing
from lantern.intake.held import held_lines_retry
from lantern.intake.importer import Import, import_paths
from lantern.intake.models import HeldLine, HeldStatus
from lantern.intake.parsing import RawLine, Refused, parse_chunk, parse_line
from lantern.organisations.models import Agency
from lantern.people.models import SourceRecord
from tests.intake.feeds import AGENCIES, event, person, write_feed

pytestmark = pytest.mark.django_db


@pytest.fixture
def agencies(tmp_path):
    import_paths([write_feed(tmp_path / "agencies.jsonl", AGENCIES)])


def api_batch(lines: list[bytes]) -> None:
    """Lines as the Met's feed sends them through the API (lantern.api.intake)."""
    source = "api:met:nightly"
    Import(source, only_agency="met").lines(
        RawLine(source, number, data) for number, data in enumerate(lines, start=1)).finish()


def open_held():
    return list(HeldLine.objects.exclude(status=HeldStatus.RESOLVED).order_by("pk"))


def test_an_api_line_offered_again_is_still_held_to_its_feeds_agency(agencies):
    planted = person("PLANTED", agency="csc-e09000012")
    renamed = {**AGENCIES[1], "name": "Renamed by the Met's feed"}
    api_batch([orjson.dumps(planted), orjson.dumps(renamed)])
    assert {(h.field, h.feed_agency, h.kind) for h in open_held()} == {("agency", "met", "person"),
                                                                        ("kind", "met", "agency")}

    retried = held_lines_retry(held=open_held(), actor=None, source="quarantine retry")

    assert (retried.went_in, retried.held_again) == (0, 2)
    assert not SourceRecord.objects.filter(source_id="PLANTED").exists()
    assert Agency.objects.get(code="csc-e09000012").name == AGENCIES[1]["name"]
    assert [h.reason for h in open_held()] == [
        "this feed sends records for 'met' only, not 'csc-e09000012'",
        "a feed cannot register or change agencies: ask an administrator"]


def test_a_file_line_offered_again_is_not_held_to_any_feed(tmp_path, agencies):
    # The same kind of line from a file, once its agency is registered, goes in when offered again.
    import_paths([write_feed(tmp_path / "probation.jsonl", [person("P1", agency="probation")])])
    import_paths([write_feed(tmp_path / "more-agencies.jsonl", [
        {"kind": "agency", "code": "probation", "name": "Probation Service", "agency_kind": "probation",
         "borough": None}])])

    retried = held_lines_retry(held=open_held(), actor=None, source="quarantine retry")

    assert (retried.went_in, retried.held_again, retried.not_offered) == (1, 0, 0)
    assert SourceRecord.objects.filter(source_id="P1", agency__code="probation").exists()


def test_a_line_not_kept_as_sent_is_never_offered_again(tmp_path, agencies):
    windows_1252 = orjson.dumps(person("P1", given_names="ZoX")).replace(b"ZoX", b"Zo\xeb")
    with_nul = orjson.dumps(person("P2")).replace(b"Leah", b"Le\x00ah")
    import_paths([write_feed(tmp_path / "met.jsonl", [windows_1252, with_nul])])
    held = open_held()
    assert [(h.retriable, "\ufffd" in h.raw) for h in held] == [(False, True), (False, True)]

    retried = held_lines_retry(held=held, actor=None, source="quarantine retry")

    assert (retried.went_in, retried.held_again, retried.not_offered) == (0, 0, 2)
    assert not SourceRecord.objects.exists()
    assert [(h.status, h.attempts) for h in open_held()] == [(HeldStatus.QUARANTINED, 1)] * 2
    assert retried.summary() == (
        "0 of 0 held lines went in; 0 still held; 2 lines were not offered again, as they are not kept as sent "
        "(cut short, not UTF-8, or an unreadable CSV row): ask the agency to send them again, then dismiss them")


@override_settings(LANTERN_MAX_LINE_BYTES=70_000)
def test_a_line_cut_short_is_never_offered_again(tmp_path, agencies):
    long_line = orjson.dumps(person("P1", narrative="x" * 80_000))
    import_paths([write_feed(tmp_path / "met.jsonl", [long_line])])

    retried = held_lines_retry(held=open_held(), actor=None, source="quarantine retry")

    assert (retried.went_in, retried.not_offered) == (0, 1)


def test_a_line_held_again_says_why_this_time(tmp_path, agencies):
    waiting = event("E1", ("P1", "victim"), ("P2", "suspect"))
    import_paths([write_feed(tmp_path / "monday.jsonl", [waiting])])
    assert open_held()[0].waiting_for == ["P1", "P2"]

    import_paths([write_feed(tmp_path / "tuesday.jsonl", [person("P1")])])

    [held] = open_held()
    assert (held.status, held.waiting_for) == (HeldStatus.WAITING, ["P2"])
    assert held.reason == "waiting for person records 'met' has not yet sent: P2"


def test_an_event_waiting_since_before_a_newer_version_went_in_never_replaces_it(tmp_path, agencies):
    import_paths([write_feed(tmp_path / "monday.jsonl", [event("E1", ("P1", "victim"), narrative="old")])])
    import_paths([write_feed(tmp_path / "tuesday.jsonl", [person("P1"), event("E1", ("P1", "victim"),
                                                                                narrative="new")])])
    assert not open_held()  # the old version is superseded, not left waiting

    import_paths([write_feed(tmp_path / "wednesday.jsonl", [person("P9")])])  # an arrival retries waiting lines

    from lantern.events.models import Event
    assert Event.objects.get(source_id="E1").narrative == "new"


@override_settings(LANTERN_MAX_LINE_BYTES=70_000)
def test_two_long_lines_that_start_alike_are_two_held_lines(tmp_path, agencies):
    start = b'{"kind":"person","narrative":"' + b"x" * 70_000
    import_paths([write_feed(tmp_path / "met.jsonl", [start + b'a"}', start + b'bb"}'])])

    assert [(h.line_number, h.reason) for h in open_held()] == [
        (1, "is 70,033 bytes long; a line may be at most 70,000 bytes"),
        (2, "is 70,034 bytes long; a line may be at most 70,000 bytes")]


@override_settings(LANTERN_MAX_LINE_BYTES=300)
def test_the_line_ending_does_not_count_towards_the_limit(tmp_path, agencies):
    line = orjson.dumps(person("P1"))
    line = line.replace(b'"Leah"', b'"' + b"L" * (300 - len(line) + 4) + b'"')
    assert len(line) == 300
    path = tmp_path / "met.jsonl"
    path.write_bytes(line + b"\r\n" + line.replace(b"P1", b"P2") + b"x\r\n")

    counts = import_paths([path]).counts

    assert (counts["created"], counts["quarantined"]) == (1, 1)
    assert open_held()[0].reason == "is 301 bytes long; a line may be at most 300 bytes"


def test_an_event_time_beyond_what_utc_can_hold_is_refused_not_a_crash(tmp_path, agencies):
    early = event("E1", ("P1", "victim"), occurred_at="0001-01-01T00:00:00+14:00")
    late = event("E2", ("P1", "victim"), reported_at="9999-12-31T23:59:59-01:00")

    counts = import_paths([write_feed(tmp_path / "met.jsonl", [person("P1"), early, late])]).counts

    assert (counts["created"], counts["quarantined"]) == (1, 2)
    assert [h.field for h in open_held()] == ["occurred_at", "reported_at"]


def test_a_fault_in_checking_one_line_holds_that_line_only(monkeypatch):
    def faulty(line, now, linking=True):
        if line.number == 2:
            raise KeyError("surname")
        return parse_line(line, now, linking)
    monkeypatch.setattr(parsing, "parse_line", faulty)
    lines = [RawLine("met.jsonl", number, orjson.dumps(person(f"P{number}"))) for number in (1, 2, 3)]

    parsed = parse_chunk(lines)

    assert [type(p).__name__ for p in parsed] == ["PersonLine", "Refused", "PersonLine"]
    assert parsed[1].reason.startswith("could not be checked, because of a fault in Lantern (KeyError: 'surname')")


def test_a_file_whose_lines_end_in_a_carriage_return_alone_is_told_so():
    data = orjson.dumps(person("P1")) + b"\r" + orjson.dumps(person("P2"))

    refused = parse_line(RawLine("met.jsonl", 1, data), datetime.now(UTC))

    assert isinstance(refused, Refused)
    assert refused.reason.endswith("; its lines seem to end in a carriage return alone: save the file with line feeds")


@pytest.mark.parametrize("chunk_lines", [20_000, 1])  # the two lines in one chunk, and in two
def test_the_first_of_two_versions_in_one_import_is_taken_even_when_it_is_the_stored_one(
        tmp_path, agencies, monkeypatch, chunk_lines):
    monkeypatch.setattr("lantern.intake.importer.CHUNK_LINES", chunk_lines)
    import_paths([write_feed(tmp_path / "monday.jsonl", [person("P1", family_name="Morgan")])])
    both = write_feed(tmp_path / "tuesday.jsonl", [person("P1", family_name="Morgan"),
                                                     person("P1", family_name="Morgan-Reid")])

    first, second = import_paths([both]).counts, import_paths([both]).counts

    assert [(c["unchanged"], c["updated"], c["quarantined"]) for c in (first, second)] == [(1, 0, 1), (1, 0, 1)]
    record = SourceRecord.objects.get(source_id="P1")
    assert (record.family_name, record.version) == ("Morgan", 1)
    [held] = open_held()
    assert (held.line_number, held.field) == (2, "source_id") and "came earlier in this import" in held.reason


def test_the_first_of_two_agency_lines_for_one_code_is_taken_and_a_repeat_changes_nothing(tmp_path, agencies):
    feed = write_feed(tmp_path / "agencies-again.jsonl", [
        {**AGENCIES[1], "name": "Hackney Children and Families"}, {**AGENCIES[1], "name": "Hackney CSC"}])

    first, second = import_paths([feed]).counts, import_paths([feed]).counts

    assert [(c["updated"], c["unchanged"], c["quarantined"]) for c in (first, second)] == [(1, 0, 1), (0, 1, 1)]
    assert Agency.objects.get(code="csc-e09000012").name == "Hackney Children and Families"
    assert [(h.field, h.kind) for h in open_held()] == [("code", "agency")]


def test_a_line_from_the_api_is_named_by_its_feed_even_when_the_feed_is_named_like_a_path(agencies):
    source = "api:met:/srv/feeds/met/2026-03-08.jsonl"
    Import(source, only_agency="met").lines([RawLine(source, 1, b"{broken")]).finish()
    file_line = HeldLine(source="/srv/feeds/met/2026-03-08.jsonl")

    assert open_held()[0].source_name == "the API feed '/srv/feeds/met/2026-03-08.jsonl'"
    assert file_line.source_name == "2026-03-08.jsonl"


@override_settings(LANTERN_MAX_LINE_BYTES=1_000)
def test_two_long_csv_rows_are_two_held_lines(tmp_path, agencies):
    rows = [f"met,P{n},{'x' * 2_000}{n}\n" for n in (1, 2)]
    (tmp_path / "people.csv").write_text("agency,source_id,narrative\n" + "".join(rows))

    counts = import_paths([tmp_path / "people.csv"]).counts

    assert counts["quarantined"] == 2
    assert [(h.line_number, h.retriable) for h in open_held()] == [(2, False), (3, False)]


def test_a_waiting_line_held_again_for_another_reason_is_counted_once(tmp_path, agencies, monkeypatch):
    # Both versions of E1 wait for P1 (a line a chunk, so P1 comes after them); when P1 comes,
    # the first goes in at the end of the import and the second is then a repeat.
    monkeypatch.setattr("lantern.intake.importer.CHUNK_LINES", 1)
    feed = write_feed(tmp_path / "met.jsonl", [event("E1", ("P1", "victim"), narrative="first"),
                                                event("E1", ("P1", "victim"), narrative="second"), person("P1")])

    counts = import_paths([feed]).counts

    assert (counts["read"], counts["created"], counts["waiting"], counts["quarantined"]) == (3, 2, 0, 1)
    [held] = open_held()
    assert (held.status, held.line_number, held.code) == (HeldStatus.QUARANTINED, 2, "duplicate_in_import")


def test_a_time_in_the_attributes_beyond_what_utc_can_hold_is_refused(tmp_path, agencies):
    beyond = event("E1", ("P1", "missing_person"),
                   attributes={"risk_grade": "high", "returned_at": "9999-12-31T23:59:59-14:00"})

    counts = import_paths([write_feed(tmp_path / "met.jsonl", [person("P1"), beyond])]).counts

    assert (counts["created"], counts["quarantined"]) == (1, 1)
    [held] = open_held()
    assert (held.field, held.reason) == ("attributes", "returned_at: '9999-12-31T23:59:59-14:00' is beyond the "
                                                       "dates that can be kept once turned into UTC")


def test_of_two_versions_left_waiting_by_two_imports_the_newer_goes_in(tmp_path, agencies):
    import_paths([write_feed(tmp_path / "monday.jsonl", [event("E1", ("X", "victim"), narrative="older")])])
    tuesday = import_paths([write_feed(tmp_path / "tuesday.jsonl", [event("E1", ("Y", "victim"), narrative="newer")])])
    assert tuesday.counts["superseded"] == 1 and [h.waiting_for for h in open_held()] == [["Y"]]

    wednesday = import_paths([write_feed(tmp_path / "wednesday.jsonl", [person("X"), person("Y")])]).counts

    from lantern.events.models import Event
    assert Event.objects.get(source_id="E1").narrative == "newer"
    assert (wednesday["quarantined"], wednesday["waiting"], wednesday["resolved"]) == (0, 0, 1)


def test_a_later_version_in_the_same_import_is_a_repeat_even_while_its_people_are_missing(tmp_path, agencies):
    feed = write_feed(tmp_path / "met.jsonl", [
        person("P1"), event("E1", ("P1", "victim"), narrative="first"),
        event("E1", ("P1", "victim"), ("P9", "suspect"), narrative="second")])

    first = import_paths([feed]).counts
    import_paths([write_feed(tmp_path / "later.jsonl", [person("P9")])])
    again = import_paths([feed]).counts

    assert (first["quarantined"], first["waiting"]) == (1, 0)
    assert (again["unchanged"], again["updated"], again["quarantined"]) == (2, 0, 1)
    from lantern.events.models import Event
    assert (Event.objects.get(source_id="E1").narrative, Event.objects.get(source_id="E1").version) == ("first", 1)


def test_a_waiting_line_sent_again_goes_in_when_its_person_comes_later_in_the_import(tmp_path, agencies, monkeypatch):
    waiting = event("E1", ("P1", "victim"))
    import_paths([write_feed(tmp_path / "monday.jsonl", [waiting])])
    monkeypatch.setattr("lantern.intake.importer.CHUNK_LINES", 1)  # the person comes in a later chunk

    counts = import_paths([write_feed(tmp_path / "tuesday.jsonl", [waiting, person("P1")])]).counts

    assert (counts["read"], counts["created"], counts["waiting"]) == (2, 2, 0)
    assert not open_held()


def test_two_retries_of_the_same_lines_at_once_count_each_line_in_once(tmp_path, agencies):
    import_paths([write_feed(tmp_path / "monday.jsonl", [person("P1", agency="probation")])])
    import_paths([write_feed(tmp_path / "more-agencies.jsonl", [
        {"kind": "agency", "code": "probation", "name": "Probation Service", "agency_kind": "probation",
         "borough": None}])])
    seen_by_both = open_held()  # as two administrators' pages showed them

    first = held_lines_retry(held=seen_by_both, actor=None, source="quarantine retry")
    second = held_lines_retry(held=seen_by_both, actor=None, source="quarantine retry")

    assert (first.went_in, second.went_in) == (1, 0)
    assert HeldLine.objects.get().resolution.startswith("went in when offered again (import ")
