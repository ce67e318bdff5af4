"""Fast bulk writes for the importer, for SQLite and PostgreSQL.

The ORM's bulk_create costs about 150 µs a row for a source record here; these helpers
insert prepared tuples directly (executemany on SQLite, COPY on PostgreSQL) at a fraction
of that. They run inside the caller's transaction and take ids up front so related rows can
point at each other.
"""

import sqlite3
import threading
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import cache
from itertools import chain
from typing import Any

import orjson
from django.db import connection
from psycopg import postgres
from psycopg.adapt import Dumper
from psycopg.pq import Format

# Rows of at most this many columns are sent to SQLite as one JSON array, and of at most
# VALUES_LIST_COLUMNS as many rows a statement (see insert_rows).
NARROW_COLUMNS = 2
VALUES_LIST_COLUMNS = 4
# From this many agencies in one look-up by (agency, source id), PostgreSQL is sent the pairs
# in one joined query rather than a query an agency: 23 ms against 91 ms for a chunk of 5,000
# lines from 642 schools, while for one agency's 5,000 lines the query of its own is quicker
# (17 ms against 19 ms). SQLite answers a query in tens of microseconds and always takes one
# an agency (the join was slower there: 23 ms against 15 ms).
PAIRS_JOINED_FROM = 8


def quote(name: str) -> str:
    return connection.ops.quote_name(name)


def db_datetime(value: datetime | None) -> Any:
    """Return a datetime in the form the database column expects (what Django would store)."""
    if value is None or connection.vendor == "postgresql":
        return value
    return utc_text(value)  # Django's own adapter is slow for millions of rows


def _as_is(value: Any) -> Any:
    return value


def utc_text(value: datetime) -> str:
    """Return an aware datetime as UTC text, 'YYYY-MM-DD HH:MM:SS[.ffffff]': how Django keeps
    datetimes on SQLite, and what `db_utc_texts` turns back into this database's form."""
    return str(value.astimezone(UTC).replace(tzinfo=None))


def aware_utc(text: str | None) -> datetime | None:
    """Return utc_text's text as an aware datetime again."""
    return None if text is None else datetime.fromisoformat(text).replace(tzinfo=UTC)


def db_utc_texts() -> Callable[[str | None], Any]:
    """Return a function taking utc_text's text to what this database's datetime column
    expects: on SQLite the text itself (so millions of events' times need no conversion in
    the writer), on PostgreSQL an aware datetime."""
    return aware_utc if connection.vendor == "postgresql" else _as_is


def allocate_ids(table: str, count: int) -> list[int]:
    """Reserve `count` primary keys for rows about to be inserted with explicit ids."""
    if count == 0:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # The sequence is named once (a materialised CTE): pg_get_serial_sequence beside
            # nextval ran for every id, four-fifths of the call's time (12 ms for 5,000 ids).
            cursor.execute(
                "WITH named AS MATERIALIZED (SELECT pg_get_serial_sequence(%s, 'id')::regclass AS sequence)"
                " SELECT nextval(sequence) FROM named, generate_series(1, %s)",
                [table, count],
            )
            return [row[0] for row in cursor.fetchall()]
        # SQLite: the caller holds the write lock (BEGIN IMMEDIATE), so nobody else can take these.
        cursor.execute(f"SELECT COALESCE(MAX(id), 0) FROM {quote(table)}")  # noqa: S608
        start = cursor.fetchone()[0] + 1
        return list(range(start, start + count))


@contextmanager
def _driver() -> Iterator[Any]:
    """Yield the database driver's own connection, its errors raised as Django's.

    The writer holds a line the database refuses by catching Django's DatabaseError; the
    driver's own errors (sqlite3's, psycopg's) would pass it by and stop the import.
    """
    connection.ensure_connection()
    with connection.wrap_database_errors:
        yield connection.connection


class _JsonTextDumper(Dumper):
    """Write JSON that is already text (aliases, attributes) into a jsonb column of a binary COPY."""

    format = Format.BINARY
    oid = postgres.types["jsonb"].oid

    def dump(self, obj: str) -> bytes:
        return b"\x01" + obj.encode()  # jsonb's binary form: a version number, then the text


@contextmanager
def _copy_into(table: str, columns: Sequence[str]) -> Iterator[Any]:
    """Open PostgreSQL's COPY into the table's columns in binary form (psycopg's Copy object).

    Binary, which neither end formats or parses as text: 200,000 source records' rows took
    psycopg 0.35–0.61 CPU-seconds to write rather than 1.09–1.55 (docs/benchmarks.md).
    """
    types = _column_types(table)  # read before COPY holds the connection
    with _driver() as driver, driver.cursor() as cursor:
        cursor.adapters.register_dumper(None, _JsonTextDumper)  # for the jsonb columns, below
        with cursor.copy(_copy_sql(table, columns, "(FORMAT BINARY)")) as copy:
            copy.set_types([types[column] for column in columns])
            yield copy


