"""The import pipeline: read feeds, parse in worker processes, write in bulk, retry held lines."""

import gc
import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from itertools import chain, groupby, islice
from multiprocessing.pool import AsyncResult
from pathlib import Path
from typing import Any, Generic, TypeVar

from django.conf import settings
from django.db import connections
from django.db.models import Count, Exists, F, Model, OuterRef, Q
from django.utils import timezone

from lantern.core.collector import collect_young, cycle_collector_paused
from lantern.core.db import (
    foreign_keys_checked_at_end,
    foreign_keys_restore,
    indexes_deferred,
    indexes_restore,
    refresh_planner_statistics,
)
from lantern.events.models import Event, Involvement
from lantern.linkage.models import LinkageModel, LinkKey
from lantern.linkage.realtime import INDEX_TABLES
from lantern.people.models import Address, Person, SearchTerm, SourceRecord

from .models import HeldLine, HeldStatus, ImportRun
from .parsing import Parsed, RawLine, parse_chunk
from .reader import count_lines, feed_files, read_feed
from .transfer import pack_lines, parse_packed, unpack_parsed
from .writer import ChunkWriter, Counts

# Lines written in one transaction. Each commit writes every page the transaction changed to
# SQLite's log, and the unique indexes on random keys (addresses' match keys, people's
# references) change most of their pages in every chunk: for a London year, chunks of 20,000
# lines wrote 4.1 GB where chunks of 5,000 wrote 5.9 GB (docs/benchmarks.md), and 5,000 took
# 9% less time than 2,000. Savepoints inside a longer transaction would not do: SQLite copies
# each page a savepoint changes again, and wrote more. The writer's process peaked about
# 150 MB higher for a London year (461 MB against 305 MB).
CHUNK_LINES = 20_000
# What an import grows and then reads back as it goes (to classify lines and find addresses).
GROWING_TABLES = (SourceRecord, Person, Address, Event, Involvement, LinkKey)


T = TypeVar("T")


def _chunks(lines: Iterable[T], size: int) -> Iterator[list[T]]:
    iterator = iter(lines)
    while chunk := list(islice(iterator, size)):
        yield chunk


def _parsed_chunks(chunks: Iterator[list[RawLine]], workers: int,
                   linking: bool = True) -> Iterator[tuple[int, list[Parsed]]]:
    """Parse chunks in order, in `workers` processes, holding at most a few chunks in memory.

    `linking`: a trained model is active (see parse_line).
    """
    if workers <= 1:
        for chunk in chunks:
            yield len(chunk), parse_chunk(chunk, linking)
        return
    # Workers never touch the database; close connections so no socket is shared across fork
    # (not inside a transaction, which closing would abandon).
    if not any(connection.in_atomic_block for connection in connections.all()):
        connections.close_all()
    context = multiprocessing.get_context("fork")
    # Freeze what exists before the fork, so a worker's garbage collector never finalises the
    # parent's objects: a copied DuckDB or Arrow object from an earlier linkage run in the same
    # process crashed a worker that tried (seen once in CI, in the demo command's test).
    gc.freeze()
    try:
        # Ctrl-C reaches every process of the terminal's group: the import stops in this one,
        # and ends its workers as it closes the pool, so they need not hear it (each printed a
        # traceback as it died).
        pool = context.Pool(workers, initializer=signal.signal, initargs=(signal.SIGINT, signal.SIG_IGN))
    finally:
        gc.unfreeze()
    with pool:
        # Lines go out and come back packed as bytes (lantern.intake.transfer), not pickled.
        pending: deque[tuple[list[RawLine], AsyncResult[bytes]]] = deque()
        for chunk in chunks:
            pending.append((chunk, pool.apply_async(parse_packed, (pack_lines(chunk), linking))))
            if len(pending) >= workers * 2:
                sent, result = pending.popleft()
                yield len(sent), unpack_parsed(result.get(), sent)
        while pending:
            sent, result = pending.popleft()
            yield len(sent), unpack_parsed(result.get(), sent)


class _Ahead(Generic[T]):
    """Fetches the next item of an iterator when called; `item` is None after the last."""

    def __init__(self, items: Iterator[T]) -> None:
        self.items = items
        self.item: T | None = None

    def __call__(self) -> None:
        self.item = next(self.items, None)


