"""Writing parsed lines to the database in bulk, a chunk at a time.

Each chunk is one transaction. If anything unexpected goes wrong in it, the chunk is
written again one line at a time, so one bad line is held with the database's reason and
every other line still goes in: a line lands whole or not at all.
"""

import logging
from array import array
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from django.conf import settings
from django.db import DatabaseError, transaction
from django.utils import timezone

from lantern.core.audit import audit_write
from lantern.core.models import AuditVerb
from lantern.events.models import Event, Involvement
from lantern.events.services import event_versions_keep
from lantern.investigations.overlap import propose_joins
from lantern.linkage.realtime import (
    IndexEntry,
    index_link_keys,
    index_search_terms,
    key_array,
    link_batch,
    raise_reviews,
)
from lantern.linkage.services import link_record
from lantern.organisations.models import Agency, Borough
from lantern.people.content import ADDRESS_FIELDS, RECORD_FIELD_NAMES
from lantern.people.models import SourceRecord
from lantern.people.services import unused_references, versions_keep
from lantern.referrals.criteria import contacts_from_events
from lantern.safeguarding.engine import rules_after_intake

from .bulk import (
    allocate_ids,
    db_datetime,
    db_utc_texts,
    execute_many,
    insert_rows,
    select_by_source,
    select_in,
    utc_text,
)
from .models import HeldLine, HeldStatus, ImportRun
from .parsing import (
    DUPLICATE_IN_IMPORT,
    RAW_KEPT,
    AgencyLine,
    EventLine,
    Parsed,
    PersonLine,
    RawLine,
    Refused,
    raw_hash,
)

log = logging.getLogger(__name__)

# A record's own columns come in record_fields' order, between its provenance and its links.
RECORD_COLUMNS = (
    "agency_id", "source_system", "source_id", "version", "content_hash", "first_received_at", "received_at",
    *RECORD_FIELD_NAMES,
    "address_id", "borough_id", "person_id",
)
EVENT_COLUMNS = (
    "id",
    "agency_id",
    "source_system",
    "source_id",
    "type",
    "occurred_at",
    "reported_at",
    "received_at",
    "version",
    "content_hash",
    "borough_id",
    "location_id",
    "attributes",
    "narrative",
    "restricted",
)


LINE_KINDS: dict[type, str] = {AgencyLine: "agency", PersonLine: "person", EventLine: "event"}


@dataclass
class Counts:
    read: int = 0
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    quarantined: int = 0
    waiting: int = 0
    resolved: int = 0
    superseded: int = 0

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)

    def copy(self) -> "Counts":
        return Counts(**self.__dict__)

    def restore(self, earlier: "Counts") -> None:
        """Go back to earlier counts, in place (callers hold this object)."""
        self.__dict__.update(earlier.__dict__)


@dataclass
class _Changes:
    """What one chunk changed, for its audit entry."""

    records_created: list[str] = field(default_factory=list)
    records_updated: list[str] = field(default_factory=list)
    events_created: list[str] = field(default_factory=list)
    events_updated: list[str] = field(default_factory=list)
    agencies: list[str] = field(default_factory=list)

    def any(self) -> bool:
        return any(self.__dict__.values())