def _copy_sql(table: str, columns: Sequence[str], options: str = "") -> str:
    return f"COPY {quote(table)} ({', '.join(quote(c) for c in columns)}) FROM STDIN {options}".rstrip()


@cache
def _column_types(table: str) -> dict[str, int]:
    """Return the type of each of a PostgreSQL table's columns, as the type's number (oid).

    Read once a process, not once a COPY: the bulk tables' columns are of built-in types
    (bigint, varchar, jsonb, timestamptz…), whose numbers are the same in every database.
    """
    with connection.cursor() as cursor:
        cursor.execute("SELECT attname, atttypid FROM pg_attribute WHERE attrelid = %s::regclass AND attnum > 0",
                       [table])
        return dict(cursor.fetchall())


def insert_rows(table: str, columns: Sequence[str], rows: Iterable[Sequence[Any]]) -> None:
    """Insert many rows at once."""
    if connection.vendor == "postgresql":
        with _copy_into(table, columns) as copy:
            for row in rows:
                copy.write_row(row)
        return
    column_list = ", ".join(quote(c) for c in columns)
    with _driver() as driver:
        if len(columns) <= NARROW_COLUMNS:
            # Narrow rows (the millions of index entries) go as one JSON array, unpacked by
            # SQLite's json_each in C: under half the time a row of binding each row from
            # Python. Wider rows lose by it (SQLite reads the array element again for every column).
            values = ", ".join(f"value ->> {i}" for i in range(len(columns)))
            driver.execute(f"INSERT INTO {quote(table)} ({column_list}) SELECT {values} FROM json_each(?)",  # noqa: S608
                           (orjson.dumps(list(rows)).decode(),))
            return
        insert = f"INSERT INTO {quote(table)} ({column_list}) VALUES "  # noqa: S608
        row_placeholders = f"({', '.join('?' for _ in columns)})"
        if len(columns) > VALUES_LIST_COLUMNS:
            driver.executemany(insert + row_placeholders, rows)
            return
        # Rows of a few columns (people, involvements) go as many rows a statement: SQLite pays
        # for each statement run (and updates the table's AUTOINCREMENT counter each time), which
        # was over half the cost of such a row (involvements 2.5 µs a row with executemany,
        # 1.1 µs this way; docs/benchmarks.md).
        rows = list(rows)
        first = 0
        for size in _statement_sizes(driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // len(columns)):
            while len(rows) - first >= size:
                driver.execute(insert + ", ".join([row_placeholders] * size),
                               list(chain.from_iterable(rows[first:first + size])))
                first += size


def _statement_sizes(most: int) -> list[int]:
    """Return the rows a statement for insert_rows' statements of many rows, largest first.

    A few fixed sizes, not one for each remainder: sqlite3 keeps every statement it prepared
    (up to 128), and one of thousands of rows takes megabytes once prepared.
    """
    return [most, *(size for size in (512, 64, 8) if size < most), 1]


def insert_fanned_out(table: str, columns: tuple[str, str], rows: Iterable[tuple[int, bytes]], *,
                      meanwhile: Callable[[], None] | None = None) -> None:
    """Insert (value, owner) rows given as (owner, JSON array of values): a row for each value.

    The index tables take millions of such rows, and Python makes no tuple for any of them:
    on SQLite the arrays, already JSON, are joined into one text and spread into rows by
    json_each; on PostgreSQL each array of integers becomes COPY's text by replacing its commas.

    `meanwhile`: the caller's own work, which must not touch the database, done in this
    thread while another sends the rows. The database does its part without holding
    Python's interpreter lock, so both go on at once (see alongside).
    """
    rows = list(rows)  # read here, not in the other thread
    if not rows:  # no statement for nothing (blocking keys before the first `lantern link`, say)
        if meanwhile is not None:
            meanwhile()
        return
    if connection.vendor == "postgresql":

        def send(driver: Any) -> None:
            with driver.cursor() as cursor, cursor.copy(_copy_sql(table, columns)) as copy:
                for owner, values in rows:
                    if values != b"[]":
                        end = b"\t%d\n" % owner
                        copy.write(values[1:-1].replace(b",", end) + end)
    else:
        payload = (b"[" + b",".join(b"[%d,%s]" % (owner, values) for owner, values in rows) + b"]").decode()
        value_column, owner_column = (quote(c) for c in columns)

        def send(driver: Any) -> None:
            driver.execute(
                f"INSERT INTO {quote(table)} ({value_column}, {owner_column}) "  # noqa: S608
                "SELECT item.value, owner.value ->> 0 FROM json_each(?) AS owner, json_each(owner.value -> 1) AS item",
                (payload,))
    alongside(send, meanwhile)


def alongside(work: Callable[[Any], None], meanwhile: Callable[[], None] | None) -> None:
    """Run `work` with the database driver's connection and, at the same time, `meanwhile`.

    `work` runs in a helper thread (Django's connection belongs to this one, so it is given
    the driver's own); `meanwhile` runs here and must not touch the database. Without
    `meanwhile`, `work` simply runs here. An error in `work` is raised here, as Django's.
    """
    with _driver() as driver:
        if meanwhile is None:
            work(driver)
            return
        failed: list[BaseException] = []

        def run() -> None:
            try:
                work(driver)
            except BaseException as error:  # noqa: BLE001  (raised again in the calling thread)
                failed.append(error)

        helper = threading.Thread(target=run, name="lantern-bulk-insert")
        helper.start()
        try:
            meanwhile()
        finally:
            helper.join()
        if failed:
            raise failed[0]


def execute_many(sql: str, rows: Iterable[Sequence[Any]]) -> None:
    """Run one statement (written with %s placeholders) for many parameter rows."""
    with connection.cursor() as cursor:
        cursor.executemany(sql, list(rows))


def _json_array(values: Sequence[Any]) -> tuple[str, str]:
    """Return PostgreSQL SQL for an array of `values` (all strings or all integers) read from
    one JSON text parameter, and that parameter.

    Two reasons, both measured on a London year's addresses (docs/benchmarks.md): psycopg
    writes a Python list into the statement element by element in Python, and the planner,
    shown 5,000 constant values, estimated each one's selectivity (85 ms a look-up against
    11 ms this way). Given an array it cannot see into, the planner expects a few values and
    probes the index, as it should.
    """
    cast = "::bigint" if isinstance(values[0], int) else ""
    return f"ARRAY(SELECT json_array_elements_text(%s::json){cast})", orjson.dumps(list(values)).decode()


def select_by_source(table: str, columns: Sequence[str],
                     wanted: Mapping[int, Collection[str]]) -> dict[tuple[int, str], tuple]:
    """Return the `columns` of the rows of `table` for each (agency_id, source_id) wanted.

    `wanted` maps agency ids to source ids; the rows come keyed by their (agency_id, source_id).
    """
    listed = ", ".join(f"r.{quote(c)}" for c in columns)
    found: dict[tuple[int, str], tuple] = {}
    if connection.vendor == "postgresql" and len(wanted) >= PAIRS_JOINED_FROM:
        agency_array, agencies = _json_array([agency for agency, source_ids in wanted.items() for _ in source_ids])
        source_id_array, source_ids = _json_array([source_id for ids in wanted.values() for source_id in ids])
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT w.agency_id, w.source_id, {listed} FROM unnest({agency_array}, {source_id_array})"  # noqa: S608
                f" AS w(agency_id, source_id) JOIN {quote(table)} r"
                " ON r.agency_id = w.agency_id AND r.source_id = w.source_id",
                [agencies, source_ids],
            )
            for agency_id, source_id, *row in cursor.fetchall():
                found[(agency_id, source_id)] = tuple(row)
        return found
    for agency_id, agency_source_ids in wanted.items():
        for row in select_in(
            f"SELECT r.source_id, {listed} FROM {quote(table)} r WHERE r.agency_id = %s AND r.source_id IN (%s)",  # noqa: S608
            list(agency_source_ids),
            before=[agency_id],
        ):
            found[(agency_id, row[0])] = row[1:]
    return found


def select_in(sql: str, values: Sequence[Any], *, before: Sequence[Any] = ()) -> list[tuple]:
    """Run `sql` for many values at once, returning all rows.

    The last `IN (%s)` in `sql` takes `values` (strings or integers), as one parameter;
    `before` fills the placeholders ahead of it.
    """
    head, _, tail = sql.rpartition("IN (%s)")
    if not values:
        return []
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # An array: PostgreSQL parses and plans it far faster than a long IN list.
            array, payload = _json_array(values)
            cursor.execute(f"{head}= ANY({array}){tail}", [*before, payload])  # noqa: S608
            return cursor.fetchall()
        # A JSON array, unpacked by SQLite: a third quicker than IN lists of 900 placeholders
        # (5,000 addresses: 6.5 ms against 8.2 ms), and no limit on how many values.
        values_json = orjson.dumps(list(values)).decode()
        cursor.execute(f"{head}IN (SELECT value FROM json_each(%s)){tail}", [*before, values_json])  # noqa: S608
        return cursor.fetchall()
