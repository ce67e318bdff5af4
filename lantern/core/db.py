"""Database upkeep that both engines need after a bulk change."""

from django.db import connection

# Rows SQLite reads per index to estimate it: enough to tell a selective index from a
# broad one, a few milliseconds at any size.
ANALYSIS_LIMIT = 1000


def refresh_planner_statistics() -> None:
    """Tell the query planner how many rows each index narrows to, after a bulk change.

    Without statistics SQLite guesses that an equality on any index finds about ten rows, so
    it would read every record in a borough to find a handful by id; PostgreSQL, right after
    millions of search terms went in and before autovacuum came round, scanned them all in
    parallel (0.7 s a search) instead of using the index.
    """
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
        cursor.execute("ANALYZE")
