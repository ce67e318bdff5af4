"""Database upkeep that both engines need after a bulk change."""

import logging
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from typing import Any

from django.db import DatabaseError, connection, models, transaction

log = logging.getLogger(__name__)

# Rows SQLite reads per index to estimate it: enough to tell a selective index from a
# broad one, a few milliseconds at any size.
ANALYSIS_LIMIT = 1000
# PostgreSQL's sample for the refreshes during an import (its default is 100: 30,000 rows a table).
QUICK_STATISTICS_TARGET = 10
# SQLite's page cache (negative: KiB) and helper threads while it builds indexes.
INDEX_BUILD_CACHE_KIB = -16384
INDEX_BUILD_THREADS = 2


def refresh_planner_statistics(model_list: Iterable[type[models.Model]] = (), *, quick: bool = False) -> None:
    """Tell the query planner how many rows each index narrows to, after a bulk change.

    Without statistics SQLite guesses that an equality on any index finds about ten rows, so
    it would read every record in a borough to find a handful by id; PostgreSQL, right after
    millions of search terms went in and before autovacuum came round, scanned them all in
    parallel (0.7 s a search) instead of using the index. Only the given models' tables are
    analysed, if any are given.

    `quick`, for the refreshes while an import runs: PostgreSQL samples a tenth of the rows
    it usually does (QUICK_STATISTICS_TARGET), enough to learn the tables' sizes and which
    columns are unique, in a tenth of the time (1.0 s against 0.1 s for a London year's tables).
    """
    tables = [connection.ops.quote_name(model._meta.db_table) for model in model_list]
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute(f"PRAGMA analysis_limit={ANALYSIS_LIMIT}")
            for table in tables or [""]:
                cursor.execute(f"ANALYZE {table}")
        elif quick:
            # In a savepoint, so a failure undoes the setting too; RESET, as SET LOCAL would
            # otherwise last to the end of a caller's transaction.
            with transaction.atomic(using=connection.alias):
                cursor.execute(f"SET LOCAL default_statistics_target = {QUICK_STATISTICS_TARGET}")
                cursor.execute(f"ANALYZE {', '.join(tables)}")
                cursor.execute("RESET default_statistics_target")
        else:
            cursor.execute(f"ANALYZE {', '.join(tables)}")


def _declared_indexes(model_list: Iterable[type[models.Model]]) -> list[tuple[str, str, str]]:
    """Return (name, table, columns) of each index the models declare in their Meta, quoted."""
    quote = connection.ops.quote_name
    found = []
    for model in model_list:
        meta: Any = model._meta
        for index in meta.indexes:
            columns = ", ".join(quote(meta.get_field(name).column) for name in index.fields)
            found.append((quote(index.name), quote(meta.db_table), columns))
    return found


@contextmanager
def _sorting_for_index_builds(cursor: Any) -> Iterator[None]:
    """Let SQLite sort in small runs on both cores while it builds indexes.

    SQLite sizes each sorted run by the page cache: with the 64 MB cache the search terms'
    index took 4.2 s to build for a London year, with 16 MB and a helper thread 2.6 s
    (docs/benchmarks.md). Both are set back afterwards.
    """
    if connection.vendor != "sqlite":
        yield
        return
    settings = {"cache_size": INDEX_BUILD_CACHE_KIB, "threads": INDEX_BUILD_THREADS}
    before = {}
    for name, value in settings.items():
        cursor.execute(f"PRAGMA {name}")
        before[name] = int(cursor.fetchone()[0])
        cursor.execute(f"PRAGMA {name}={value}")
    try:
        yield
    finally:
        for name, value in before.items():
            cursor.execute(f"PRAGMA {name}={value}")


@contextmanager
def _no_pending_checks(cursor: Any) -> Iterator[None]:
    """Check the transaction's pending foreign keys now, so PostgreSQL lets tables be altered.

    PostgreSQL builds no index on, and alters no constraint of, a table with deferred checks
    still pending in the same transaction.
    """
    pending = connection.vendor == "postgresql" and connection.in_atomic_block
    if pending:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")
    yield
    if pending:
        cursor.execute("SET CONSTRAINTS ALL DEFERRED")


@contextmanager
def _put_back_after(restore: Callable[[list[type[models.Model]]], None], model_list: list[type[models.Model]],
                    what: str) -> Iterator[None]:
    """Run the block, then `restore` what a bulk load took off, even if the block fails."""
    try:
        yield
    except BaseException:
        try:
            restore(model_list)
        except DatabaseError:
            # The failure left the transaction unusable: rolling it back brings back what was
            # taken off, and the next import puts back anything still missing.
            log.warning("Could not put back the %s after a failure", what, exc_info=True)
        raise
    restore(model_list)


def indexes_restore(model_list: Iterable[type[models.Model]]) -> None:
    """Build any of the models' declared indexes that are missing (after a bulk load was cut off)."""
    with connection.cursor() as cursor, _no_pending_checks(cursor), _sorting_for_index_builds(cursor):
        for name, table, columns in _declared_indexes(model_list):
            cursor.execute(f"CREATE INDEX IF NOT EXISTS {name} ON {table} ({columns})")


