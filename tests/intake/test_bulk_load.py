"""A bulk load builds the search and linkage indexes once at the end, and never leaves them missing."""

import gc
import sqlite3

import orjson
import pytest
from django.db import connection
from django.utils import timezone

from lantern.core import db
from lantern.core.db import indexes_deferred
from lantern.intake import importer
from lantern.intake.bulk import (
    PAIRS_JOINED_FROM,
    allocate_ids,
    insert_fanned_out,
    insert_rows,
    select_by_source,
    select_in,
)
from lantern.intake.importer import import_paths, is_bulk_load
from lantern.intake.writer import ChunkWriter
from lantern.linkage.features import RECORD_COLUMNS, blocking_keys, record_features
from lantern.linkage.models import LinkageModel, LinkKey
from lantern.linkage.services import index_rebuild
from lantern.people.models import Person, SearchTerm, SourceRecord
from lantern.people.search import record_terms
from tests.intake.feeds import AGENCIES, event, person, write_feed

pytestmark = pytest.mark.django_db

LOOKUPS = {"search_term_lookup", "link_key_lookup", "link_key_record"}


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        return {name for table in ("people_searchterm", "linkage_linkkey")
                for name, about in connection.introspection.get_constraints(cursor, table).items() if about["index"]}


@pytest.fixture
def feed(tmp_path):
    write_feed(tmp_path / "agencies.jsonl", AGENCIES)
    write_feed(tmp_path / "met.jsonl", [
        person("P1"), person("P2", given_names="Kayden", date_of_birth="2008-01"),
        person("P3", given_names="Margaret", family_name="Okafor-Reid", date_of_birth="1979-04-02"),
        event("E1", ("P1", "missing_person")),
    ])
    return tmp_path


@pytest.fixture
def seen_during_import(monkeypatch):
    """Record which of the index tables' indexes exist while each chunk is written."""
    seen: list[set[str]] = []
    write = ChunkWriter.write

    def spy(self, chunk, meanwhile=None):
        seen.append(index_names() & LOOKUPS)
        return write(self, chunk, meanwhile)

    monkeypatch.setattr(ChunkWriter, "write", spy)
    return seen


def test_a_bulk_load_writes_without_the_indexes_then_builds_them(feed, settings, seen_during_import):
    settings.LANTERN_IMPORT_BULK_LINES = 1
    import_paths([feed])

    assert seen_during_import and all(names == set() for names in seen_during_import)
    assert index_names() >= LOOKUPS
    # The rows are exactly those a row-by-row import writes: every record's terms, once. No
    # blocking keys before the first `lantern link`, which indexes every record again.
    assert_indexed(with_keys=False)


def assert_indexed(*, with_keys: bool) -> None:
    for values in SourceRecord.objects.values_list(*RECORD_COLUMNS):
        features = record_features(dict(zip(RECORD_COLUMNS, values, strict=True)))
        record_id = features["unique_id"]
        assert sorted(SearchTerm.objects.filter(record_id=record_id).values_list("term", flat=True)) == \
            sorted(record_terms(features))
        keys = set(blocking_keys(features)) if with_keys else set()
        assert set(LinkKey.objects.filter(record_id=record_id).values_list("key", flat=True)) == keys
        assert LinkKey.objects.filter(record_id=record_id).count() == len(keys)


def test_a_small_import_keeps_the_indexes_up_to_date_row_by_row(feed, seen_during_import):
    import_paths([feed])
    assert seen_during_import and all(names == LOOKUPS for names in seen_during_import)


def test_with_a_trained_model_the_candidate_index_stays_for_linking_each_chunk(feed, settings, seen_during_import):
    settings.LANTERN_IMPORT_BULK_LINES = 1
    LinkageModel.objects.create(version="t1", trained_at=timezone.now(), seed=1, records=0, parameters={},
                                active=True)
    import_paths([feed])
    assert seen_during_import and all(names == {"link_key_lookup", "link_key_record"} for names in seen_during_import)
    assert index_names() >= LOOKUPS
    assert_indexed(with_keys=True)


def test_a_load_is_bulk_only_when_large_and_at_least_as_large_as_what_is_stored(feed, settings):
    settings.LANTERN_IMPORT_BULK_LINES = 3
    assert not is_bulk_load(2)
    assert is_bulk_load(3)
    import_paths([feed])
    assert SourceRecord.objects.count() == 3
    assert is_bulk_load(3) and not is_bulk_load(2)
    settings.LANTERN_IMPORT_BULK_LINES = 1
    assert not is_bulk_load(2)


