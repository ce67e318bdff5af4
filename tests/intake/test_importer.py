"""The importer: loses nothing, holds what it cannot take with a reason, and is idempotent."""

from datetime import UTC, datetime

import pytest
from django.core.management import call_command
from django.db import DatabaseError

from lantern.core.models import AuditEntry, AuditVerb
from lantern.events.models import Event, EventVersion, Involvement
from lantern.intake.importer import import_paths
from lantern.intake.models import HeldLine, HeldStatus
from lantern.intake.writer import ChunkWriter
from lantern.people.models import Address, Person, SourceRecord, SourceRecordVersion
from tests.intake.feeds import AGENCIES, event, person, write_feed

pytestmark = pytest.mark.django_db


def table_counts() -> tuple[int, ...]:
    return (SourceRecord.objects.count(), Person.objects.count(), Address.objects.count(),
            Event.objects.count(), Involvement.objects.count(), SourceRecordVersion.objects.count(),
            EventVersion.objects.count(), HeldLine.objects.count(), AuditEntry.objects.count())


@pytest.fixture
def feed(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "met.jsonl", [
        person("P1"), person("P2", given_names="Kayden", date_of_birth="2008-01"),
        event("E1", ("P1", "missing_person")),
        event("E2", ("P1", "victim"), ("P2", "suspect"), type="crime", attributes={"category": "robbery"}),
    ])
    write_feed(tmp_path / "truth.jsonl", [{"agency": "met", "source_id": "P1", "person_id": "x"}])
    return tmp_path


def test_a_directory_imports_whole(feed):
    run = import_paths([feed])

    assert run.counts == {"read": 6, "created": 6, "updated": 0, "unchanged": 0, "quarantined": 0,
                          "waiting": 0, "resolved": 0, "superseded": 0}
    leah = SourceRecord.objects.get(source_id="P1")
    assert (leah.postcode, leah.borough.name, leah.dob_year, leah.person.reference[4]) == \
        ("E5 8HP", "Hackney", 2011, "-")
    assert SourceRecord.objects.get(source_id="P2").date_of_birth == "2008-01"
    assert leah.address_id == SourceRecord.objects.get(source_id="P2").address_id
    crime = Event.objects.get(source_id="E2")
    assert sorted(crime.involvements.values_list("source_record__source_id", "role")) == \
        [("P1", "victim"), ("P2", "suspect")]
    assert crime.attributes == {"category": "robbery"}
    batch = AuditEntry.objects.get(verb=AuditVerb.IMPORT_BATCH)
    assert batch.payload["records_created"] == ["met:P1", "met:P2"]


def test_importing_the_same_files_twice_changes_nothing(feed):
    import_paths([feed])
    before = table_counts()
    run = import_paths([feed])
    assert run.counts["unchanged"] == 6 and run.counts["created"] == 0
    assert table_counts() == before


def test_a_changed_record_becomes_a_new_version_and_the_old_is_kept(feed, tmp_path):
    import_paths([feed])
    write_feed(tmp_path / "met.jsonl", [person("P1", family_name="Morgan-Price")])
    run = import_paths([tmp_path / "met.jsonl"])

    assert run.counts["updated"] == 1
    record = SourceRecord.objects.get(source_id="P1")
    assert (record.version, record.family_name) == (2, "Morgan-Price")
    assert record.versions.get().data["family_name"] == "Morgan"


def test_a_changed_event_keeps_its_old_version_and_new_involvements(feed, tmp_path):
    import_paths([feed])
    write_feed(tmp_path / "met.jsonl", [event("E1", ("P2", "missing_person"))])
    import_paths([tmp_path / "met.jsonl"])
    changed = Event.objects.get(source_id="E1")
    assert changed.version == 2
    assert list(changed.involvements.values_list("source_record__source_id", flat=True)) == ["P2"]
    assert changed.versions.get().data["involvements"] == ["P1\tmissing_person"]


def test_the_same_record_twice_in_one_import_holds_the_later_one_until_someone_decides(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "met.jsonl", [person("P1"), person("P1", given_names="Lea"), person("P1")])
    run = import_paths([tmp_path])

    assert (run.counts["created"], run.counts["unchanged"], run.counts["quarantined"]) == (3, 1, 1)
    held = HeldLine.objects.get()
    assert (held.line_number, held.field) == (2, "source_id")
    assert "'P1' came earlier in this import with different content" in held.reason
    assert SourceRecord.objects.get(source_id="P1").given_names == "Leah"

    again = import_paths([tmp_path])
    assert (again.counts["updated"], again.counts["quarantined"]) == (0, 1)
    assert HeldLine.objects.count() == 1

    call_command("quarantine", "retry", str(held.pk))
    record = SourceRecord.objects.get(source_id="P1")
    assert (record.given_names, record.version) == ("Lea", 2)


