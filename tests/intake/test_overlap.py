"""The writer hands the caller's next piece of work over while the database takes a chunk's
search terms, without giving up atomicity or losing the caller's errors."""

import threading

import orjson
import pytest
from django.db import DatabaseError
from django.utils import timezone

from lantern.intake import writer as writer_module
from lantern.intake.bulk import alongside
from lantern.intake.models import ImportRun
from lantern.intake.parsing import RawLine, parse_chunk
from lantern.intake.writer import ChunkWriter
from lantern.people.models import SearchTerm, SourceRecord
from tests.intake.feeds import AGENCIES, person

pytestmark = pytest.mark.django_db(transaction=True)


def parsed(*lines):
    return parse_chunk([RawLine("test", number, orjson.dumps(line)) for number, line in enumerate(lines, 1)])


@pytest.fixture
def writer():
    chunk_writer = ChunkWriter(ImportRun.objects.create(started_at=timezone.now(), source="test"))
    chunk_writer.write(parsed(*AGENCIES))
    return chunk_writer


def test_the_work_and_the_callers_own_run_at_the_same_time():
    caller_started = threading.Event()
    worked_in: list[int] = []

    def work(driver):
        # Waits for the caller's work: run one after the other, this would time out.
        assert caller_started.wait(10), "the caller's work did not run while this did"
        worked_in.append(threading.get_ident())

    alongside(work, caller_started.set)

    assert worked_in and worked_in[0] != threading.get_ident()


def test_an_error_in_the_work_is_raised_to_the_caller_as_djangos():
    def work(driver):
        driver.execute("INSERT INTO no_such_table VALUES (1)")

    with pytest.raises(DatabaseError):
        alongside(work, lambda: None)


def test_the_callers_work_runs_once_while_the_chunk_goes_in(writer):
    calls = []

    writer.write(parsed(person("P1"), person("P2", given_names="Kayden")), meanwhile=lambda: calls.append(1))

    assert calls == [1]
    assert SourceRecord.objects.count() == 2
    assert SearchTerm.objects.filter(record__source_id="P2").exists()


def test_an_error_in_the_callers_work_comes_after_the_chunk_is_written(writer):
    def fails():
        raise RuntimeError("the next chunk could not be read")

    with pytest.raises(RuntimeError, match="could not be read"):
        writer.write(parsed(person("P1")), meanwhile=fails)

    # The chunk was not abandoned for it: its record and search terms were committed.
    assert SourceRecord.objects.filter(source_id="P1").exists()
    assert SearchTerm.objects.filter(record__source_id="P1").exists()


def test_a_chunk_refused_as_a_whole_still_runs_the_callers_work_once(writer, monkeypatch):
    real = writer_module.index_search_terms
    calls = []

    def refuses_the_whole_chunk(entries, meanwhile=None):
        if meanwhile is not None:  # the chunk as a whole; line by line, the terms go in
            raise DatabaseError("disk full")
        real(entries)

    monkeypatch.setattr(writer_module, "index_search_terms", refuses_the_whole_chunk)
    held = writer.write(parsed(person("P1"), person("P2")), meanwhile=lambda: calls.append(1))

    assert calls == [1]
    assert held == set()
    assert SourceRecord.objects.count() == 2  # written again line by line
    assert SearchTerm.objects.filter(record__source_id="P2").exists()