class ChunkWriter:
    """Writes chunks of parsed lines for one import run."""

    def __init__(self, run: ImportRun, actor: Any = None, only_agency: str = "") -> None:
        self.run = run
        self.actor = actor
        # A feed sending through the API may write only its own agency's records.
        self.only_agency = only_agency
        # Retrying from quarantine means someone chose to apply a held line.
        self.retrying = False
        self.agencies_with_new_records: set[str] = set()
        # Agencies whose records or events this run wrote anew: only their held lines can be superseded.
        self.agencies_written: set[str] = set()
        self.counts = Counts()
        # What this run took, so a later line for the same thing with other content is held
        # (the first is taken): each agency line's values, and records that came unchanged as
        # 64-bit hashes of (kind, agency, source id), 8 bytes each (records written carry the run's time).
        self.agencies_taken: dict[str, dict[str, Any]] = {}
        self.unchanged_keys = array("q")
        self.agencies = {agency.code: agency for agency in Agency.objects.all()}
        self.agency_ids = {code: agency.pk for code, agency in self.agencies.items()}
        self.borough_ids = dict(Borough.objects.values_list("ons_code", "id"))
        self.now = timezone.now()
        # Contacts and live rule firings come only from events this recent (each hook checks its
        # own window); older events, a back-load of history, skip both hooks' queries. Kept as
        # UTC text, the form events' times arrive in, which compares as the times do.
        self.live_since = utc_text(self.now - timedelta(days=max(settings.LANTERN_AUTO_CONTACT_WINDOW_DAYS,
                                                                 settings.LANTERN_RULES_WINDOW_DAYS)))

    # The chunk -----------------------------------------------------------------------------

    def write(self, chunk: list[Parsed], meanwhile: Callable[[], None] | None = None) -> set[str]:
        """Write one chunk atomically, or line by line if the chunk as a whole fails.

        `meanwhile`: the caller's own work (reading the next chunk, say), done while the
        database takes this chunk's search terms; it must not touch the database. It runs
        once whatever becomes of the chunk, and an error it raises is raised once the chunk
        is written.

        Returns the hashes of the lines it held (quarantined or waiting) rather than wrote.
        """
        self.held_now: set[str] = set()
        unread = self.counts.copy()
        self.counts.read += len(chunk)
        counted = self.counts.copy()
        caller = _Once(meanwhile)
        try:
            with transaction.atomic():
                self._write_lines(chunk, caller)
        except KeyboardInterrupt:
            self.counts.restore(unread)  # the chunk was undone whole: a stopped run counts only what it kept
            raise
        except DatabaseError:
            log.warning("A chunk failed as a whole; writing it line by line", exc_info=True)
            # Nothing of the failed attempt was kept, so neither are its counts.
            self.counts.restore(counted)
            self.held_now = set()
            self.agencies = {agency.code: agency for agency in Agency.objects.all()}
            self.agency_ids = {code: agency.pk for code, agency in self.agencies.items()}
            for item in chunk:
                before = self.counts.copy()
                try:
                    with transaction.atomic():
                        self._write_lines([item])
                except DatabaseError as error:
                    # The line's own attempt was undone, so is its count: it is counted once, as held.
                    self.counts.restore(before)
                    with transaction.atomic():
                        self._hold([Refused(
                            item.line, "(line)", f"could not be stored: {error}", LINE_KINDS.get(type(item), ""),
                            getattr(item, "agency", ""), getattr(item, "source_id", ""),
                        )])
        caller()  # if the chunk failed before its search terms
        caller.raise_error()
        return self.held_now

    def _write_lines(self, chunk: list[Parsed], meanwhile: Callable[[], None] | None = None) -> None:
        changes = _Changes()
        # The chunk's new and changed events, for what acts on every new fact (below).
        self.written_events: list[int] = []
        self.recent_events: list[int] = []
        # New records' search terms, written last (nothing in an import reads them), while
        # the caller gets on with `meanwhile`.
        self.terms_pending: list[tuple[int, IndexEntry]] = []
        if self.only_agency:
            chunk = [self._outside_feed(p) for p in chunk]
        refused = [p for p in chunk if isinstance(p, Refused)]
        refused += self._agencies([p for p in chunk if isinstance(p, AgencyLine)], changes)
        persons = [p for p in chunk if isinstance(p, PersonLine)]
        events = [p for p in chunk if isinstance(p, EventLine)]
        # The same record twice in one chunk: write the first, then the next as its new version.
        for batch in _rounds(persons):
            refused += self._persons(batch, changes)
        waiting: list[tuple[EventLine, list[str]]] = []
        for event_batch in _rounds(events):
            more_refused, more_waiting = self._events(event_batch, changes)
            refused += more_refused
            waiting += more_waiting
        self._hold(refused)
        self._wait(waiting)
        # Events that meet referral criteria reach the MASH in the same transaction.
        contacts_from_events(self.recent_events, now=self.now, actor=self.actor)
        # Every new or changed event goes through the safeguarding rules in the same transaction.
        rules_after_intake(self.recent_events, now=self.now, actor=self.actor)
        # An offence that overlaps an open investigation is proposed for joining to it.
        propose_joins(self.written_events, now=self.now, actor=self.actor)
        if changes.any():
            audit_write(
                actor=self.actor,
                verb=AuditVerb.IMPORT_BATCH,
                target=self.run,
                payload={"source": self.run.source, **changes.__dict__},
            )
        index_search_terms(self.terms_pending, meanwhile=meanwhile)

    def _outside_feed(self, parsed: Parsed) -> Parsed:
        if isinstance(parsed, AgencyLine):
            return Refused(parsed.line, "kind", "a feed cannot register or change agencies: ask an administrator",
                           "agency", parsed.code)
        agency = getattr(parsed, "agency", self.only_agency)
        if isinstance(parsed, Refused) or agency == self.only_agency:
            return parsed
        return Refused(parsed.line, "agency", f"this feed sends records for {self.only_agency!r} only, "
                       f"not {agency!r}", LINE_KINDS.get(type(parsed), ""), agency, getattr(parsed, "source_id", ""))

    # Agencies --------------------------------------------------------------------------------

    def _agencies(self, lines: list[AgencyLine], changes: _Changes) -> list[Refused]:
        refused = []
        for line in lines:
            if line.borough and line.borough not in self.borough_ids:
                refused.append(Refused(line.line, "borough", f"{line.borough!r} is not a London borough's ONS code",
                                       "agency", line.code))
                continue
            wanted = {"name": line.name, "kind": line.agency_kind,
                      "borough_id": self.borough_ids.get(line.borough or "")}
            # As for records, the first of two differing lines for one agency in a run is taken.
            taken = self.agencies_taken.setdefault(line.code, wanted)
            if taken != wanted and not self.retrying:
                refused.append(_came_earlier(line.line, "code", line.code, "agency", line.code, ""))
                continue
            agency = self.agencies.get(line.code)
            created = agency is None
            if agency is None:
                agency = self.agencies[line.code] = Agency.objects.create(code=line.code, **wanted)
            changed = not created and any(getattr(agency, k) != v for k, v in wanted.items())
            if changed:
                Agency.objects.filter(pk=agency.pk).update(**wanted)
                for key, value in wanted.items():
                    setattr(agency, key, value)
            self.agency_ids[agency.code] = agency.pk
            if created or changed:
                changes.agencies.append(agency.code)
            self.counts.created += created
            self.counts.updated += changed
            self.counts.unchanged += not (created or changed)
        return refused

    def _unknown_agency(self, line: PersonLine | EventLine, kind: str) -> Refused:
        return Refused(
            line.line,
            "agency",
            f"{line.agency!r} is not a registered agency: send its agency "
            'line (kind "agency") first, or ask an administrator to register it',
            kind,
            line.agency,
            line.source_id,
        )

    # Addresses -------------------------------------------------------------------------------

    def _address_ids(self, addresses: list[tuple[str | None, tuple[str, ...] | None]],
                     borough_ids: list[int | None]) -> list[int | None]:
        """Find or create each address, given as (match key, fields): matched on UPRN, else
        on first line and postcode (see address_match_key)."""
        keys = [key for key, _ in addresses]
        known: dict[str, int] = {key: pk for pk, key in select_in(
            "SELECT id, match_key FROM people_address WHERE match_key IN (%s)", sorted({k for k in keys if k}))}
        new: dict[str, tuple[tuple[str, ...], int | None]] = {}
        for (key, address), borough_id in zip(addresses, borough_ids, strict=True):
            if key and key not in known and key not in new:
                new[key] = (address, borough_id)  # type: ignore[assignment]  # a key always has its fields
        ids = allocate_ids("people_address", len(new))
        insert_rows(
            "people_address",
            ("id", *ADDRESS_FIELDS, "borough_id", "match_key"),
            [(pk, *address, borough, key) for pk, (key, (address, borough)) in zip(ids, new.items(), strict=True)],
        )
        known.update(zip(new, ids, strict=True))
        return [known[k] if k else None for k in keys]

    # Person records ----------------------------------------------------------------------------

    def _persons(self, lines: list[PersonLine], changes: _Changes) -> list[Refused]:
        refused, ready = [], []
        for line in lines:
            if line.agency not in self.agency_ids:
                refused.append(self._unknown_agency(line, "person"))
            elif line.borough and line.borough not in self.borough_ids:
                refused.append(
                    Refused(
                        line.line,
                        "borough",
                        f"{line.borough!r} is not a London borough's ONS code",
                        "person",
                        line.agency,
                        line.source_id,
                    )
                )
            else:
                ready.append(line)
        created, updated, duplicates = self._classify("people_sourcerecord", ready, "person")
        refused += duplicates
        boroughs = [self.borough_ids.get(p.home or "") for p in created]
        address_ids = self._address_ids([(p.address_key, p.address) for p in created], boroughs)
        record_ids = allocate_ids("people_sourcerecord", len(created))
        # Real-time linking: each new record joins the person it matches, or a new one.
        links = link_batch(len(created),
                           lambda: [p.features_for(pk) for pk, p in zip(record_ids, created, strict=True)])
        # Negative numbers stand for the new persons the batch makes; give each a real person.
        new_persons = sorted({p for p in links.persons if p < 0}, reverse=True)
        made = dict(zip(new_persons, self._new_people(len(new_persons)), strict=True))
        person_ids = [made.get(p, p) for p in links.persons]
        now = db_datetime(self.now)
        insert_rows(
            "people_sourcerecord",
            ("id", *RECORD_COLUMNS),
            [
                (
                    record_id,
                    self.agency_ids[p.agency],
                    p.source_system or p.agency,
                    p.source_id,
                    1,
                    p.digest,
                    now,
                    now,
                    *p.columns,
                    address_id,
                    borough_id,
                    person_id,
                )
                for record_id, p, address_id, borough_id, person_id in zip(
                    record_ids, created, address_ids, boroughs, person_ids, strict=True)
            ],
        )
        entries = [(record_id, p.index) for record_id, p in zip(record_ids, created, strict=True)]
        if links.features:
            # A model linked these records, so the index must hold their blocking keys: parsing
            # left them out if the model became active after this import began.
            entries = [(record_id, entry if entry.keys else entry._replace(keys=key_array(features)))
                       for (record_id, entry), features in zip(entries, links.features, strict=True)]
        # Blocking keys at once: linking the next records may read them.
        index_link_keys(entries)
        self.terms_pending += entries
        if links.reviews:
            raise_reviews(links.reviews, model_version=links.model_version, now=self.now)
        self._update_records(updated)
        self.counts.created += len(created)
        self.counts.updated += len(updated)
        changes.records_created += [f"{p.agency}:{p.source_id}" for p in created]
        self.agencies_with_new_records.update(p.agency for p in created)
        self.agencies_written.update(p.agency for p in created)
        self.agencies_written.update(p.agency for p, _ in updated)
        changes.records_updated += [f"{p.agency}:{p.source_id}" for p, _ in updated]
        return refused

    def _new_people(self, count: int) -> list[int]:
        ids = allocate_ids("people_person", count)
        now = db_datetime(self.now)
        insert_rows(
            "people_person",
            ("id", "reference", "created_at", "merged_into_id"),
            [(pk, ref, now, None) for pk, ref in zip(ids, unused_references(count), strict=True)],
        )
        return ids

    def _update_records(self, updated: list[tuple[PersonLine, tuple]]) -> None:
        if not updated:
            return
        # Keep each record's current version before it is replaced (rare: the ORM will do).
        old = SourceRecord.objects.select_related("borough").in_bulk([found[0] for _, found in updated])
        versions_keep(list(old.values()))
        boroughs = [self.borough_ids.get(p.home or "") for p, _ in updated]
        address_ids = self._address_ids([(p.address_key, p.address) for p, _ in updated], boroughs)
        columns = (*RECORD_FIELD_NAMES, "address_id", "borough_id", "source_system", "version", "content_hash",
                   "received_at")
        now = db_datetime(self.now)
        execute_many(
            f"UPDATE people_sourcerecord SET {', '.join(f'{c} = %s' for c in columns)} WHERE id = %s",  # noqa: S608
            [
                (
                    *p.columns,
                    address_id,
                    borough_id,
                    p.source_system or old[found[0]].source_system,
                    found[3] + 1,
                    p.digest,
                    now,
                    found[0],
                )
                for (p, found), address_id, borough_id in zip(updated, address_ids, boroughs, strict=True)
            ],
        )
        # A changed record is linked again: it may now match someone else.
        for record in SourceRecord.objects.filter(pk__in=[found[0] for _, found in updated]).select_related("person"):
            link_record(record, actor=self.actor)

    def _classify(
        self, table: str, lines: list[Any], kind: str
    ) -> tuple[list[Any], list[tuple[Any, tuple]], list[Refused]]:
        """Sort lines into new, changed and refused duplicates; count the unchanged.

        A record that came earlier in this same import with different content is held, not
        applied: the first one wins, and the later one waits in quarantine for someone to
        decide. Sending the same file again then holds it again rather than flip-flopping.
        """
        existing = self._existing(table, lines, ("id", "source_id", "content_hash", "version", "received_at"))
        changed = [line for line in lines if (found := existing.get((self.agency_ids[line.agency], line.source_id)))
                   and found[2] != line.digest]
        held_duplicates = self._held_duplicates(changed)
        taken_unchanged = self._taken_unchanged(kind, changed)
        created, updated, duplicates = [], [], []
        for line in lines:
            found = existing.get((self.agency_ids[line.agency], line.source_id))
            if found is not None and found[2] == line.digest:
                self.counts.unchanged += 1
                self.unchanged_keys.append(hash((kind, line.agency, line.source_id)))
            elif found is not None and (raw_hash(line.line) in held_duplicates or self._is_now(found[4])
                                        or hash((kind, line.agency, line.source_id)) in taken_unchanged):
                duplicates.append(_came_earlier(line.line, "source_id", line.source_id, kind, line.agency,
                                                line.source_id))
            elif found is None:
                created.append(line)
            else:
                updated.append((line, found))
        return created, updated, duplicates

    def _held_duplicates(self, changed: list[Any]) -> set[str]:
        """Return which of these changed lines are already held as duplicates (and so stay held)."""
        if self.retrying or not changed:
            return set()
        return set(
            HeldLine.objects.exclude(status=HeldStatus.RESOLVED)
            .filter(code=DUPLICATE_IN_IMPORT, raw_hash__in=[raw_hash(line.line) for line in changed])
            .values_list("raw_hash", flat=True)
        )

    def _taken_unchanged(self, kind: str, changed: list[Any]) -> set[int]:
        """Return which of these changed lines' records came earlier in this run unchanged (so
        the first taken was the stored version), as hashes of their (kind, agency, source id)."""
        if self.retrying or not changed or not self.unchanged_keys:
            return set()
        return {hash((kind, line.agency, line.source_id)) for line in changed}.intersection(self.unchanged_keys)

    def _is_now(self, stored: Any) -> bool:
        """Return whether a stored timestamp is this run's (rows this run wrote carry it)."""
        if isinstance(stored, str):
            stored = datetime.fromisoformat(stored)
        if stored.tzinfo is None:
            stored = stored.replace(tzinfo=UTC)
        return bool(stored == self.now)

    def _existing(self, table: str, lines: list[Any], columns: tuple[str, ...]) -> dict[tuple[int, str], tuple]:
        """Return rows already stored for these lines, keyed by (agency id, source id)."""
        by_agency: dict[int, list[str]] = defaultdict(list)
        for line in lines:
            by_agency[self.agency_ids[line.agency]].append(line.source_id)
        return select_by_source(table, columns, by_agency)

    # Events ----------------------------------------------------------------------------------

    def _events(
        self, lines: list[EventLine], changes: _Changes
    ) -> tuple[list[Refused], list[tuple[EventLine, list[str]]]]:
        refused: list[Refused] = []
        waiting: list[tuple[EventLine, list[str]]] = []
        ready: list[EventLine] = []
        for line in lines:
            if line.agency not in self.agency_ids:
                refused.append(self._unknown_agency(line, "event"))
            elif line.borough and line.borough not in self.borough_ids:
                refused.append(
                    Refused(
                        line.line,
                        "borough",
                        f"{line.borough!r} is not a London borough's ONS code",
                        "event",
                        line.agency,
                        line.source_id,
                    )
                )
            else:
                ready.append(line)
        records = self._record_ids(ready)
        # Repeats first: a later line for an event this import has taken is held as a repeat
        # whether or not its people have come (waiting, it went in over the first when they did).
        created, updated, duplicates = self._classify("events_event", ready, "event")
        refused += duplicates

        def missing(line: EventLine) -> list[str]:
            agency_id = self.agency_ids[line.agency]
            return sorted({psid for psid, _ in line.involvements if (agency_id, psid) not in records})

        waiting += [(line, people) for line in created if (people := missing(line))]
        waiting += [(line, people) for line, _ in updated if (people := missing(line))]
        if waiting:
            held = {id(line) for line, _ in waiting}
            created = [line for line in created if id(line) not in held]
            updated = [(line, found) for line, found in updated if id(line) not in held]
        ids = allocate_ids("events_event", len(created)) + [found[0] for _, found in updated]
        versions = [1] * len(created) + [found[3] + 1 for _, found in updated]
        written = created + [line for line, _ in updated]
        location_ids = self._address_ids(
            [(line.location_key, line.location) for line in written],
            [self.borough_ids.get(line.place or "") for line in written],
        )
        now, to_db = db_datetime(self.now), db_utc_texts()
        rows = [
            (
                pk,
                self.agency_ids[e.agency],
                e.source_system or e.agency,
                e.source_id,
                e.type,
                to_db(e.occurred_at),
                to_db(e.reported_at),
                now,
                version,
                e.digest,
                self.borough_ids.get(e.place or ""),
                location_id,
                e.attributes,
                e.narrative,
                e.restricted,
            )
            for pk, version, e, location_id in zip(ids, versions, written, location_ids, strict=True)
        ]
        insert_rows("events_event", EVENT_COLUMNS, rows[: len(created)])
        if updated:
            self._update_events(rows[len(created) :])
        insert_rows(
            "events_involvement",
            ("event_id", "source_record_id", "role"),
            [
                (pk, records[(self.agency_ids[e.agency], psid)], role)
                for pk, e in zip(ids, written, strict=True)
                for psid, role in e.involvements
            ],
        )
        self.counts.created += len(created)
        self.counts.updated += len(updated)
        self.written_events += ids
        self.agencies_written.update(e.agency for e in written)
        self.recent_events += [pk for pk, e in zip(ids, written, strict=True) if e.occurred_at >= self.live_since]
        changes.events_created += [f"{e.agency}:{e.source_id}" for e in created]
        changes.events_updated += [f"{e.agency}:{e.source_id}" for e, _ in updated]
        return refused, waiting

    def _update_events(self, rows: list[tuple]) -> None:
        """Keep each changed event's current version, then overwrite it and its involvements."""
        old = Event.objects.in_bulk([row[0] for row in rows])
        event_versions_keep(list(old.values()))
        Involvement.objects.filter(event_id__in=list(old)).delete()
        columns = EVENT_COLUMNS[2:]
        execute_many(
            f"UPDATE events_event SET {', '.join(f'{c} = %s' for c in columns)} WHERE id = %s",  # noqa: S608
            [(*row[2:], row[0]) for row in rows],
        )

    def _record_ids(self, lines: list[EventLine]) -> dict[tuple[int, str], int]:
        wanted: dict[int, set[str]] = defaultdict(set)
        for line in lines:
            wanted[self.agency_ids[line.agency]].update(psid for psid, _ in line.involvements)
        found = select_by_source("people_sourcerecord", ("id",), {a: sorted(ids) for a, ids in wanted.items()})
        return {key: row[0] for key, row in found.items()}

    # Held lines ------------------------------------------------------------------------------

    def _hold(self, refused: list[Refused]) -> None:
        self.counts.quarantined += len(refused)
        self._keep(HeldStatus.QUARANTINED, refused)

    def _wait(self, waiting: list[tuple[EventLine, list[str]]]) -> None:
        self.counts.waiting += len(waiting)
        self._keep(HeldStatus.WAITING, [
            Refused(e.line, "involvements",
                    f"waiting for person records {e.agency!r} has not yet sent: {', '.join(missing)}",
                    "event", e.agency, e.source_id, waiting_for=missing)
            for e, missing in waiting
        ])
        if waiting and not self.retrying:
            self.counts.superseded += self._supersede_waiting([e for e, _ in waiting])

    def _supersede_waiting(self, lines: list[EventLine]) -> int:
        """Close the lines earlier runs left waiting for the events these newer lines, waiting
        too, stand for: when the people come, the newest version goes in, not the oldest."""
        by_agency: dict[str, list[str]] = defaultdict(list)
        for line in lines:
            by_agency[line.agency].append(line.source_id)
        closed = 0
        for agency, source_ids in by_agency.items():
            closed += (HeldLine.objects.filter(status=HeldStatus.WAITING, kind="event", agency=agency,
                                               source_id__in=source_ids, run_id__lt=self.run.pk)
                       .exclude(last_run=self.run).exclude(raw_hash__in=[raw_hash(line.line) for line in lines])
                       .update(status=HeldStatus.RESOLVED, resolved_at=timezone.now(),
                               resolution=f"superseded: the agency sent this event again (import {self.run.pk}), "
                                          "and that line waits in its place"))
        return closed

    def _keep(self, status: str, held: list[Refused]) -> None:
        """Keep held lines, once each: the same line held again is not kept twice, but says
        why it was held this time (the person it waited for may have come, and another not)."""
        if not held:
            return
        by_hash = {raw_hash(item.line): item for item in held}
        self.held_now.update(by_hash)
        already = list(HeldLine.objects.exclude(status=HeldStatus.RESOLVED).filter(raw_hash__in=list(by_hash))
                       .only("raw_hash", "feed_agency", *HELD_AGAIN_FIELDS))
        for line in already:
            item = by_hash[line.raw_hash]
            if not self.retrying:  # sent again by this run, not offered again from the list
                line.last_run = self.run
            if line.feed_agency != self.only_agency:
                continue  # the same bytes from another feed, held by its own rule: this feed's line stays as it was
            line.status, line.field, line.reason = status, item.field[:200], _storable(item.reason)
            line.code, line.waiting_for = item.code, item.waiting_for
        HeldLine.objects.bulk_update(already, HELD_AGAIN_FIELDS, batch_size=500)
        kept = {line.raw_hash for line in already}
        HeldLine.objects.bulk_create([
            HeldLine(
                run=self.run, status=status, source=item.line.source, line_number=item.line.number,
                # A line from an API feed that could not be read far enough to name its agency is the feed's.
                kind=item.kind, agency=item.agency or self.only_agency, source_id=item.source_id,
                field=item.field[:200], reason=_storable(item.reason), code=item.code, waiting_for=item.waiting_for,
                raw=_storable(item.line.data[:RAW_KEPT].decode("utf-8", "replace")),
                raw_truncated=len(item.line.data) > RAW_KEPT or item.line.truncated,
                retriable=_kept_as_sent(item.line), feed_agency=self.only_agency,
                raw_hash=digest, created_at=self.now,
            )
            for digest, item in by_hash.items()
            if digest not in kept
        ])