BAD_LINES = [
    ("not json at all", "(line)", "is not valid JSON"),
    ('["a", "list"]', "(line)", "must be a JSON object"),
    ('{"kind": "vehicle"}', "kind", "must be one of agency, person, event"),
    ({**person("B1"), "shoe_size": 9}, "(line)", "must not contain {'shoe_size'} properties"),
    (person("B2", nhs_number="9434765918"), "nhs_number", "valid check digit"),
    (person("B3", date_of_birth="2999-01-01"), "date_of_birth", "in the future"),
    (person("B4", date_of_birth="1850-01-01"), "date_of_birth", "before 1900"),
    (person("B5", date_of_birth="17/04/2011"), "date_of_birth", "must match pattern"),
    (person("B6", agency="nobody"), "agency", "'nobody' is not a registered agency"),
    (person("B7", borough="E09000099"), "borough", "not a London borough"),
    (event("B8", ("P1", "missing_person"), occurred_at="2999-01-01T00:00:00Z"), "occurred_at", "in the future"),
    (event("B9", ("P1", "missing_person"), attributes={"risk_grade": "absent"}), "attributes",
     "risk_grade: 'absent' is not one of"),
    (event("B10", ("P1", "bystander")), "involvements.0.role", "must be one of"),
    (event("B11", ("P1", "missing_person"), type="alien_abduction"), "type", "must be one of"),
    (b"\xff\xfe not utf-8", "(line)", "is not UTF-8 text"),
]


