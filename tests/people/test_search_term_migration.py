"""Migration people.0007 makes the search terms' table again, keyed by (record, term), and back."""

import pytest
from django.db import IntegrityError, connection, transaction

from tests.migrating import migrate

pytestmark = pytest.mark.django_db(transaction=True)

BEFORE = [("people", "0006_unique_without_like_indexes")]
AFTER = [("people", "0007_search_terms_keyed_by_record")]


def rows() -> list[tuple[int, int]]:
    with connection.cursor() as cursor:
        cursor.execute("SELECT record_id, term FROM people_searchterm ORDER BY record_id, term")
        return [tuple(row) for row in cursor.fetchall()]


def index_names() -> set[str]:
    with connection.cursor() as cursor:
        return {name for name, about in connection.introspection.get_constraints(cursor, "people_searchterm").items()
                if about["index"] and not about["primary_key"]}


def test_terms_are_kept_once_each_under_their_record_and_can_go_back():
    migrate(BEFORE)
    try:
        with connection.cursor() as cursor:
            # The old table allowed the same term twice for a record; the key does not.
            cursor.execute("INSERT INTO people_searchterm (term, record_id) VALUES (5, 1), (5, 1), (-7, 2), (9, 1)")
        migrate(AFTER)

        assert rows() == [(1, 5), (1, 9), (2, -7)]
        assert index_names() == {"search_term_lookup"}
        with pytest.raises(IntegrityError), transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("INSERT INTO people_searchterm (record_id, term) VALUES (1, 5)")
        if connection.vendor == "sqlite":
            with connection.cursor() as cursor:
                cursor.execute("SELECT sql FROM sqlite_master WHERE name = 'people_searchterm'")
                assert cursor.fetchone()[0].endswith("WITHOUT ROWID")

        migrate(BEFORE)
        assert rows() == [(1, 5), (1, 9), (2, -7)]
        assert index_names() == {"search_term_lookup", "search_term_record"}
    finally:
        migrate(AFTER)
    assert rows() == [(1, 5), (1, 9), (2, -7)]