@dataclass
class Retried:
    """What became of held lines offered again."""

    went_in: int = 0
    held_again: int = 0
    not_offered: int = 0  # not kept as sent (HeldLine.retriable): dismissed, never retried

    def summary(self) -> str:
        """The outcome in plain words, for the command and the feeds page."""
        offered = self.went_in + self.held_again
        words = f"{self.went_in:,} of {offered:,} held line{'s' if offered != 1 else ''} went in; " \
                f"{self.held_again:,} still held"
        if self.not_offered:
            one = self.not_offered == 1
            words += (f"; {self.not_offered:,} {'line was' if one else 'lines were'} not offered again, as "
                      f"{'it is' if one else 'they are'} not kept as sent (cut short, not UTF-8, or an unreadable "
                      f"CSV row): ask the "
                      f"agency to send {'it' if one else 'them'} again, then dismiss {'it' if one else 'them'}")
        return words


class Import:
    """One import run over files, or over lines sent to the API."""

    def __init__(self, source: str, *, actor: Any = None, workers: int = 1, only_agency: str = "",
                 progress: Callable[[int], None] | None = None) -> None:
        self.run = ImportRun.objects.create(started_at=timezone.now(), actor=actor, source=source[:500])
        self.writer = ChunkWriter(self.run, actor, only_agency=only_agency)
        self.workers = workers
        self.progress = progress or (lambda n: None)

    @property
    def counts(self) -> Counts:
        return self.writer.counts

    def lines(self, lines: Iterable[RawLine]) -> "Import":
        # Receiving and writing lines makes millions of short-lived objects: with the cycle
        # collector walking them, receiving a chunk took four times as long (docs/benchmarks.md).
        with cycle_collector_paused():
            linking = LinkageModel.objects.filter(active=True).exists()
            ahead = _Ahead(_parsed_chunks(_chunks(lines, CHUNK_LINES), self.workers, linking=linking))
            ahead()
            number = -1
            while ahead.item is not None:
                size, parsed = ahead.item
                number += 1
                # The next chunk is received and unpacked while the database takes this one's
                # search terms (docs/benchmarks.md).
                self.writer.write(parsed, meanwhile=ahead)
                self.progress(size)
                if number % 50 == 49:
                    collect_young()
                if number & (number + 1) == 0:
                    # Each time the import has doubled what it wrote: PostgreSQL planned its
                    # lookups from the tables' sizes when they were empty, and read whole
                    # tables for them (the import slowed as they grew; docs/benchmarks.md).
                    refresh_planner_statistics(GROWING_TABLES, quick=True)
        return self

    def retry(self, held: Iterable[HeldLine]) -> Retried:
        """Offer held lines again, each as strictly as when it first came (an API feed's line
        still only for the feed's agency); say how many went in, were held again, or were not
        offered because they are not kept as sent."""
        counts = self.writer.counts
        # A line held again is not new: keep the held counts as they were before the retry.
        held_before = (counts.read, counts.waiting, counts.quarantined)
        self.writer.retrying = True
        own_feed = self.writer.only_agency
        retried = Retried()
        offered = []
        for line in held:
            if line.retriable:
                offered.append(line)
            else:
                retried.not_offered += 1
        for feed_agency, lines in groupby(offered, key=lambda h: h.feed_agency):
            self.writer.only_agency = feed_agency
            for batch in _chunks(lines, CHUNK_LINES):
                raw = [RawLine(h.source, h.line_number, h.raw.encode("utf-8")) for h in batch]
                still_held = self.writer.write(parse_chunk(raw))
                done = [h.pk for h in batch if h.raw_hash not in still_held]
                # Only lines still open: another retry or a dismissal at the same moment may have closed some.
                went_in = HeldLine.objects.filter(pk__in=done).exclude(status=HeldStatus.RESOLVED).update(
                    status=HeldStatus.RESOLVED, resolved_at=timezone.now(),
                    resolution=f"went in when offered again (import {self.run.pk})")
                HeldLine.objects.filter(pk__in=[h.pk for h in batch]).update(attempts=F("attempts") + 1)
                retried.went_in += went_in
                retried.held_again += len(batch) - len(done)
        self.writer.only_agency = own_feed
        self.writer.retrying = False
        counts.read, counts.waiting, counts.quarantined = held_before
        counts.resolved += retried.went_in
        return retried

    def finish(self) -> ImportRun:
        """Retry events waiting for people who may now have arrived, and close the run."""
        # Only an agency that received new person records can have satisfied a waiting event.
        # Superseded first: an event that waited since before this run sent a newer version
        # is closed, not offered again over the newer one.
        self.writer.counts.superseded += self._supersede()
        waiting = HeldLine.objects.filter(status=HeldStatus.WAITING).order_by("pk")
        before = self._held_by_status()
        arrived = waiting.filter(agency__in=sorted(self.writer.agencies_with_new_records))
        self.retry(arrived.iterator(chunk_size=CHUNK_LINES))
        # This run's own waiting lines that went in are counted as written; one held again
        # for another reason (a repeat, say) moves from waiting to quarantined.
        after = self._held_by_status()
        self.writer.counts.waiting += after[HeldStatus.WAITING] - before[HeldStatus.WAITING]
        self.writer.counts.quarantined += after[HeldStatus.QUARANTINED] - before[HeldStatus.QUARANTINED]
        self.run.finished_at = timezone.now()
        self.run.counts = self.counts.as_dict()
        self.run.save(update_fields=["finished_at", "counts"])
        refresh_planner_statistics()
        return self.run

    def _held_by_status(self) -> dict[str, int]:
        """How many lines this run holds, by status: held first by it, or held before and sent again."""
        counted = dict(HeldLine.objects.filter(Q(run=self.run) | Q(last_run=self.run))
                       .values_list("status").annotate(Count("pk")))
        return {status: counted.get(status, 0) for status in (HeldStatus.WAITING, HeldStatus.QUARANTINED)}

    def stopped(self) -> None:
        """Close a run stopped part-way (Ctrl-C): the chunks written so far are in, and counted."""
        self.run.finished_at = timezone.now()
        self.run.counts = {**self.counts.as_dict(), "stopped": 1}
        self.run.save(update_fields=["finished_at", "counts"])

    def _supersede(self) -> int:
        """Close the lines held by earlier runs for records this run wrote anew; return how many.

        The agency has since sent the record again and it went in, so the held line is no
        longer its latest word, as an older version would not be. A line this run held again
        stays held: sent again, it is still the agency's latest word. Lines refused before
        their source id could be read (not UTF-8, too long) cannot be matched; people dismiss them.
        """
        agencies = sorted(self.writer.agencies_written)
        if not agencies:  # a re-import with nothing new, say: no query at all
            return 0
        written = {"person": SourceRecord.objects, "event": Event.objects}
        held = (HeldLine.objects.filter(status__in=[HeldStatus.QUARANTINED, HeldStatus.WAITING], run_id__lt=self.run.pk,
                                        agency__in=agencies)
                .exclude(source_id="").exclude(last_run=self.run))
        closed = 0
        for kind, rows in written.items():
            anew = rows.filter(agency__code=OuterRef("agency"), source_id=OuterRef("source_id"),
                               received_at=self.writer.now)
            closed += held.filter(kind=kind).filter(Exists(anew)).update(
                status=HeldStatus.RESOLVED, resolved_at=timezone.now(),
                resolution=f"superseded: the agency sent this {kind} again and it went in (import {self.run.pk})")
        return closed