def test_indexes_come_back_when_a_bulk_load_fails(feed):
    with pytest.raises(RuntimeError), indexes_deferred([SearchTerm, LinkKey]):
        assert index_names() & LOOKUPS == set()
        raise RuntimeError("the disk filled")
    assert index_names() >= LOOKUPS


def test_an_import_builds_indexes_that_a_cut_off_load_left_missing(feed, monkeypatch):
    with connection.cursor() as cursor:
        cursor.execute("DROP INDEX search_term_lookup")
    assert "search_term_lookup" not in index_names()
    monkeypatch.setattr(importer, "is_bulk_load", lambda lines: False)
    import_paths([feed])
    assert index_names() >= LOOKUPS


def test_narrow_rows_keep_every_64_bit_value_exactly(feed):
    import_paths([feed])
    record = SourceRecord.objects.first()
    extremes = [-(1 << 63), -1, 0, 1, (1 << 53) + 1, (1 << 63) - 1]
    insert_rows("linkage_linkkey", ("key", "record_id"), [(key, record.pk) for key in extremes])
    stored = set(LinkKey.objects.filter(record=record).values_list("key", flat=True))
    assert stored >= set(extremes)


def test_a_long_look_up_finds_exactly_its_rows(feed):
    import_paths([feed])
    record = SourceRecord.objects.first()
    extremes = [-(1 << 63), (1 << 53) + 1, (1 << 63) - 1]
    insert_rows("linkage_linkkey", ("key", "record_id"), [(key, record.pk) for key in [*range(1000), *extremes]])
    wanted = [*range(0, 1000, 3), -5, 5000, *extremes]

    found = select_in("SELECT key FROM linkage_linkkey WHERE key IN (%s)", wanted)

    assert sorted(key for (key,) in found) == sorted([*range(0, 1000, 3), *extremes])


def test_a_look_up_by_text_matches_awkward_values_exactly(feed):
    import_paths([feed])
    awkward = ['say "hi"', "back\\slash", "{braces,comma}", "NULL", "  spaced ", "Zoë ✓", "it's", "[1]"]
    ids = allocate_ids("people_address", len(awkward))
    insert_rows("people_address", ("id", "line1", "line2", "town", "postcode", "uprn", "match_key"),
                [(pk, "1 Road", "", "London", "", "", key) for pk, key in zip(ids, awkward, strict=True)])

    found = select_in("SELECT match_key FROM people_address WHERE match_key IN (%s)", [*awkward, "absent"])

    assert sorted(key for (key,) in found) == sorted(awkward)


def test_fanned_out_rows_keep_every_64_bit_value_exactly(feed):
    import_paths([feed])
    record = SourceRecord.objects.first()
    extremes = [-(1 << 63), -1, 0, 1, (1 << 53) + 1, (1 << 63) - 1]
    other = SourceRecord.objects.exclude(pk=record.pk).first()
    before = LinkKey.objects.count()
    insert_fanned_out("linkage_linkkey", ("key", "record_id"),
                      [(other.pk, b"[]"), (record.pk, orjson.dumps(extremes)), (other.pk, b"[7]")])
    stored = list(LinkKey.objects.filter(record=record, key__in=extremes).values_list("key", flat=True))
    assert sorted(stored) == extremes
    assert LinkKey.objects.filter(record=other, key=7).exists()
    assert LinkKey.objects.count() == before + len(extremes) + 1


def test_index_rows_go_with_their_record(feed):
    # The index tables have no foreign key in the database: Django's cascade deletes them.
    import_paths([feed])
    index_rebuild()  # blocking keys as well as search terms, as `lantern link` leaves them
    record = SourceRecord.objects.get(source_id="P3")
    assert record.search_terms.exists() and record.link_keys.exists()
    record.involvements.all().delete()
    record.delete()
    assert not SearchTerm.objects.filter(record_id=record.pk).exists()
    assert not LinkKey.objects.filter(record_id=record.pk).exists()


def test_an_import_refreshes_planner_statistics_each_time_it_has_doubled(feed, monkeypatch):
    calls: list[tuple] = []
    monkeypatch.setattr(importer, "CHUNK_LINES", 1)
    monkeypatch.setattr(importer, "refresh_planner_statistics",
                        lambda tables=(), quick=False: calls.append((tuple(tables), quick)))
    import_paths([feed])  # 6 lines: 2 agencies, 3 persons, 1 event, in chunks of one
    growing = (tuple(importer.GROWING_TABLES), True)
    # After chunks 1, 2 and 4 (not 3, 5 or 6), quickly; then fully, for everything, when the run finishes.
    assert calls == [growing, growing, growing, ((), False)]