def test_each_bad_line_is_held_with_its_reason_and_every_good_line_goes_in(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    feed = write_feed(tmp_path / "met.jsonl", [person("P1")] + [line for line, _, _ in BAD_LINES] + [person("P2")])

    run = import_paths([tmp_path])

    assert run.counts["quarantined"] == len(BAD_LINES)
    assert set(SourceRecord.objects.values_list("source_id", flat=True)) == {"P1", "P2"}
    held = {h.line_number: h for h in HeldLine.objects.all()}
    for number, (_, field, reason) in enumerate(BAD_LINES, start=2):
        assert held[number].source == str(feed)
        assert held[number].field == field, held[number].reason
        assert reason in held[number].reason, held[number].reason
        assert held[number].status == HeldStatus.QUARANTINED


def test_the_same_bad_line_sent_again_is_not_held_twice(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "met.jsonl", ["not json"])
    import_paths([tmp_path])
    import_paths([tmp_path])
    assert HeldLine.objects.count() == 1


def test_sql_and_html_in_strings_are_stored_as_text(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    nasty = "Robert'); DROP TABLE people_sourcerecord;-- <script>alert(1)</script>"
    write_feed(tmp_path / "met.jsonl", [person("P1", given_names=nasty)])
    import_paths([tmp_path])
    assert SourceRecord.objects.get(source_id="P1").given_names == nasty


def test_an_event_waits_for_its_person_then_goes_in(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "a.jsonl", [event("E1", ("P9", "missing_person"))])
    first = import_paths([tmp_path / "agencies.jsonl", tmp_path / "a.jsonl"])
    assert first.counts["waiting"] == 1 and not Event.objects.exists()
    assert HeldLine.objects.get().waiting_for == ["P9"]

    write_feed(tmp_path / "b.jsonl", [person("P9")])
    second = import_paths([tmp_path / "b.jsonl"])

    assert second.counts["resolved"] == 1 and second.counts["waiting"] == 0
    assert Event.objects.get(source_id="E1").involvements.get().source_record.source_id == "P9"
    assert HeldLine.objects.get().status == HeldStatus.RESOLVED


def test_a_person_later_in_the_same_import_satisfies_a_waiting_event(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "a.jsonl", [event("E1", ("P9", "missing_person"))])
    write_feed(tmp_path / "b.jsonl", [person("P9")])
    run = import_paths([tmp_path])
    assert run.counts["waiting"] == 0
    assert Event.objects.filter(source_id="E1").exists()


def test_an_overlong_line_is_held_without_being_read_whole(tmp_path, settings):
    settings.LANTERN_MAX_LINE_BYTES = 10_000
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "met.jsonl", [person("P1"), person("BIG", given_names="x" * 2_000_000), person("P2")])
    run = import_paths([tmp_path])
    assert run.counts["quarantined"] == 1
    held = HeldLine.objects.get()
    assert "a line may be at most 10,000 bytes" in held.reason and held.raw_truncated
    assert held.line_number == 2
    assert set(SourceRecord.objects.values_list("source_id", flat=True)) == {"P1", "P2"}


def test_csv_person_records(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    (tmp_path / "school.csv").write_text(
        "agency,source_id,given_names,family_name,date_of_birth,sex,address.line1,postcode,aliases\n"
        "csc-e09000012,M1,Leah,Morgan,2011-04-17,female,14 Clapton Square,E5 8HP,Lea Morgan;Leah Price\n"
        "csc-e09000012,M2,Bad,Date,2011-02-30,female,,,\n",
        encoding="utf-8",
    )
    run = import_paths([tmp_path])
    record = SourceRecord.objects.get(source_id="M1")
    assert record.aliases == ["Lea Morgan", "Leah Price"] and record.postcode == "E5 8HP"
    held = HeldLine.objects.get()
    assert (held.line_number, held.field) == (3, "date_of_birth")
    assert run.counts["quarantined"] == 1


def test_exit_status_says_what_happened(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "good.jsonl", [person("P1")])
    call_command("import", str(tmp_path / "agencies.jsonl"), str(tmp_path / "good.jsonl"), workers=1)

    write_feed(tmp_path / "wait.jsonl", [event("E1", ("P9", "missing_person"))])
    with pytest.raises(SystemExit) as waiting:
        call_command("import", str(tmp_path / "wait.jsonl"), workers=1)
    assert waiting.value.code == 4

    write_feed(tmp_path / "bad.jsonl", ["{"])
    with pytest.raises(SystemExit) as quarantined:
        call_command("import", str(tmp_path / "bad.jsonl"), workers=1)
    assert quarantined.value.code == 3


def test_quarantine_retry_after_the_agency_is_registered(tmp_path, capsys):
    write_feed(tmp_path / "met.jsonl", [person("P1")])
    import_paths([tmp_path / "met.jsonl"])
    held = HeldLine.objects.get()
    call_command("quarantine", "show", str(held.pk))
    assert "not a registered agency" in capsys.readouterr().out

    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    import_paths([tmp_path / "agencies.jsonl"])
    call_command("quarantine", "retry")

    assert "1 of 1 held line went in; 0 still held." in capsys.readouterr().out
    assert SourceRecord.objects.filter(source_id="P1").exists()
    held.refresh_from_db()
    assert (held.status, held.attempts) == (HeldStatus.RESOLVED, 2)
    call_command("quarantine", "list")
    assert "0 held line(s)" in capsys.readouterr().out


def test_parsing_in_worker_processes_gives_the_same_result(feed):
    run = import_paths([feed], workers=2)
    assert run.counts["created"] == 6
    assert Involvement.objects.count() == 3


def test_agency_lines_register_update_and_refuse_unknown_boroughs(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    assert import_paths([tmp_path]).counts["created"] == 2
    renamed = {**AGENCIES[0], "name": "The Met"}
    bad = {"kind": "agency", "code": "x", "name": "X", "agency_kind": "school", "borough": "E09000099"}
    write_feed(tmp_path / "agencies.jsonl", [renamed, AGENCIES[1], bad])
    counts = import_paths([tmp_path]).counts
    assert (counts["updated"], counts["unchanged"], counts["quarantined"]) == (1, 1, 1)
    from lantern.organisations.models import Agency

    assert Agency.objects.get(code="met").name == "The Met"
    assert not Agency.objects.filter(code="x").exists()


def test_csv_restricted_must_be_a_clear_yes_or_no(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    (tmp_path / "people.csv").write_text(
        "agency,source_id,given_names,restricted\nmet,R1,Ann,yes\nmet,R2,Bob,no\nmet,R3,Cy,maybe\n"
    )
    import_paths([tmp_path])
    assert dict(SourceRecord.objects.values_list("source_id", "restricted")) == {"R1": True, "R2": False}
    held = HeldLine.objects.get()
    assert (held.field, held.reason, held.raw) == (
        "(line)", "restricted must be yes or no, not 'maybe'", "met,R3,Cy,maybe")


def test_a_report_in_the_future_is_refused(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "met.jsonl", [person("P1"), event("E1", ("P1", "missing_person"),
                                                             reported_at="2999-01-01T00:00:00Z")])
    import_paths([tmp_path])
    assert HeldLine.objects.get().field == "reported_at"


def test_a_row_the_database_itself_refuses_is_held_and_the_import_goes_on(tmp_path, monkeypatch):
    # The bulk writers talk to the database driver directly; its errors must reach the
    # writer as Django's, or the writer cannot hold the line and the import stops.
    from lantern.intake.writer import ChunkWriter

    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "met.jsonl", [person("P1")])
    import_paths([tmp_path])
    # As if another import stored P1 between this one's look-up and its write: the database's
    # unique (agency, source id) refuses it.
    monkeypatch.setattr(ChunkWriter, "_existing", lambda self, table, lines, columns: {})
    write_feed(tmp_path / "met.jsonl", [person("P1", given_names="Lea"), person("P3")])

    counts = import_paths([tmp_path]).counts

    assert (counts["created"], counts["quarantined"]) == (1, 1)
    assert sorted(SourceRecord.objects.values_list("source_id", flat=True)) == ["P1", "P3"]
    held = HeldLine.objects.get()
    assert (held.source_id, held.field) == ("P1", "(line)") and "could not be stored" in held.reason


def test_a_line_the_database_refuses_is_held_and_the_rest_of_its_chunk_goes_in(tmp_path, monkeypatch):
    from django.db import IntegrityError

    from lantern.intake import writer

    real_insert = writer.insert_rows

    def refuse_one(table, columns, rows):
        rows = list(rows)
        if table == "people_sourcerecord" and any("BAD" in row for row in rows):
            raise IntegrityError("simulated: the database refused this record")
        real_insert(table, columns, rows)

    monkeypatch.setattr(writer, "insert_rows", refuse_one)
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "met.jsonl", [person("P1"), person("BAD"), person("P2")])
    counts = import_paths([tmp_path]).counts

    assert (counts["read"], counts["created"], counts["quarantined"]) == (5, 4, 1)
    assert set(SourceRecord.objects.values_list("source_id", flat=True)) == {"P1", "P2"}
    held = HeldLine.objects.get()
    assert held.source_id == "BAD" and "could not be stored: simulated" in held.reason


def test_an_events_times_are_stored_as_the_instants_it_gave(tmp_path):
    # Times travel from the parsing processes as UTC text; each database must get the instant back.
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "met.jsonl", [
        person("P1"),
        event("E1", ("P1", "missing_person"), occurred_at="2026-03-01T23:30:00.250000+01:00",
              reported_at="2026-03-02T00:15:00Z"),
        event("E2", ("P1", "missing_person"), occurred_at="2026-03-01T21:30:00Z"),
    ])
    import_paths([tmp_path], workers=2)
    first, second = Event.objects.order_by("source_id")
    assert first.occurred_at == datetime(2026, 3, 1, 22, 30, 0, 250000, tzinfo=UTC)
    assert first.reported_at == datetime(2026, 3, 2, 0, 15, tzinfo=UTC)
    assert (second.occurred_at, second.reported_at) == (datetime(2026, 3, 1, 21, 30, tzinfo=UTC), None)


def unplaced(line: dict) -> dict:
    """The line without its borough (the format has no null borough: a feed leaves it out)."""
    return {key: value for key, value in line.items() if key != "borough"}


@pytest.mark.parametrize("workers", [1, 2])  # parsed in the writer's process, and in two others
def test_an_event_without_a_borough_is_counted_where_its_location_is(tmp_path, workers):
    hackney = {"line1": "14 Clapton Square", "town": "London", "postcode": "e58hp"}
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "met.jsonl", [
        person("P1"),
        unplaced(event("E1", ("P1", "missing_person"), location=hackney)),
        # A borough the feed gives wins over its location's.
        event("E2", ("P1", "missing_person"), borough="E09000001", location=hackney),
        unplaced(event("E3", ("P1", "missing_person"),
                       location={"line1": "1 High Street", "town": "Oxford", "postcode": "OX1 1AA"})),
        unplaced(event("E4", ("P1", "missing_person"))),
    ])
    counts = import_paths([tmp_path], workers=workers).counts
    assert (counts["created"], counts["quarantined"]) == (7, 0)  # two agencies, a person, four events

    placed = dict(Event.objects.values_list("source_id", "borough__ons_code"))
    assert placed == {"E1": "E09000012", "E2": "E09000001", "E3": None, "E4": None}
    assert Event.objects.get(source_id="E1").location.borough.ons_code == "E09000012"
    # What the feed sent is what is compared: sent again, nothing has changed.
    assert import_paths([tmp_path]).counts["unchanged"] == 7


def test_a_line_the_database_refuses_is_counted_once_as_held_when_its_chunk_is_written_line_by_line(
        tmp_path, monkeypatch):
    """A chunk that fails as a whole is written line by line; a line that fails then is held,
    and what its own failed attempt counted is undone with it (found by the fuzz run)."""
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "people.jsonl", [person("P1"), person("P2"), person("P3")])
    persons = ChunkWriter._persons

    def refuse_p2(self, lines, changes):
        refused = persons(self, lines, changes)  # counted as created, then the database refuses
        if any(line.source_id == "P2" for line in lines):
            raise DatabaseError("refused by the database")
        return refused

    monkeypatch.setattr(ChunkWriter, "_persons", refuse_p2)
    counts = import_paths([tmp_path]).counts
    assert (counts["read"], counts["created"], counts["quarantined"]) == (5, 4, 1)
    assert HeldLine.objects.get().reason == "could not be stored: refused by the database"
    assert set(SourceRecord.objects.values_list("source_id", flat=True)) == {"P1", "P3"}