@contextmanager
def indexes_deferred(model_list: Iterable[type[models.Model]]) -> Iterator[None]:
    """Drop the models' declared indexes while many rows go in, and build them once at the end.

    Keeping an index on random keys (hashed search terms, say) up to date row by row writes
    a different page for nearly every row; a build at the end sorts once. Reads that need
    the index scan the table meanwhile. If the process dies first, `indexes_restore` (run at
    the start of every import and rebuild) builds what is missing.
    """
    model_list = list(model_list)
    with connection.cursor() as cursor:
        for name, _, _ in _declared_indexes(model_list):
            cursor.execute(f"DROP INDEX IF EXISTS {name}")
    with _put_back_after(indexes_restore, model_list, "deferred indexes"):
        yield


# PostgreSQL's foreign keys -------------------------------------------------------------------

def _foreign_key_fields(model_list: Iterable[type[models.Model]]) -> list[tuple[type[models.Model], Any]]:
    """Return (model, field) for each of the models' fields that the database checks as a foreign key."""
    return [(model, field) for model in model_list for field in model._meta.concrete_fields
            if field.remote_field is not None and getattr(field, "db_constraint", False)]


def _foreign_keys_present(cursor: Any, tables: Iterable[str]) -> dict[str, dict[str, tuple[str, bool]]]:
    """Return {table: {column: (constraint name, validated)}} for PostgreSQL tables' one-column
    foreign keys, in one query."""
    present: dict[str, dict[str, tuple[str, bool]]] = {table: {} for table in tables}
    cursor.execute(
        "SELECT t.relname, a.attname, c.conname, c.convalidated FROM pg_constraint c"
        " JOIN pg_class t ON t.oid = c.conrelid"
        " JOIN pg_attribute a ON a.attrelid = c.conrelid AND a.attnum = c.conkey[1]"
        " WHERE c.contype = 'f' AND cardinality(c.conkey) = 1 AND t.relname = ANY(%s)"
        " AND pg_table_is_visible(t.oid)",
        [list(present)],
    )
    for table, column, name, validated in cursor.fetchall():
        present[table][column] = (name, validated)
    return present


def _foreign_keys(cursor: Any, model_list: Iterable[type[models.Model]]) -> list[tuple[Any, Any, str, bool]]:
    """Return (model, field, constraint name or "", validated) for each of the models' foreign keys."""
    fields = _foreign_key_fields(model_list)
    present = _foreign_keys_present(cursor, {model._meta.db_table for model, _ in fields})
    return [(model, field, *present[model._meta.db_table].get(field.column, ("", False)))
            for model, field in fields]


def foreign_keys_restore(model_list: Iterable[type[models.Model]]) -> None:
    """Add back and check any of the models' foreign keys that a bulk load took off (PostgreSQL).

    Each is added unchecked, then checked in one pass over the table: a join, not a look-up
    a row (and it lets the table be read meanwhile). A foreign key left added but unchecked,
    by a check that failed, is checked again.
    """
    if connection.vendor != "postgresql":
        return
    quote = connection.ops.quote_name
    editor: Any = connection.schema_editor()  # for the SQL Django's migrations would write; nothing runs on exit
    with connection.cursor() as cursor, _no_pending_checks(cursor):
        for model, field, name, validated in _foreign_keys(cursor, model_list):
            if validated:
                continue
            if name:
                name = quote(name)
            else:
                statement = editor._create_fk_sql(model, field, "_fk_%(to_table)s_%(to_column)s")
                cursor.execute(f"{statement} NOT VALID")
                name = str(statement.parts["name"])
            cursor.execute(f"ALTER TABLE {quote(model._meta.db_table)} VALIDATE CONSTRAINT {name}")


@contextmanager
def foreign_keys_checked_at_end(model_list: Iterable[type[models.Model]]) -> Iterator[None]:
    """On PostgreSQL, take the models' foreign keys off while many rows go in, and check every
    row against them once at the end, as pg_restore does.

    Row by row, PostgreSQL checks each new row's parents by a query of its own when the
    transaction commits: 4.7 million of them for a London year, a fifth of the import's time.
    Checked at the end, they are one join a key (docs/benchmarks.md). The importer writes
    only parents it has just found or made in the same transaction; the check at the end
    proves it. If the process dies first, `foreign_keys_restore` (run at the start of every
    import) adds and checks what is missing. SQLite is left as it is: it checks a row's
    parents as the row goes in, cheaply, and cannot take a foreign key off a table.
    """
    model_list = list(model_list)
    if connection.vendor != "postgresql" or not model_list:
        yield
        return
    quote = connection.ops.quote_name
    with connection.cursor() as cursor, _no_pending_checks(cursor):
        for model, _, name, _ in _foreign_keys(cursor, model_list):
            if name:
                cursor.execute(f"ALTER TABLE {quote(model._meta.db_table)} DROP CONSTRAINT {quote(name)}")
    with _put_back_after(foreign_keys_restore, model_list, "foreign keys"):
        yield