# What a line held again says of this time (not its bytes, which are the same).
HELD_AGAIN_FIELDS = ["last_run", "status", "field", "reason", "code", "waiting_for"]


def _storable(text: str) -> str:
    """Text a database can store: PostgreSQL's text cannot hold NUL."""
    return text.replace("\x00", "\ufffd")


def _kept_as_sent(line: RawLine) -> bool:
    """Whether the line as kept is the line as sent, one the importer can read again: whole, read
    (a CSV row the reader could not read is kept as its bytes, without the header) and its
    bytes surviving being kept as text (UTF-8 with no NUL)."""
    if line.problem or line.truncated or len(line.data) > RAW_KEPT:
        return False
    try:
        line.data.decode("utf-8")
    except UnicodeDecodeError:
        return False
    return b"\x00" not in line.data


def _came_earlier(line: RawLine, field: str, key: str, kind: str, agency: str, source_id: str) -> Refused:
    return Refused(line, field, f"{key!r} came earlier in this import with different content; the first was "
                   "taken. If this one is newer, retry it from quarantine", kind, agency, source_id,
                   code=DUPLICATE_IN_IMPORT)


class _Once:
    """The caller's work for while the database writes: run once, its error kept for later
    (a chunk half-way through its transaction is not abandoned for it)."""

    def __init__(self, work: Callable[[], None] | None) -> None:
        self.work = work
        self.error: BaseException | None = None

    def __call__(self) -> None:
        work, self.work = self.work, None
        if work is not None:
            try:
                work()
            except BaseException as error:  # noqa: BLE001  (raised by raise_error, once the chunk is written)
                self.error = error

    def raise_error(self) -> None:
        if self.error is not None:
            raise self.error


def _rounds(lines: list[Any]) -> list[list[Any]]:
    """Split lines so no (agency, source_id) appears twice in one round, keeping their order."""
    if len({(line.agency, line.source_id) for line in lines}) == len(lines):
        return [lines] if lines else []  # the usual case, found without a set per round
    rounds: list[list[Any]] = []
    seen: list[set[tuple[str, str]]] = []
    for line in lines:
        key = (line.agency, line.source_id)
        for index, keys in enumerate(seen):
            if key not in keys:
                keys.add(key)
                rounds[index].append(line)
                break
        else:
            seen.append({key})
            rounds.append([line])
    return rounds