def test_the_cycle_collector_is_paused_while_chunks_are_written_and_back_after(feed, monkeypatch):
    enabled_during: list[bool] = []
    write = ChunkWriter.write

    def spy(self, chunk, meanwhile=None):
        enabled_during.append(gc.isenabled())
        return write(self, chunk, meanwhile)

    monkeypatch.setattr(ChunkWriter, "write", spy)
    import_paths([feed])
    assert enabled_during and not any(enabled_during)
    assert gc.isenabled()


@pytest.mark.skipif(connection.vendor != "sqlite", reason="the sorter's settings are SQLite's")
def test_sqlite_sorts_index_builds_in_small_runs_then_keeps_its_cache_as_it_was(feed, settings, monkeypatch):
    settings.LANTERN_IMPORT_BULK_LINES = 1
    pragmas: list[tuple[int, int]] = []

    def read_pragmas() -> tuple[int, int]:
        with connection.cursor() as cursor:
            cursor.execute("PRAGMA cache_size")
            cache = cursor.fetchone()[0]
            cursor.execute("PRAGMA threads")
            return cache, cursor.fetchone()[0]

    build = db._declared_indexes

    def spy(model_list):
        pragmas.append(read_pragmas())
        return build(model_list)

    monkeypatch.setattr(db, "_declared_indexes", spy)
    before = read_pragmas()
    import_paths([feed])

    assert (db.INDEX_BUILD_CACHE_KIB, db.INDEX_BUILD_THREADS) in pragmas
    assert read_pragmas() == before


@pytest.mark.skipif(connection.vendor != "postgresql", reason="the sample size is PostgreSQL's")
def test_a_quick_refresh_samples_fewer_rows_and_leaves_the_setting_as_it_was(feed):
    import_paths([feed])
    record = SourceRecord.objects.first()
    insert_rows("linkage_linkkey", ("key", "record_id"), [(key, record.pk) for key in range(5000)])

    def histogram_bounds() -> int:
        with connection.cursor() as cursor:
            cursor.execute("SELECT cardinality(histogram_bounds::text::bigint[]) FROM pg_stats "
                           "WHERE tablename = 'linkage_linkkey' AND attname = 'key'")
            return cursor.fetchone()[0]

    db.refresh_planner_statistics([LinkKey], quick=True)
    assert histogram_bounds() == db.QUICK_STATISTICS_TARGET + 1
    with connection.cursor() as cursor:
        cursor.execute("SHOW default_statistics_target")
        assert cursor.fetchone()[0] == "100"
    db.refresh_planner_statistics([LinkKey])
    assert histogram_bounds() == 101


@pytest.mark.parametrize("agencies", [1, PAIRS_JOINED_FROM])
def test_rows_found_by_agency_and_source_id_are_exactly_those_asked_for(feed, agencies):
    from lantern.organisations.models import Agency

    import_paths([feed])
    met = Agency.objects.get(code="met")
    others = [Agency.objects.create(code=f"school-{n}", name=f"School {n}", kind="school") for n in range(agencies - 1)]
    wanted: dict[int, list[str]] = {met.pk: ["P1", "P3", "nobody"]}
    for agency in others:
        wanted[agency.pk] = ["P1"]  # the same source id, but not this agency's: not found
    found = select_by_source("people_sourcerecord", ("id", "source_id"), wanted)
    stored = SourceRecord.objects.filter(source_id__in=["P1", "P3"])
    expected = {(met.pk, r.source_id): (r.pk, r.source_id) for r in stored}
    assert found == expected and len(found) == 2


def test_rows_of_a_few_columns_go_in_whole_across_statements(feed):
    import_paths([feed])
    ids = allocate_ids("people_person", 47)
    now = timezone.now()
    rows = [(pk, f"TEST{n:05d}", now, None) for n, pk in enumerate(ids)]
    if connection.vendor == "sqlite":
        driver = connection.connection
        limit = driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER)
        # 20 rows a statement at most: two of 20, none of 8, then seven of one
        driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, 80)
    try:
        insert_rows("people_person", ("id", "reference", "created_at", "merged_into_id"), rows)
    finally:
        if connection.vendor == "sqlite":
            driver.setlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER, limit)
    stored = dict(Person.objects.filter(pk__in=ids).values_list("pk", "reference"))
    assert stored == {pk: reference for pk, reference, _, _ in rows}