def is_bulk_load(lines: int) -> bool:
    """Return whether an import of this many lines should build the index tables' indexes at the end.

    Building an index once costs time in proportion to everything already indexed; keeping it
    up to date costs time for every new line. So a load is bulk when it is large
    (`LANTERN_IMPORT_BULK_LINES`) and at least as large as what is already stored.
    """
    return lines >= settings.LANTERN_IMPORT_BULK_LINES and lines >= SourceRecord.objects.count()


def _deferred_index_tables() -> list[type[Model]]:
    # With a trained model, each chunk's new records look up their candidates by blocking key,
    # so that index must stay; before the first `lantern link` nothing reads it.
    if LinkageModel.objects.filter(active=True).exists():
        return [SearchTerm]
    return list(INDEX_TABLES)


def import_paths(paths: list[Path], *, actor: Any = None, workers: int = 1,
                 progress: Callable[[int], None] | None = None, lines: int | None = None,
                 encoding: str | None = None) -> ImportRun:
    """Import feed files and directories; return the finished run with its counts.

    `lines` is how many lines the files hold, when the caller has counted them already;
    `encoding` is the files' text encoding when it is not UTF-8 (UTF-16 is told by itself).
    """
    files = feed_files(paths)
    limit = settings.LANTERN_MAX_LINE_BYTES
    # A bulk load cut off earlier may have left the index tables without their indexes, and
    # the growing tables without their foreign keys.
    indexes_restore(INDEX_TABLES)
    foreign_keys_restore(GROWING_TABLES)
    lines = count_lines(files, encoding) if lines is None else lines
    bulk = is_bulk_load(lines)
    deferred = _deferred_index_tables() if bulk else []
    with indexes_deferred(deferred), foreign_keys_checked_at_end(GROWING_TABLES if bulk else []):
        run = Import(", ".join(str(f) for f in files), actor=actor, workers=workers, progress=progress)
        try:
            run.lines(chain.from_iterable(read_feed(f, limit, encoding) for f in files))
        except KeyboardInterrupt:
            run.stopped()
            raise
        return run.finish()
