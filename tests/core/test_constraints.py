from django.db import connection
from django.db.models import Q

from lantern.core.constraints import one_of
from lantern.organisations.models import Agency
from tests.factories import AgencyFactory


def test_one_of_matches_exactly_what_an_in_list_matches(db):
    for code in ("met", "health", "Met", "met ", "school-1"):
        AgencyFactory(code=code)
    wanted = ["met", "school-1", "nowhere"]

    def codes(condition: Q) -> list[str]:
        return sorted(Agency.objects.filter(condition).values_list("code", flat=True))

    assert codes(one_of("code", wanted)) == codes(Q(code__in=wanted)) == ["met", "school-1"]


def check_definitions(table: str) -> list[str]:
    """Return the table's check constraints as the database holds them."""
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("SELECT sql FROM sqlite_master WHERE name = %s", [table])
            return [part for part in cursor.fetchone()[0].split("CONSTRAINT") if " CHECK " in part]
        cursor.execute("SELECT pg_get_constraintdef(oid) FROM pg_constraint WHERE conrelid = %s::regclass"
                       " AND contype = 'c'", [table])
        return [row[0] for row in cursor.fetchall()]


def test_the_bulk_written_tables_check_their_choices_without_in_lists(db):
    """SQLite rebuilds an IN list for every row it checks (about 2 µs a row at import)."""
    for table, choices in (("events_event", "'crime'"), ("events_involvement", "'victim'"),
                           ("people_sourcerecord", "'female'")):
        definitions = check_definitions(table)
        assert any(choices in definition for definition in definitions)
        # PostgreSQL shows an IN list as "= ANY (ARRAY[...])".
        assert not any(" IN (" in definition or "ANY (" in definition for definition in definitions)
