"""A bulk load on PostgreSQL checks the new rows' foreign keys once at the end, and never leaves them off."""

import pytest
from django.db import IntegrityError, connection, transaction

from lantern.core.db import _foreign_keys_present, foreign_keys_checked_at_end
from lantern.events.models import Involvement
from lantern.intake import importer
from lantern.intake.importer import GROWING_TABLES, import_paths
from lantern.intake.writer import ChunkWriter
from tests.intake.feeds import AGENCIES, event, person, write_feed

pytestmark = pytest.mark.django_db
postgresql_only = pytest.mark.skipif(connection.vendor != "postgresql", reason="SQLite cannot take a foreign key off")

CHECKED = ("people_sourcerecord", "people_address", "events_event", "events_involvement")


def foreign_keys() -> dict[str, dict[str, tuple[str, bool]]]:
    with connection.cursor() as cursor:
        return _foreign_keys_present(cursor, CHECKED)


@pytest.fixture
def feed(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "met.jsonl", [person("P1"), person("P2", given_names="Kayden"),
                                        event("E1", ("P1", "missing_person"), ("P2", "associate"))])
    return tmp_path


def _dangling_involvement() -> None:
    """Write an involvement of a source record that does not exist."""
    event_id = importer.Event.objects.values_list("pk", flat=True).first()
    with connection.cursor() as cursor:
        cursor.execute("INSERT INTO events_involvement (event_id, source_record_id, role) VALUES (%s, %s, %s)",
                       [event_id, 987654321, "victim"])


def foreign_keys_while_writing(monkeypatch) -> list[dict]:
    """Record the foreign keys present as each chunk is written."""
    seen: list[dict] = []
    write = ChunkWriter.write

    def spy(self, chunk, meanwhile=None):
        seen.append(foreign_keys())
        return write(self, chunk, meanwhile)

    monkeypatch.setattr(ChunkWriter, "write", spy)
    return seen


@postgresql_only
def test_a_bulk_load_writes_without_foreign_keys_then_puts_every_one_back_checked(feed, settings, monkeypatch):
    settings.LANTERN_IMPORT_BULK_LINES = 1
    before = foreign_keys()
    seen = foreign_keys_while_writing(monkeypatch)

    import_paths([feed])

    assert seen and all(found == dict.fromkeys(CHECKED, {}) for found in seen)
    assert foreign_keys() == before  # the same names, every one checked
    assert all(validated for table in before.values() for _, validated in table.values())
    assert len(before["people_sourcerecord"]) == 4 and len(before["events_involvement"]) == 2


@postgresql_only
def test_a_small_import_keeps_the_foreign_keys_on(feed, monkeypatch):
    before = foreign_keys()
    seen = foreign_keys_while_writing(monkeypatch)
    import_paths([feed])
    assert seen and all(found == before for found in seen)


@postgresql_only
def test_a_row_pointing_at_nothing_fails_the_check_at_the_end(feed):
    import_paths([feed])
    with pytest.raises(IntegrityError, match="events_involvement"), transaction.atomic(), \
            foreign_keys_checked_at_end([Involvement]):
        _dangling_involvement()  # goes in: nothing checks it yet
    assert foreign_keys()["events_involvement"]


@postgresql_only
def test_foreign_keys_come_back_when_a_bulk_load_fails(feed):
    before = foreign_keys()
    with pytest.raises(RuntimeError), foreign_keys_checked_at_end(GROWING_TABLES):
        assert foreign_keys()["people_sourcerecord"] == {}
        raise RuntimeError("the disk filled")
    assert foreign_keys() == before


@postgresql_only
def test_an_import_adds_back_and_checks_foreign_keys_a_cut_off_load_left_off_or_unchecked(feed):
    before = foreign_keys()
    dropped, _ = before["events_event"]["location_id"]
    unchecked, _ = before["people_sourcerecord"]["person_id"]
    with connection.cursor() as cursor:
        cursor.execute(f'ALTER TABLE events_event DROP CONSTRAINT "{dropped}"')
        cursor.execute(f'ALTER TABLE people_sourcerecord DROP CONSTRAINT "{unchecked}"')
        cursor.execute(f'ALTER TABLE people_sourcerecord ADD CONSTRAINT "{unchecked}" FOREIGN KEY (person_id) '
                       "REFERENCES people_person (id) DEFERRABLE INITIALLY DEFERRED NOT VALID")
    assert foreign_keys() != before

    import_paths([feed])  # small: not a bulk load

    assert foreign_keys() == before


def test_after_a_bulk_load_the_database_still_refuses_a_row_pointing_at_nothing(feed, settings):
    settings.LANTERN_IMPORT_BULK_LINES = 1
    import_paths([feed])
    with transaction.atomic(), connection.cursor() as cursor:
        _dangling_involvement()
        if connection.vendor == "postgresql":
            with pytest.raises(IntegrityError, match="events_involvement"):
                cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
        else:  # SQLite checks deferred keys only when the outermost transaction commits
            cursor.execute("PRAGMA foreign_key_check")
            assert [row[0] for row in cursor.fetchall()] == ["events_involvement"]
        transaction.set_rollback(True)
